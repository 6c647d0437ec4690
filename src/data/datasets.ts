/**
 * Maps a dataset name (`--dataset`) to its reader. A new dataset adds one row to the table.
 *
 * @module
 */
import { CIFAR10_CLASSES, loadCifar10 } from "./cifar10.ts";
import type { Dataset, LoadOptions } from "./dataset.ts";
import { FASHION_CLASSES, loadFashionMnist, loadMnist, MNIST_CLASSES } from "./mnist.ts";

/** Datasets selectable by name. */
export const DATASET_NAMES = ["mnist", "fashion", "cifar10"] as const;
/** One of {@linkcode DATASET_NAMES}. */
export type DatasetName = typeof DATASET_NAMES[number];

/**
 * The class names of each dataset, in label order, without reading the data (for class
 * pickers and `--class NAME`).
 *
 * @example
 * ```ts
 * import { DATASET_CLASSES } from "./datasets.ts";
 * console.log(DATASET_CLASSES.fashion[7]); // "Sneaker"
 * ```
 */
export const DATASET_CLASSES: Readonly<Record<DatasetName, readonly string[]>> = {
  mnist: MNIST_CLASSES,
  fashion: FASHION_CLASSES,
  cifar10: CIFAR10_CLASSES,
};

const LOADERS: Record<DatasetName, (opts: LoadOptions) => Promise<Dataset>> = {
  mnist: loadMnist,
  fashion: loadFashionMnist,
  cifar10: loadCifar10,
};

/**
 * Whether a string is one of {@linkcode DATASET_NAMES}.
 *
 * @param name The candidate.
 * @returns True if a reader exists for it.
 *
 * @example Check two names
 * ```ts
 * import { isDatasetName } from "./datasets.ts";
 * console.log(isDatasetName("mnist"), isDatasetName("svhn")); // true false
 * ```
 */
export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

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
 * import { loadDataset } from "./datasets.ts";
 * const ds = await loadDataset("mnist", { split: "train" });
 * console.log(ds.labels.length); // 60000
 * ```
 */
export async function loadDataset(name: string, opts: LoadOptions): Promise<Dataset> {
  if (!isDatasetName(name)) {
    throw new TypeError(`Unknown dataset "${name}": expected one of ${DATASET_NAMES.join(", ")}`);
  }
  return await LOADERS[name](opts);
}
