import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
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

Deno.test("BatchSource of a paired dataset keeps conditions with their targets and jitters both alike, seeded by step", async () => {
  // 6 pairs of 8x8x3 random images whose condition equals the target.
  const pixels = Uint8Array.from({ length: 6 * 8 * 8 * 3 }, (_, i) => (i * 37) % 256);
  const pairs: Dataset = {
    name: "pairs",
    images: pixels,
    conditions: pixels.slice(),
    labels: new Uint8Array(6),
    shape: [8, 8, 3],
    classNames: [],
    source: "memory",
  };
  const read = async (source: BatchSource, step: number) => {
    const b = source.batch(step);
    const out = [await b.images.data(), await b.condition!.data()].map((d) => Array.from(d));
    tf.dispose([b.images, b.labels, b.condition!]);
    return out as [number[], number[]];
  };
  const plain = new BatchSource(pairs, 2, 1);
  const [target, condition] = await read(plain, 0);
  assert.deepEqual(condition, target, "a condition travels with its own target");
  const jittered = new BatchSource(pairs, 2, 1, { jitter: true });
  const [t0, c0] = await read(jittered, 0);
  assert.deepEqual(c0, t0, "one crop and mirror for both images of a pair");
  assert.notDeepEqual(t0, target, "jitter changes the pixels");
  assert.deepEqual(await read(jittered, 0), [t0, c0], "the same step jitters the same way");
  const again = new BatchSource(pairs, 2, 1, { jitter: true });
  assert.deepEqual(
    (await read(again, 3))[0],
    (await read(jittered, 3))[0],
    "seeded by (seed, step)",
  );
  assert.throws(() => new BatchSource(DS, 2, 0, { jitter: true }), /Cannot jitter toy/);
  for (const s of [plain, jittered, again]) s.dispose();
});
