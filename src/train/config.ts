/**
 * The training configuration: one plain interface, commented defaults, and presets that hold
 * only their differences. Every field maps 1:1 to a CLI flag (`latentDim` <-> `--latent-dim`).
 *
 * @module
 */
import type { BackendName } from "../backend/mod.ts";
import type { DatasetName, FolderDatasetName, PairedDatasetName } from "../data/datasets.ts";
import type { Direction } from "../data/paired.ts";
import type { NoiseKind } from "../models/generator.ts";
import { MODEL_NAMES, type ModelName, MODELS } from "../models/registry.ts";
import type { LossName } from "./losses.ts";

export { MODEL_NAMES, type ModelName } from "../models/registry.ts";

/** Everything a training run depends on. Saved as `config.json` in the run directory. */
export interface TrainConfig {
  /** Architecture. */
  model: ModelName;
  /**
   * Training data: a labelled dataset, a paired one for pix2pix, "folder" (a folder of class
   * subfolders of your own images, `dataDir`), or "memory" (a dataset passed from code to
   * `trainOnDataset`).
   */
  dataset: DatasetName | PairedDatasetName | FolderDatasetName | "memory";
  /** Read the dataset from this folder instead of its default source ("" = default). */
  dataDir: string;
  /** Adversarial loss. */
  loss: LossName;
  /** Compute backend ("auto" = WebGPU on a real GPU, else WASM, else cpu). */
  backend: BackendName | "auto";
  /** Run directory ("" = `runs/<model>-<dataset>-<time>`). */
  out: string;
  /** Epochs to train. */
  epochs: number;
  /** Stop after this many steps in total (0 = no limit; for smoke runs). */
  steps: number;
  /** Images per batch. */
  batchSize: number;
  /** Adam learning rate of G, and of D unless `lrD` is set. */
  lr: number;
  /**
   * D's own Adam learning rate, 0 = `lr` (one rate for both). SAGAN trains with two time-scales,
   * D faster than G (Zhang et al.: 4e-4 for D, 1e-4 for G; `--model sagan --preset paper`).
   */
  lrD: number;
  /** Adam beta1. */
  beta1: number;
  /** Adam beta2. */
  beta2: number;
  /** Adam epsilon. */
  epsilon: number;
  /** Size of the latent vector z. */
  latentDim: number;
  /** Distribution of z: N(0, 1) or U[-1, 1] (paper 002's comparison). */
  noise: NoiseKind;
  /** Channel multiplier of the CIFAR DCGAN and of pix2pix (1 = the papers' widths). */
  width: number;
  /**
   * Side of the square images the data is resized to, 0 = the dataset's default: pix2pix 64
   * (the paper: 256), a folder 32 for colour images and 28 for gray ones.
   */
  size: number;
  /** Folder: image channels, 1 (gray) or 3 (RGB); 0 = 3 if any image has colour, else 1. */
  channels: number;
  /** Folder: leave out unreadable images with a warning instead of stopping. */
  skipBad: boolean;
  /**
   * Folder: refuse, before decoding, data that would take more than this many MiB as float32
   * training tensors.
   */
  maxDataMb: number;
  /** pix2pix: which half of each A|B file is G's input (facades: BtoA = labels -> photo). */
  direction: Direction;
  /** pix2pix: weight of the L1 distance to the target in G's loss. */
  lambdaL1: number;
  /** Hidden activation of the MLP model: "leaky" (LeakyReLU 0.2) or "relu". */
  activation: "leaky" | "relu";
  /** "label": G and D see the label (a cGAN); "none": an unconditional baseline. */
  conditioning: "label" | "none";
  /** One-sided label smoothing of D's real targets (BCE and LSGAN). */
  labelSmoothing: number;
  /** D (critic) updates per G update: G is updated on every nCritic-th step. */
  nCritic: number;
  /** WGAN weight clipping: D's weights stay in [-clipValue, clipValue]. */
  clipValue: number;
  /** WGAN-GP: weight of the gradient penalty. */
  lambdaGp: number;
  /** ACGAN: train D's classifier on "both" real and generated images (the paper) or "real" only. */
  auxLoss: "both" | "real";
  /**
   * Keep an exponential moving average of G's weights with this decay (default 0.999, warmed up
   * over the first steps) and sample, score and export the average (0 = off: G itself, as in the
   * papers; pix2pix's default). It reads G and never changes how G trains.
   */
  emaDecay: number;
  /** Seed of every random draw (weights, shuffling, noise). */
  seed: number;
  /** Write a sample grid every N epochs (and at the end). */
  sampleEvery: number;
  /** Also checkpoint every N steps (0 = only at each epoch's end). */
  saveEvery: number;
  /** Log losses every N steps. */
  logEvery: number;
  /** Checkpoints kept on disk (older ones are deleted). */
  keepCheckpoints: number;
  /** Train on the first N images only (0 = all). */
  limit: number;
  /** Score G with the evaluator (FID, accuracy, IS) every N epochs (0 = never). */
  evalEvery: number;
  /** Generated and real images per score of `evalEvery`. */
  evalN: number;
}

/**
 * Defaults: the MLP cGAN of paper 000 on MNIST (Adam 2e-4, beta1 0.5, batch 64, label
 * smoothing 0.1) with a short schedule that ends in about 10 minutes on 2 CPU cores.
 */
export const DEFAULTS: TrainConfig = {
  model: "mlp",
  dataset: "mnist",
  dataDir: "",
  loss: "bce",
  backend: "auto",
  out: "",
  epochs: 5,
  steps: 0,
  batchSize: 64,
  lr: 2e-4,
  lrD: 0,
  beta1: 0.5,
  beta2: 0.999,
  epsilon: 1e-7,
  latentDim: 100,
  noise: "normal",
  width: 1,
  size: 0,
  channels: 0,
  skipBad: false,
  maxDataMb: 2048,
  direction: "BtoA",
  lambdaL1: 100,
  activation: "leaky",
  conditioning: "label",
  labelSmoothing: 0.1,
  nCritic: 1,
  clipValue: 0.01,
  lambdaGp: 10,
  auxLoss: "both",
  emaDecay: 0.999,
  seed: 0,
  sampleEvery: 1,
  saveEvery: 0,
  logEvery: 50,
  keepCheckpoints: 2,
  limit: 0,
  evalEvery: 0,
  evalN: 2000,
};

/** Named presets; each holds only what differs from {@linkcode DEFAULTS}. */
export const PRESETS = {
  /** The short default schedule. */
  default: {},
  /** Paper 000's full schedule: 120 epochs, a grid every 5. */
  paper: { epochs: 120, sampleEvery: 5 },
  /** The CIFAR DCGAN at a quarter of paper 002's channels, for 2 CPU cores. */
  small: { width: 0.25 },
} as const satisfies Record<string, Partial<TrainConfig>>;
/**
 * What a model changes unless a preset or flag says otherwise, from its definition's `defaults`
 * (for example SAGAN's hinge loss and Adam beta1 0, beta2 0.9; pix2pix's facades, 64x64 and
 * batch 1).
 */
export const MODEL_DEFAULTS: Partial<Record<ModelName, Partial<TrainConfig>>> = Object
  .fromEntries(
    MODEL_NAMES.flatMap((name) => {
      const defaults = MODELS[name].defaults;
      return defaults === undefined ? [] : [[name, defaults as Partial<TrainConfig>]];
    }),
  );

/**
 * What a preset means for one model, where it differs from {@linkcode PRESETS}, from its
 * definition's `presets` (for pix2pix, `paper` is 256x256 for paper 003's 100 epochs).
 */
export const MODEL_PRESETS: Partial<
  Record<ModelName, Partial<Record<PresetName, Partial<TrainConfig>>>>
> = Object.fromEntries(
  MODEL_NAMES.flatMap((name) => {
    const presets = MODELS[name].presets;
    return presets === undefined
      ? []
      : [[name, presets as Partial<Record<PresetName, Partial<TrainConfig>>>]];
  }),
);

/**
 * What a loss changes unless a flag says otherwise: the Wasserstein losses train the critic
 * 5 times per G update (Arjovsky et al. 2017; Gulrajani et al. 2017; paper 002).
 */
export const LOSS_DEFAULTS: Partial<Record<LossName, Partial<TrainConfig>>> = {
  wgan: { nCritic: 5 },
  "wgan-gp": { nCritic: 5 },
};

/** A key of {@linkcode PRESETS}. */
export type PresetName = keyof typeof PRESETS;

/**
 * The full config of a run: {@linkcode DEFAULTS}, then what the model changes, the preset (and
 * its model-specific form), what the loss changes, and last the fields given. The train task
 * resolves its flags with it, and `trainOnDataset` its options.
 *
 * @param given Fields set explicitly (flags, or code).
 * @param preset A key of {@linkcode PRESETS} (default "default").
 * @returns The resolved config.
 *
 * @example SAGAN brings its own loss; a given field wins over everything
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig } from "@cgan/cgan";
 * const config = resolveConfig({ model: "sagan", beta1: 0.5 });
 * assert.equal(config.loss, "hinge"); // SAGAN's default
 * assert.equal(config.beta1, 0.5); // the override
 * ```
 */
export function resolveConfig(
  given: Partial<TrainConfig>,
  preset: PresetName = "default",
): TrainConfig {
  const general: Partial<TrainConfig> = PRESETS[preset];
  const model = given.model ?? general.model ?? DEFAULTS.model;
  const presetFields = { ...general, ...MODEL_PRESETS[model]?.[preset] };
  const loss = given.loss ?? presetFields.loss ?? MODEL_DEFAULTS[model]?.loss ?? DEFAULTS.loss;
  return {
    ...DEFAULTS,
    ...MODEL_DEFAULTS[model],
    ...presetFields,
    ...LOSS_DEFAULTS[loss],
    ...given,
  };
}
