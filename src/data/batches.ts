/**
 * Training batches on the compute device: the whole dataset is uploaded once, scaled to
 * [-1, 1], and each step gathers its rows by index, so no pixels cross the host/device
 * boundary per step (only `batchSize` int32 indices). A paired dataset's conditions travel
 * with their targets, optionally through pix2pix's jitter and mirroring.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import type { Dataset } from "./dataset.ts";
import { jitterPairs } from "./jitter.ts";
import { deriveSeed, permutation, STREAM } from "../rng.ts";

/** One training batch; the caller owns (and disposes) its tensors. */
export interface Batch {
  /** Real images `[N, H, W, C]` in [-1, 1] (paired datasets: the targets). */
  images: tf.Tensor4D;
  /** Their labels `[N, 1]`, int32. */
  labels: tf.Tensor2D;
  /** Paired datasets: G's input images `[N, H, W, C]` in [-1, 1], one per target. */
  condition?: tf.Tensor4D;
}

/** Options of {@linkcode BatchSource}. */
export interface BatchSourceOptions {
  /**
   * Paired datasets: apply pix2pix's random jitter and mirroring (`jitterPairs`) to each batch,
   * seeded by (run seed, step).
   */
  jitter?: boolean;
}

function scaledTensor(pixels: Uint8Array, shape: [number, number, number, number]): tf.Tensor4D {
  const scaled = new Float32Array(pixels.length);
  for (let i = 0; i < scaled.length; i++) scaled[i] = pixels[i]! / 127.5 - 1;
  return tf.tensor4d(scaled, shape);
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
  readonly #conditions: tf.Tensor4D | null;
  readonly #jitter: boolean;
  readonly #batchSize: number;
  readonly #seed: number;
  #epoch = -1;
  #order: Int32Array = new Int32Array(0);

  /**
   * Uploads `dataset` to the active backend.
   *
   * @param dataset The images and labels (and conditions, for a paired dataset).
   * @param batchSize Images per batch.
   * @param seed The run seed.
   * @param opts Jitter of paired batches.
   */
  constructor(dataset: Dataset, batchSize: number, seed: number, opts: BatchSourceOptions = {}) {
    const count = dataset.labels.length;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > count) {
      throw new RangeError(
        `Invalid batch size ${batchSize}: expected an integer in 1..${count} (the size of ${dataset.name})`,
      );
    }
    if (opts.jitter && dataset.conditions === undefined) {
      throw new TypeError(`Cannot jitter ${dataset.name}: it is not a paired dataset`);
    }
    const [h, w, c] = dataset.shape;
    this.#images = scaledTensor(dataset.images, [count, h, w, c]);
    this.#conditions = dataset.conditions === undefined
      ? null
      : scaledTensor(dataset.conditions, [count, h, w, c]);
    this.#jitter = opts.jitter ?? false;
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
   * import assert from "node:assert/strict";
   * import { BatchSource, initBackend } from "@cgan/cgan";
   * await initBackend({ requested: "cpu" });
   * const ds = {
   *   name: "toy", images: new Uint8Array(4 * 4), labels: new Uint8Array([0, 1, 0, 1]),
   *   shape: [2, 2, 1] as [number, number, number], classNames: ["a", "b"], source: "memory",
   * };
   * const source = new BatchSource(ds, 2, 0);
   * const batch = source.batch(0);
   * assert.deepEqual(batch.images.shape, [2, 2, 2, 1]);
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
      const images = tf.gather(this.#images, index);
      const labels = tf.gather(this.#labels, index);
      if (this.#conditions === null) return { images, labels };
      const condition = tf.gather(this.#conditions, index);
      if (!this.#jitter) return { images, labels, condition };
      // The same crop and mirror for a condition and its target.
      const seed = deriveSeed(this.#seed, step, STREAM.jitter);
      const [jittered, target] = jitterPairs(condition, images, seed);
      return { images: target, labels, condition: jittered };
    });
  }

  /** Frees the uploaded dataset. */
  dispose(): void {
    this.#images.dispose();
    this.#labels.dispose();
    this.#conditions?.dispose();
  }
}
