import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/backend/mod.ts";
import type { Dataset } from "../../src/data/dataset.ts";
import { scoreTranslation, translatePairs } from "../../src/eval/score_translation.ts";
import { buildUnet } from "../../src/models/pix2pix.ts";

await initBackend({ requested: "cpu" });

/** A "generator" that returns its input. */
function identity(): tf.LayersModel {
  const input = tf.input({ shape: [16, 16, 3] });
  const out = tf.layers.activation({ activation: "linear" }).apply(input) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function pairs(offset: number): Dataset {
  const conditions = Uint8Array.from({ length: 3 * 16 * 16 * 3 }, (_, i) => (i * 7) % 200);
  return {
    name: "pairs",
    images: conditions.map((v) => v + offset),
    conditions,
    labels: new Uint8Array(3),
    shape: [16, 16, 3],
    classNames: [],
    source: "memory",
  };
}

Deno.test("scoreTranslation() scores on [0, 1]: a perfect G has L1 0 and SSIM 1, a shift of 51 levels L1 0.2", async () => {
  const gen = identity();
  const perfect = await scoreTranslation(gen, pairs(0), { n: 10, seed: 0 });
  assert.equal(perfect.n, 3, "n is capped at the number of pairs");
  assert.ok(
    perfect.l1 < 1e-6 && perfect.ssim > 1 - 1e-6 && perfect.psnr > 100,
    JSON.stringify(perfect),
  );
  const shifted = await scoreTranslation(gen, pairs(51), { n: 3, seed: 0 });
  assert.ok(Math.abs(shifted.l1 - 0.2) < 1e-6, `L1 ${shifted.l1}`);
  assert.ok(Math.abs(shifted.psnr - 20 * Math.log10(5)) < 1e-4, `PSNR ${shifted.psnr}`);
  assert.ok(shifted.ssim < perfect.ssim);
  gen.dispose();
});

Deno.test("translatePairs() gives each pair the same output however many are translated, and leaks no tensors", async () => {
  const gen = buildUnet({ size: 16, inChannels: 3, outChannels: 3, width: 1 / 8, seed: 0 });
  const data = pairs(0);
  await translatePairs(gen, data, { count: 1, seed: 4 }); // warm-up
  const before = tf.memory().numTensors;
  const one = await translatePairs(gen, data, { count: 1, seed: 4 });
  const three = await translatePairs(gen, data, { count: 3, seed: 4 });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(three.subarray(0, one.length), one);
  const other = await translatePairs(gen, data, { count: 1, seed: 5 });
  assert.notDeepEqual(other, one, "the seed sets G's dropout masks");
  gen.dispose();
});
