import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import {
  buildDiscriminator,
  buildGenerator,
  type MlpCganConfig,
} from "../../src/models/mlp_cgan.ts";

await initBackend({ requested: "cpu" });

const CFG: MlpCganConfig = {
  latentDim: 100,
  numClasses: 10,
  imageShape: [28, 28, 1],
  activation: "leaky",
  seed: 3,
};

Deno.test("buildGenerator() maps (z, labels) to 28x28x1 images in [-1, 1]", () => {
  const gen = buildGenerator(CFG);
  const out = tf.tidy(() => {
    const y = gen.predict([
      tf.randomNormal([5, 100], 0, 1, "float32", 1),
      tf.tensor2d([0, 1, 2, 3, 9], [5, 1], "int32"),
    ]) as tf.Tensor;
    return { shape: y.shape, min: tf.min(y).dataSync()[0]!, max: tf.max(y).dataSync()[0]! };
  });
  assert.deepEqual(out.shape, [5, 28, 28, 1]);
  assert.ok(out.min >= -1 && out.max <= 1, `outputs in [${out.min}, ${out.max}]`);
  gen.dispose();
});

Deno.test("buildGenerator() follows paper 000: dense 256-512-1024 with BN momentum 0.8, tanh out", () => {
  const gen = buildGenerator(CFG);
  const dense = gen.layers.filter((l) => l.getClassName() === "Dense").map((l) =>
    l.getConfig().units
  );
  assert.deepEqual(dense, [256, 512, 1024, 784]);
  const bn = gen.layers.filter((l) => l.getClassName() === "BatchNormalization");
  assert.equal(bn.length, 3);
  for (const layer of bn) assert.equal(layer.getConfig().momentum, 0.8);
  assert.equal(gen.getLayer("gen_out").getConfig().activation, "tanh");
  assert.ok(
    gen.layers.some((l) => l.getClassName() === "Multiply"),
    "labels are multiplied into z",
  );
  gen.dispose();
});

Deno.test("buildDiscriminator() maps (image, labels) to one logit with dense 512-256-128", () => {
  const disc = buildDiscriminator(CFG);
  const dense = disc.layers.filter((l) => l.getClassName() === "Dense").map((l) =>
    l.getConfig().units
  );
  assert.deepEqual(dense, [512, 256, 128, 1]);
  const shape = tf.tidy(() =>
    (disc.predict([tf.zeros([3, 28, 28, 1]), tf.tensor2d([1, 2, 3], [3, 1], "int32")]) as tf.Tensor)
      .shape
  );
  assert.deepEqual(shape, [3, 1]);
  disc.dispose();
});

Deno.test("labels change the generator's output (conditioning is wired)", () => {
  const gen = buildGenerator(CFG);
  const diff = tf.tidy(() => {
    const z = tf.randomNormal([1, 100], 0, 1, "float32", 7);
    const a = gen.predict([z, tf.tensor2d([[1]], [1, 1], "int32")]) as tf.Tensor;
    const b = gen.predict([z, tf.tensor2d([[7]], [1, 1], "int32")]) as tf.Tensor;
    return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
  });
  assert.ok(diff > 1e-3, `outputs for labels 1 and 7 differ by ${diff}`);
  gen.dispose();
});

Deno.test("the same seed builds identical weights; another seed does not", () => {
  const weights = (seed: number) => {
    const gen = buildGenerator({ ...CFG, seed });
    const values = gen.getWeights().map((w) => Array.from(w.dataSync()));
    gen.dispose();
    return values;
  };
  const a = weights(5);
  assert.deepEqual(weights(5), a);
  assert.notDeepEqual(weights(6), a);
});

Deno.test("--activation relu swaps every LeakyReLU for ReLU", () => {
  const gen = buildGenerator({ ...CFG, activation: "relu" });
  assert.equal(gen.layers.filter((l) => l.getClassName() === "LeakyReLU").length, 0);
  assert.equal(gen.layers.filter((l) => l.getClassName() === "ReLU").length, 3);
  gen.dispose();
});
