/**
 * What the page draws from a conditional generator, with cgan's own sampling functions: a
 * grid of one class, every class side by side with shared z, and a morph between two seeds'
 * z. No DOM here, so the same functions run (and are tested) in Deno.
 *
 * The z of seed `s` is the first row of `latentNoise(n, latentDim, s)` (tfjs draws seeded noise
 * in order, so a longer draw starts with the same values): the first image of a grid, the first
 * column of the classes view and the start of an interpolation from `s` are all
 * `sampleImages(gen, [class], s)`, which is what `deno task sample --class C --seed S` draws.
 *
 * @module
 */
import * as tf from "../src/_tf.ts";
import {
  generate,
  generatorInfo,
  generatorNoise,
  latentNoise,
  sampleImages,
} from "../generator.ts";

/** Images to lay out as a grid: `count` images `[h, w, c]`, `cols` a row. */
export interface Drawing {
  /** Flat NHWC values in [-1, 1], `count * h * w * c` of them. */
  images: Float32Array;
  /** Number of images. */
  count: number;
  /** Images per row of the grid. */
  cols: number;
  /** Shape `[h, w, c]` of one image. */
  shape: [number, number, number];
}

/**
 * `n * n` samples of one class, the same as `deno task sample --class C --count n*n --seed S`.
 *
 * @param gen A conditional generator.
 * @param opts The class, the seed and the grid's side `n`.
 * @returns The samples, `n` a row.
 *
 * @example A 2 x 2 grid of class 1
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildGan, initBackend } from "@cgan/cgan";
 * import { classGrid } from "./explore.ts";
 * await initBackend({ requested: "cpu" });
 * const { gen } = buildGan("mlp", {
 *   latentDim: 8, numClasses: 3, imageShape: [4, 4, 1], activation: "leaky", seed: 0,
 * });
 * const grid = await classGrid(gen, { label: 1, seed: 7, n: 2 });
 * assert.deepEqual([grid.count, grid.cols, grid.images.length], [4, 2, 4 * 16]);
 * ```
 */
export async function classGrid(
  gen: tf.LayersModel,
  opts: { label: number; seed: number; n: number },
): Promise<Drawing> {
  const { imageShape } = generatorInfo(gen);
  const count = opts.n * opts.n;
  const images = await sampleImages(gen, new Array(count).fill(opts.label), opts.seed);
  return { images, count, cols: opts.n, shape: imageShape };
}

/**
 * Every class, a row each, in `n` columns that each share one z: the rows differ by the
 * class alone, so the picture shows what the conditioning does. It is the grid of
 * `deno task sample --all --count n --seed S`.
 *
 * @param gen A conditional generator.
 * @param opts The seed and the number of columns `n`.
 * @returns `numClasses * n` images, row k being class k.
 *
 * @example Three classes, two columns: row k is class k at the z of each column
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildGan, initBackend, sampleImages } from "@cgan/cgan";
 * import { allClasses } from "./explore.ts";
 * await initBackend({ requested: "cpu" });
 * const { gen } = buildGan("mlp", {
 *   latentDim: 8, numClasses: 3, imageShape: [4, 4, 1], activation: "leaky", seed: 0,
 * });
 * const all = await allClasses(gen, { seed: 5, n: 2 });
 * assert.deepEqual([all.count, all.cols], [6, 2]);
 * assert.deepEqual(all.images.subarray(2 * 16, 4 * 16), await sampleImages(gen, [1, 1], 5));
 * ```
 */
export async function allClasses(
  gen: tf.LayersModel,
  opts: { seed: number; n: number },
): Promise<Drawing> {
  const { latentDim, numClasses, imageShape } = generatorInfo(gen);
  const count = numClasses * opts.n;
  const out = tf.tidy(() => {
    const z = latentNoise(opts.n, latentDim, opts.seed, generatorNoise(gen)); // [n, d]
    const labels = Array.from({ length: count }, (_, i) => Math.floor(i / opts.n));
    // Row k * n + j of the batch is class k at z_j.
    return generate(gen, tf.tile(z, [numClasses, 1]), tf.tensor2d(labels, [count, 1], "int32"));
  });
  const images = await out.data() as Float32Array;
  out.dispose();
  return { images, count, cols: opts.n, shape: imageShape };
}

/**
 * The z of `n` steps from z1 to z2, endpoints included and copied exactly: spherical
 * interpolation for normal noise (a straight line would pass through unlikely short z), a
 * straight line for uniform noise (which stays inside the cube).
 *
 * @param z1 The start, `d` values.
 * @param z2 The end, `d` values.
 * @param n Steps, at least 2.
 * @param kind The noise distribution, "normal" or "uniform".
 * @returns `n * d` values, row i at `t = i / (n - 1)`.
 *
 * @example The ends are the seeds' z; a straight line's middle is the mean
 * ```ts
 * import assert from "node:assert/strict";
 * import { interpolateLatents } from "./explore.ts";
 * const z = interpolateLatents(new Float32Array([1, 0]), new Float32Array([0, 1]), 3, "uniform");
 * assert.deepEqual(z, new Float32Array([1, 0, 0.5, 0.5, 0, 1]));
 * const s = interpolateLatents(new Float32Array([1, 0]), new Float32Array([0, 1]), 3, "normal");
 * assert.ok(Math.abs(s[2]! - Math.SQRT1_2) < 1e-6); // on the arc, not the chord
 * ```
 */
export function interpolateLatents(
  z1: Float32Array,
  z2: Float32Array,
  n: number,
  kind: "normal" | "uniform",
): Float32Array {
  const d = z1.length;
  if (z2.length !== d || !Number.isInteger(n) || n < 2) {
    throw new RangeError(
      `Cannot interpolate: expected two z of one size and n >= 2, found ${d}, ${z2.length}, ${n}`,
    );
  }
  let dot = 0, norm1 = 0, norm2 = 0;
  for (let k = 0; k < d; k++) {
    dot += z1[k]! * z2[k]!;
    norm1 += z1[k]! ** 2;
    norm2 += z2[k]! ** 2;
  }
  const omega = Math.acos(Math.min(1, Math.max(-1, dot / Math.sqrt(norm1 * norm2 || 1))));
  const spherical = kind === "normal" && Math.sin(omega) > 1e-6;
  const out = new Float32Array(n * d);
  out.set(z1, 0);
  out.set(z2, (n - 1) * d);
  for (let i = 1; i < n - 1; i++) {
    const t = i / (n - 1);
    const [a, b] = spherical
      ? [Math.sin((1 - t) * omega) / Math.sin(omega), Math.sin(t * omega) / Math.sin(omega)]
      : [1 - t, t];
    for (let k = 0; k < d; k++) out[i * d + k] = a * z1[k]! + b * z2[k]!;
  }
  return out;
}

/**
 * One class morphing from the z of seed `from` to that of seed `to` in `n` steps; the first
 * and last images are exactly `sampleImages(gen, [label], from)` and `(..., to)`.
 *
 * @param gen A conditional generator.
 * @param opts The class, the two seeds and the number of steps `n` (at least 2).
 * @returns `n` images in one row.
 *
 * @example The ends are the two seeds' samples
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildGan, initBackend, sampleImages } from "@cgan/cgan";
 * import { interpolation } from "./explore.ts";
 * await initBackend({ requested: "cpu" });
 * const { gen } = buildGan("mlp", {
 *   latentDim: 8, numClasses: 3, imageShape: [4, 4, 1], activation: "leaky", seed: 0,
 * });
 * const row = await interpolation(gen, { label: 2, from: 3, to: 4, n: 5 });
 * assert.deepEqual(row.images.subarray(0, 16), await sampleImages(gen, [2], 3));
 * assert.deepEqual(row.images.subarray(4 * 16), await sampleImages(gen, [2], 4));
 * ```
 */
export async function interpolation(
  gen: tf.LayersModel,
  opts: { label: number; from: number; to: number; n: number },
): Promise<Drawing> {
  const { latentDim, imageShape } = generatorInfo(gen);
  const noise = generatorNoise(gen);
  const [z1, z2] = await Promise.all([opts.from, opts.to].map(async (seed) => {
    const z = latentNoise(1, latentDim, seed, noise);
    const values = await z.data() as Float32Array;
    z.dispose();
    return values;
  })) as [Float32Array, Float32Array];
  const zs = interpolateLatents(z1, z2, opts.n, noise);
  const out = tf.tidy(() =>
    generate(
      gen,
      tf.tensor2d(zs, [opts.n, latentDim]),
      tf.tensor2d(new Array(opts.n).fill(opts.label), [opts.n, 1], "int32"),
    )
  );
  const images = await out.data() as Float32Array;
  out.dispose();
  return { images, count: opts.n, cols: opts.n, shape: imageShape };
}
