/**
 * Conditional SAGAN for MNIST (paper 003's bonus; Zhang et al. 2019, "Self-Attention GANs"):
 * spectral normalisation on every weight layer of G and D, a self-attention block in each
 * (at 14x14), class-conditional BatchNorm in G, and a projection discriminator (Miyato &
 * Koyama 2018): `D(x, y) = psi(phi(x)) + <embed(y), phi(x)>`. The loss defaults to hinge and
 * Adam to beta1 0, beta2 0.9 ({@linkcode SAGAN}'s `defaults`).
 *
 * We condition G by class-conditional BN and D by projection (not label channels): that is
 * SAGAN's own conditioning. The blocks are custom layer classes (`SNConv2D`, `SNDense`,
 * `SelfAttention`, `ConditionalBatchNorm`), so its model files load where cgan's blocks are
 * imported (not in a plain tfjs or Keras install).
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { ConditionalBatchNorm } from "./blocks/conditional_batch_norm.ts";
import { InitSeeds } from "./blocks/seeds.ts";
import { SelfAttention } from "./blocks/self_attention.ts";
import { SNConv2D, SNDense } from "./blocks/spectral_norm.ts";
import type { ModelDef, ModelSpec } from "./model_def.ts";

/** Base channels (scaled by `spec.width`). */
const CHANNELS = 64;
/** LeakyReLU slope of D (SAGAN: 0.1). */
const ALPHA = 0.1;

function channels(spec: ModelSpec, times: number): number {
  return Math.max(8, Math.round(CHANNELS * times * (spec.width ?? 1)));
}

/**
 * Builds G: `(z, labels) -> image [N, H, W, C]` in [-1, 1]; H and W divisible by 4.
 *
 * @param spec Sizes, width and seed.
 * @returns The generator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend, modelDef } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const gen = modelDef("sagan").buildGenerator({
 *   latentDim: 16, numClasses: 10, imageShape: [28, 28, 1], activation: "leaky", seed: 0, width: 0.25,
 * });
 * assert.deepEqual(gen.outputs[0]!.shape, [null, 28, 28, 1]);
 * ```
 */
export function buildGenerator(spec: ModelSpec): tf.LayersModel {
  const [h, w, c] = spec.imageShape;
  if (h % 4 !== 0 || w % 4 !== 0) {
    throw new RangeError(
      `Cannot build the SAGAN generator for ${h}x${w}: expected sides divisible by 4`,
    );
  }
  const seeds = new InitSeeds(spec.seed);
  const z = tf.input({ shape: [spec.latentDim], name: "z" });
  const labels = tf.input({ shape: [1], dtype: "int32", name: "labels" });
  const cbnRelu = (x: tf.SymbolicTensor, name: string) => {
    const n = new ConditionalBatchNorm({ numClasses: spec.numClasses, name: `${name}_cbn` })
      .apply([x, labels]) as tf.SymbolicTensor;
    return tf.layers.reLU({ name: `${name}_act` }).apply(n) as tf.SymbolicTensor;
  };
  const up = (x: tf.SymbolicTensor, filters: number, name: string) => {
    const u = tf.layers.upSampling2d({ size: [2, 2], name: `${name}_upsample` })
      .apply(x) as tf.SymbolicTensor;
    return new SNConv2D({ filters, kernelSize: 3, kernelInitializer: seeds.glorotUniform(), name })
      .apply(u) as tf.SymbolicTensor;
  };
  const c4 = channels(spec, 4);
  let x = new SNDense({
    units: (h / 4) * (w / 4) * c4,
    kernelInitializer: seeds.glorotUniform(),
    name: "gen_project",
  }).apply(z) as tf.SymbolicTensor;
  x = tf.layers.reshape({ targetShape: [h / 4, w / 4, c4], name: "gen_reshape" })
    .apply(x) as tf.SymbolicTensor; // [N, 7, 7, 256]
  x = up(cbnRelu(x, "gen_project"), channels(spec, 2), "gen_up1"); // [N, 14, 14, 128]
  x = cbnRelu(x, "gen_up1");
  x = new SelfAttention({ kernelInitializer: seeds.glorotUniform(), name: "gen_attention" })
    .apply(x) as tf.SymbolicTensor; // [N, 14, 14, 128]
  x = up(x, channels(spec, 1), "gen_up2"); // [N, 28, 28, 64]
  x = cbnRelu(x, "gen_up2");
  x = new SNConv2D({
    filters: c,
    kernelSize: 3,
    kernelInitializer: seeds.glorotUniform(),
    name: "gen_out",
  }).apply(x) as tf.SymbolicTensor; // [N, 28, 28, 1]
  const image = tf.layers.activation({ activation: "tanh", name: "gen_tanh" })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: [z, labels], outputs: image, name: "sagan_generator" });
}

/**
 * Builds D: `(image, labels) -> score [N, 1]`: spectrally normalised convs with
 * self-attention, global average pooling to features `phi`, and the projection head.
 *
 * @param spec Sizes, width and seed.
 * @returns The discriminator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend, modelDef } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const disc = modelDef("sagan").buildDiscriminator({
 *   latentDim: 16, numClasses: 10, imageShape: [28, 28, 1], activation: "leaky", seed: 0, width: 0.25,
 * });
 * assert.deepEqual(disc.outputs[0]!.shape, [null, 1]);
 * ```
 */
export function buildDiscriminator(spec: ModelSpec): tf.LayersModel {
  const [h, w, c] = spec.imageShape;
  const seeds = new InitSeeds(spec.seed + 1);
  const image = tf.input({ shape: [h, w, c], name: "image" });
  const labels = tf.input({ shape: [1], dtype: "int32", name: "labels" });
  const conv = (x: tf.SymbolicTensor, filters: number, strides: number, name: string) => {
    const y = new SNConv2D({
      filters,
      kernelSize: 3,
      strides,
      kernelInitializer: seeds.glorotUniform(),
      name,
    }).apply(x) as tf.SymbolicTensor;
    return tf.layers.leakyReLU({ alpha: ALPHA, name: `${name}_act` }).apply(y) as tf.SymbolicTensor;
  };
  let x = conv(image, channels(spec, 1), 2, "disc_down1"); // [N, 14, 14, 64]
  x = new SelfAttention({ kernelInitializer: seeds.glorotUniform(), name: "disc_attention" })
    .apply(x) as tf.SymbolicTensor; // [N, 14, 14, 64]
  x = conv(x, channels(spec, 2), 2, "disc_down2"); // [N, 7, 7, 128]
  x = conv(x, channels(spec, 4), 1, "disc_conv3"); // [N, 7, 7, 256]
  const phi = tf.layers.globalAveragePooling2d({ name: "disc_features" })
    .apply(x) as tf.SymbolicTensor; // [N, 256]
  const psi = new SNDense({
    units: 1,
    kernelInitializer: seeds.glorotUniform(),
    name: "disc_linear",
  })
    .apply(phi) as tf.SymbolicTensor; // [N, 1]
  let embedded = tf.layers.embedding({
    inputDim: spec.numClasses,
    outputDim: channels(spec, 4),
    embeddingsInitializer: seeds.uniform(0.05),
    name: "disc_label_embedding",
  }).apply(labels) as tf.SymbolicTensor; // [N, 1, 256]
  embedded = tf.layers.flatten({ name: "disc_label_flatten" }).apply(embedded) as tf.SymbolicTensor;
  const projection = tf.layers.dot({ axes: 1, name: "disc_projection" })
    .apply([embedded, phi]) as tf.SymbolicTensor; // [N, 1]
  const score = tf.layers.add({ name: "disc_score" }).apply([psi, projection]) as tf.SymbolicTensor;
  return tf.model({ inputs: [image, labels], outputs: score, name: "sagan_discriminator" });
}

/**
 * `--model sagan`: the conditional SAGAN, with the hinge loss and Adam (0, 0.9) by default.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelDef } from "@cgan/cgan";
 * assert.equal(modelDef("sagan").defaults?.loss, "hinge"); // this definition
 * ```
 */
export const SAGAN: ModelDef = {
  about: "conditional SAGAN: self-attention, spectral norm, projection D (Zhang et al. 2019)",
  conditioning: "label",
  auxClassifier: false,
  defaults: { loss: "hinge", beta1: 0, beta2: 0.9 },
  // Zhang et al.'s two time-scale update rule: D learns 4x faster than G.
  presets: { paper: { lr: 1e-4, lrD: 4e-4 } },
  buildGenerator,
  buildDiscriminator,
};
