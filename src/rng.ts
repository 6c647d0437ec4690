/**
 * Counter-based randomness: every random draw of a run is a pure function of the run seed and
 * where it happens (epoch, step, stream). The whole "RNG state" of a run is therefore its step
 * counter, which is what makes a resumed run equal an unbroken one.
 *
 * @module
 */

/** Independent random streams within a step. */
export const STREAM = {
  /** Epoch permutation of the training set. */
  shuffle: 1,
  /** Labels requested from G. */
  fakeLabels: 2,
  /** Latent noise z. */
  noise: 3,
  /** Fixed noise for sample grids. */
  gridNoise: 4,
  /** WGAN-GP's interpolation weights. */
  interpolation: 5,
  /** pix2pix's random jitter (crop offsets) and mirroring of each pair. */
  jitter: 6,
  /** Dropout masks (pix2pix's G, whose only noise is dropout; the MNIST DCGAN's D). */
  dropout: 7,
} as const;

/**
 * Mixes integers into one 32-bit seed (a murmur3-style finaliser per word).
 *
 * @param seed The run seed.
 * @param parts Position of the draw, e.g. `[step, STREAM.noise]`.
 * @returns An unsigned 32-bit seed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deriveSeed } from "@cgan/cgan/internal";
 * assert.equal(deriveSeed(1, 2, 3), deriveSeed(1, 2, 3));
 * assert.notEqual(deriveSeed(1, 2, 3), deriveSeed(1, 2, 4));
 * ```
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const part of [...parts, parts.length]) {
    h = Math.imul(h ^ (part >>> 0), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/**
 * A small, fast PRNG (mulberry32) returning floats in [0, 1).
 *
 * @param seed A 32-bit seed, e.g. from {@linkcode deriveSeed}.
 * @returns A function producing the next float.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mulberry32 } from "@cgan/cgan/internal";
 * const [a, b] = [mulberry32(42), mulberry32(42)];
 * const x = a();
 * assert.ok(x >= 0 && x < 1);
 * assert.equal(b(), x); // the same seed, the same sequence
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seeded Fisher–Yates permutation of `0..n-1`.
 *
 * @param n Length.
 * @param seed A 32-bit seed.
 * @returns The permutation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { permutation } from "@cgan/cgan/internal";
 * assert.deepEqual([...permutation(5, 7)].sort(), [0, 1, 2, 3, 4]);
 * ```
 */
export function permutation(n: number, seed: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  const next = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
  return out;
}

/**
 * Seeded uniform integers in `0..k-1`.
 *
 * @param count How many.
 * @param k Exclusive upper bound.
 * @param seed A 32-bit seed.
 * @returns The integers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { randomInts } from "@cgan/cgan/internal";
 * const ints = randomInts(3, 10, 1);
 * assert.equal(ints.length, 3);
 * assert.ok(ints.every((i) => i >= 0 && i < 10));
 * ```
 */
export function randomInts(count: number, k: number, seed: number): Int32Array {
  const next = mulberry32(seed);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(next() * k);
  return out;
}
