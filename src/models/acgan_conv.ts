/**
 * ACGAN (paper 004's auxiliary-classifier GAN; Odena et al. 2017) with paper 001's
 * convolutional nets, the shape of the tfjs-examples mnist-acgan: G is the conditional DCGAN
 * generator (z projected to 7x7x128 beside a label map, two 4x4 stride-2 transposed convs, a
 * 7x7 conv to the image) with BatchNorm before each LeakyReLU, as ACGAN's and tfjs-examples'
 * generators have, and D is the DCGAN's conv trunk on the image alone (it is not told the
 * label) with ACGAN's two heads, `[N, 1 + classes]`.
 *
 * Without the BatchNorm, G collapsed to all-black images within 100 steps (MNIST, seed 0, both
 * `--aux-loss` settings) and never left: the transposed convs' kernels had drifted the same
 * way (mean 0.005 against a spread of +-0.05), the activations grew layer by layer and every
 * output pixel sat at tanh's -1, where G gets no gradient. With it, G's outputs in training
 * mode have MNIST's share of background pixels after the same 100 steps.
 * Runs started before this change resume with their own nets (the topology is checkpointed).
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { acganHeads } from "./acgan_mlp.ts";
import { InitSeeds } from "./blocks/seeds.ts";
import { buildGenerator as buildDcganGenerator, discriminatorTrunk } from "./dcgan_mnist.ts";
import type { ModelDef, ModelSpec } from "./model_def.ts";

/**
 * Builds G: paper 001's conditional DCGAN generator, with BatchNorm.
 *
 * @param spec Sizes and seed.
 * @returns G `(z, labels) -> images`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend, modelDef } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const gen = modelDef("acgan-conv").buildGenerator({
 *   latentDim: 8, numClasses: 10, imageShape: [28, 28, 1], activation: "leaky", seed: 0,
 * });
 * assert.deepEqual(gen.outputs[0]!.shape, [null, 28, 28, 1]);
 * ```
 */
export function buildGenerator(spec: ModelSpec): tf.LayersModel {
  return buildDcganGenerator(spec, { batchNorm: true });
}

/**
 * Builds D: `images -> [source logit, class logits]` as one `[N, 1 + classes]` output.
 *
 * @param spec Sizes and seed.
 * @returns D (one input: the image).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend, modelDef } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const disc = modelDef("acgan-conv").buildDiscriminator({
 *   latentDim: 8, numClasses: 10, imageShape: [28, 28, 1], activation: "leaky", seed: 0,
 * });
 * assert.equal(disc.inputs.length, 1); // images only
 * assert.deepEqual(disc.outputs[0]!.shape, [null, 11]); // real/fake logit + 10 class logits
 * ```
 */
export function buildDiscriminator(spec: ModelSpec): tf.LayersModel {
  const seeds = new InitSeeds(spec.seed + 1);
  const image = tf.input({ shape: spec.imageShape, name: "image" });
  const features = discriminatorTrunk(image, seeds); // [N, 6272]
  const out = acganHeads(features, spec.numClasses, seeds); // [N, 1 + classes]
  return tf.model({ inputs: image, outputs: out, name: "acgan_conv_discriminator" });
}

/**
 * `--model acgan-conv`: ACGAN with paper 001's conv nets (G with BatchNorm), always conditional.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelDef } from "@cgan/cgan";
 * const def = modelDef("acgan-conv"); // this definition
 * assert.equal(def.auxClassifier, true);
 * assert.equal(def.conditioning, "label");
 * ```
 */
export const ACGAN_CONV: ModelDef = {
  about: "ACGAN with paper 001's conv nets (Odena, Olah & Shlens 2017)",
  conditioning: "label",
  auxClassifier: true,
  buildGenerator,
  buildDiscriminator,
};
