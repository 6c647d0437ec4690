/**
 * Maps `--dataset` to its reader. Later datasets add one row here.
 *
 * @module
 */
import type { Dataset } from "./dataset.ts";
import { loadFashionMnist, loadMnist, type MnistOptions } from "./mnist.ts";

/** Datasets selectable with `--dataset`. */
export const DATASET_NAMES = ["mnist", "fashion"] as const;
/** One of {@linkcode DATASET_NAMES}. */
export type DatasetName = typeof DATASET_NAMES[number];

const LOADERS: Record<DatasetName, (opts: MnistOptions) => Promise<Dataset>> = {
  mnist: loadMnist,
  fashion: loadFashionMnist,
};

/**
 * Loads a dataset by name.
 *
 * @param name One of {@linkcode DATASET_NAMES}.
 * @param opts Split and optional folder (`--data-dir`).
 * @returns The dataset.
 *
 * @example
 * ```ts ignore
 * const ds = await loadDataset("mnist", { split: "train" });
 * ```
 */
export function loadDataset(name: string, opts: MnistOptions): Promise<Dataset> {
  const loader = LOADERS[name as DatasetName];
  if (loader === undefined) {
    return Promise.reject(
      new TypeError(`Unknown dataset "${name}": expected one of ${DATASET_NAMES.join(", ")}`),
    );
  }
  return loader(opts);
}
