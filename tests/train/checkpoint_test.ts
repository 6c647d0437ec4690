import assert from "node:assert/strict";
import { initBackend } from "../../src/backend/mod.ts";
import type { Dataset } from "../../src/data/dataset.ts";
import { CHECKSUMS_FILE } from "../../src/io/checksums.ts";
import { loadGenerator } from "../../src/models/generator.ts";
import { latestCheckpoint, rewindToCheckpoint } from "../../src/train/checkpoint.ts";
import { trainOnDataset } from "../../src/train/run.ts";

await initBackend({ requested: "cpu" });

/** Two classes of 8x8 gray squares. */
function squares(n = 32): Dataset {
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 2);
  const images = Uint8Array.from({ length: n * 64 }, (_, i) => 40 + 150 * labels[i >> 6]!);
  return {
    name: "squares",
    images,
    labels,
    shape: [8, 8, 1],
    classNames: ["dark", "light"],
    source: "memory",
  };
}

const CONFIG = { batchSize: 8, latentDim: 8, saveEvery: 2, keepCheckpoints: 3 };

/** A run with checkpoints at steps 2 and 4. */
async function twoCheckpoints(): Promise<string> {
  const runDir = await Deno.makeTempDir({ prefix: "cgan-ckpt-" });
  await trainOnDataset(squares(), { runDir, config: { ...CONFIG, steps: 4 } });
  return runDir;
}

function flipByte(bytes: Uint8Array, at: number): Uint8Array {
  bytes[at]! ^= 0x10;
  return bytes;
}

Deno.test("a checkpoint records the SHA-256 of every file in it, weights included", async () => {
  const runDir = await twoCheckpoints();
  try {
    const latest = (await latestCheckpoint(runDir))!;
    const { sha256 } = JSON.parse(await Deno.readTextFile(`${latest}/${CHECKSUMS_FILE}`));
    for (
      const file of [
        "gen/weights.bin",
        "gen/model.json",
        "disc/weights.bin",
        "gen_ema/weights.bin",
        "gen_optimizer.bin",
        "state.json",
      ]
    ) {
      assert.match(sha256[file] ?? "", /^[0-9a-f]{64}$/, file);
    }
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("resuming on a weights file with one byte changed (same size) names the file and the newest intact checkpoint", async () => {
  const runDir = await twoCheckpoints();
  try {
    const latest = (await latestCheckpoint(runDir))!;
    assert.ok(latest.endsWith("step-00000004"));
    const weights = `${latest}/disc/weights.bin`;
    const size = (await Deno.stat(weights)).size;
    await Deno.writeFile(weights, flipByte(await Deno.readFile(weights), 100));
    assert.equal((await Deno.stat(weights)).size, size);
    const intact = `${runDir}/checkpoints/step-00000002`;
    const expected = new RegExp(
      `^Cannot load checkpoint "${latest}": "${weights}" is corrupted \\(SHA-256 [0-9a-f]{12}\\.\\.\\., ` +
        `expected [0-9a-f]{12}\\.\\.\\. from checksums\\.json\\); newest intact checkpoint: ` +
        `"${intact}" \\(train --resume ${intact} continues from it\\)$`,
    );
    await assert.rejects(
      () => trainOnDataset(squares(), { runDir, config: { ...CONFIG, steps: 6 }, resume: true }),
      (err: Error) => expected.test(err.message),
    );

    // Going back to the intact one: the corrupted checkpoint is set aside, and the run goes on.
    const { setAside } = await rewindToCheckpoint(intact);
    assert.deepEqual(setAside, [`${runDir}/checkpoints/set-aside-step-00000004`]);
    assert.equal(await latestCheckpoint(runDir), intact);
    const more = await trainOnDataset(squares(), {
      runDir,
      config: { ...CONFIG, steps: 6 },
      resume: true,
    });
    assert.deepEqual([more.status, more.step], ["done", 6]);
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("loading G from a run whose sampled G is corrupted names the file; a corrupted D does not stop sampling", async () => {
  const runDir = await twoCheckpoints();
  try {
    const latest = (await latestCheckpoint(runDir))!;
    const disc = `${latest}/disc/weights.bin`;
    await Deno.writeFile(disc, flipByte(await Deno.readFile(disc), 3));
    (await loadGenerator(runDir)).dispose();
    const gen = `${latest}/gen_ema/weights.bin`;
    await Deno.writeFile(gen, flipByte(await Deno.readFile(gen), 3));
    await assert.rejects(
      () => loadGenerator(runDir),
      new RegExp(
        `"${gen}" is corrupted .*newest intact checkpoint: "${runDir}/checkpoints/step-00000002"`,
      ),
    );
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("a checkpoint written before checksums (no checksums.json) still loads and resumes", async () => {
  const runDir = await twoCheckpoints();
  try {
    for (const step of ["00000002", "00000004"]) {
      await Deno.remove(`${runDir}/checkpoints/step-${step}/${CHECKSUMS_FILE}`);
    }
    (await loadGenerator(runDir)).dispose();
    const more = await trainOnDataset(squares(), {
      runDir,
      config: { ...CONFIG, steps: 6 },
      resume: true,
    });
    assert.deepEqual([more.status, more.step], ["done", 6]);
    const latest = (await latestCheckpoint(runDir))!;
    assert.ok(latest.endsWith("step-00000006"));
    await Deno.stat(`${latest}/${CHECKSUMS_FILE}`); // new checkpoints carry them
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});
