/**
 * The conditional DCGAN for CIFAR-10 of paper 002 (Bhandari, Gordon, Juneja, "Interactive Image
 * Generation Using a Conditional DCGAN"), the one architecture behind its c-DCGAN, c-WGAN and
 * c-WGAN-GP: only the loss changes (`--loss bce|wgan|wgan-gp`).
 *
 * G: concat(z, one-hot label) -> Dense 8192 -> 4x4x512 -> ConvT 512, 256, 128 (5x5, stride 2)
 * -> ConvT 3 (5x5, stride 1, tanh). D: the label as an extra channel (paper 001's label map;
 * paper 002 does not say how its D sees the label) -> Conv 64, 128, 256, 512 (5x5, stride 2,
 * LeakyReLU 0.2) -> Conv 1 (4x4) -> mean over its 2x2 map: one logit. D has no BatchNorm
 * (the gradient penalty is per sample).
 *
 * Two choices of ours, where the paper's text would not train well: G uses BatchNorm and ReLU
 * between layers (DCGAN, Radford et al. 2016) where paper 002 lists identity activations, which
 * would make G linear up to its final tanh; and `spec.width` scales every layer's channels
 * (1 = the paper; `--preset small` trains on 2 CPU cores in reasonable time).
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { concatLabelChannel, oneHotLabels } from "./blocks/label_embedding.ts";
import { InitSeeds } from "./blocks/seeds.ts";
import type { ModelSpec } from "./model_def.ts";

/** G's channels after the dense projection and each transposed conv (paper 002). */
const GEN_FILTERS = [512, 512, 256, 128];
/** D's conv channels (paper 002). */
const DISC_FILTERS = [64, 128, 256, 512];
/** Kernel size of every conv (paper 002). */
const KERNEL = 5;
/** Size of D's label embedding (as paper 001). */
const EMBED = 50;
/** LeakyReLU slope of D. */
const ALPHA = 0.2;

function scaled(filters: number, spec: ModelSpec): number {
  return Math.max(1, Math.round(filters * (spec.width ?? 1)));
}

/**
 * Builds G: `(z [N, latentDim], labels [N, 1]) -> image [N, 32, 32, 3]` in [-1, 1].
 *
 * @param spec Sizes, width and seed; the image side must be divisible by 8.
 * @returns The generator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend, modelDef } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const gen = modelDef("dcgan").buildGenerator({
 *   latentDim: 100, numClasses: 10, imageShape: [32, 32, 3], activation: "leaky", seed: 0, width: 0.125,
 * });
 * assert.deepEqual(gen.outputs[0]!.shape, [null, 32, 32, 3]);
 * ```
 */
export function buildGenerator(spec: ModelSpec): tf.LayersModel {
  const [h, w, c] = spec.imageShape;
  if (h % 8 !== 0 || w % 8 !== 0) {
    throw new RangeError(
      `Cannot build the CIFAR DCGAN generator for ${h}x${w} images: expected sides divisible by 8`,
    );
  }
  const seeds = new InitSeeds(spec.seed);
  const [base, ...ups] = GEN_FILTERS.map((f) => scaled(f, spec));
  const z = tf.input({ shape: [spec.latentDim], name: "z" });
  const labels = tf.input({ shape: [1], dtype: "int32", name: "labels" });
  let x: tf.SymbolicTensor = z;
  if (spec.conditional !== false) {
    const oneHot = oneHotLabels(labels, spec.numClasses, "gen"); // [N, classes]
    x = tf.layers.concatenate({ name: "gen_condition" }).apply([z, oneHot]) as tf.SymbolicTensor;
  }
  const bnRelu = (t: tf.SymbolicTensor, name: string) => {
    const n = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(t) as tf.SymbolicTensor;
    return tf.layers.reLU({ name: `${name}_act` }).apply(n) as tf.SymbolicTensor;
  };
  x = tf.layers.dense({
    units: (h / 8) * (w / 8) * base!,
    kernelInitializer: seeds.glorotUniform(),
    name: "gen_project",
  }).apply(x) as tf.SymbolicTensor; // [N, 8192] at width 1
  x = tf.layers.reshape({ targetShape: [h / 8, w / 8, base!], name: "gen_reshape" })
    .apply(x) as tf.SymbolicTensor; // [N, 4, 4, 512]
  x = bnRelu(x, "gen_project");
  ups.forEach((filters, i) => {
    x = tf.layers.conv2dTranspose({
      filters,
      kernelSize: KERNEL,
      strides: 2,
      padding: "same",
      kernelInitializer: seeds.glorotUniform(),
      name: `gen_up${i + 1}`,
    }).apply(x) as tf.SymbolicTensor; // [N, 8, 8, 512], [N, 16, 16, 256], [N, 32, 32, 128]
    x = bnRelu(x, `gen_up${i + 1}`);
  });
  const image = tf.layers.conv2dTranspose({
    filters: c,
    kernelSize: KERNEL,
    strides: 1,
    padding: "same",
    activation: "tanh",
    kernelInitializer: seeds.glorotUniform(),
    name: "gen_out",
  }).apply(x) as tf.SymbolicTensor; // [N, 32, 32, 3]
  return spec.conditional === false
    ? tf.model({ inputs: z, outputs: image, name: "dcgan_cifar_unconditional_generator" })
    : tf.model({ inputs: [z, labels], outputs: image, name: "dcgan_cifar_generator" });
}

/**
 * Builds D: `(image [N, H, W, C], labels [N, 1]) -> logit [N, 1]`, with no BatchNorm.
 *
 * @param spec Sizes, width and seed.
 * @returns The discriminator (the critic, for the Wasserstein losses).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend, modelDef } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const disc = modelDef("dcgan").buildDiscriminator({
 *   latentDim: 100, numClasses: 10, imageShape: [32, 32, 3], activation: "leaky", seed: 0, width: 0.125,
 * });
 * assert.deepEqual(disc.outputs[0]!.shape, [null, 1]);
 * ```
 */
export function buildDiscriminator(spec: ModelSpec): tf.LayersModel {
  const [h, w, c] = spec.imageShape;
  const seeds = new InitSeeds(spec.seed + 1);
  const image = tf.input({ shape: [h, w, c], name: "image" });
  const labels = tf.input({ shape: [1], dtype: "int32", name: "labels" });
  let x = spec.conditional === false
    ? image
    : concatLabelChannel(image, labels, spec.numClasses, EMBED, seeds, "disc"); // [N, 32, 32, C+1]
  DISC_FILTERS.forEach((filters, i) => {
    x = tf.layers.conv2d({
      filters: scaled(filters, spec),
      kernelSize: KERNEL,
      strides: 2,
      padding: "same",
      kernelInitializer: seeds.glorotUniform(),
      name: `disc_down${i + 1}`,
    }).apply(x) as tf.SymbolicTensor; // [N, 16, 16, 64], [N, 8, 8, 128], [N, 4, 4, 256], [N, 2, 2, 512]
    x = tf.layers.leakyReLU({ alpha: ALPHA, name: `disc_down${i + 1}_act` })
      .apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.conv2d({
    filters: 1,
    kernelSize: 4,
    padding: "same",
    kernelInitializer: seeds.glorotUniform(),
    name: "disc_score",
  }).apply(x) as tf.SymbolicTensor; // [N, 2, 2, 1]
  const logit = tf.layers.globalAveragePooling2d({ name: "disc_logit" })
    .apply(x) as tf.SymbolicTensor; // [N, 1]
  return spec.conditional === false
    ? tf.model({ inputs: image, outputs: logit, name: "dcgan_cifar_unconditional_discriminator" })
    : tf.model({ inputs: [image, labels], outputs: logit, name: "dcgan_cifar_discriminator" });
}
