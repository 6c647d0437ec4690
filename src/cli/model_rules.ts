/**
 * Which models, data and flags go together: the rules `parseTrainArgs` checks after reading the
 * flags. They name models one by one; each will move into its model's `ModelDef` (what it
 * conditions on, the data it takes), and then this file goes.
 *
 * @module
 */
import { FOLDER_DATASET, isPairedDatasetName, PAIRED_DATASET_NAMES } from "../data/datasets.ts";
import { LOSSES } from "../train/losses.ts";
import type { TrainConfig } from "../train/config.ts";

/** Models whose G must be told the class (or, for pix2pix, the input image). */
const ALWAYS_CONDITIONAL = ["acgan", "acgan-conv", "sagan", "pix2pix"] as const;

/**
 * Resolves `--unconditional` and `--conditioning` against the model, in place: `gan` is the
 * unconditional MLP, and the always-conditional models refuse `none`.
 *
 * @param explicit The fields set by flags; `conditioning` is set for `--unconditional` and `gan`.
 * @param unconditional Whether `--unconditional` was given.
 * @returns Nothing; throws a TypeError naming the flags that conflict.
 */
export function checkConditioning(
  explicit: Partial<Record<keyof TrainConfig, unknown>>,
  unconditional: boolean,
): void {
  if (unconditional) {
    if (explicit.conditioning === "label") {
      throw new TypeError("Cannot combine --unconditional with --conditioning label");
    }
    explicit.conditioning = "none";
  }
  if (explicit.model === "gan" && explicit.conditioning === "label") {
    throw new TypeError(
      "Invalid --conditioning label for --model gan: it is the unconditional MLP",
    );
  }
  if (explicit.model === "gan") explicit.conditioning = "none";
  for (const conditional of ALWAYS_CONDITIONAL) {
    if (explicit.model === conditional && explicit.conditioning === "none") {
      throw new TypeError(
        `Invalid --unconditional for --model ${conditional}: its G must be told ${
          conditional === "pix2pix" ? "an input image" : "the class"
        }`,
      );
    }
  }
}

/**
 * pix2pix trains on paired data only, and only it does; it takes the adversarial losses and
 * power-of-two sizes. A folder dataset needs its folder.
 *
 * @param config The resolved config of a new run.
 * @returns Nothing; throws a TypeError or RangeError naming the flag.
 */
export function checkModelData(config: TrainConfig): void {
  const paired = isPairedDatasetName(config.dataset);
  if (config.model === "pix2pix" && !Number.isInteger(Math.log2(config.size))) {
    throw new RangeError(
      `Invalid --size "${config.size}": expected a power of two (pix2pix's U-Net halves it down to 1x1)`,
    );
  }
  if (config.dataset === FOLDER_DATASET && config.dataDir === "") {
    throw new TypeError(
      `Missing --data-dir for --dataset folder: expected a folder with one subfolder of ` +
        `PNG/JPEG images per class`,
    );
  }
  if (config.channels === 2) {
    throw new RangeError(`Invalid --channels "2": expected 1 (gray), 3 (RGB) or 0 (the images')`);
  }
  if (config.model === "pix2pix" && !paired) {
    throw new TypeError(
      `Invalid --dataset "${config.dataset}" for --model pix2pix: expected a paired dataset ` +
        `(${PAIRED_DATASET_NAMES.join(", ")})`,
    );
  }
  if (config.model !== "pix2pix" && paired) {
    throw new TypeError(
      `Invalid --dataset "${config.dataset}" for --model ${config.model}: it is a paired ` +
        `(image-to-image) dataset; train it with --model pix2pix`,
    );
  }
  if (paired && config.dataDir === "") {
    throw new TypeError(
      `Missing --data-dir for --dataset ${config.dataset}: expected the folder holding its ` +
        `train/ and val/ A|B JPEG or PNG files`,
    );
  }
  if (config.model === "pix2pix" && LOSSES[config.loss].lipschitz !== undefined) {
    throw new TypeError(
      `Invalid --loss "${config.loss}" for --model pix2pix: expected bce, lsgan or hinge`,
    );
  }
}
