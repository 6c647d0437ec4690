import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { parseTrainArgs } from "../../src/cli.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { scoreGenerator } from "../../src/eval/score_generator.ts";
import { loadLayersModel } from "../../src/io/layers_io.ts";
import { loadGenerator } from "../../src/models/generator.ts";
import { buildGan } from "../../src/models/registry.ts";
import { DEFAULTS } from "../../src/train/config.ts";
import { train } from "../../src/train/loop.ts";

const SPEC = {
  latentDim: 16,
  numClasses: 10,
  imageShape: [28, 28, 1] as [number, number, number],
  activation: "leaky" as const,
  seed: 0,
};

Deno.test("unconditional baselines take no labels: --model gan and dcgan with conditional false", async () => {
  await initBackend({ requested: "cpu" });
  for (const [model, conditional] of [["gan", true], ["mlp", false], ["dcgan", false]] as const) {
    const { gen, disc } = buildGan(model, { ...SPEC, conditional });
    assert.equal(gen.inputs.length, 1, `${model} G`);
    assert.equal(disc.inputs.length, 1, `${model} D`);
    assert.deepEqual(gen.outputs[0]!.shape, [null, 28, 28, 1]);
    assert.deepEqual(disc.outputs[0]!.shape, [null, 1]);
    gen.dispose();
    disc.dispose();
  }
});

Deno.test("--unconditional and --model gan set conditioning none; contradictions are rejected", () => {
  assert.equal(
    parseTrainArgs(["--model", "dcgan", "--unconditional"], {}).config.conditioning,
    "none",
  );
  assert.equal(parseTrainArgs(["--model", "gan"], {}).config.conditioning, "none");
  assert.equal(parseTrainArgs([], {}).config.conditioning, "label");
  assert.throws(
    () => parseTrainArgs(["--model", "gan", "--conditioning", "label"], {}),
    /Invalid --conditioning label for --model gan/,
  );
  assert.throws(
    () => parseTrainArgs(["--model", "acgan", "--unconditional"], {}),
    /Invalid --unconditional for --model acgan/,
  );
});

Deno.test("an unconditional run trains, saves, and scores without per-class numbers", async () => {
  await initBackend({ requested: "cpu" });
  const dataset = await loadMnist({ split: "train", dataDir: "fixtures/mnist" });
  const test = await loadMnist({ split: "test", dataDir: "fixtures/mnist" });
  const runDir = await Deno.makeTempDir({ prefix: "cgan-gan-" });
  try {
    const config = {
      ...DEFAULTS,
      model: "gan" as const,
      conditioning: "none" as const,
      batchSize: 8,
      steps: 3,
      limit: 64,
      backend: "cpu" as const,
    };
    const result = await train({
      config,
      dataset,
      runDir,
      progress: { update() {}, log() {}, stop() {} },
      now: () => performance.now(),
    });
    assert.equal(result.step, 3);
    const gen = await loadGenerator(runDir);
    assert.equal(gen.inputs.length, 1);
    const evaluator = await loadLayersModel("fixtures/evaluators/mnist");
    const scores = await scoreGenerator(gen, evaluator, test, dataset, {
      n: 100,
      latentDim: config.latentDim,
      seed: 0,
      splits: 2,
      k: 3,
    });
    assert.ok(Number.isFinite(scores.fid) && Number.isFinite(scores.is.mean));
    assert.ok(Number.isNaN(scores.accuracy) && Number.isNaN(scores.intraFid.mean));
    gen.dispose();
    evaluator.dispose();
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
  assert.equal(tf.getBackend(), "cpu");
});
