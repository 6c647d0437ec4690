/**
 * The conditional DCGAN for MNIST of paper 001 (Gazali, "Conditional GANs (cGANs) for MNIST
 * Dataset"): the label is embedded (50), projected by a dense layer to one extra feature map
 * and concatenated as a channel; D is two stride-2 3x3 convs with LeakyReLU 0.2 and dropout
 * 0.4; G projects z to 7x7x128 and upsamples twice with 4x4 stride-2 transposed convs.
 *
 * As in the MLP model, D ends in a logit and the sigmoid lives in the loss.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { concatLabelChannel } from "./blocks/label_embedding.ts";
import { InitSeeds } from "./blocks/seeds.ts";
import type { ModelSpec } from "./model_def.ts";

/** Size of the label embedding (paper 001). */
const EMBED = 50;
/** Feature maps of every conv layer (paper 001). */
const FILTERS = 128;
/** LeakyReLU slope. */
const ALPHA = 0.2;
/** D's dropout before the output (paper 001). */
const DROPOUT = 0.4;

function leaky(name: string): tf.layers.Layer {
  return tf.layers.leakyReLU({ alpha: ALPHA, name });
}

function bn(name: string, x: tf.SymbolicTensor): tf.SymbolicTensor {
  return tf.layers.batchNormalization({ name }).apply(x) as tf.SymbolicTensor;
}

/**
 * Builds G: `(z [N, latentDim], labels [N, 1]) -> image [N, 28, 28, 1]` in [-1, 1].
 *
 * @param spec Sizes and seed; the image must be 28x28 (two 2x upsamplings of 7x7).
 * @param opts `batchNorm`: BatchNorm before each LeakyReLU (not in paper 001; ACGAN's G uses it).
 * @returns The generator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend, modelDef } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const gen = modelDef("dcgan").buildGenerator({
 *   latentDim: 100, numClasses: 10, imageShape: [28, 28, 1], activation: "leaky", seed: 0,
 * });
 * assert.deepEqual(gen.outputs[0]!.shape, [null, 28, 28, 1]);
 * ```
 */
export function buildGenerator(
  spec: ModelSpec,
  opts: { batchNorm?: boolean } = {},
): tf.LayersModel {
  const [h, w, c] = spec.imageShape;
  if (h % 4 !== 0 || w % 4 !== 0) {
    throw new RangeError(
      `Cannot build the DCGAN generator for ${h}x${w} images: expected sides divisible by 4`,
    );
  }
  const seeds = new InitSeeds(spec.seed);
  const [h0, w0] = [h / 4, w / 4];
  const z = tf.input({ shape: [spec.latentDim], name: "z" });
  const labels = tf.input({ shape: [1], dtype: "int32", name: "labels" });
  let x = tf.layers.dense({
    units: FILTERS * h0 * w0,
    kernelInitializer: seeds.glorotUniform(),
    name: "gen_project",
  })
    .apply(z) as tf.SymbolicTensor;
  if (opts.batchNorm) x = bn("gen_project_bn", x);
  x = leaky("gen_project_act").apply(x) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [h0, w0, FILTERS], name: "gen_reshape" }).apply(
    x,
  ) as tf.SymbolicTensor; // [N, 7, 7, 128]
  if (spec.conditional !== false) {
    x = concatLabelChannel(x, labels, spec.numClasses, EMBED, seeds, "gen"); // [N, 7, 7, 129]
  }
  for (const i of [1, 2]) {
    x = tf.layers.conv2dTranspose({
      filters: FILTERS,
      kernelSize: 4,
      strides: 2,
      padding: "same",
      kernelInitializer: seeds.glorotUniform(),
      name: `gen_up${i}`,
    }).apply(x) as tf.SymbolicTensor; // [N, 14, 14, 128] then [N, 28, 28, 128]
    if (opts.batchNorm) x = bn(`gen_up${i}_bn`, x);
    x = leaky(`gen_up${i}_act`).apply(x) as tf.SymbolicTensor;
  }
  const image = tf.layers.conv2d({
    filters: c,
    kernelSize: 7,
    padding: "same",
    activation: "tanh",
    kernelInitializer: seeds.glorotUniform(),
    name: "gen_out",
  }).apply(x) as tf.SymbolicTensor; // [N, 28, 28, 1]
  return spec.conditional === false
    ? tf.model({ inputs: z, outputs: image, name: "dcgan_mnist_unconditional_generator" })
    : tf.model({ inputs: [z, labels], outputs: image, name: "dcgan_mnist_generator" });
}

/**
 * D's trunk (paper 001): two stride-2 3x3 convs of 128 with LeakyReLU 0.2, flattened, then
 * dropout 0.4. Shared with the conv ACGAN, whose D puts two heads on it.
 *
 * @param x D's input, `[N, 28, 28, C]`.
 * @param seeds Weight initialisers (consumed in layer order).
 * @returns Features `[N, 6272]` (for 28x28 inputs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { discriminatorTrunk, InitSeeds } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const x = discriminatorTrunk(tfl.input({ shape: [28, 28, 1] }), new InitSeeds(0));
 * assert.deepEqual(x.shape, [null, 6272]); // 7 * 7 * 128
 * ```
 */
export function discriminatorTrunk(x: tf.SymbolicTensor, seeds: InitSeeds): tf.SymbolicTensor {
  for (const i of [1, 2]) {
    x = tf.layers.conv2d({
      filters: FILTERS,
      kernelSize: 3,
      strides: 2,
      padding: "same",
      kernelInitializer: seeds.glorotUniform(),
      name: `disc_down${i}`,
    }).apply(x) as tf.SymbolicTensor; // [N, 14, 14, 128] then [N, 7, 7, 128]
    x = leaky(`disc_down${i}_act`).apply(x) as tf.SymbolicTensor;
  }
  x = tf.layers.flatten({ name: "disc_flatten" }).apply(x) as tf.SymbolicTensor; // [N, 6272]
  x = tf.layers.dropout({ rate: DROPOUT, name: "disc_dropout" }).apply(x) as tf.SymbolicTensor;
  return x;
}

/**
 * Builds D: `(image [N, H, W, C], labels [N, 1]) -> logit [N, 1]`.
 *
 * @param spec Sizes and seed.
 * @returns The discriminator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend, modelDef } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const disc = modelDef("dcgan").buildDiscriminator({
 *   latentDim: 100, numClasses: 10, imageShape: [28, 28, 1], activation: "leaky", seed: 0,
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
    : concatLabelChannel(image, labels, spec.numClasses, EMBED, seeds, "disc"); // [N, 28, 28, C+1]
  x = discriminatorTrunk(x, seeds); // [N, 6272]
  const logit = tf.layers.dense({
    units: 1,
    kernelInitializer: seeds.glorotUniform(),
    name: "disc_logit",
  })
    .apply(x) as tf.SymbolicTensor; // [N, 1]
  return spec.conditional === false
    ? tf.model({ inputs: image, outputs: logit, name: "dcgan_mnist_unconditional_discriminator" })
    : tf.model({ inputs: [image, labels], outputs: logit, name: "dcgan_mnist_discriminator" });
}
