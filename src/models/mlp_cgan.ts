/**
 * The MLP conditional GAN of Mirza & Osindero (2014), as re-implemented in paper 000
 * (Ramagiri, "Conditional GANs: a re-implementation of cGANs"): dense generator and
 * discriminator, labels embedded and multiplied into the input, LeakyReLU (or ReLU for the
 * paper's activation study) and BatchNorm (momentum 0.8) in G.
 *
 * The discriminator ends in a single logit; the sigmoid of the paper is applied inside the
 * BCE loss (`src/train/losses.ts`), which is the numerically stable form of the same model.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { embedLabels, oneHotLabels } from "./blocks/label_embedding.ts";
import { InitSeeds } from "./blocks/seeds.ts";
import type { ModelDef } from "./model_def.ts";

/** Hyperparameters of the MLP cGAN. */
export interface MlpCganConfig {
  /** Size of z. Paper: 100. */
  latentDim: number;
  /** Number of classes. MNIST: 10. */
  numClasses: number;
  /** Image shape `[height, width, channels]`. MNIST: [28, 28, 1]. */
  imageShape: [number, number, number];
  /** Hidden activation: "leaky" (LeakyReLU 0.2, the paper's final choice) or "relu". */
  activation: "leaky" | "relu";
  /** Seed for weight initialisation. */
  seed: number;
  /**
   * Condition on the label (default true). False gives paper 004's unconditional GAN baseline:
   * G takes z alone and D the image alone.
   */
  conditional?: boolean;
  /**
   * How G takes the label: "multiply" (paper 000, the default: a learned embedding multiplied
   * into z) or "concat" (z concatenated with the one-hot label, so z always reaches the first
   * layer at full scale). Multiplying lets training shrink one class's embedding towards zero,
   * and that class's samples then stop depending on z (measured: see `acgan_mlp.ts`).
   */
  labelMerge?: "multiply" | "concat";
}

/** Generator hidden widths (paper 000). */
const GEN_UNITS = [256, 512, 1024];
/** Discriminator hidden widths (paper 000). */
const DISC_UNITS = [512, 256, 128];
/** BatchNorm momentum in G (Keras' 0.8: moving = 0.8 * moving + 0.2 * batch). */
const BN_MOMENTUM = 0.8;
/** LeakyReLU slope. */
const LEAKY_ALPHA = 0.2;

function activation(kind: MlpCganConfig["activation"], name: string): tf.layers.Layer {
  return kind === "leaky"
    ? tf.layers.leakyReLU({ alpha: LEAKY_ALPHA, name })
    : tf.layers.reLU({ name });
}

/**
 * Builds G: `(z [N, latentDim], labels [N, 1]) -> image [N, H, W, C]` in [-1, 1].
 *
 * @param cfg Model hyperparameters.
 * @returns The generator as a tfjs LayersModel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { buildMlpGenerator } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const gen = buildMlpGenerator({
 *   latentDim: 8, numClasses: 10, imageShape: [4, 4, 1], activation: "leaky", seed: 0,
 * });
 * assert.deepEqual(gen.outputs[0]!.shape, [null, 4, 4, 1]);
 * ```
 */
export function buildGenerator(cfg: MlpCganConfig): tf.LayersModel {
  const seeds = new InitSeeds(cfg.seed);
  const [h, w, c] = cfg.imageShape;
  const z = tf.input({ shape: [cfg.latentDim], name: "z" });
  const labels = tf.input({ shape: [1], dtype: "int32", name: "labels" });
  let x: tf.SymbolicTensor = z;
  if (cfg.conditional !== false && cfg.labelMerge === "concat") {
    const oneHot = oneHotLabels(labels, cfg.numClasses, "gen"); // [N, classes]
    x = tf.layers.concatenate({ name: "gen_condition" }).apply([z, oneHot]) as tf.SymbolicTensor;
  } else if (cfg.conditional !== false) {
    const emb = embedLabels(labels, cfg.numClasses, cfg.latentDim, seeds, "gen"); // [N, latentDim]
    x = tf.layers.multiply({ name: "gen_condition" }).apply([z, emb]) as tf.SymbolicTensor;
  }
  GEN_UNITS.forEach((units, i) => {
    x = tf.layers.dense({ units, kernelInitializer: seeds.glorotUniform(), name: `gen_dense${i}` })
      .apply(x) as tf.SymbolicTensor; // [N, units]
    x = activation(cfg.activation, `gen_act${i}`).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ momentum: BN_MOMENTUM, name: `gen_bn${i}` })
      .apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.dense({
    units: h * w * c,
    activation: "tanh",
    kernelInitializer: seeds.glorotUniform(),
    name: "gen_out",
  }).apply(x) as tf.SymbolicTensor; // [N, H*W*C]
  const image = tf.layers.reshape({ targetShape: [h, w, c], name: "gen_image" })
    .apply(x) as tf.SymbolicTensor; // [N, H, W, C]
  return cfg.conditional === false
    ? tf.model({ inputs: z, outputs: image, name: "mlp_gan_generator" })
    : tf.model({ inputs: [z, labels], outputs: image, name: "mlp_cgan_generator" });
}

/**
 * Builds D: `(image [N, H, W, C], labels [N, 1]) -> logit [N, 1]` (real if > 0).
 *
 * @param cfg Model hyperparameters.
 * @returns The discriminator as a tfjs LayersModel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { buildMlpDiscriminator } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const disc = buildMlpDiscriminator({
 *   latentDim: 8, numClasses: 10, imageShape: [4, 4, 1], activation: "leaky", seed: 0,
 * });
 * assert.deepEqual(disc.outputs[0]!.shape, [null, 1]);
 * ```
 */
export function buildDiscriminator(cfg: MlpCganConfig): tf.LayersModel {
  const seeds = new InitSeeds(cfg.seed + 1);
  const [h, w, c] = cfg.imageShape;
  const image = tf.input({ shape: [h, w, c], name: "image" });
  const labels = tf.input({ shape: [1], dtype: "int32", name: "labels" });
  let x = tf.layers.flatten({ name: "disc_flatten" }).apply(image) as tf.SymbolicTensor;
  if (cfg.conditional !== false) {
    const emb = embedLabels(labels, cfg.numClasses, h * w * c, seeds, "disc"); // [N, H*W*C]
    x = tf.layers.multiply({ name: "disc_condition" }).apply([x, emb]) as tf.SymbolicTensor;
  }
  DISC_UNITS.forEach((units, i) => {
    x = tf.layers.dense({ units, kernelInitializer: seeds.glorotUniform(), name: `disc_dense${i}` })
      .apply(x) as tf.SymbolicTensor; // [N, units]
    x = activation(cfg.activation, `disc_act${i}`).apply(x) as tf.SymbolicTensor;
  });
  const logit = tf.layers.dense({
    units: 1,
    kernelInitializer: seeds.glorotUniform(),
    name: "disc_logit",
  }).apply(x) as tf.SymbolicTensor; // [N, 1]
  return cfg.conditional === false
    ? tf.model({ inputs: image, outputs: logit, name: "mlp_gan_discriminator" })
    : tf.model({ inputs: [image, labels], outputs: logit, name: "mlp_cgan_discriminator" });
}

/**
 * `--model mlp`: paper 000's MLP cGAN; `--unconditional` trains the same nets without the label.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelDef } from "@cgan/cgan";
 * assert.equal(modelDef("mlp").conditioning, "optional"); // this definition
 * ```
 */
export const MLP_CGAN: ModelDef = {
  about: "MLP cGAN (Mirza & Osindero 2014; Ramagiri's re-implementation), the default",
  conditioning: "optional",
  auxClassifier: false,
  buildGenerator,
  buildDiscriminator,
};
