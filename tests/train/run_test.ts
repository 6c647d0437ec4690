import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import type { Dataset } from "../../src/data/dataset.ts";
import { generatorInfo, loadGenerator, sampleImages } from "../../src/models/generator.ts";
import { latestCheckpoint } from "../../src/train/checkpoint.ts";
import { resolveConfig } from "../../src/train/config.ts";
import { trainOnDataset } from "../../src/train/run.ts";

await initBackend({ requested: "cpu" });

/** Three classes of 8x8 gray squares: dark, mid and light. */
function squares(n = 48, classNames = ["dark", "mid", "light"]): Dataset {
  const labels = Uint8Array.from({ length: n }, (_, i) => i % classNames.length);
  const images = Uint8Array.from({ length: n * 64 }, (_, i) => 30 + 90 * labels[i >> 6]!);
  return { name: "squares", images, labels, shape: [8, 8, 1], classNames, source: "memory" };
}

Deno.test("trainOnDataset() trains on data in memory into the run directory the CLI writes", async () => {
  const runDir = await Deno.makeTempDir({ prefix: "cgan-run-" });
  try {
    const before = tf.memory().numTensors;
    const result = await trainOnDataset(squares(), {
      runDir,
      config: { model: "sagan", batchSize: 8, steps: 3, latentDim: 8, width: 0.125 },
    });
    assert.deepEqual([result.status, result.step], ["done", 3]);
    assert.equal(tf.memory().numTensors, before, "every tensor of the run is disposed");

    const record = JSON.parse(await Deno.readTextFile(`${runDir}/config.json`));
    // The config resolved as the CLI resolves flags: SAGAN's own loss and betas.
    assert.deepEqual(
      record.config,
      resolveConfig({
        dataset: "memory",
        model: "sagan",
        batchSize: 8,
        steps: 3,
        latentDim: 8,
        width: 0.125,
      }),
    );
    assert.deepEqual([record.config.loss, record.config.beta1], ["hinge", 0]);
    assert.deepEqual(record.classNames, ["dark", "mid", "light"]);
    assert.deepEqual(record.shape, [8, 8, 1]);
    assert.equal(record.command, "trainOnDataset()");
    for (const file of ["losses.csv", "samples/final.png", "checkpoints/latest.json"]) {
      await Deno.stat(`${runDir}/${file}`);
    }

    // G's model file names its classes; the run directory samples like a CLI run's.
    const gen = await loadGenerator(runDir);
    assert.deepEqual(
      (gen.getUserDefinedMetadata() as { classNames: string[] }).classNames,
      ["dark", "mid", "light"],
    );
    assert.deepEqual(generatorInfo(gen).imageShape, [8, 8, 1]);
    assert.equal((await sampleImages(gen, [2, 0], 1)).length, 2 * 64);
    gen.dispose();
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("trainOnDataset() resumes a run, and refuses to resume it on other classes", async () => {
  const runDir = await Deno.makeTempDir({ prefix: "cgan-run-" });
  try {
    const config = { batchSize: 8, steps: 2, latentDim: 8, emaDecay: 0 };
    await trainOnDataset(squares(), { runDir, config });
    const more = await trainOnDataset(squares(), {
      runDir,
      config: { ...config, steps: 4 },
      resume: true,
    });
    assert.deepEqual([more.status, more.step], ["done", 4]);
    assert.ok((await latestCheckpoint(runDir))?.endsWith("step-00000004"));
    const before = tf.memory().numTensors;
    await assert.rejects(
      () =>
        trainOnDataset(squares(48, ["dark", "mid", "bright"]), {
          runDir,
          config: { ...config, steps: 6 },
          resume: true,
        }),
      {
        name: "RangeError",
        message: `Cannot resume "${runDir}": its G knows the classes dark, mid, light, found ` +
          `dark, mid, bright in memory`,
      },
    );
    assert.equal(tf.memory().numTensors, before, "the refused run disposes what it loaded");
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("trainOnDataset() rejects images that do not match the labels, and labels without a class", async () => {
  const ds = squares();
  await assert.rejects(
    () => trainOnDataset({ ...ds, images: ds.images.subarray(1) }, { runDir: "unused" }),
    {
      name: "RangeError",
      message:
        `Cannot train on dataset "squares": expected 48 labels x 8x8x1 = 3072 image bytes, ` +
        `found 3071`,
    },
  );
  await assert.rejects(
    () => trainOnDataset({ ...ds, classNames: ["dark", "mid"] }, { runDir: "unused" }),
    {
      name: "RangeError",
      message: `Cannot train on dataset "squares": expected labels below 2 (one per class name), ` +
        `found 2`,
    },
  );
});
