/** A tiny pix2pix run on the synthetic paired fixture, for the tests of the tasks that read one. */
import { initBackend } from "../../src/backend/mod.ts";
import { loadPairedDataset } from "../../src/data/datasets.ts";
import { DEFAULTS, MODEL_DEFAULTS, type TrainConfig } from "../../src/train/config.ts";
import { train } from "../../src/train/loop.ts";
import { writePairedFixture } from "../data/_paired_fixture.ts";

/** The fixture's pairs as the tasks load them. */
export const PAIRS = { direction: "BtoA", size: 32 } as const;

/**
 * Trains pix2pix for 2 steps at 32x32 (width 1/8) on wasm, with `test` test pairs in the
 * fixture, and writes config.json as the train task does.
 */
export async function tinyPix2pixRun(
  dir: string,
  test: number,
): Promise<{ runDir: string; data: string }> {
  await initBackend({ requested: "wasm" });
  const data = await writePairedFixture(`${dir}/data`, { train: 2, val: 1, test });
  const config: TrainConfig = {
    ...DEFAULTS,
    model: "pix2pix",
    emaDecay: MODEL_DEFAULTS.pix2pix!.emaDecay!, // pix2pix keeps no average of G, as the train task
    dataset: "facades",
    dataDir: data,
    size: PAIRS.size,
    width: 1 / 8,
    batchSize: 1,
    steps: 2,
  };
  const runDir = `${dir}/run`;
  await train({
    config,
    dataset: await loadPairedDataset("facades", { ...PAIRS, dataDir: data, split: "train" }),
    runDir,
    progress: { update() {}, log() {}, stop() {} },
    now: () => performance.now(),
  });
  await Deno.writeTextFile(`${runDir}/config.json`, JSON.stringify({ config }));
  return { runDir, data };
}
