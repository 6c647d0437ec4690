/**
 * Training batches on the compute device: the whole dataset is uploaded once, scaled to
 * [-1, 1], and each step gathers its rows by index, so no pixels cross the host/device
 * boundary per step (only `batchSize` int32 indices).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Dataset } from "./dataset.ts";
import { deriveSeed, permutation, STREAM } from "../rng.ts";

/** One training batch; the caller owns (and disposes) both tensors. */
export interface Batch {
  /** Real images `[N, H, W, C]` in [-1, 1]. */
  images: tf.Tensor4D;
  /** Their labels `[N, 1]`, int32. */
  labels: tf.Tensor2D;
}

/**
 * Seeded, epoch-based batches. Step `s` always yields the same batch for the same seed: the
 * epoch `floor(s / stepsPerEpoch)` is a permutation derived from the seed, and the last
 * incomplete batch of an epoch is dropped.
 */
export class BatchSource {
  /** Steps in one epoch. */
  readonly stepsPerEpoch: number;
  readonly #images: tf.Tensor4D;
  readonly #labels: tf.Tensor2D;
  readonly #batchSize: number;
  readonly #seed: number;
  #epoch = -1;
  #order: Int32Array = new Int32Array(0);

  /**
   * Uploads `dataset` to the active backend.
   *
   * @param dataset The images and labels.
   * @param batchSize Images per batch.
   * @param seed The run seed.
   */
  constructor(dataset: Dataset, batchSize: number, seed: number) {
    const count = dataset.labels.length;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > count) {
      throw new RangeError(
        `Invalid batch size ${batchSize}: expected an integer in 1..${count} (the size of ${dataset.name})`,
      );
    }
    const [h, w, c] = dataset.shape;
    const scaled = new Float32Array(dataset.images.length);
    for (let i = 0; i < scaled.length; i++) scaled[i] = dataset.images[i]! / 127.5 - 1;
    this.#images = tf.tensor4d(scaled, [count, h, w, c]);
    this.#labels = tf.tensor2d(Int32Array.from(dataset.labels), [count, 1], "int32");
    this.#batchSize = batchSize;
    this.#seed = seed;
    this.stepsPerEpoch = Math.floor(count / batchSize);
  }

  /**
   * The batch of global step `step`.
   *
   * @param step Zero-based step counter of the run.
   * @returns Tensors the caller must dispose.
   *
   * @example
   * ```ts
   * import { BatchSource } from "./batches.ts";
   * const ds = {
   *   name: "toy", images: new Uint8Array(4 * 4), labels: new Uint8Array([0, 1, 0, 1]),
   *   shape: [2, 2, 1] as [number, number, number], classNames: ["a", "b"], source: "memory",
   * };
   * const source = new BatchSource(ds, 2, 0);
   * const batch = source.batch(0);
   * console.log(batch.images.shape); // [2, 2, 2, 1]
   * batch.images.dispose(); batch.labels.dispose(); source.dispose();
   * ```
   */
  batch(step: number): Batch {
    const epoch = Math.floor(step / this.stepsPerEpoch);
    if (epoch !== this.#epoch) {
      this.#order = permutation(
        this.#labels.shape[0],
        deriveSeed(this.#seed, epoch, STREAM.shuffle),
      );
      this.#epoch = epoch;
    }
    const start = (step % this.stepsPerEpoch) * this.#batchSize;
    const rows = this.#order.subarray(start, start + this.#batchSize);
    return tf.tidy(() => {
      const index = tf.tensor1d(rows, "int32");
      return { images: tf.gather(this.#images, index), labels: tf.gather(this.#labels, index) };
    });
  }

  /** Frees the uploaded dataset. */
  dispose(): void {
    this.#images.dispose();
    this.#labels.dispose();
  }
}
