/**
 * `RunWatch`, what `deno task serve --run` shows of a run, read from a run that `train()` (the
 * CLI's loop) wrote: its config, losses.csv as a table, the newest grid, the latest checkpoint's
 * G's average; a generator that fails its checksums is named.
 */
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend/mod.ts";
import { resolveConfig } from "../../src/train/config.ts";
import { train } from "../../src/train/loop.ts";
import { parseNumberCsv, RunWatch } from "../../src/train/run_status.ts";

await initBackend({ requested: "cpu" });

Deno.test("RunWatch reads a run as train() writes it: config, losses, newest grid, latest checkpoint", async () => {
  const runDir = await Deno.makeTempDir({ prefix: "cgan-watch-" });
  try {
    await Deno.writeTextFile(`${runDir}/config.json`, JSON.stringify({ model: "mlp", seed: 0 }));
    const watch = new RunWatch(`${runDir}/`);
    assert.deepEqual(await watch.status(), {
      config: { model: "mlp", seed: 0 },
      losses: null,
      evals: null,
      grid: null,
      checkpoint: null,
    });
    const dataset = {
      name: "toy",
      images: Uint8Array.from({ length: 8 * 16 }, (_, i) => (i * 37) % 256),
      labels: new Uint8Array([0, 1, 0, 1, 0, 1, 0, 1]),
      shape: [4, 4, 1] as [number, number, number],
      classNames: ["a", "b"],
      source: "memory",
    };
    const config = resolveConfig({ latentDim: 4, batchSize: 4, epochs: 2, dataset: "memory" });
    await train({
      config,
      dataset,
      runDir,
      progress: { update() {}, log() {}, stop() {} },
      now: () => performance.now(),
    });
    const status = await watch.status();
    assert.deepEqual(status.losses?.columns, ["step", "epoch", "d_loss", "g_loss"]);
    assert.deepEqual(status.losses?.rows.map((r) => r[0]), [2, 4]);
    assert.equal(status.grid?.name, "final.png");
    assert.deepEqual(status.checkpoint, {
      name: "step-00000004",
      step: 4,
      generator: "checkpoints/step-00000004/gen_ema",
    });
    // A changed weight file of that G is named, as sample --weights names it.
    const bin = `${runDir}/checkpoints/step-00000004/gen_ema/weights.bin`;
    const bytes = await Deno.readFile(bin);
    bytes[0] = bytes[0]! ^ 0xff;
    await Deno.writeFile(bin, bytes);
    await assert.rejects(() => new RunWatch(runDir).status(), /gen_ema\/weights\.bin/);
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("parseNumberCsv() reads eval.csv's header and rows; a cell that is no number is NaN", () => {
  const table = parseNumberCsv("epoch,step,fid,fid_real,accuracy,is\n1,8,201.5,3.1,NaN,1.9\n\n");
  assert.deepEqual(table.columns, ["epoch", "step", "fid", "fid_real", "accuracy", "is"]);
  assert.equal(table.rows.length, 1);
  assert.deepEqual(table.rows[0]!.slice(0, 4), [1, 8, 201.5, 3.1]);
  assert.ok(Number.isNaN(table.rows[0]![4]));
});
