import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { meanPairwiseDistance, qualityGate } from "../../src/eval/quality_gate.ts";
import { loadLayersModel } from "../../src/io/layers_io.ts";

Deno.test("meanPairwiseDistance() averages over every pair", () => {
  // Points 0, 3 and 7 on a line: distances 3, 7, 4.
  assert.equal(meanPairwiseDistance(new Float32Array([0, 3, 7]), 3, 1), 14 / 3);
  assert.throws(() => meanPairwiseDistance(new Float32Array([1]), 1, 1), /at least 2 vectors/);
});

/**
 * A stand-in generator `(z, label) -> image`: each class's image is `template[label]` plus
 * `noise * (z projected to pixels)`, so `noise` sets how varied a class is.
 */
function standInGenerator(templates: Float32Array, noise: number): tf.LayersModel {
  const z = tf.input({ shape: [8] });
  const label = tf.input({ shape: [1], dtype: "int32" });
  const base = tf.layers.flatten().apply(
    tf.layers.embedding({
      inputDim: 10,
      outputDim: 784,
      weights: [tf.tensor2d(templates, [10, 784])],
    }).apply(label),
  ) as tf.SymbolicTensor;
  const spread = tf.layers.dense({
    units: 784,
    useBias: false,
    kernelInitializer: noise === 0
      ? "zeros"
      : tf.initializers.randomNormal({ stddev: noise, seed: 1 }),
  }).apply(z) as tf.SymbolicTensor;
  const sum = tf.layers.add().apply([base, spread]) as tf.SymbolicTensor;
  const image = tf.layers.reshape({ targetShape: [28, 28, 1] }).apply(
    tf.layers.activation({ activation: "tanh" }).apply(sum),
  ) as tf.SymbolicTensor;
  return tf.model({ inputs: [z, label], outputs: image });
}

Deno.test("qualityGate() passes real-looking classes only when they are varied and not blank", async () => {
  await initBackend({ requested: "cpu" });
  const test = await loadMnist({ split: "test", dataDir: "fixtures/mnist" });
  const evaluator = await loadLayersModel("fixtures/evaluators/mnist");
  // Template of class c: the first real test digit of c, as a pre-tanh value in [-3, 3].
  const templates = new Float32Array(10 * 784);
  for (let c = 0; c < 10; c++) {
    const i = test.labels.indexOf(c);
    for (let k = 0; k < 784; k++) {
      templates[c * 784 + k] = (test.images[i * 784 + k]! / 255) * 6 - 3;
    }
  }
  const opts = { perClass: 10, minDiversityRatio: 0.5 };

  const collapsed = standInGenerator(templates, 0);
  const a = await qualityGate(collapsed, evaluator, test, opts);
  assert.equal(a.n, 100);
  assert.ok(a.accuracy >= 0.9, `real templates are recognised: ${a.accuracy}`);
  assert.equal(a.minRatio, 0, "one image per class has no diversity");
  assert.equal(a.blank, 0);
  // One image per class, and the evaluator reads at most one of the ten templates as another digit.
  assert.ok(a.produced >= 9, `classes drawn as themselves: ${a.produced}`);
  assert.equal(a.passed, false);

  const blank = standInGenerator(new Float32Array(10 * 784).fill(-3), 0);
  const b = await qualityGate(blank, evaluator, test, opts);
  assert.equal(b.blank, 100);
  assert.equal(b.passed, false);

  const varied = standInGenerator(templates, 1);
  const c = await qualityGate(varied, evaluator, test, opts);
  assert.ok(c.minRatio > 0.5, `noise makes classes varied: ${c.minRatio}`);
  assert.equal(c.perClass.length, 10);
  for (const p of c.perClass) assert.ok(p.realDiversity > 0);

  // Every label drawn as a varied 3: accuracy and diversity aside, nine classes are missing.
  const threes = new Float32Array(10 * 784);
  for (let c = 0; c < 10; c++) threes.set(templates.subarray(3 * 784, 4 * 784), c * 784);
  const onlyThrees = standInGenerator(threes, 1);
  const lenient = { ...opts, minAccuracy: 0, minDiversityRatio: 0 };
  const d = await qualityGate(onlyThrees, evaluator, test, lenient);
  assert.ok(d.produced <= 2, `one class drawn for every label: ${d.produced} produced`);
  assert.equal(d.thresholds.minClassesProduced, 10, "all classes by default");
  assert.equal(d.passed, false);
  const e = await qualityGate(onlyThrees, evaluator, test, { ...lenient, minClassesProduced: 1 });
  assert.equal(e.passed, true, "the coverage check is what failed it");
  for (const model of [collapsed, blank, varied, onlyThrees, evaluator]) model.dispose();
});

Deno.test("qualityGate() measures real diversity on the real images a class has when the test split holds fewer than perClass, and needs 20", async () => {
  await initBackend({ requested: "cpu" });
  const test = await loadMnist({ split: "test", dataDir: "fixtures/mnist" });
  const evaluator = await loadLayersModel("fixtures/evaluators/mnist");
  const gen = standInGenerator(new Float32Array(10 * 784), 1);
  /** The test split cut to its first `k` images of every class. */
  const firstOfEach = (k: number) => {
    const keep: number[] = [];
    const seen = new Array(10).fill(0);
    test.labels.forEach((c, i) => {
      if (seen[c]++ < k) keep.push(i);
    });
    const images = new Uint8Array(keep.length * 784);
    keep.forEach((i, j) => images.set(test.images.subarray(i * 784, (i + 1) * 784), j * 784));
    return { ...test, images, labels: Uint8Array.from(keep, (i) => test.labels[i]!) };
  };
  // 30 samples per class against 25 real ones: the reference is the mean over those 25.
  const r = await qualityGate(gen, evaluator, firstOfEach(25), { perClass: 30 });
  const few = firstOfEach(25);
  for (const p of r.perClass) {
    const idx = [...few.labels.keys()].filter((i) => few.labels[i] === p.label);
    const real = new Float32Array(idx.length * 784);
    idx.forEach((i, j) => {
      for (let k = 0; k < 784; k++) real[j * 784 + k] = few.images[i * 784 + k]! / 255;
    });
    assert.ok(Math.abs(p.realDiversity - meanPairwiseDistance(real, idx.length, 784)) < 1e-4);
  }
  await assert.rejects(
    () => qualityGate(gen, evaluator, firstOfEach(15), { perClass: 30 }),
    /^RangeError: Cannot measure the diversity of class 0: expected at least 20 real test images of it, found 15$/,
  );
  gen.dispose();
  evaluator.dispose();
});
