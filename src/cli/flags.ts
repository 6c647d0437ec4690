/**
 * The train task's flags -> {@linkcode TrainConfig}: every config field is one flag
 * (`latentDim` <-> `--latent-dim`), listed once in {@linkcode TRAIN_FLAGS} with its help, group,
 * allowed values and bounds; unknown flags are errors, and values are checked against what the
 * field accepts.
 *
 * @module
 */
import { BACKEND_NAMES } from "../backend/mod.ts";
import { DATASET_NAMES, FOLDER_DATASET, PAIRED_DATASET_NAMES } from "../data/datasets.ts";
import { DIRECTIONS } from "../data/paired.ts";
import { NOISE_KINDS } from "../models/generator.ts";
import { LOSSES } from "../train/losses.ts";
import {
  DEFAULTS,
  MODEL_NAMES,
  type PresetName,
  PRESETS,
  resolveConfig,
  type TrainConfig,
} from "../train/config.ts";
import { checkConditioning, checkModelData } from "./model_rules.ts";
import { parseFlags } from "./task.ts";

type Key = keyof TrainConfig;

/** The headings train's `--help` groups its flags under, in order. */
export const FLAG_GROUPS = {
  model: "Model",
  data: "Data",
  optimisation: "Optimisation",
  loss: "Loss",
  schedule: "Schedule, logging and checkpoints",
  evaluation: "Evaluation",
  backend: "Backend",
} as const;

/** One config field's flag: help text, heading, allowed values and numeric bounds. */
export interface FlagSpec {
  /** What the flag does, for `--help`. */
  help: string;
  /** The `--help` heading it is listed under. */
  group: keyof typeof FLAG_GROUPS;
  /** The allowed values, when it is a choice. */
  choices?: readonly string[];
  /** Whether a number must be an integer. */
  int?: boolean;
  /** Smallest allowed number. */
  min?: number;
  /** Largest allowed number. */
  max?: number;
}

/** Every config field's flag, grouped as `--help` lists them. */
export const TRAIN_FLAGS: Record<Key, FlagSpec> = {
  model: { group: "model", help: "architecture", choices: MODEL_NAMES },
  conditioning: {
    group: "model",
    help: "label: a cGAN; none: unconditional baseline (also --unconditional)",
    choices: ["label", "none"],
  },
  latentDim: { group: "model", help: "size of the latent vector z", int: true, min: 1 },
  noise: { group: "model", help: "distribution of z: N(0, 1) or U[-1, 1]", choices: NOISE_KINDS },
  width: {
    group: "model",
    help: "channel multiplier of the CIFAR DCGAN and pix2pix, 1 = the papers'",
    min: 0.01,
    max: 4,
  },
  activation: {
    group: "model",
    help: "hidden activation of the MLP model",
    choices: ["leaky", "relu"],
  },
  dataset: {
    group: "data",
    help: "training data (facades, paired: A|B pairs for pix2pix, paired = your own; folder: " +
      "your images in --data-dir)",
    choices: [...DATASET_NAMES, ...PAIRED_DATASET_NAMES, FOLDER_DATASET],
  },
  dataDir: {
    group: "data",
    help: "read the dataset from this folder (IDX files, raw or .gz; facades, paired: train/ " +
      "val/ test/ of A|B JPEG/PNG files, required; folder: one subfolder of PNG/JPEG images " +
      "per class, required)",
  },
  size: {
    group: "data",
    help: "image side; pix2pix: a power of two, 64 = CPU preset, 256 = the paper; folder: " +
      "32 for colour, 28 for gray; 0 = the dataset's default",
    int: true,
    min: 0,
    max: 1024,
  },
  channels: {
    group: "data",
    help: "folder: 1 (gray) or 3 (RGB); 0 = 3 if any image has colour, else 1",
    int: true,
    min: 0,
    max: 3,
  },
  skipBad: {
    group: "data",
    help: "folder: leave out unreadable images with a warning instead of stopping",
  },
  maxDataMb: {
    group: "data",
    help: "folder: refuse data above N MiB as float32 training tensors, checked before decoding",
    min: 1,
  },
  direction: {
    group: "data",
    help: "pix2pix: which half of each A|B file is G's input",
    choices: DIRECTIONS,
  },
  limit: { group: "data", help: "train on the first N images only, 0 = all", int: true, min: 0 },
  batchSize: { group: "optimisation", help: "images per batch", int: true, min: 1 },
  lr: { group: "optimisation", help: "Adam learning rate (G's, and D's unless --lr-d)", min: 0 },
  lrD: {
    group: "optimisation",
    help: "D's own Adam learning rate, two time-scales as SAGAN trains; 0 = --lr",
    min: 0,
  },
  beta1: { group: "optimisation", help: "Adam beta1", min: 0, max: 1 },
  beta2: { group: "optimisation", help: "Adam beta2", min: 0, max: 1 },
  epsilon: { group: "optimisation", help: "Adam epsilon", min: 0 },
  emaDecay: {
    group: "optimisation",
    help:
      "average G's weights with this decay (warmed up over the first steps) and sample, score and export the average; 0 = off, G itself",
    min: 0,
    max: 0.9999,
  },
  seed: { group: "optimisation", help: "seed of every random draw", int: true, min: 0 },
  loss: { group: "loss", help: "adversarial loss", choices: Object.keys(LOSSES) },
  labelSmoothing: {
    group: "loss",
    help: "one-sided label smoothing of real targets",
    min: 0,
    max: 0.5,
  },
  nCritic: {
    group: "loss",
    help: "D updates per G update (wgan, wgan-gp: 5 unless given)",
    int: true,
    min: 1,
  },
  clipValue: { group: "loss", help: "wgan: clip D's weights to [-N, N]", min: 0 },
  lambdaGp: { group: "loss", help: "wgan-gp: weight of the gradient penalty", min: 0 },
  auxLoss: {
    group: "loss",
    help: "acgan: D's class loss on both real and fake, or real only",
    choices: ["both", "real"],
  },
  lambdaL1: { group: "loss", help: "pix2pix: weight of the L1 term in G's loss", min: 0 },
  out: { group: "schedule", help: "run directory (default runs/<model>-<dataset>-<time>)" },
  epochs: { group: "schedule", help: "epochs to train", int: true, min: 1 },
  steps: {
    group: "schedule",
    help: "stop after N steps in total, 0 = no limit",
    int: true,
    min: 0,
  },
  sampleEvery: {
    group: "schedule",
    help: "write a sample grid every N epochs",
    int: true,
    min: 1,
  },
  saveEvery: {
    group: "schedule",
    help: "also checkpoint every N steps, 0 = epoch ends only",
    int: true,
    min: 0,
  },
  logEvery: { group: "schedule", help: "log losses every N steps", int: true, min: 1 },
  keepCheckpoints: { group: "schedule", help: "checkpoints kept on disk", int: true, min: 1 },
  evalEvery: {
    group: "evaluation",
    help: "score G every N epochs (FID, accuracy, IS; pix2pix: PSNR, SSIM, L1 on val), 0 = never",
    int: true,
    min: 0,
  },
  evalN: {
    group: "evaluation",
    help: "images (pix2pix: at most this many val pairs) per score",
    int: true,
    min: 100,
  },
  backend: {
    group: "backend",
    help: "compute backend (env CGAN_BACKEND)",
    choices: ["auto", ...BACKEND_NAMES],
  },
};

/** Fields that may be changed when resuming a run. */
const RESUMABLE: readonly Key[] = [
  "evalEvery",
  "evalN",
  "epochs",
  "steps",
  "backend",
  "sampleEvery",
  "saveEvery",
  "logEvery",
  "keepCheckpoints",
  "skipBad",
  "maxDataMb",
];

/**
 * A config field's flag name.
 *
 * @param key A config field, e.g. `latentDim`.
 * @returns Its flag without dashes, e.g. `latent-dim`.
 */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);
}

/** What the train command was asked to do. */
export interface TrainArgs {
  /** The resolved config (defaults + preset + flags), or the flags alone when resuming. */
  config: TrainConfig;
  /** Fields set explicitly by flags (or the environment). */
  explicit: Partial<TrainConfig>;
  /**
   * Run directory to resume (or one of its `checkpoints/step-XXXXXXXX` folders, to go back
   * to it), or "" for a new run.
   */
  resume: string;
  /** True when `--help` or `-h` was given. */
  help: boolean;
}

/**
 * Parses train flags.
 *
 * @param args Command-line arguments (e.g. `Deno.args`).
 * @param env Environment values the task passes in (`CGAN_BACKEND`).
 * @returns The resolved config and the run to resume, if any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTrainArgs } from "@cgan/cgan/cli";
 * const { config } = parseTrainArgs(["--latent-dim", "64", "--preset", "paper"], {});
 * assert.deepEqual([config.latentDim, config.epochs], [64, 120]);
 * ```
 */
export function parseTrainArgs(
  args: string[],
  env: { CGAN_BACKEND?: string | undefined },
): TrainArgs {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {
    preset: { type: "string" },
    resume: { type: "string" },
    unconditional: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  };
  for (const key of Object.keys(TRAIN_FLAGS) as Key[]) {
    options[flagName(key)] = { type: typeof DEFAULTS[key] === "boolean" ? "boolean" : "string" };
  }
  const values = parseFlags(args, options) as Record<string, string | boolean | undefined>;
  if (values.help === true) {
    return { config: resolveConfig({}), explicit: {}, resume: "", help: true };
  }
  const presetName = (values.preset as string | undefined) ?? "default";
  if (!(presetName in PRESETS)) {
    throw new TypeError(
      `Invalid --preset "${presetName}": expected one of ${Object.keys(PRESETS).join(", ")}`,
    );
  }
  const explicit: Record<string, string | number | boolean> = {};
  if (env.CGAN_BACKEND) explicit.backend = parseValue("backend", env.CGAN_BACKEND, "CGAN_BACKEND");
  for (const key of Object.keys(TRAIN_FLAGS) as Key[]) {
    const raw = values[flagName(key)];
    if (typeof raw === "string") explicit[key] = parseValue(key, raw, `--${flagName(key)}`);
    if (raw === true) explicit[key] = true;
  }
  checkConditioning(explicit, values.unconditional === true);
  const resume = (values.resume as string | undefined) ?? "";
  if (resume !== "") {
    const fixed = Object.keys(explicit).filter((k) => !RESUMABLE.includes(k as Key));
    if (fixed.length > 0 || values.preset !== undefined) {
      const names = [
        ...fixed.map((k) => `--${flagName(k)}`),
        ...(values.preset ? ["--preset"] : []),
      ];
      throw new TypeError(
        `Cannot combine --resume with ${names.join(", ")}: a resumed run keeps its config.json; ` +
          `only ${RESUMABLE.map((k) => `--${flagName(k)}`).join(", ")} may change`,
      );
    }
  }
  const config = resolveConfig(explicit as Partial<TrainConfig>, presetName as PresetName);
  if (resume === "") checkModelData(config);
  return { config, explicit: explicit as Partial<TrainConfig>, resume, help: false };
}

function parseValue(key: Key, raw: string, source: string): string | number {
  const field = TRAIN_FLAGS[key];
  if (field.choices !== undefined) {
    if (!field.choices.includes(raw)) {
      throw new TypeError(
        `Invalid ${source} "${raw}": expected one of ${field.choices.join(", ")}`,
      );
    }
    return raw;
  }
  if (typeof DEFAULTS[key] === "string") return raw;
  const value = Number(raw);
  const kind = field.int ? "an integer" : "a number";
  const range = `${field.min ?? "-inf"}..${field.max ?? "inf"}`;
  if (
    raw.trim() === "" || !Number.isFinite(value) || (field.int && !Number.isInteger(value)) ||
    (field.min !== undefined && value < field.min) || (field.max !== undefined && value > field.max)
  ) {
    throw new RangeError(`Invalid ${source} "${raw}": expected ${kind} in ${range}`);
  }
  return value;
}
