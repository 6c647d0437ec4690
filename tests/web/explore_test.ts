/**
 * The page's drawings, in Deno on the cpu backend: they are cgan's sampling functions laid out,
 * so each cell is what `sampleImages` (and `deno task sample`) draws for its class and seed.
 */
import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { generatorNoise, latentNoise, sampleImages } from "../../src/models/generator.ts";
import { buildGan } from "../../src/models/registry.ts";
import { allClasses, classGrid, interpolateLatents, interpolation } from "../../web/explore.ts";

await initBackend({ requested: "cpu" });
const SPEC = {
  latentDim: 8,
  numClasses: 4,
  imageShape: [4, 4, 1] as [number, number, number],
  activation: "leaky" as const,
  seed: 1,
};
const CELL = 16;

Deno.test("allClasses(): row k is class k, and column j draws class k at the z that sampleImages() draws j-th", async () => {
  const { gen } = buildGan("mlp", SPEC);
  const all = await allClasses(gen, { seed: 9, n: 3 });
  assert.deepEqual([all.count, all.cols, all.shape], [12, 3, [4, 4, 1]]);
  for (let k = 0; k < 4; k++) {
    assert.deepEqual(
      all.images.subarray(k * 3 * CELL, (k + 1) * 3 * CELL),
      await sampleImages(gen, [k, k, k], 9),
      `row ${k}`,
    );
  }
  // A column's cells share z, yet differ: the class alone changes them.
  assert.notDeepEqual(all.images.subarray(0, CELL), all.images.subarray(3 * CELL, 4 * CELL));
  // The drawings leave no tensor behind.
  const before = tf.memory().numTensors;
  await allClasses(gen, { seed: 1, n: 2 });
  await interpolation(gen, { label: 0, from: 1, to: 2, n: 3 });
  await classGrid(gen, { label: 0, seed: 1, n: 2 });
  assert.equal(tf.memory().numTensors, before);
  gen.dispose();
});

Deno.test("interpolation(): the ends are exactly the two seeds' samples, the steps between differ from both", async () => {
  for (const noise of ["normal", "uniform"] as const) {
    const { gen } = buildGan("mlp", { ...SPEC, seed: 2 });
    gen.setUserDefinedMetadata({ noise });
    const row = await interpolation(gen, { label: 3, from: 0, to: 5, n: 6 });
    assert.deepEqual([row.count, row.cols], [6, 6]);
    const first = row.images.subarray(0, CELL);
    const last = row.images.subarray(5 * CELL);
    assert.deepEqual(first, await sampleImages(gen, [3], 0), noise);
    assert.deepEqual(last, await sampleImages(gen, [3], 5), noise);
    const middle = row.images.subarray(2 * CELL, 3 * CELL);
    assert.notDeepEqual(middle, first);
    assert.notDeepEqual(middle, last);
    gen.dispose();
  }
});

Deno.test("interpolateLatents(): a spherical path keeps a normal z's length between equal-length ends", async () => {
  const { gen } = buildGan("mlp", SPEC);
  const read = async (seed: number) => {
    const z = latentNoise(1, 64, seed, generatorNoise(gen));
    const v = await z.data() as Float32Array;
    z.dispose();
    return v;
  };
  const z1 = await read(1);
  const z2raw = await read(2);
  const norm = (z: Float32Array) => Math.hypot(...z);
  const z2 = z2raw.map((v) => v * norm(z1) / norm(z2raw));
  const path = interpolateLatents(z1, z2, 5, "normal");
  for (let i = 0; i < 5; i++) {
    assert.ok(Math.abs(norm(path.subarray(i * 64, (i + 1) * 64)) - norm(z1)) < 1e-3, `step ${i}`);
  }
  assert.throws(() => interpolateLatents(z1, z2, 1, "normal"), /expected two z of one size/);
  gen.dispose();
});

Deno.test("classGrid(): n x n samples of one class, as sampleImages() draws them, the first the seed's one sample", async () => {
  const { gen } = buildGan("mlp", SPEC);
  const grid = await classGrid(gen, { label: 2, seed: 4, n: 2 });
  assert.deepEqual([grid.count, grid.cols], [4, 2]);
  assert.deepEqual(grid.images, await sampleImages(gen, [2, 2, 2, 2], 4));
  // Its first cell is the seed's one sample (seeded noise is drawn in order).
  assert.deepEqual(grid.images.subarray(0, CELL), await sampleImages(gen, [2], 4));
  gen.dispose();
});
