/**
 * The labelled datasets cgan knows by name, and their class names in label order, without any
 * reader: what a sampler needs to name classes (`--class Sneaker`) without loading the readers'
 * dependencies.
 *
 * @module
 */

/** Labelled datasets selectable by name. */
export const DATASET_NAMES = ["mnist", "fashion", "cifar10"] as const;
/** One of {@linkcode DATASET_NAMES}. */
export type DatasetName = typeof DATASET_NAMES[number];

/** Class names of MNIST. */
export const MNIST_CLASSES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
/** Class names of Fashion-MNIST. */
export const FASHION_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];
/** Class names of CIFAR-10, by label (as in `batches.meta.txt`). */
export const CIFAR10_CLASSES = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
];

/**
 * The class names of each dataset, in label order, without reading the data (for class
 * pickers and `--class NAME`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DATASET_CLASSES } from "@cgan/cgan/internal";
 * assert.equal(DATASET_CLASSES.fashion[7], "Sneaker");
 * ```
 */
export const DATASET_CLASSES: Readonly<Record<DatasetName, readonly string[]>> = {
  mnist: MNIST_CLASSES,
  fashion: FASHION_CLASSES,
  cifar10: CIFAR10_CLASSES,
};

/**
 * Whether a string is one of {@linkcode DATASET_NAMES}.
 *
 * @param name The candidate.
 * @returns True if a reader exists for it.
 *
 * @example Check two names
 * ```ts
 * import assert from "node:assert/strict";
 * import { isDatasetName } from "@cgan/cgan/internal";
 * assert.equal(isDatasetName("mnist"), true);
 * assert.equal(isDatasetName("svhn"), false);
 * ```
 */
export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}
