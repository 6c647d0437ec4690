/**
 * Data augmentation for training the evaluator: random translations (pad, then crop back to
 * size at a random offset per image) and random mirroring, drawn from a seed so a training run
 * is repeatable.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { mulberry32 } from "../rng.ts";

/** Settings of {@linkcode randomCropFlip}. */
export interface AugmentOptions {
  /** Pixels of reflection padding on each side (the largest shift). */
  pad: number;
  /** Mirror half of the images left-right. */
  flip: boolean;
}

/**
 * Shifts each image by a random offset in `[-pad, pad]` (reflecting at the borders) and
 * mirrors it left-right with probability 1/2.
 *
 * @param images `[N, H, W, C]`.
 * @param opts Padding and whether to flip.
 * @param seed Seed of the offsets and flips.
 * @returns New images of the same shape (the caller disposes them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { randomCropFlip } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const x = tf.randomUniform([4, 8, 8, 3]) as tf.Tensor4D;
 * const y = randomCropFlip(x, { pad: 2, flip: true }, 0);
 * assert.deepEqual(y.shape, [4, 8, 8, 3]);
 * tf.dispose([x, y]);
 * ```
 */
export function randomCropFlip(
  images: tf.Tensor4D,
  opts: AugmentOptions,
  seed: number,
): tf.Tensor4D {
  const [n, h, w] = images.shape;
  const rand = mulberry32(seed);
  const p = opts.pad;
  const boxes = new Float32Array(n * 4);
  const flips = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const dy = Math.floor(rand() * (2 * p + 1));
    const dx = Math.floor(rand() * (2 * p + 1));
    flips[i] = opts.flip && rand() < 0.5 ? 1 : 0;
    // Normalised corners of an h x w window at (dy, dx) in the (h + 2p) x (w + 2p) image,
    // so that crop-and-resize samples exactly on pixel centres.
    boxes[i * 4] = dy / (h + 2 * p - 1);
    boxes[i * 4 + 1] = dx / (w + 2 * p - 1);
    boxes[i * 4 + 2] = (dy + h - 1) / (h + 2 * p - 1);
    boxes[i * 4 + 3] = (dx + w - 1) / (w + 2 * p - 1);
  }
  return tf.tidy(() => {
    const padded = p > 0
      ? tf.mirrorPad(images, [[0, 0], [p, p], [p, p], [0, 0]], "reflect")
      : images;
    const cropped = tf.image.cropAndResize(
      padded,
      tf.tensor2d(boxes, [n, 4]),
      tf.range(0, n, 1, "int32") as tf.Tensor1D,
      [h, w],
    );
    if (!opts.flip) return cropped;
    const mask = tf.cast(tf.tensor4d(flips, [n, 1, 1, 1]), "bool");
    return tf.where(mask, tf.reverse(cropped, 2), cropped) as tf.Tensor4D;
  });
}
