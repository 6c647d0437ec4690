import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { BatchSource } from "../../src/data/batches.ts";
import { limitDataset } from "../../src/data/dataset.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { buildGan } from "../../src/models/registry.ts";
import { BCE_LOSS } from "../../src/train/losses.ts";
import { createAdam } from "../../src/backend/optimizer.ts";
import { drawStepInputs, trainStep } from "../../src/train/step.ts";

const SPEC = {
  latentDim: 16,
  numClasses: 10,
  imageShape: [28, 28, 1] as [number, number, number],
  activation: "leaky" as const,
  seed: 0,
};

Deno.test("ACGAN's D (MLP and conv) has one input and a source column plus one column per class", async () => {
  await initBackend({ requested: "cpu" });
  for (const model of ["acgan", "acgan-conv"] as const) {
    const { gen, disc } = buildGan(model, SPEC);
    assert.equal(disc.inputs.length, 1);
    assert.deepEqual(disc.outputs[0]!.shape, [null, 11]);
    assert.deepEqual(gen.outputs[0]!.shape, [null, 28, 28, 1]);
    assert.equal(gen.inputs.length, 2);
    gen.dispose();
    disc.dispose();
  }
});

Deno.test("ACGAN's conv G normalises before each LeakyReLU; paper 001's DCGAN G does not", async () => {
  await initBackend({ requested: "cpu" });
  const acgan = buildGan("acgan-conv", SPEC);
  const dcgan = buildGan("dcgan", SPEC);
  const norms = (g: tf.LayersModel) =>
    g.layers.filter((l) => l.getClassName() === "BatchNormalization").map((l) => l.name);
  assert.deepEqual(norms(acgan.gen), ["gen_project_bn", "gen_up1_bn", "gen_up2_bn"]);
  assert.deepEqual(norms(dcgan.gen), []);
  // Each norm feeds the LeakyReLU of its block.
  for (const name of norms(acgan.gen)) {
    const act = acgan.gen.getLayer(name.replace(/_bn$/, "_act"));
    assert.equal(act.getClassName(), "LeakyReLU");
    assert.equal(act.inboundNodes[0]!.inboundLayers[0]!.name, name);
  }
  for (const net of [acgan.gen, acgan.disc, dcgan.gen, dcgan.disc]) net.dispose();
});

Deno.test("ACGAN's MLP G takes z concatenated with the one-hot label, and the label moves the output", async () => {
  await initBackend({ requested: "cpu" });
  const { gen, disc } = buildGan("acgan", SPEC);
  assert.equal(gen.getLayer("gen_condition").getClassName(), "Concatenate");
  assert.deepEqual(gen.getLayer("gen_condition").outputShape, [null, 16 + 10]);
  // z reaches G at full scale whatever the label: no learned factor can switch it off.
  const diff = tf.tidy(() => {
    const z = tf.randomNormal([1, 16], 0, 1, "float32", 3);
    const a = gen.predict([z, tf.tensor2d([[8]], [1, 1], "int32")]) as tf.Tensor;
    const b = gen.predict([z, tf.tensor2d([[3]], [1, 1], "int32")]) as tf.Tensor;
    return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
  });
  assert.ok(diff > 1e-3, `outputs for labels 8 and 3 differ by ${diff}`);
  // Paper 000's cGAN keeps its product of z and a learned embedding.
  const mlp = buildGan("mlp", SPEC);
  assert.equal(mlp.gen.getLayer("gen_condition").getClassName(), "Multiply");
  for (const net of [gen, disc, mlp.gen, mlp.disc]) net.dispose();
});

for (const [model, steps, batch] of [["acgan", 40, 64], ["acgan-conv", 20, 32]] as const) {
  Deno.test(`the step trains ${model}'s auxiliary classifier: D learns the classes of real digits (wasm)`, async () => {
    await trainsClassifier(model, steps, batch);
  });
}

async function trainsClassifier(model: "acgan" | "acgan-conv", steps: number, batch: number) {
  await initBackend({ requested: "wasm" });
  const data = limitDataset(await loadMnist({ split: "train", dataDir: "fixtures/mnist" }), 256);
  const nets = buildGan(model, SPEC);
  const adam = { lr: 1e-3, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 };
  const optimizers = { gen: createAdam(adam), disc: createAdam(adam) };
  const source = new BatchSource(data, batch, 0);
  const accuracy = () =>
    tf.tidy(() => {
      const { images, labels } = source.batch(0);
      const out = nets.disc.predict(images) as tf.Tensor;
      const predicted = tf.argMax(tf.slice(out, [0, 1], [-1, 10]), 1);
      return tf.mean(tf.cast(tf.equal(predicted, tf.reshape(labels, [-1])), "float32"))
        .dataSync()[0]!;
    });
  const before = accuracy();
  let tensors = 0;
  let last = { d: 0, g: 0 };
  for (let step = 0; step < steps; step++) {
    if (step === 1) tensors = tf.memory().numTensors; // after Adam has made its moments
    const inputs = drawStepInputs(source, step, { latentDim: 16, numClasses: 10, seed: 0 });
    const { dLoss, gLoss } = trainStep(nets, optimizers, inputs, {
      loss: BCE_LOSS,
      labelSmoothing: 0.1,
      auxClassifier: true,
    });
    last = { d: (await dLoss.data())[0]!, g: (await gLoss!.data())[0]! };
    tf.dispose([dLoss, gLoss, ...Object.values(inputs)]);
  }
  assert.equal(tf.memory().numTensors, tensors, "the step leaked tensors");
  assert.ok(Number.isFinite(last.d) && Number.isFinite(last.g), JSON.stringify(last));
  const after = accuracy();
  // A few dozen steps over 256 digits: the class head must be far above chance on what it saw.
  assert.ok(after > 0.6 && after > before + 0.3, `class accuracy ${before} -> ${after}`);
  source.dispose();
  optimizers.gen.dispose();
  optimizers.disc.dispose();
  nets.gen.dispose();
  nets.disc.dispose();
}
