/**
 * ACGAN (Odena, Olah & Shlens 2017; paper 004's auxiliary-classifier GAN) with dense nets: G is
 * the MLP cGAN's generator fed z concatenated with the one-hot label, and D sees the image only and
 * has two heads, the real/fake logit and class logits, returned side by side as
 * `[N, 1 + classes]`. The training step spots the extra columns and adds the class
 * cross-entropy on real and generated images to D's loss and on generated images to G's.
 *
 * D: flatten -> [Dense, LeakyReLU 0.2] x (512, 256, 128) -> concat(Dense 1, Dense classes).
 *
 * Why G concatenates (as ACGAN's own code puts the class into z) instead of multiplying a
 * learned embedding into z as paper 000's cGAN does: with the product, 10 epochs of ACGAN
 * training (aux loss on real images) shrank the 8's embedding to a norm of 0.068 while the
 * other classes kept 0.32-0.35. G's 8s then barely depended on z: the quality gate measured
 * their variety at 0.65 of real 8s', every other digit at 0.92-1.09.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { InitSeeds } from "./blocks/seeds.ts";
import { buildGenerator as buildMlpGenerator } from "./mlp_cgan.ts";
import type { ModelDef, ModelSpec } from "./model_def.ts";

const DISC_UNITS = [512, 256, 128];

/**
 * Builds G: the MLP cGAN's generator, taking z concatenated with the one-hot label.
 *
 * @param spec Sizes, activation and seed.
 * @returns G `(z, labels) -> images`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend, modelDef } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const gen = modelDef("acgan").buildGenerator({
 *   latentDim: 8, numClasses: 3, imageShape: [4, 4, 1], activation: "leaky", seed: 0,
 * });
 * assert.deepEqual(gen.outputs[0]!.shape, [null, 4, 4, 1]);
 * ```
 */
export function buildGenerator(spec: ModelSpec): tf.LayersModel {
  return buildMlpGenerator({ ...spec, labelMerge: "concat" });
}

/**
 * ACGAN's two heads on D's features: the real/fake logit and class logits, side by side.
 *
 * @param x Features `[N, F]`.
 * @param numClasses Number of classes.
 * @param seeds Weight initialisers (consumed in layer order).
 * @returns `[N, 1 + numClasses]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { acganHeads, InitSeeds } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const heads = acganHeads(tfl.input({ shape: [16] }), 10, new InitSeeds(0));
 * assert.deepEqual(heads.shape, [null, 11]); // real/fake logit + 10 class logits
 * ```
 */
export function acganHeads(
  x: tf.SymbolicTensor,
  numClasses: number,
  seeds: InitSeeds,
): tf.SymbolicTensor {
  const source = tf.layers.dense({
    units: 1,
    kernelInitializer: seeds.glorotUniform(),
    name: "disc_logit",
  }).apply(x) as tf.SymbolicTensor; // [N, 1]
  const classes = tf.layers.dense({
    units: numClasses,
    kernelInitializer: seeds.glorotUniform(),
    name: "disc_class_logits",
  }).apply(x) as tf.SymbolicTensor; // [N, classes]
  const out = tf.layers.concatenate({ name: "disc_heads" }).apply([
    source,
    classes,
  ]) as tf.SymbolicTensor;
  return out;
}

/**
 * Builds D: `images -> [source logit, class logits]` as one `[N, 1 + classes]` output.
 *
 * @param spec Sizes, activation and seed.
 * @returns D (a single input: ACGAN's D is not told the label).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend, modelDef } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const disc = modelDef("acgan").buildDiscriminator({
 *   latentDim: 8, numClasses: 3, imageShape: [4, 4, 1], activation: "leaky", seed: 0,
 * });
 * assert.equal(disc.inputs.length, 1); // images only
 * assert.deepEqual(disc.outputs[0]!.shape, [null, 4]); // real/fake logit + 3 class logits
 * ```
 */
export function buildDiscriminator(spec: ModelSpec): tf.LayersModel {
  const seeds = new InitSeeds(spec.seed + 1);
  const image = tf.input({ shape: spec.imageShape, name: "image" });
  let x = tf.layers.flatten({ name: "disc_flatten" }).apply(image) as tf.SymbolicTensor;
  DISC_UNITS.forEach((units, i) => {
    x = tf.layers.dense({ units, kernelInitializer: seeds.glorotUniform(), name: `disc_dense${i}` })
      .apply(x) as tf.SymbolicTensor; // [N, units]
    x = (spec.activation === "leaky"
      ? tf.layers.leakyReLU({ alpha: 0.2, name: `disc_act${i}` })
      : tf.layers.reLU({ name: `disc_act${i}` })).apply(x) as tf.SymbolicTensor;
  });
  const out = acganHeads(x, spec.numClasses, seeds); // [N, 1 + classes]
  return tf.model({ inputs: image, outputs: out, name: "acgan_mlp_discriminator" });
}

/**
 * `--model acgan`: ACGAN with dense nets (paper 004), always conditional.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelDef } from "@cgan/cgan";
 * const def = modelDef("acgan"); // this definition
 * assert.equal(def.auxClassifier, true);
 * assert.equal(def.conditioning, "label");
 * ```
 */
export const ACGAN_MLP: ModelDef = {
  about: "ACGAN with dense nets (Odena, Olah & Shlens 2017; Roy & Gangopadhyay)",
  conditioning: "label",
  auxClassifier: true,
  buildGenerator,
  buildDiscriminator,
};
