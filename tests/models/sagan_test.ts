import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { loadLayersModel, saveLayersModel } from "../../src/io/layers_io.ts";
import { generatorInfo, sampleImages } from "../../src/models/generator.ts";
import { buildGan, type ModelSpec } from "../../src/models/registry.ts";
import { HINGE_LOSS } from "../../src/train/losses.ts";
import { createAdam } from "../../src/backend/optimizer.ts";
import { trainStep } from "../../src/train/step.ts";

const SPEC: ModelSpec = {
  latentDim: 16,
  numClasses: 10,
  imageShape: [28, 28, 1],
  activation: "leaky",
  seed: 3,
  width: 0.125,
};

Deno.test("SAGAN: spectral norm on every weight layer, self-attention in G and D, conditional BN in G, projection D", async () => {
  await initBackend({ requested: "cpu" });
  const { gen, disc } = buildGan("sagan", SPEC);
  const classes = (m: tf.LayersModel) => m.layers.map((l) => l.getClassName());
  for (const m of [gen, disc]) {
    assert.ok(classes(m).includes("SelfAttention"), `${m.name} has self-attention`);
    assert.ok(
      !classes(m).some((c) => ["Conv2D", "Dense", "Conv2DTranspose"].includes(c)),
      `${m.name}: every conv/dense is spectrally normalised`,
    );
    assert.ok(!classes(m).includes("BatchNormalization"), `${m.name}: no plain BatchNorm`);
  }
  assert.equal(classes(gen).filter((c) => c === "ConditionalBatchNorm").length, 3);
  assert.deepEqual(gen.getLayer("gen_attention").outputShape, [null, 14, 14, 16]);
  assert.deepEqual(disc.getLayer("disc_attention").outputShape, [null, 14, 14, 8]);
  assert.equal(disc.getLayer("disc_projection").getClassName(), "Dot");
  assert.deepEqual(generatorInfo(gen), { latentDim: 16, numClasses: 10, imageShape: [28, 28, 1] });
  const images = await sampleImages(gen, [1, 7], 0);
  assert.equal(images.length, 2 * 28 * 28);
  assert.ok(images.every((v) => v >= -1 && v <= 1));
  gen.dispose();
  disc.dispose();
});

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`SAGAN trains with the hinge loss (${backend}): finite losses, both nets move, u vectors saved, no leak`, async () => {
    await initBackend({ requested: backend });
    const nets = buildGan("sagan", SPEC);
    const adam = { lr: 2e-4, beta1: 0, beta2: 0.9, epsilon: 1e-7 };
    const optimizers = { gen: createAdam(adam), disc: createAdam(adam) };
    const inputs = tf.tidy(() => ({
      images: tf.randomUniform([4, 28, 28, 1], -1, 1, "float32", 1) as tf.Tensor4D,
      labels: tf.tensor2d([[0], [1], [2], [3]], [4, 1], "int32"),
      z: tf.randomNormal([4, 16], 0, 1, "float32", 2) as tf.Tensor2D,
      fakeLabels: tf.tensor2d([[4], [5], [6], [7]], [4, 1], "int32"),
    }));
    const kernel = (m: tf.LayersModel, name: string) =>
      Array.from(m.getLayer(name).getWeights()[0]!.dataSync());
    const before = [kernel(nets.gen, "gen_up1"), kernel(nets.disc, "disc_down1")];
    const step = async () => {
      const { dLoss, gLoss } = trainStep(nets, optimizers, inputs, {
        loss: HINGE_LOSS,
        labelSmoothing: 0,
      });
      const v = [(await dLoss.data())[0]!, (await gLoss!.data())[0]!];
      tf.dispose([dLoss, gLoss]);
      return v;
    };
    await step();
    const count = tf.memory().numTensors;
    const losses = await step();
    assert.equal(tf.memory().numTensors, count, "tensor count is flat");
    assert.ok(losses.every(Number.isFinite), `${losses}`);
    assert.notDeepEqual(kernel(nets.gen, "gen_up1"), before[0], "G did not move");
    assert.notDeepEqual(kernel(nets.disc, "disc_down1"), before[1], "D did not move");
    const dir = await Deno.makeTempDir({ prefix: "cgan-sagan-" });
    await saveLayersModel(nets.disc, dir);
    const loaded = await loadLayersModel(dir);
    const u = (m: tf.LayersModel) => m.getLayer("disc_down1").getWeights()[2]!.dataSync();
    assert.deepEqual(
      u(loaded),
      u(nets.disc),
      "the power-iteration vector travels with the weights",
    );
    const x = [inputs.images, inputs.labels];
    assert.deepEqual(
      (loaded.predict(x) as tf.Tensor).dataSync(),
      (nets.disc.predict(x) as tf.Tensor).dataSync(),
    );
    await Deno.remove(dir, { recursive: true });
    loaded.dispose();
    tf.dispose(Object.values(inputs));
    for (const o of Object.values(optimizers)) o.dispose();
    nets.gen.dispose();
    nets.disc.dispose();
  });
}
