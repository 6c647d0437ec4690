import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { loadCifar10 } from "../../src/data/cifar10.ts";
import { BatchSource } from "../../src/data/batches.ts";
import { buildDiscriminator, buildGenerator } from "../../src/models/dcgan_cifar.ts";
import { buildGan, type ModelSpec } from "../../src/models/registry.ts";
import { LOSSES } from "../../src/train/losses.ts";
import { createAdam } from "../../src/backend/optimizer.ts";
import { drawStepInputs, trainStep } from "../../src/train/step.ts";

const PAPER: ModelSpec = {
  latentDim: 100,
  numClasses: 10,
  imageShape: [32, 32, 3],
  activation: "leaky",
  seed: 0,
};
const FIXTURE = new URL("../../fixtures/cifar10", import.meta.url).pathname;

Deno.test("CIFAR DCGAN G follows paper 002: concat(z, one-hot) -> 8192 -> 4x4x512 -> ConvT 512/256/128 k5 s2 -> ConvT 3 k5 s1 tanh", async () => {
  await initBackend({ requested: "cpu" });
  const gen = buildGenerator(PAPER);
  assert.deepEqual(gen.getLayer("gen_condition").outputShape, [null, 110]);
  const onehot = gen.getLayer("gen_label_onehot");
  assert.equal(onehot.trainable, false);
  assert.deepEqual(gen.getLayer("gen_project").outputShape, [null, 8192]);
  assert.deepEqual(gen.getLayer("gen_reshape").outputShape, [null, 4, 4, 512]);
  for (
    const [name, shape] of [
      ["gen_up1", [null, 8, 8, 512]],
      ["gen_up2", [null, 16, 16, 256]],
      ["gen_up3", [null, 32, 32, 128]],
    ] as const
  ) {
    const cfg = gen.getLayer(name).getConfig();
    assert.deepEqual([cfg.kernelSize, cfg.strides], [[5, 5], [2, 2]], name);
    assert.deepEqual(gen.getLayer(name).outputShape, shape);
  }
  const out = gen.getLayer("gen_out").getConfig();
  assert.deepEqual([out.filters, out.kernelSize, out.strides, out.activation], [
    3,
    [5, 5],
    [1, 1],
    "tanh",
  ]);
  const y = tf.tidy(() => {
    const labels = tf.tensor2d([[3], [8]], [2, 1], "int32");
    const img = gen.predict([tf.randomNormal([2, 100], 0, 1, "float32", 1), labels]) as tf.Tensor;
    return { shape: img.shape, max: tf.max(tf.abs(img)).dataSync()[0]! };
  });
  assert.deepEqual(y.shape, [2, 32, 32, 3]);
  assert.ok(y.max <= 1);
  gen.dispose();
});

Deno.test("CIFAR DCGAN D: label channel, Conv 64/128/256/512 k5 s2 with LeakyReLU, Conv 1 k4, no BatchNorm", async () => {
  await initBackend({ requested: "cpu" });
  const disc = buildDiscriminator(PAPER);
  assert.deepEqual(disc.getLayer("disc_condition").outputShape, [null, 32, 32, 4]);
  for (const [i, filters, side] of [[1, 64, 16], [2, 128, 8], [3, 256, 4], [4, 512, 2]]) {
    const layer = disc.getLayer(`disc_down${i}`);
    assert.deepEqual([layer.getConfig().kernelSize, layer.getConfig().strides], [[5, 5], [2, 2]]);
    assert.deepEqual(layer.outputShape, [null, side, side, filters]);
    assert.equal(disc.getLayer(`disc_down${i}_act`).getConfig().alpha, 0.2);
  }
  assert.deepEqual(disc.getLayer("disc_score").getConfig().kernelSize, [4, 4]);
  assert.equal(disc.layers.some((l) => l.getClassName() === "BatchNormalization"), false);
  assert.deepEqual(disc.outputs[0]!.shape, [null, 1]);
  disc.dispose();
});

Deno.test("--model dcgan picks paper 002's nets for 32x32x3 and paper 001's for 28x28x1; width scales channels", async () => {
  await initBackend({ requested: "cpu" });
  const cifar = buildGan("dcgan", { ...PAPER, width: 0.25 });
  assert.equal(cifar.gen.name, "dcgan_cifar_generator");
  assert.deepEqual(cifar.gen.getLayer("gen_up3").outputShape, [null, 32, 32, 32]);
  assert.deepEqual(cifar.disc.getLayer("disc_down4").outputShape, [null, 2, 2, 128]);
  const mnist = buildGan("dcgan", { ...PAPER, imageShape: [28, 28, 1] });
  assert.equal(mnist.gen.name, "dcgan_mnist_generator");
  for (const m of [cifar.gen, cifar.disc, mnist.gen, mnist.disc]) m.dispose();
});

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`one step of c-DCGAN, c-WGAN and c-WGAN-GP on the CIFAR fixture gives finite losses (${backend})`, async () => {
    await initBackend({ requested: backend });
    const data = await loadCifar10({ split: "train", dataDir: FIXTURE });
    const source = new BatchSource(data, 4, 0);
    for (const name of ["bce", "wgan", "wgan-gp"] as const) {
      const loss = LOSSES[name];
      const nets = buildGan("dcgan", { ...PAPER, width: 1 / 16, seed: 1 });
      const adam = { lr: 2e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 };
      const optimizers = { gen: createAdam(adam), disc: createAdam(adam) };
      const opts = { loss, labelSmoothing: 0.1, clipValue: 0.01, lambdaGp: 10 };
      const draw = (step: number) =>
        drawStepInputs(source, step, {
          latentDim: 100,
          numClasses: 10,
          seed: 0,
          interpolate: loss.lipschitz === "penalty",
        });
      const values: number[] = [];
      for (const step of [0, 1]) {
        const inputs = draw(step);
        const { dLoss, gLoss } = trainStep(nets, optimizers, inputs, opts);
        values.push((await dLoss.data())[0]!, (await gLoss!.data())[0]!);
        tf.dispose([dLoss, gLoss, ...Object.values(inputs)]);
      }
      assert.ok(values.every(Number.isFinite), `${name}: ${values}`);
      if (name === "wgan") {
        const max = Math.max(
          ...nets.disc.trainableWeights.map((w) =>
            tf.tidy(() => tf.max(tf.abs(w.read())).dataSync()[0]!)
          ),
        );
        assert.ok(
          max <= 0.01 + 1e-7,
          `WGAN clipping keeps D's weights in [-0.01, 0.01]: max |w| = ${max}`,
        );
      }
      if (name === "wgan-gp") {
        // A fresh critic is far from 1-Lipschitz, so the weighted penalty dominates D's loss.
        assert.ok(values[0]! > 1, `WGAN-GP D loss includes 10 x penalty: ${values[0]}`);
      }
      for (const o of Object.values(optimizers)) o.dispose();
      nets.gen.dispose();
      nets.disc.dispose();
    }
    source.dispose();
  });
}

Deno.test("--model dcgan takes paper 002's nets for colour images of 32x32 and 64x64, paper 001's for gray ones", async () => {
  await initBackend({ requested: "cpu" });
  const spec = { ...PAPER, width: 0.0625 };
  const big = buildGan("dcgan", { ...spec, imageShape: [64, 64, 3] });
  assert.equal(big.gen.name, "dcgan_cifar_generator");
  assert.deepEqual(big.gen.getLayer("gen_reshape").outputShape, [null, 8, 8, 32]);
  assert.deepEqual(big.gen.outputs[0]!.shape, [null, 64, 64, 3]);
  assert.deepEqual(big.disc.outputs[0]!.shape, [null, 1]);
  const gray = buildGan("dcgan", { ...spec, imageShape: [32, 32, 1] });
  assert.equal(gray.gen.name, "dcgan_mnist_generator");
  assert.deepEqual(gray.gen.outputs[0]!.shape, [null, 32, 32, 1]);
  for (const net of [big.gen, big.disc, gray.gen, gray.disc]) net.dispose();
});
