/**
 * Maps a dataset name (`--dataset`) to its reader. A new dataset adds one row to the table.
 *
 * @module
 */
import { loadCifar10 } from "./cifar10.ts";
import { DATASET_NAMES, type DatasetName, isDatasetName } from "./class_names.ts";
import type { Dataset, LoadOptions } from "./dataset.ts";
import { loadFashionMnist, loadMnist } from "./mnist.ts";
import { type Direction, loadPaired } from "./paired.ts";

export { DATASET_CLASSES, DATASET_NAMES, type DatasetName, isDatasetName } from "./class_names.ts";

/**
 * `--dataset folder`: a folder of your own images, one subfolder per class (read by
 * `loadFolder`).
 */
export const FOLDER_DATASET = "folder";
/** The type of {@linkcode FOLDER_DATASET}. */
export type FolderDatasetName = typeof FOLDER_DATASET;

/**
 * Paired (image-to-image) datasets selectable by name, in pix2pix's A|B layout: facades, or
 * "paired", any aligned pairs of your own (`train/`, `val/`, `test/` of A|B JPEG or PNG files).
 */
export const PAIRED_DATASET_NAMES = ["facades", "paired"] as const;
/** One of {@linkcode PAIRED_DATASET_NAMES}. */
export type PairedDatasetName = typeof PAIRED_DATASET_NAMES[number];

const LOADERS: Record<DatasetName, (opts: LoadOptions) => Promise<Dataset>> = {
  mnist: loadMnist,
  fashion: loadFashionMnist,
  cifar10: loadCifar10,
};

/**
 * Loads a dataset by name.
 *
 * @param name One of {@linkcode DATASET_NAMES}.
 * @param opts Split, optional folder (`--data-dir`) and optional limit.
 * @returns The dataset.
 * @throws {TypeError} If `name` is unknown, listing the valid names.
 *
 * @example Load the MNIST training split
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { loadDataset } from "@cgan/cgan";
 * const ds = await loadDataset("mnist", { split: "train" });
 * assert.equal(ds.labels.length, 60000);
 * ```
 */
export async function loadDataset(name: string, opts: LoadOptions): Promise<Dataset> {
  if (!isDatasetName(name)) {
    throw new TypeError(`Unknown dataset "${name}": expected one of ${DATASET_NAMES.join(", ")}`);
  }
  return await LOADERS[name](opts);
}

/**
 * Whether a string is one of {@linkcode PAIRED_DATASET_NAMES}.
 *
 * @param name The candidate.
 * @returns True for a paired (image-to-image) dataset.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPairedDatasetName } from "@cgan/cgan/internal";
 * assert.equal(isPairedDatasetName("facades"), true);
 * assert.equal(isPairedDatasetName("mnist"), false);
 * ```
 */
export function isPairedDatasetName(name: string): name is PairedDatasetName {
  return (PAIRED_DATASET_NAMES as readonly string[]).includes(name);
}

/** Options of {@linkcode loadPairedDataset}. */
export interface PairedLoadOptions {
  /** The dataset folder holding `train/`, `val/` and `test/` of A|B JPEG or PNG files (required). */
  dataDir: string;
  /** Which split. */
  split: "train" | "val" | "test";
  /** Which half of each file is G's input: facades' label maps are B, so labels -> photo is BtoA. */
  direction: Direction;
  /** Side of the square images after resizing. */
  size: number;
  /** Keep only the first `limit` pairs (numeric file order). Default: all. */
  limit?: number;
}

/**
 * Loads a split of a paired dataset as a {@linkcode Dataset} whose `images` are the targets and
 * `conditions` G's inputs (labels all 0, no class names).
 *
 * @param name One of {@linkcode PAIRED_DATASET_NAMES}.
 * @param opts Folder, split, direction, size and optional limit.
 * @returns The pairs.
 * @throws {TypeError} If `name` is unknown or no folder is given; {RangeError} for a bad limit.
 *
 * @example Load the facades validation pairs at 64x64, labels -> photo
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { loadPairedDataset } from "@cgan/cgan";
 * const val = await loadPairedDataset("facades", {
 *   dataDir: "data/facades", split: "val", direction: "BtoA", size: 64,
 * });
 * assert.equal(val.labels.length, 100);
 * assert.deepEqual(val.shape, [64, 64, 3]);
 * ```
 */
export async function loadPairedDataset(name: string, opts: PairedLoadOptions): Promise<Dataset> {
  if (!isPairedDatasetName(name)) {
    throw new TypeError(
      `Unknown paired dataset "${name}": expected one of ${PAIRED_DATASET_NAMES.join(", ")}`,
    );
  }
  if (opts.dataDir === "") {
    throw new TypeError(
      `Cannot load ${name}: expected the folder holding its train/, val/ and test/ A|B images`,
    );
  }
  if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 1)) {
    throw new RangeError(
      `Cannot load ${name}: expected a positive integer limit, found ${opts.limit}`,
    );
  }
  const pairs = await loadPaired({
    dataDir: opts.dataDir,
    split: opts.split,
    direction: opts.direction,
    size: opts.size,
    // Your own pairs are named after their folder.
    ...(name === "paired" ? {} : { name }),
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
  });
  return {
    name: pairs.name,
    images: pairs.targets,
    conditions: pairs.inputs,
    labels: new Uint8Array(pairs.count),
    shape: pairs.shape,
    classNames: [],
    source: pairs.source,
  };
}
