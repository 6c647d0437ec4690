/**
 * pix2pix (Isola et al. 2017; paper 003): a U-Net generator and a PatchGAN discriminator for
 * image-to-image translation. G maps an input image to an output image (dropout in the first
 * decoder blocks is its only noise); D scores overlapping patches of the pair
 * `concat(input, image)`, 70x70 pixels each at 256x256.
 *
 * U-Net, for side `S = 2^depth`: encoder C64-C128-C256-C512-C512... (4x4 stride-2 convs,
 * LeakyReLU 0.2, BatchNorm except on the first) down to 1x1; decoder of 4x4 stride-2
 * transposed convs (BatchNorm, ReLU, dropout 0.5 in the first three), each concatenated with
 * the encoder map of the same size (the skip connections); a last transposed conv to the
 * output channels with tanh. PatchGAN: C64-C128-C256 (stride 2), then C512 and a 1-channel
 * conv at stride 1 with one pixel of zero padding, so a 256x256 pair gives a 30x30 map of
 * logits. `spec.width` scales every layer's channels.
 *
 * At test time pix2pix runs G "in exactly the same manner as during the training phase"
 * (Isola et al., sec. 3.3): dropout on and BatchNorm with the statistics of the test batch;
 * {@linkcode translate} does that with seeded dropout masks.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { InitSeeds, seedDropout } from "./blocks/seeds.ts";
import type { ModelDef, ModelSpec } from "./model_def.ts";

/** Encoder channels of the U-Net, outermost first (pix2pix); deeper blocks repeat 512. */
const ENCODER = [64, 128, 256, 512];
/** Decoder blocks (innermost first) with dropout. */
const DROPOUT_BLOCKS = 3;
/** PatchGAN channels. */
const PATCH = [64, 128, 256, 512];

/** Sizes of a pix2pix pair of nets. */
export interface Pix2PixSpec {
  /** Side of the square images; a power of two, at least 16. */
  size: number;
  /** Channels of the input image. */
  inChannels: number;
  /** Channels of the output image. */
  outChannels: number;
  /** Channel multiplier (1 = the paper). */
  width?: number;
  /** Weight initialisation seed. */
  seed: number;
}

function depthOf(size: number): number {
  const depth = Math.log2(size);
  if (!Number.isInteger(depth) || depth < 4) {
    throw new RangeError(`Cannot build pix2pix for ${size}x${size}: expected a power of two >= 16`);
  }
  return depth;
}

function channels(i: number, spec: Pix2PixSpec, table: number[]): number {
  return Math.max(1, Math.round((table[Math.min(i, table.length - 1)]!) * (spec.width ?? 1)));
}

/**
 * Builds the U-Net G: `input [N, S, S, Cin] -> image [N, S, S, Cout]` in [-1, 1].
 *
 * @param spec Size, channels, width and seed.
 * @returns The generator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { buildUnet } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const gen = buildUnet({ size: 64, inChannels: 3, outChannels: 3, width: 0.125, seed: 0 });
 * assert.deepEqual(gen.outputs[0]!.shape, [null, 64, 64, 3]);
 * ```
 */
export function buildUnet(spec: Pix2PixSpec): tf.LayersModel {
  const depth = depthOf(spec.size);
  const seeds = new InitSeeds(spec.seed);
  const input = tf.input({ shape: [spec.size, spec.size, spec.inChannels], name: "input" });
  const skips: tf.SymbolicTensor[] = [];
  let x: tf.SymbolicTensor = input;
  for (let i = 0; i < depth; i++) {
    x = tf.layers.conv2d({
      filters: channels(i, spec, ENCODER),
      kernelSize: 4,
      strides: 2,
      padding: "same",
      useBias: false,
      kernelInitializer: seeds.glorotUniform(),
      name: `gen_down${i + 1}`,
    }).apply(x) as tf.SymbolicTensor; // [N, S / 2^(i+1), S / 2^(i+1), C]: 128, 64, ..., 1 at 256
    if (i > 0 && i < depth - 1) {
      x = tf.layers.batchNormalization({ name: `gen_down${i + 1}_bn` }).apply(
        x,
      ) as tf.SymbolicTensor;
    }
    x = tf.layers.leakyReLU({ alpha: 0.2, name: `gen_down${i + 1}_act` }).apply(
      x,
    ) as tf.SymbolicTensor;
    skips.push(x);
  }
  // Decoder: up from 1x1, joining each encoder map of the same size.
  for (let j = depth - 2; j >= 0; j--) {
    const block = depth - 1 - j; // 1 = innermost
    x = tf.layers.conv2dTranspose({
      filters: channels(j, spec, ENCODER),
      kernelSize: 4,
      strides: 2,
      padding: "same",
      useBias: false,
      kernelInitializer: seeds.glorotUniform(),
      name: `gen_up${block}`,
    }).apply(x) as tf.SymbolicTensor; // the size of skips[j]
    x = tf.layers.batchNormalization({ name: `gen_up${block}_bn` }).apply(x) as tf.SymbolicTensor;
    if (block <= DROPOUT_BLOCKS) {
      x = tf.layers.dropout({ rate: 0.5, name: `gen_up${block}_dropout` }).apply(
        x,
      ) as tf.SymbolicTensor;
    }
    x = tf.layers.reLU({ name: `gen_up${block}_act` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.concatenate({ name: `gen_skip${block}` }).apply([
      x,
      skips[j]!,
    ]) as tf.SymbolicTensor;
  }
  const image = tf.layers.conv2dTranspose({
    filters: spec.outChannels,
    kernelSize: 4,
    strides: 2,
    padding: "same",
    activation: "tanh",
    kernelInitializer: seeds.glorotUniform(),
    name: "gen_out",
  }).apply(x) as tf.SymbolicTensor; // [N, S, S, Cout]
  return tf.model({ inputs: input, outputs: image, name: "pix2pix_unet" });
}

/**
 * Builds the PatchGAN D: `(input, image) -> patch logits [N, P, P, 1]` (P = 30 at 256x256).
 *
 * @param spec Size, channels, width and seed.
 * @returns The discriminator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { buildPatchGan } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const disc = buildPatchGan({ size: 256, inChannels: 3, outChannels: 3, width: 0.125, seed: 0 });
 * assert.deepEqual(disc.outputs[0]!.shape, [null, 30, 30, 1]); // 70x70 patches
 * ```
 */
export function buildPatchGan(spec: Pix2PixSpec): tf.LayersModel {
  if (depthOf(spec.size) < 5) {
    // Three stride-2 convs and two 4x4 valid ones leave no logits below 32x32.
    throw new RangeError(`Cannot build a PatchGAN for ${spec.size}x${spec.size}: expected >= 32`);
  }
  const seeds = new InitSeeds(spec.seed + 1);
  const s = spec.size;
  const input = tf.input({ shape: [s, s, spec.inChannels], name: "input" });
  const image = tf.input({ shape: [s, s, spec.outChannels], name: "image" });
  let x = tf.layers.concatenate({ name: "disc_pair" }).apply([input, image]) as tf.SymbolicTensor;
  const conv = (
    t: tf.SymbolicTensor,
    filters: number,
    strides: number,
    name: string,
    norm: boolean,
  ) => {
    let y = t;
    if (strides === 1) {
      y = tf.layers.zeroPadding2d({ padding: 1, name: `${name}_pad` }).apply(
        y,
      ) as tf.SymbolicTensor;
    }
    y = tf.layers.conv2d({
      filters,
      kernelSize: 4,
      strides,
      padding: strides === 1 ? "valid" : "same",
      kernelInitializer: seeds.glorotUniform(),
      name,
    }).apply(y) as tf.SymbolicTensor;
    if (norm) {
      y = tf.layers.batchNormalization({ name: `${name}_bn` }).apply(y) as tf.SymbolicTensor;
    }
    return tf.layers.leakyReLU({ alpha: 0.2, name: `${name}_act` }).apply(y) as tf.SymbolicTensor;
  };
  x = conv(x, channels(0, spec, PATCH), 2, "disc_c1", false); // [N, 128, 128, 64] at 256
  x = conv(x, channels(1, spec, PATCH), 2, "disc_c2", true); // [N, 64, 64, 128]
  x = conv(x, channels(2, spec, PATCH), 2, "disc_c3", true); // [N, 32, 32, 256]
  x = conv(x, channels(3, spec, PATCH), 1, "disc_c4", true); // [N, 31, 31, 512]
  x = tf.layers.zeroPadding2d({ padding: 1, name: "disc_out_pad" }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.conv2d({
    filters: 1,
    kernelSize: 4,
    kernelInitializer: seeds.glorotUniform(),
    name: "disc_out",
  }).apply(x) as tf.SymbolicTensor; // [N, 30, 30, 1]
  return tf.model({ inputs: [input, image], outputs: logits, name: "pix2pix_patchgan" });
}

/**
 * Translates input images with a U-Net G the way pix2pix tests it: in training mode (BatchNorm
 * normalises with the statistics of this batch, dropout is on) with dropout masks seeded by
 * `seed`, so the same call gives the same output. Pass one image per call for the paper's
 * test-time behaviour (batch 1); a batch shares its BatchNorm statistics. G is left as it was:
 * the BatchNorm moving averages that a training-mode call updates are restored.
 *
 * @param gen The U-Net G.
 * @param inputs Input images `[N, S, S, Cin]` in [-1, 1].
 * @param seed Seed of the dropout masks.
 * @returns Output images `[N, S, S, Cout]` in [-1, 1], owned by the caller.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { translate } from "@cgan/cgan";
 * import { buildUnet } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const gen = buildUnet({ size: 16, inChannels: 3, outChannels: 3, width: 0.125, seed: 0 });
 * const x = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
 * const [a, b] = [translate(gen, x, 7), translate(gen, x, 7)];
 * assert.deepEqual(a.shape, [1, 16, 16, 3]);
 * assert.deepEqual(await a.data(), await b.data()); // the same seed, the same dropout
 * ```
 */
export function translate(gen: tf.LayersModel, inputs: tf.Tensor4D, seed: number): tf.Tensor4D {
  seedDropout(gen, seed);
  const moving = gen.nonTrainableWeights;
  const saved = moving.map((w) => w.read().clone());
  try {
    return tf.tidy(() => gen.apply(inputs, { training: true }) as tf.Tensor4D);
  } finally {
    moving.forEach((w, i) => w.write(saved[i]!));
    tf.dispose(saved);
  }
}

/** pix2pix's sizes from a model spec: square images, as many output channels as input ones. */
function pix2pixSpec(spec: ModelSpec): Pix2PixSpec {
  const [h, w, c] = spec.imageShape;
  if (h !== w) {
    throw new RangeError(`Cannot build pix2pix for ${h}x${w} images: expected square images`);
  }
  return { size: h, inChannels: c, outChannels: c, width: spec.width ?? 1, seed: spec.seed };
}

/**
 * `--model pix2pix`: the U-Net G and the PatchGAN D, told an input image instead of z and a
 * class. It trains on paired data with batch 1, no label smoothing and no average of G, and
 * scores PSNR/SSIM/L1 on the validation pairs after every epoch; its CPU preset is 64x64 for 2
 * epochs (about 7 minutes an epoch on 2 cores, wasm), `--preset paper` the paper's 256x256
 * for paper 003's 100 epochs (Isola et al. train facades for 200).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modelDef } from "@cgan/cgan";
 * const def = modelDef("pix2pix"); // this definition
 * assert.equal(def.conditioning, "image");
 * assert.equal(def.defaults?.size, 64);
 * ```
 */
export const PIX2PIX: ModelDef = {
  about: "pix2pix: U-Net G, PatchGAN D, L1 x 100 (Isola, Zhu, Zhou & Efros 2017)",
  conditioning: "image",
  auxClassifier: false,
  losses: ["bce", "lsgan", "hinge"],
  sizes: { rule: "power-of-two", why: "pix2pix's U-Net halves it down to 1x1" },
  defaults: {
    dataset: "facades",
    size: 64,
    batchSize: 1,
    labelSmoothing: 0,
    evalEvery: 1,
    epochs: 2,
    emaDecay: 0,
  },
  presets: { paper: { size: 256, epochs: 100, sampleEvery: 5 } },
  buildGenerator: (spec) => buildUnet(pix2pixSpec(spec)),
  buildDiscriminator: (spec) => buildPatchGan(pix2pixSpec(spec)),
};
