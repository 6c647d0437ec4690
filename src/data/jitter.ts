/**
 * pix2pix's random jitter and mirroring of training pairs (Isola et al. 2017), on the device.
 * Apart from the paired-data reader (`paired.ts`, which decodes JPEG and PNG files), so that
 * the batches of any dataset (`batches.ts`) come without the image decoders, in a browser too.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { mulberry32 } from "../rng.ts";

/**
 * pix2pix's random jitter and mirroring, identical for both images of each pair: upscale by
 * 286/256, crop a random `size x size` window, and mirror half of the pairs left-right.
 *
 * @param inputs `[N, size, size, C]` float images.
 * @param targets The matching targets.
 * @param seed Seed of the offsets and mirrors.
 * @returns Jittered `[inputs, targets]` (new tensors the caller owns).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { jitterPairs } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const [a, b] = jitterPairs(tf.zeros([2, 8, 8, 3]), tf.ones([2, 8, 8, 3]), 0);
 * assert.deepEqual(a.shape, [2, 8, 8, 3]);
 * assert.deepEqual(b.shape, [2, 8, 8, 3]);
 * ```
 */
export function jitterPairs(
  inputs: tf.Tensor4D,
  targets: tf.Tensor4D,
  seed: number,
): [tf.Tensor4D, tf.Tensor4D] {
  const [n, size] = inputs.shape;
  const big = Math.round(size * 286 / 256);
  const rand = mulberry32(seed);
  const boxes = new Float32Array(n * 4);
  const flips = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // A size x size window at (y, x) of the image upscaled to big x big, in normalised corners.
    const y = Math.floor(rand() * (big - size + 1));
    const x = Math.floor(rand() * (big - size + 1));
    flips[i] = rand() < 0.5 ? 1 : 0;
    boxes.set([y / big, x / big, (y + size) / big, (x + size) / big], i * 4);
  }
  return tf.tidy(() => {
    const b = tf.tensor2d(boxes, [n, 4]);
    const ids = tf.range(0, n, 1, "int32") as tf.Tensor1D;
    const mask = tf.cast(tf.tensor4d(flips, [n, 1, 1, 1]), "bool");
    const jitter = (images: tf.Tensor4D) => {
      const cropped = tf.image.cropAndResize(images, b, ids, [size, size]);
      return tf.where(mask, tf.reverse(cropped, 2), cropped) as tf.Tensor4D;
    };
    return [jitter(inputs), jitter(targets)];
  });
}
