/**
 * The in-memory dataset type shared by every reader, the options every reader takes, and
 * two small helpers on datasets.
 *
 * @module
 */

/**
 * An in-memory labelled image dataset, pixels as stored on disk. A paired (image-to-image)
 * dataset also holds `conditions`: then `images` are the targets and `conditions` G's inputs.
 */
export interface Dataset {
  /** Dataset name, e.g. "mnist". */
  name: string;
  /** Row-major NHWC uint8 pixels, length = count * height * width * channels. */
  images: Uint8Array;
  /** One class index per image. */
  labels: Uint8Array;
  /** `[height, width, channels]`. */
  shape: [number, number, number];
  /** Human-readable class names; length = number of classes. */
  classNames: string[];
  /** Where the data came from (path), for run configs and error messages. */
  source: string;
  /**
   * Paired datasets (pix2pix): G's input image of each example, laid out like `images` (which
   * then hold the targets). Their labels are all 0 and `classNames` is empty.
   */
  conditions?: Uint8Array;
}

/** Which half of a dataset: the training or the test images. */
export type Split = "train" | "test";

/** Options every dataset reader takes. */
export interface LoadOptions {
  /** "train" or "test". */
  split: Split;
  /** Read the dataset's standard files from this folder instead of its default source. */
  dataDir?: string;
  /** Keep only the first `limit` images (file order); a positive integer. Default: all. */
  limit?: number;
  /**
   * Where downloaded datasets are kept (CIFAR-10, read when `dataDir` is not given); callers
   * usually pass `cifar10CacheDir(Deno.env.toObject())`.
   */
  cacheDir?: string;
}

/**
 * The number of images in a dataset.
 *
 * @param ds The dataset.
 * @returns Its image count (= the number of labels).
 *
 * @example Count the images of a toy dataset
 * ```ts
 * import assert from "node:assert/strict";
 * import { datasetSize } from "@cgan/cgan/internal";
 * const ds = { name: "toy", images: new Uint8Array(12), labels: new Uint8Array(3),
 *   shape: [2, 2, 1] as [number, number, number], classNames: ["a"], source: "memory" };
 * assert.equal(datasetSize(ds), 3);
 * ```
 */
export function datasetSize(ds: Dataset): number {
  return ds.labels.length;
}

/**
 * The first `limit` images of a dataset (all of them if it has fewer), as views sharing the
 * dataset's buffers.
 *
 * @param ds The dataset.
 * @param limit How many images to keep: a positive integer.
 * @returns A dataset with at most `limit` images (and conditions), same name, shape, classes and
 *   source.
 * @throws {RangeError} If `limit` is not a positive integer.
 *
 * @example Keep the first two images
 * ```ts
 * import assert from "node:assert/strict";
 * import { limitDataset } from "@cgan/cgan";
 * const ds = { name: "toy", images: new Uint8Array(12), labels: new Uint8Array([0, 1, 0]),
 *   shape: [2, 2, 1] as [number, number, number], classNames: ["a", "b"], source: "memory" };
 * assert.equal(limitDataset(ds, 2).images.length, 8); // 2 images of 2x2x1
 * ```
 */
export function limitDataset(ds: Dataset, limit: number): Dataset {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new RangeError(
      `Cannot limit dataset "${ds.name}": expected a positive integer limit, found ${limit}`,
    );
  }
  const [h, w, c] = ds.shape;
  const n = Math.min(limit, ds.labels.length);
  return {
    ...ds,
    images: ds.images.subarray(0, n * h * w * c),
    labels: ds.labels.subarray(0, n),
    ...(ds.conditions ? { conditions: ds.conditions.subarray(0, n * h * w * c) } : {}),
  };
}
