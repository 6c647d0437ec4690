/**
 * The models selectable with `--model`: the one list of them. A model declares itself once, as
 * a {@linkcode ModelDef} in its own file (its builders, what G is told, whether D classifies,
 * its defaults); adding one means that file, its test and one entry here. The training loop,
 * the step, the config and the CLI read the definitions' fields, never a model's name.
 *
 * @module
 */
import type * as tf from "../_tf.ts";
import { ACGAN_CONV } from "./acgan_conv.ts";
import { ACGAN_MLP } from "./acgan_mlp.ts";
import { DCGAN } from "./dcgan.ts";
import { GAN } from "./gan.ts";
import { MLP_CGAN } from "./mlp_cgan.ts";
import type { ModelDef, ModelSpec } from "./model_def.ts";
import { PIX2PIX } from "./pix2pix.ts";
import { SAGAN } from "./sagan.ts";

export type {
  Conditioning,
  GanArchitecture,
  ModelDef,
  ModelSpec,
  SettingsDiff,
} from "./model_def.ts";

/** Names of the models, in the order `--help` lists them. */
export const MODEL_NAMES = [
  "mlp",
  "dcgan",
  "acgan",
  "acgan-conv",
  "gan",
  "sagan",
  "pix2pix",
] as const;
/** One of {@linkcode MODEL_NAMES}. */
export type ModelName = typeof MODEL_NAMES[number];

/**
 * Every model by its `--model` name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MODELS } from "@cgan/cgan";
 * const told = Object.entries(MODELS).map(([name, def]) => `${name}:${def.conditioning}`);
 * assert.deepEqual(told, [
 *   "mlp:optional", "dcgan:optional", "acgan:label", "acgan-conv:label", "gan:none", "sagan:label",
 *   "pix2pix:image",
 * ]);
 * ```
 */
export const MODELS: Readonly<Record<ModelName, ModelDef>> = {
  mlp: MLP_CGAN,
  dcgan: DCGAN,
  acgan: ACGAN_MLP,
  "acgan-conv": ACGAN_CONV,
  gan: GAN,
  sagan: SAGAN,
  pix2pix: PIX2PIX,
};

/**
 * The definition of a model by name, with one clear error for an unknown one.
 *
 * @param name A `--model` name.
 * @returns Its definition.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelDef } from "@cgan/cgan";
 * assert.equal(modelDef("acgan").auxClassifier, true);
 * ```
 */
export function modelDef(name: string): ModelDef {
  const def = (MODELS as Readonly<Record<string, ModelDef>>)[name];
  if (def === undefined) {
    throw new TypeError(`Unknown model "${name}": expected one of ${MODEL_NAMES.join(", ")}`);
  }
  return def;
}

/**
 * Builds G and D of `model`.
 *
 * @param model Key of {@linkcode MODELS}.
 * @param spec Sizes and seed.
 * @returns The two networks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildGan, initBackend } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const { gen, disc } = buildGan("mlp", {
 *   latentDim: 8, numClasses: 10, imageShape: [4, 4, 1], activation: "leaky", seed: 0,
 * });
 * assert.equal(gen.inputs.length, 2); // z and labels
 * assert.equal(disc.inputs.length, 2); // images and labels
 * ```
 */
export function buildGan(
  model: ModelName,
  spec: ModelSpec,
): { gen: tf.LayersModel; disc: tf.LayersModel } {
  const def = modelDef(model);
  return { gen: def.buildGenerator(spec), disc: def.buildDiscriminator(spec) };
}
