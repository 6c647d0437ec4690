import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/backend/mod.ts";
import { BatchSource } from "../../src/data/batches.ts";
import type { Dataset } from "../../src/data/dataset.ts";

await initBackend({ requested: "cpu" });

/** 10 one-pixel images whose pixel encodes the index (i * 25), label = i % 3. */
const DS: Dataset = {
  name: "toy",
  images: Uint8Array.from({ length: 10 }, (_, i) => i * 25),
  labels: Uint8Array.from({ length: 10 }, (_, i) => i % 3),
  shape: [1, 1, 1],
  classNames: ["a", "b", "c"],
  source: "memory",
};

async function rows(
  source: BatchSource,
  step: number,
): Promise<{ index: number[]; labels: number[]; pixels: number[] }> {
  const b = source.batch(step);
  const pixels = Array.from(await b.images.data());
  const labels = Array.from(await b.labels.data());
  tf.dispose([b.images, b.labels]);
  return { index: pixels.map((p) => Math.round(((p + 1) * 127.5) / 25)), labels, pixels };
}

Deno.test("BatchSource scales pixels to [-1, 1] and keeps labels with their images", async () => {
  const source = new BatchSource(DS, 5, 1);
  const { index, labels, pixels } = await rows(source, 0);
  assert.ok(pixels.every((p) => p >= -1 && p <= 1));
  index.forEach((i, k) => assert.equal(labels[k], i % 3));
  source.dispose();
});

Deno.test("BatchSource visits every image once per epoch and drops the incomplete batch", async () => {
  const source = new BatchSource(DS, 3, 7);
  assert.equal(source.stepsPerEpoch, 3);
  const seen = [
    ...(await rows(source, 0)).index,
    ...(await rows(source, 1)).index,
    ...(await rows(source, 2)).index,
  ];
  assert.equal(new Set(seen).size, 9);
  source.dispose();
});

Deno.test("BatchSource is seeded: same seed same batches, new epoch new order", async () => {
  const a = new BatchSource(DS, 5, 3);
  const b = new BatchSource(DS, 5, 3);
  assert.deepEqual(await rows(a, 4), await rows(b, 4));
  assert.deepEqual(await rows(b, 0), await rows(a, 0)); // going back to an earlier epoch is fine
  const epoch0 = [(await rows(a, 0)).index, (await rows(a, 1)).index].flat();
  const epoch1 = [(await rows(a, 2)).index, (await rows(a, 3)).index].flat();
  assert.notDeepEqual(epoch1, epoch0);
  a.dispose();
  b.dispose();
});

Deno.test("BatchSource rejects a batch size larger than the dataset, naming it", () => {
  assert.throws(
    () => new BatchSource(DS, 11, 0),
    /Invalid batch size 11: expected an integer in 1..10 \(the size of toy\)/,
  );
});
