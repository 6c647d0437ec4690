import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import type { Dataset } from "../../src/data/dataset.ts";
import {
  scoreMeanImage,
  scoreTranslation,
  translatePairs,
} from "../../src/eval/score_translation.ts";
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

Deno.test("scoreMeanImage() scores the mean training target as every output: exact when all targets agree, half-way between 0 and 255", () => {
  const shape: [number, number, number] = [12, 12, 3];
  const size = 12 * 12 * 3;
  const pairs = (targets: Uint8Array[]) => ({
    name: "toy",
    images: Uint8Array.from(targets.flatMap((t) => [...t])),
    conditions: new Uint8Array(targets.length * size),
    labels: new Uint8Array(targets.length),
    shape,
    classNames: [],
    source: "memory",
  });
  const t = Uint8Array.from({ length: size }, (_, i) => (i * 37) % 256);
  const same = scoreMeanImage(pairs([t, t, t]), pairs([t, t]), { n: 5 });
  // Equal up to float rounding of the average (sum / 3).
  assert.equal(same.n, 2);
  assert.ok(same.psnr > 200 && same.l1 < 1e-12, `PSNR ${same.psnr}, L1 ${same.l1}`);
  assert.ok(Math.abs(same.ssim - 1) < 1e-9, `${same.ssim}`);
  const black = new Uint8Array(size);
  const white = new Uint8Array(size).fill(255);
  const half = scoreMeanImage(pairs([black, white]), pairs([black]), { n: 1 });
  assert.equal(half.l1, 0.5);
  assert.ok(Math.abs(half.psnr - 10 * Math.log10(1 / 0.25)) < 1e-9, `${half.psnr}`); // MSE 0.25
});
