import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { buildPatchGan, buildUnet, translate } from "../../src/models/pix2pix.ts";

Deno.test("U-Net G: stride-2 encoder down to 1x1, a skip connection per decoder block, dropout in the first three, tanh", async () => {
  await initBackend({ requested: "cpu" });
  for (const [size, depth] of [[64, 6], [256, 8]] as const) {
    const gen = buildUnet({ size, inChannels: 3, outChannels: 3, width: 1 / 16, seed: 0 });
    assert.deepEqual(gen.getLayer(`gen_down${depth}`).outputShape.slice(1, 3), [1, 1]);
    assert.equal(gen.layers.filter((l) => l.getClassName() === "Concatenate").length, depth - 1);
    assert.deepEqual(gen.getLayer("gen_skip1").outputShape.slice(1, 3), [2, 2]);
    assert.deepEqual(gen.getLayer(`gen_skip${depth - 1}`).outputShape.slice(1, 3), [
      size / 2,
      size / 2,
    ]);
    const dropouts = gen.layers.filter((l) => l.getClassName() === "Dropout").map((l) => l.name);
    assert.deepEqual(dropouts, ["gen_up1_dropout", "gen_up2_dropout", "gen_up3_dropout"]);
    assert.equal(
      gen.layers.some((l) => l.name === "gen_down1_bn"),
      false,
      "no BatchNorm on the first block",
    );
    assert.equal(gen.getLayer("gen_out").getConfig().activation, "tanh");
    assert.deepEqual(gen.outputs[0]!.shape, [null, size, size, 3]);
    gen.dispose();
  }
  const small = buildUnet({ size: 16, inChannels: 1, outChannels: 3, width: 1 / 16, seed: 1 });
  const y = tf.tidy(() =>
    (small.predict(tf.randomUniform([2, 16, 16, 1], -1, 1, "float32", 2)) as tf.Tensor).shape
  );
  assert.deepEqual(y, [2, 16, 16, 3]);
  small.dispose();
  assert.throws(
    () => buildUnet({ size: 48, inChannels: 3, outChannels: 3, seed: 0 }),
    /power of two/,
  );
});

Deno.test("PatchGAN D gives 30x30 logits at 256x256, each seeing a 70x70 patch of the pair", async () => {
  await initBackend({ requested: "wasm" });
  const disc = buildPatchGan({ size: 256, inChannels: 3, outChannels: 3, width: 1 / 16, seed: 0 });
  assert.deepEqual(disc.outputs[0]!.shape, [null, 30, 30, 1]);
  assert.deepEqual(disc.getLayer("disc_pair").outputShape, [null, 256, 256, 6]);
  const a = tf.randomUniform([1, 256, 256, 3], -1, 1, "float32", 3);
  const b = tf.randomUniform([1, 256, 256, 3], -1, 1, "float32", 4);
  // Which input rows and columns can move the logit at (15, 15)?
  const grad = tf.grad((x: tf.Tensor) => {
    const out = disc.apply([x, b]) as tf.Tensor;
    return tf.sum(tf.slice(out, [0, 15, 15, 0], [1, 1, 1, 1]));
  })(a);
  const touched = tf.tidy(() =>
    tf.greater(tf.sum(tf.abs(grad), [0, 3]), 0).arraySync() as number[][]
  );
  const rows = touched.map((r) => r.some((v) => v !== 0));
  const cols = touched[0]!.map((_, c) => touched.some((r) => r[c] !== 0));
  const span = (m: boolean[]) => m.lastIndexOf(true) - m.indexOf(true) + 1;
  assert.deepEqual([span(rows), span(cols)], [70, 70]);
  tf.dispose([a, b, grad]);
  disc.dispose();
});

Deno.test("translate() runs G as at training time with seeded dropout, and leaves its weights as they were", async () => {
  await initBackend({ requested: "cpu" });
  const gen = buildUnet({ size: 32, inChannels: 3, outChannels: 3, width: 1 / 8, seed: 2 });
  const x = tf.randomUniform([1, 32, 32, 3], -1, 1, "float32", 6) as tf.Tensor4D;
  const weights = () => gen.weights.map((w) => Array.from(w.read().dataSync()));
  const before = weights();
  const count = tf.memory().numTensors;
  const [a, b, c] = [translate(gen, x, 1), translate(gen, x, 1), translate(gen, x, 2)];
  assert.equal(tf.memory().numTensors, count + 3, "only the three outputs remain");
  assert.deepEqual(b.dataSync(), a.dataSync(), "the same seed, the same dropout masks");
  assert.notDeepEqual(c.dataSync(), a.dataSync(), "another seed, other masks");
  // Training mode: batch statistics and dropout, unlike predict() with the moving averages.
  const predicted = gen.predict(x) as tf.Tensor;
  assert.notDeepEqual(predicted.dataSync(), a.dataSync());
  assert.deepEqual(weights(), before, "moving averages and kernels unchanged");
  tf.dispose([x, a, b, c, predicted]);
  gen.dispose();
});

Deno.test("PatchGAN D rejects images below 32x32, where no logit would remain", () => {
  assert.throws(
    () => buildPatchGan({ size: 16, inChannels: 3, outChannels: 3, seed: 0 }),
    /Cannot build a PatchGAN for 16x16: expected >= 32/,
  );
});
