/**
 * `newTrainables()`: what the CLI's runs and the page's Train panel start from: the model the
 * config names, sized by the data, G told its noise and classes (or a pix2pix G its direction),
 * and each network its own Adam.
 */
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend/mod.ts";
import { resolveConfig } from "../../src/train/config.ts";
import { disposeTrainables, newTrainables } from "../../src/train/trainables.ts";

await initBackend({ requested: "cpu" });

const dataset = {
  name: "toy",
  images: new Uint8Array(2 * 16),
  labels: new Uint8Array([0, 1]),
  shape: [4, 4, 1] as [number, number, number],
  classNames: ["a", "b"],
  source: "memory",
};

Deno.test("newTrainables() builds the config's model with two Adams; --unconditional drops the labels", () => {
  const run = newTrainables(resolveConfig({ latentDim: 4, lr: 1e-4, lrD: 3e-4 }), dataset);
  assert.equal(run.nets.gen.inputs.length, 2);
  const rate = (o: { getConfig(): Record<string, unknown> }) => o.getConfig()["learningRate"];
  assert.deepEqual([rate(run.optimizers.gen), rate(run.optimizers.disc)], [1e-4, 3e-4]);
  assert.notEqual(run.optimizers.gen, run.optimizers.disc);
  disposeTrainables(run);
  const baseline = newTrainables(resolveConfig({ latentDim: 4, conditioning: "none" }), dataset);
  assert.equal(baseline.nets.gen.inputs.length, 1, "an unconditional G takes z alone");
  disposeTrainables(baseline);
});

Deno.test("newTrainables() tells a pix2pix G which way it translates, not noise or classes", () => {
  const pairs = {
    ...dataset,
    images: new Uint8Array(2 * 32 * 32 * 3),
    conditions: new Uint8Array(2 * 32 * 32 * 3),
    shape: [32, 32, 3] as [number, number, number],
    classNames: [],
  };
  const run = newTrainables(resolveConfig({ model: "pix2pix", width: 0.125 }), pairs);
  assert.deepEqual(run.nets.gen.getUserDefinedMetadata(), { direction: "BtoA" });
  disposeTrainables(run);
});
