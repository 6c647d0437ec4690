import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { buildGan } from "../../src/models/registry.ts";
import { createEma, emaDecayAt, updateEma } from "../../src/train/ema.ts";

const SPEC = {
  latentDim: 8,
  numClasses: 10,
  imageShape: [4, 4, 1] as [number, number, number],
  activation: "leaky" as const,
  seed: 0,
};

function values(model: tf.LayersModel): Float32Array[] {
  return model.weights.map((w) => w.read().dataSync() as Float32Array);
}

/** Moves every weight of G (BatchNorm's moving statistics included) by a seeded random step. */
function perturb(gen: tf.LayersModel, seed: number): void {
  tf.tidy(() => {
    gen.weights.forEach((w, i) => {
      const v = w.read();
      w.write(tf.add(v, tf.randomUniform(v.shape, 0, 1, "float32", seed + i)));
    });
  });
}

Deno.test("createEma copies G's architecture and weights into separate variables", async () => {
  await initBackend({ requested: "cpu" });
  const { gen, disc } = buildGan("mlp", SPEC);
  const ema = await createEma(gen);
  assert.equal(ema.weights.length, gen.weights.length);
  assert.deepEqual(values(ema), values(gen));
  perturb(gen, 1);
  assert.notDeepEqual(values(ema), values(gen), "moving G moved its average too");
  for (const net of [gen, disc, ema]) net.dispose();
});

Deno.test("updateEma sets every weight, BatchNorm statistics included, to decay * ema + (1 - decay) * G", async () => {
  await initBackend({ requested: "cpu" });
  const { gen, disc } = buildGan("mlp", SPEC);
  const ema = await createEma(gen);
  assert.ok(gen.weights.some((w) => w.name.includes("moving_variance")), "no BN statistics");
  const decay = 0.75;
  let expected = values(ema);
  for (let step = 0; step < 3; step++) {
    perturb(gen, 10 * step);
    const live = values(gen);
    expected = expected.map((e, i) => e.map((v, j) => decay * v + (1 - decay) * live[i]![j]!));
    const before = tf.memory().numTensors;
    updateEma(ema, gen, decay);
    assert.equal(tf.memory().numTensors, before, "updateEma leaked tensors");
  }
  const got = values(ema);
  got.forEach((w, i) => {
    const err = w.reduce((m, v, j) => Math.max(m, Math.abs(v - expected[i]![j]!)), 0);
    assert.ok(err < 1e-5, `${ema.weights[i]!.name}: max error ${err}`);
  });
  for (const net of [gen, disc, ema]) net.dispose();
});

Deno.test("updateEma rejects a decay outside [0, 1) and a model of another architecture", async () => {
  await initBackend({ requested: "cpu" });
  const { gen, disc } = buildGan("mlp", SPEC);
  const ema = await createEma(gen);
  assert.throws(() => updateEma(ema, gen, 1), /decay 1: expected 0 <= decay < 1/);
  assert.throws(() => updateEma(ema, gen, -0.1), /expected 0 <= decay < 1/);
  assert.throws(() => updateEma(ema, disc, 0.9), /Cannot average .* weights/);
  for (const net of [gen, disc, ema]) net.dispose();
});

Deno.test("createEma rebuilds every family's G, custom layers (spectral norm, attention, conditional BN) included", async () => {
  await initBackend({ requested: "cpu" });
  const cases = [
    ["dcgan", [28, 28, 1]],
    ["acgan-conv", [28, 28, 1]],
    ["sagan", [32, 32, 3]],
    ["pix2pix", [64, 64, 3]],
  ] as const;
  for (const [model, imageShape] of cases) {
    const { gen, disc } = buildGan(model, { ...SPEC, imageShape: [...imageShape], width: 0.25 });
    const ema = await createEma(gen);
    assert.deepEqual(values(ema), values(gen), `${model}: the average starts as G`);
    perturb(gen, 3);
    updateEma(ema, gen, 0);
    const live = values(gen);
    values(ema).forEach((w, i) => {
      const err = w.reduce((m, v, j) => Math.max(m, Math.abs(v - live[i]![j]!)), 0);
      assert.ok(err < 1e-6, `${model}: decay 0 leaves ${ema.weights[i]!.name} ${err} from G`);
    });
    for (const net of [gen, disc, ema]) net.dispose();
  }
});

Deno.test("emaDecayAt warms the decay up: (1 + step) / (10 + step) until it reaches the configured one", () => {
  assert.equal(emaDecayAt(0.999, 0), 0.1);
  assert.equal(emaDecayAt(0.999, 890), 0.99);
  assert.equal(emaDecayAt(0.999, 8990), 0.999);
  assert.equal(emaDecayAt(0.999, 1e6), 0.999);
  assert.equal(emaDecayAt(0.5, 100), 0.5);
  assert.equal(emaDecayAt(0, 0), 0); // 0 stays off
  for (let s = 1; s < 10_000; s += 37) {
    assert.ok(emaDecayAt(0.999, s) >= emaDecayAt(0.999, s - 1), `non-decreasing at ${s}`);
  }
});
