/**
 * Scores an image-to-image generator (pix2pix) on held-out pairs: G translates each input the
 * way pix2pix tests it (one image at a time, in training mode, seeded dropout; see
 * `translate`), and its output is compared with the real target by PSNR, SSIM and L1
 * (`image_metrics.ts`), on [0, 1]: outputs map from [-1, 1] by `(x + 1) / 2`, 8-bit targets by
 * `/ 255`. Each score is the mean over the pairs.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import type { Dataset } from "../data/dataset.ts";
import { translate } from "../models/pix2pix.ts";
import { deriveSeed, STREAM } from "../rng.ts";
import { type HostImage, meanAbsoluteError, psnr, ssim } from "./image_metrics.ts";

/** Mean scores of G's outputs against the targets, on [0, 1]. */
export interface TranslationScores {
  /** Pairs scored. */
  n: number;
  /** Mean PSNR in dB (Infinity if any output equals its target exactly). */
  psnr: number;
  /** Mean SSIM (Gaussian 11x11 window, sigma 1.5, K1 0.01, K2 0.03). */
  ssim: number;
  /** Mean absolute error. */
  l1: number;
}

/**
 * Translates the first `count` conditions of a paired dataset, one image per call; image `i`
 * uses the dropout seed `deriveSeed(seed, i, STREAM.dropout)`, so an output does not depend on
 * how many are translated.
 *
 * @param gen The U-Net G.
 * @param pairs A paired dataset (with `conditions`).
 * @param opts How many pairs, and the seed of the dropout masks.
 * @returns Outputs `[count, h, w, c]` in [-1, 1], row-major.
 * @throws {TypeError} If the dataset has no conditions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { buildUnet, translatePairs } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const gen = buildUnet({ size: 16, inChannels: 3, outChannels: 3, width: 0.125, seed: 0 });
 * const pairs = { name: "toy", images: new Uint8Array(2 * 768), conditions: new Uint8Array(2 * 768),
 *   labels: new Uint8Array(2), shape: [16, 16, 3] as [number, number, number], classNames: [], source: "memory" };
 * const outputs = await translatePairs(gen, pairs, { count: 2, seed: 0 });
 * assert.equal(outputs.length, 2 * 16 * 16 * 3);
 * ```
 */
export async function translatePairs(
  gen: tf.LayersModel,
  pairs: Dataset,
  opts: { count: number; seed: number },
): Promise<Float32Array> {
  const { conditions } = pairs;
  if (conditions === undefined) {
    throw new TypeError(`Cannot translate ${pairs.name}: it is not a paired dataset`);
  }
  const [h, w, c] = pairs.shape;
  const size = h * w * c;
  const count = Math.min(opts.count, pairs.labels.length);
  const out = new Float32Array(count * size);
  for (let i = 0; i < count; i++) {
    const pixels = conditions.subarray(i * size, (i + 1) * size);
    const input = tf.tensor4d(Float32Array.from(pixels, (v) => v / 127.5 - 1), [1, h, w, c]);
    const output = translate(gen, input, deriveSeed(opts.seed, i, STREAM.dropout));
    out.set(await output.data() as Float32Array, i * size);
    tf.dispose([input, output]);
  }
  return out;
}

/**
 * Scores G on the first `n` pairs of a paired dataset by PSNR, SSIM and L1 on [0, 1].
 *
 * @param gen The U-Net G.
 * @param pairs Held-out pairs (with `conditions`), at least 11x11.
 * @param opts How many pairs (at most all), and the dropout seed.
 * @returns The mean scores.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { scoreTranslation } from "@cgan/cgan";
 * import { buildUnet } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const gen = buildUnet({ size: 16, inChannels: 3, outChannels: 3, width: 0.125, seed: 0 });
 * const pairs = { name: "toy", images: new Uint8Array(768).fill(128), conditions: new Uint8Array(768),
 *   labels: new Uint8Array(1), shape: [16, 16, 3] as [number, number, number], classNames: [], source: "memory" };
 * const s = await scoreTranslation(gen, pairs, { n: 1, seed: 0 });
 * assert.equal(s.n, 1);
 * assert.ok(s.ssim <= 1 && s.l1 >= 0);
 * ```
 */
export async function scoreTranslation(
  gen: tf.LayersModel,
  pairs: Dataset,
  opts: { n: number; seed: number },
): Promise<TranslationScores> {
  const n = Math.min(opts.n, pairs.labels.length);
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`Cannot score translations of ${pairs.name}: expected n >= 1, found ${n}`);
  }
  const outputs = await translatePairs(gen, pairs, { count: n, seed: opts.seed });
  const size = pairs.shape[0] * pairs.shape[1] * pairs.shape[2];
  return scoreOutputs(
    pairs,
    n,
    (i) => outputs.subarray(i * size, (i + 1) * size).map((v) => (v + 1) / 2),
  );
}

/**
 * The baseline a translator must beat: the mean target image of the training pairs, given as
 * the output for every pair, scored as {@linkcode scoreTranslation} scores G.
 *
 * @param train The training pairs (their targets are averaged).
 * @param pairs The pairs to score on (e.g. the test split).
 * @param opts How many of `pairs` (the first n).
 * @returns The mean photo's PSNR, SSIM and L1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scoreMeanImage } from "@cgan/cgan/internal";
 * const shape: [number, number, number] = [12, 12, 1]; // SSIM needs 11x11 at least
 * const pairs = (targets: number[]) => ({ name: "toy", labels: new Uint8Array(targets.length),
 *   images: Uint8Array.from(targets.flatMap((v) => new Array(144).fill(v))),
 *   conditions: new Uint8Array(targets.length * 144), shape, classNames: [], source: "memory" });
 * // Targets of 0 and 255 average to 127.5: half-way from a test target of 0.
 * const scores = scoreMeanImage(pairs([0, 255]), pairs([0]), { n: 1 });
 * assert.equal(scores.l1, 0.5);
 * ```
 */
export function scoreMeanImage(
  train: Dataset,
  pairs: Dataset,
  opts: { n: number },
): TranslationScores {
  const size = train.shape[0] * train.shape[1] * train.shape[2];
  const count = train.labels.length;
  const mean = new Float64Array(size);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < size; j++) mean[j]! += train.images[i * size + j]! / 255;
  }
  for (let j = 0; j < size; j++) mean[j]! /= count;
  const n = Math.min(opts.n, pairs.labels.length);
  return scoreOutputs(pairs, n, () => mean);
}

/** Mean PSNR, SSIM and L1 of outputs on [0, 1] against the first n targets of `pairs`. */
function scoreOutputs(
  pairs: Dataset,
  n: number,
  output: (i: number) => ArrayLike<number>,
): TranslationScores {
  const shape = pairs.shape;
  const size = shape[0] * shape[1] * shape[2];
  let [p, s, l] = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const out: HostImage = { data: output(i), shape };
    const target: HostImage = {
      data: Float64Array.from(pairs.images.subarray(i * size, (i + 1) * size), (v) => v / 255),
      shape,
    };
    p += psnr(out, target);
    s += ssim(out, target);
    l += meanAbsoluteError(out, target);
  }
  return { n, psnr: p / n, ssim: s / n, l1: l / n };
}
