import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { buildDiscriminator, buildGenerator } from "../../src/models/dcgan_mnist.ts";
import type { ModelSpec } from "../../src/models/registry.ts";
import { BCE_LOSS } from "../../src/train/losses.ts";
import { createAdam } from "../../src/backend/optimizer.ts";
import { trainStep } from "../../src/train/step.ts";

const SPEC: ModelSpec = {
  latentDim: 100,
  numClasses: 10,
  imageShape: [28, 28, 1],
  activation: "leaky",
  seed: 2,
};

Deno.test("DCGAN G follows paper 001: 7x7x128 + label map, two 4x4 stride-2 transposed convs, 7x7 tanh conv", async () => {
  await initBackend({ requested: "cpu" });
  const gen = buildGenerator(SPEC);
  assert.deepEqual(gen.getLayer("gen_condition").outputShape, [null, 7, 7, 129]);
  for (
    const [name, shape] of [["gen_up1", [null, 14, 14, 128]], ["gen_up2", [
      null,
      28,
      28,
      128,
    ]]] as const
  ) {
    const layer = gen.getLayer(name);
    assert.equal(layer.getClassName(), "Conv2DTranspose");
    assert.deepEqual(layer.getConfig().kernelSize, [4, 4]);
    assert.deepEqual(layer.getConfig().strides, [2, 2]);
    assert.deepEqual(layer.outputShape, shape);
  }
  assert.equal(gen.getLayer("gen_label_embedding").getConfig().outputDim, 50);
  assert.equal(gen.getLayer("gen_out").getConfig().activation, "tanh");
  const y = tf.tidy(() => {
    const out = gen.predict([
      tf.randomNormal([2, 100], 0, 1, "float32", 1),
      tf.tensor2d([[3], [8]], [2, 1], "int32"),
    ]) as tf.Tensor;
    return { shape: out.shape, max: tf.max(tf.abs(out)).dataSync()[0]! };
  });
  assert.deepEqual(y.shape, [2, 28, 28, 1]);
  assert.ok(y.max <= 1);
  gen.dispose();
});

Deno.test("DCGAN D: label as an extra channel, two 3x3 stride-2 convs, dropout 0.4, one logit", async () => {
  await initBackend({ requested: "cpu" });
  const disc = buildDiscriminator(SPEC);
  assert.deepEqual(disc.getLayer("disc_condition").outputShape, [null, 28, 28, 2]);
  assert.deepEqual(disc.getLayer("disc_down2").outputShape, [null, 7, 7, 128]);
  assert.equal(disc.getLayer("disc_dropout").getConfig().rate, 0.4);
  assert.equal(disc.layers.some((l) => l.getClassName() === "BatchNormalization"), false);
  const shape = tf.tidy(() =>
    (disc.predict([
      tf.zeros([3, 28, 28, 1]),
      tf.tensor2d([[1], [2], [3]], [3, 1], "int32"),
    ]) as tf.Tensor).shape
  );
  assert.deepEqual(shape, [3, 1]);
  disc.dispose();
});

Deno.test("DCGAN trains on wasm: both networks move and no tensor leaks", async () => {
  await initBackend({ requested: "wasm" });
  const nets = { gen: buildGenerator(SPEC), disc: buildDiscriminator(SPEC) };
  const adam = { lr: 2e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 };
  const optimizers = { gen: createAdam(adam), disc: createAdam(adam) };
  const inputs = tf.tidy(() => ({
    images: tf.randomUniform([4, 28, 28, 1], -1, 1, "float32", 3) as tf.Tensor4D,
    labels: tf.tensor2d([[0], [1], [2], [3]], [4, 1], "int32"),
    z: tf.randomNormal([4, 100], 0, 1, "float32", 4) as tf.Tensor2D,
    fakeLabels: tf.tensor2d([[4], [5], [6], [7]], [4, 1], "int32"),
  }));
  const weights = () =>
    [nets.gen, nets.disc].map((m) =>
      Array.from(m.getLayer(m === nets.gen ? "gen_up2" : "disc_down1").getWeights()[0]!.dataSync())
    );
  const before = weights();
  const step = () =>
    tf.dispose(
      Object.values(trainStep(nets, optimizers, inputs, { loss: BCE_LOSS, labelSmoothing: 0 })),
    );
  step();
  const count = tf.memory().numTensors;
  step();
  assert.equal(tf.memory().numTensors, count);
  const after = weights();
  assert.notDeepEqual(after[0], before[0], "G did not move");
  assert.notDeepEqual(after[1], before[1], "D did not move");
  tf.dispose(Object.values(inputs));
  optimizers.gen.dispose();
  optimizers.disc.dispose();
  nets.gen.dispose();
  nets.disc.dispose();
});
