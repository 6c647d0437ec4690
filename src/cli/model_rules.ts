/**
 * Which models, data and flags go together: the rules `parseTrainArgs` checks after reading the
 * flags. They read each model's definition (what G is told, the losses and sizes it takes), so
 * a new model brings its rules with its `ModelDef` and nothing here changes.
 *
 * @module
 */
import { FOLDER_DATASET, isPairedDatasetName, PAIRED_DATASET_NAMES } from "../data/datasets.ts";
import { MODEL_NAMES, modelDef, MODELS } from "../models/registry.ts";
import type { TrainConfig } from "../train/config.ts";

/**
 * Resolves `--unconditional` and `--conditioning` against the model, in place: a model that is
 * never told the class (`gan`) gets `none`, and one that must be told it (or an input image)
 * refuses `none`.
 *
 * @param explicit The fields set by flags; `conditioning` is set for `--unconditional` and for a
 *   model that never conditions.
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
  if (typeof explicit.model !== "string") return;
  const model = explicit.model;
  const told = modelDef(model).conditioning;
  if (told === "none") {
    if (explicit.conditioning === "label") {
      throw new TypeError(
        `Invalid --conditioning label for --model ${model}: it is an unconditional model`,
      );
    }
    explicit.conditioning = "none";
  }
  if ((told === "label" || told === "image") && explicit.conditioning === "none") {
    throw new TypeError(
      `Invalid --unconditional for --model ${model}: its G must be told ${
        told === "image" ? "an input image" : "the class"
      }`,
    );
  }
}

/**
 * An image-to-image model trains on paired data only, and only it does; a model may limit its
 * losses and image sizes. A folder dataset needs its folder.
 *
 * @param config The resolved config of a new run.
 * @returns Nothing; throws a TypeError or RangeError naming the flag.
 */
export function checkModelData(config: TrainConfig): void {
  const def = modelDef(config.model);
  const paired = isPairedDatasetName(config.dataset);
  const imageModel = def.conditioning === "image";
  if (def.sizes?.rule === "power-of-two" && !Number.isInteger(Math.log2(config.size))) {
    throw new RangeError(
      `Invalid --size "${config.size}": expected a power of two (${def.sizes.why})`,
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
  if (imageModel && !paired) {
    throw new TypeError(
      `Invalid --dataset "${config.dataset}" for --model ${config.model}: expected a paired ` +
        `dataset (${PAIRED_DATASET_NAMES.join(", ")})`,
    );
  }
  if (!imageModel && paired) {
    const imageModels = MODEL_NAMES.filter((name) => MODELS[name].conditioning === "image");
    throw new TypeError(
      `Invalid --dataset "${config.dataset}" for --model ${config.model}: it is a paired ` +
        `(image-to-image) dataset; train it with --model ${imageModels.join(" or ")}`,
    );
  }
  if (paired && config.dataDir === "") {
    throw new TypeError(
      `Missing --data-dir for --dataset ${config.dataset}: expected the folder holding its ` +
        `train/ and val/ A|B JPEG or PNG files`,
    );
  }
  if (def.losses !== undefined && !def.losses.includes(config.loss)) {
    throw new TypeError(
      `Invalid --loss "${config.loss}" for --model ${config.model}: expected ${
        def.losses.slice(0, -1).join(", ")
      } or ${def.losses.at(-1)}`,
    );
  }
}
