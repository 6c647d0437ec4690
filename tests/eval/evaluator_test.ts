import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { loadCifar10 } from "../../src/data/cifar10.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { buildEvaluator, evaluate } from "../../src/eval/evaluator.ts";
import { evaluatorAccuracy, trainEvaluator } from "../../src/eval/train_evaluator.ts";
import { sha256Hex } from "../../src/io/hash.ts";
import { loadLayersModel } from "../../src/io/layers_io.ts";

Deno.test("evaluate() returns softmax probabilities and 128-d features per image", async () => {
  await initBackend({ requested: "cpu" });
  const net = buildEvaluator({ imageShape: [28, 28, 1], numClasses: 10, seed: 0 });
  const images = tf.randomUniform([5, 28, 28, 1], -1, 1, "float32", 1) as tf.Tensor4D;
  const { probs, features, dim } = await evaluate(net, images, 2);
  assert.equal(dim, 128);
  assert.equal(probs.length, 50);
  assert.equal(features.length, 5 * 128);
  for (let i = 0; i < 5; i++) {
    const sum = probs.subarray(i * 10, i * 10 + 10).reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5, `row ${i} sums to ${sum}`);
  }
  assert.ok(features.every((v) => v >= 0), "features are ReLU activations");
  images.dispose();
  net.dispose();
});

Deno.test("the evaluator learns the fixture slice: high accuracy on held-out fixture digits (wasm)", async () => {
  await initBackend({ requested: "wasm" });
  const train = await loadMnist({ split: "train", dataDir: "fixtures/mnist" });
  const test = await loadMnist({ split: "test", dataDir: "fixtures/mnist" });
  const net = buildEvaluator({ imageShape: [28, 28, 1], numClasses: 10, seed: 0 });
  const before = tf.memory().numTensors;
  await trainEvaluator(net, train, { epochs: 6, batchSize: 50, lr: 1e-3, seed: 0 });
  assert.equal(tf.memory().numTensors, before, "training leaked tensors");
  const accuracy = await evaluatorAccuracy(net, test);
  // 1,000 training digits are enough for ~90%; chance is 10%.
  assert.ok(accuracy >= 0.85, `accuracy ${accuracy} on ${test.labels.length} held-out digits`);
  net.dispose();
});

Deno.test("the colour evaluator (vgg) gives 128-d features and learns the CIFAR fixture (wasm)", async () => {
  await initBackend({ requested: "wasm" });
  const train = await loadCifar10({ split: "train", dataDir: "fixtures/cifar10" });
  const net = buildEvaluator({ imageShape: [32, 32, 3], numClasses: 10, seed: 0 });
  assert.equal(net.name, "vgg_evaluator");
  const before = tf.memory().numTensors;
  const chance = await evaluatorAccuracy(net, train);
  await trainEvaluator(net, train, {
    epochs: 8,
    batchSize: 50,
    lr: 2e-3,
    seed: 0,
  });
  assert.equal(tf.memory().numTensors, before, "training leaked tensors");
  // 200 images, 32 steps: well above chance (10%) on what it saw, with BatchNorm's running
  // statistics (inference mode) still catching up with the weights.
  const fitted = await evaluatorAccuracy(net, train);
  assert.ok(fitted >= 0.25 && fitted > chance + 0.1, `train accuracy ${chance} -> ${fitted}`);
  const { features, dim } = await evaluate(net, tf.zeros([2, 32, 32, 3]) as tf.Tensor4D);
  assert.equal(dim, 128);
  assert.equal(features.length, 256);
  net.dispose();
});

Deno.test("the shipped evaluators match their recorded hashes and classify the fixtures' test images", async () => {
  await initBackend({ requested: "wasm" });
  for (
    const [dataset, load, floor] of [
      ["mnist", () => loadMnist({ split: "test", dataDir: "fixtures/mnist" }), 0.95],
      ["cifar10", () => loadCifar10({ split: "test", dataDir: "fixtures/cifar10" }), 0.6],
    ] as const
  ) {
    const dir = `fixtures/evaluators/${dataset}`;
    const meta = JSON.parse(await Deno.readTextFile(`${dir}/evaluator.json`));
    assert.equal(await sha256Hex(await Deno.readFile(`${dir}/weights.bin`)), meta.weightsSha256);
    const net = await loadLayersModel(dir);
    const accuracy = await evaluatorAccuracy(net, await load());
    assert.ok(
      accuracy >= floor,
      `${dataset}: ${accuracy} on the fixture (recorded ${meta.testAccuracy})`,
    );
    net.dispose();
  }
});
