/**
 * Maps `--model` to the architecture that builds G and D. A new model adds a file beside
 * `mlp_cgan.ts` and one entry here; the training loop stays the same.
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import * as acganConv from "./acgan_conv.ts";
import * as acganMlp from "./acgan_mlp.ts";
import * as dcganCifar from "./dcgan_cifar.ts";
import * as dcganMnist from "./dcgan_mnist.ts";
import * as mlpCgan from "./mlp_cgan.ts";
import { buildPatchGan, buildUnet, type Pix2PixSpec } from "./pix2pix.ts";
import * as sagan from "./sagan.ts";

/** Everything a model builder may need, resolved from the run config and the dataset. */
export interface ModelSpec {
  /** Size of z. */
  latentDim: number;
  /** Number of classes of the dataset. */
  numClasses: number;
  /** Image shape `[height, width, channels]` of the dataset (pix2pix: of inputs and targets). */
  imageShape: [number, number, number];
  /** Hidden activation (MLP model). */
  activation: "leaky" | "relu";
  /** Weight initialisation seed. */
  seed: number;
  /** Condition G and D on the label (default true; false: an unconditional baseline). */
  conditional?: boolean;
  /** Channel multiplier of the CIFAR DCGAN and of pix2pix (default 1, the papers' widths). */
  width?: number;
}

/** A conditional GAN architecture. */
export interface GanArchitecture {
  /**
   * Builds G: `(z [N, latentDim], labels [N, 1]) -> images [N, H, W, C]`, or for pix2pix
   * `input image [N, H, W, C] -> image`.
   */
  buildGenerator(spec: ModelSpec): tf.LayersModel;
  /**
   * Builds D: `(images, labels [N, 1]) -> logits [N, 1]`, for ACGAN `images -> [N, 1 + C]`, for
   * pix2pix `(input image, image) -> patch logits [N, P, P, 1]`.
   */
  buildDiscriminator(spec: ModelSpec): tf.LayersModel;
}

/** Paper 004's unconditional GAN baseline: the MLP cGAN's nets without the label. */
const unconditionalMlp: GanArchitecture = {
  buildGenerator: (spec) => mlpCgan.buildGenerator({ ...spec, conditional: false }),
  buildDiscriminator: (spec) => mlpCgan.buildDiscriminator({ ...spec, conditional: false }),
};

/**
 * The DCGAN of the dataset's paper: paper 002's for colour images with sides divisible by 8
 * (CIFAR-10's 32x32; 64x64 adds nothing but a larger projection), else paper 001's.
 */
function dcganFor(spec: ModelSpec): GanArchitecture {
  const [h, w, c] = spec.imageShape;
  return c === 3 && h % 8 === 0 && w % 8 === 0 ? dcganCifar : dcganMnist;
}

/**
 * `--model dcgan`: paper 001's conditional DCGAN on MNIST (and gray images), paper 002's on
 * CIFAR-10 (and colour images of 32x32, 64x64, ...).
 */
const dcgan: GanArchitecture = {
  buildGenerator: (spec) => dcganFor(spec).buildGenerator(spec),
  buildDiscriminator: (spec) => dcganFor(spec).buildDiscriminator(spec),
};

/** pix2pix's sizes from a model spec: square images, as many output channels as input ones. */
function pix2pixSpec(spec: ModelSpec): Pix2PixSpec {
  const [h, w, c] = spec.imageShape;
  if (h !== w) {
    throw new RangeError(`Cannot build pix2pix for ${h}x${w} images: expected square images`);
  }
  return { size: h, inChannels: c, outChannels: c, width: spec.width ?? 1, seed: spec.seed };
}

/** pix2pix (paper 003): the U-Net G and the PatchGAN D of `pix2pix.ts`. */
const pix2pix: GanArchitecture = {
  buildGenerator: (spec) => buildUnet(pix2pixSpec(spec)),
  buildDiscriminator: (spec) => buildPatchGan(pix2pixSpec(spec)),
};

/**
 * Architectures selectable with `--model`: `gan` is the unconditional MLP baseline; `pix2pix`
 * translates images (conditioned on an input image, not a label); the others build
 * unconditional nets when `spec.conditional` is false.
 */
export const ARCHITECTURES = {
  mlp: mlpCgan,
  dcgan,
  acgan: acganMlp,
  "acgan-conv": acganConv,
  gan: unconditionalMlp,
  sagan,
  pix2pix,
} as const satisfies Record<string, GanArchitecture>;

/**
 * Builds G and D of `model`.
 *
 * @param model Key of {@linkcode ARCHITECTURES}.
 * @param spec Sizes and seed.
 * @returns The two networks.
 *
 * @example
 * ```ts
 * import { buildGan } from "./registry.ts";
 * const { gen, disc } = buildGan("mlp", {
 *   latentDim: 8, numClasses: 10, imageShape: [4, 4, 1], activation: "leaky", seed: 0,
 * });
 * console.log(gen.inputs.length, disc.inputs.length); // 2 2
 * ```
 */
export function buildGan(
  model: keyof typeof ARCHITECTURES,
  spec: ModelSpec,
): { gen: tf.LayersModel; disc: tf.LayersModel } {
  const arch: GanArchitecture | undefined = ARCHITECTURES[model];
  if (arch === undefined) {
    throw new TypeError(
      `Unknown model "${model}": expected one of ${Object.keys(ARCHITECTURES).join(", ")}`,
    );
  }
  return { gen: arch.buildGenerator(spec), disc: arch.buildDiscriminator(spec) };
}
