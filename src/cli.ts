/**
 * Flags -> {@linkcode TrainConfig}: every config field is one flag (`latentDim` <->
 * `--latent-dim`), unknown flags are errors, and values are checked against what the field
 * accepts. Parsing uses `node:util` `parseArgs` (JSR's `@std/cli` is unreachable here); it is
 * used in this file only.
 *
 * @module
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { BACKEND_NAMES } from "./backend/mod.ts";
import {
  DATASET_NAMES,
  FOLDER_DATASET,
  isPairedDatasetName,
  PAIRED_DATASET_NAMES,
} from "./data/datasets.ts";
import { DIRECTIONS } from "./data/paired.ts";
import { NOISE_KINDS } from "./models/generator.ts";
import { LOSSES } from "./train/losses.ts";
import {
  DEFAULTS,
  MODEL_DEFAULTS,
  MODEL_NAMES,
  MODEL_PRESETS,
  type PresetName,
  PRESETS,
  resolveConfig,
  type TrainConfig,
} from "./train/config.ts";

type Key = keyof TrainConfig;

/** Per-field help text, allowed values and numeric bounds. */
const FIELDS: Record<
  Key,
  { help: string; choices?: readonly string[]; int?: boolean; min?: number; max?: number }
> = {
  model: { help: "architecture", choices: MODEL_NAMES },
  dataset: {
    help: "training data (facades, paired: A|B pairs for pix2pix, paired = your own; folder: " +
      "your images in --data-dir)",
    choices: [...DATASET_NAMES, ...PAIRED_DATASET_NAMES, FOLDER_DATASET],
  },
  dataDir: {
    help: "read the dataset from this folder (IDX files, raw or .gz; facades, paired: train/ " +
      "val/ test/ of A|B JPEG/PNG files, required; folder: one subfolder of PNG/JPEG images " +
      "per class, required)",
  },
  loss: { help: "adversarial loss", choices: Object.keys(LOSSES) },
  backend: { help: "compute backend (env CGAN_BACKEND)", choices: ["auto", ...BACKEND_NAMES] },
  out: { help: "run directory (default runs/<model>-<dataset>-<time>)" },
  epochs: { help: "epochs to train", int: true, min: 1 },
  steps: { help: "stop after N steps in total, 0 = no limit", int: true, min: 0 },
  batchSize: { help: "images per batch", int: true, min: 1 },
  lr: { help: "Adam learning rate", min: 0 },
  beta1: { help: "Adam beta1", min: 0, max: 1 },
  beta2: { help: "Adam beta2", min: 0, max: 1 },
  epsilon: { help: "Adam epsilon", min: 0 },
  latentDim: { help: "size of the latent vector z", int: true, min: 1 },
  noise: { help: "distribution of z: N(0, 1) or U[-1, 1]", choices: NOISE_KINDS },
  width: {
    help: "channel multiplier of the CIFAR DCGAN and pix2pix, 1 = the papers'",
    min: 0.01,
    max: 4,
  },
  size: {
    help: "image side; pix2pix: a power of two, 64 = CPU preset, 256 = the paper; folder: " +
      "32 for colour, 28 for gray; 0 = the dataset's default",
    int: true,
    min: 0,
    max: 1024,
  },
  channels: {
    help: "folder: 1 (gray) or 3 (RGB); 0 = 3 if any image has colour, else 1",
    int: true,
    min: 0,
    max: 3,
  },
  skipBad: { help: "folder: leave out unreadable images with a warning instead of stopping" },
  maxDataMb: {
    help: "folder: refuse data above N MiB as float32 training tensors, checked before decoding",
    min: 1,
  },
  direction: { help: "pix2pix: which half of each A|B file is G's input", choices: DIRECTIONS },
  lambdaL1: { help: "pix2pix: weight of the L1 term in G's loss", min: 0 },
  activation: { help: "hidden activation of the MLP model", choices: ["leaky", "relu"] },
  conditioning: {
    help: "label: a cGAN; none: unconditional baseline (also --unconditional)",
    choices: ["label", "none"],
  },
  labelSmoothing: { help: "one-sided label smoothing of real targets", min: 0, max: 0.5 },
  nCritic: {
    help: "D updates per G update (wgan, wgan-gp: 5 unless given)",
    int: true,
    min: 1,
  },
  clipValue: { help: "wgan: clip D's weights to [-N, N]", min: 0 },
  lambdaGp: { help: "wgan-gp: weight of the gradient penalty", min: 0 },
  auxLoss: {
    help: "acgan: D's class loss on both real and fake, or real only",
    choices: ["both", "real"],
  },
  emaDecay: {
    help:
      "average G's weights with this decay (warmed up over the first steps) and sample, score and export the average; 0 = off, G itself",
    min: 0,
    max: 0.9999,
  },
  seed: { help: "seed of every random draw", int: true, min: 0 },
  sampleEvery: { help: "write a sample grid every N epochs", int: true, min: 1 },
  saveEvery: { help: "also checkpoint every N steps, 0 = epoch ends only", int: true, min: 0 },
  logEvery: { help: "log losses every N steps", int: true, min: 1 },
  keepCheckpoints: { help: "checkpoints kept on disk", int: true, min: 1 },
  limit: { help: "train on the first N images only, 0 = all", int: true, min: 0 },
  evalEvery: {
    help: "score G every N epochs (FID, accuracy, IS; pix2pix: PSNR, SSIM, L1 on val), 0 = never",
    int: true,
    min: 0,
  },
  evalN: { help: "images (pix2pix: at most this many val pairs) per score", int: true, min: 100 },
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

function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);
}

/** What the train command was asked to do. */
export interface TrainArgs {
  /** The resolved config (defaults + preset + flags), or the flags alone when resuming. */
  config: TrainConfig;
  /** Fields set explicitly by flags (or the environment). */
  explicit: Partial<TrainConfig>;
  /** Run directory to resume, or "" for a new run. */
  resume: string;
  /** True when `--help` was given. */
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
 * import { parseTrainArgs } from "./cli.ts";
 * const { config } = parseTrainArgs(["--latent-dim", "64", "--preset", "paper"], {});
 * console.log(config.latentDim, config.epochs); // 64 120
 * ```
 */
export function parseTrainArgs(
  args: string[],
  env: { CGAN_BACKEND?: string | undefined },
): TrainArgs {
  const options: Record<string, { type: "string" | "boolean" }> = {
    preset: { type: "string" },
    resume: { type: "string" },
    unconditional: { type: "boolean" },
    help: { type: "boolean" },
  };
  for (const key of Object.keys(FIELDS) as Key[]) {
    options[flagName(key)] = { type: typeof DEFAULTS[key] === "boolean" ? "boolean" : "string" };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new TypeError(`Invalid arguments: ${(err as Error).message}; see --help`);
  }
  const presetName = (values.preset as string | undefined) ?? "default";
  if (!(presetName in PRESETS)) {
    throw new TypeError(
      `Invalid --preset "${presetName}": expected one of ${Object.keys(PRESETS).join(", ")}`,
    );
  }
  const explicit: Record<string, string | number | boolean> = {};
  if (env.CGAN_BACKEND) explicit.backend = parseValue("backend", env.CGAN_BACKEND, "CGAN_BACKEND");
  for (const key of Object.keys(FIELDS) as Key[]) {
    const raw = values[flagName(key)];
    if (typeof raw === "string") explicit[key] = parseValue(key, raw, `--${flagName(key)}`);
    if (raw === true) explicit[key] = true;
  }
  if (values.unconditional === true) {
    if (explicit.conditioning === "label") {
      throw new TypeError("Cannot combine --unconditional with --conditioning label");
    }
    explicit.conditioning = "none";
  }
  if (explicit.model === "gan" && explicit.conditioning === "label") {
    throw new TypeError(
      "Invalid --conditioning label for --model gan: it is the unconditional MLP",
    );
  }
  if (explicit.model === "gan") explicit.conditioning = "none";
  for (const conditional of ["acgan", "acgan-conv", "sagan", "pix2pix"]) {
    if (explicit.model === conditional && explicit.conditioning === "none") {
      throw new TypeError(
        `Invalid --unconditional for --model ${conditional}: its G must be told ${
          conditional === "pix2pix" ? "an input image" : "the class"
        }`,
      );
    }
  }
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
  if (resume === "" && values.help !== true) checkModelData(config);
  return { config, explicit: explicit as Partial<TrainConfig>, resume, help: values.help === true };
}

/**
 * pix2pix trains on paired data only, and only it does; it takes the adversarial losses and
 * power-of-two sizes. A folder dataset needs its folder.
 */
function checkModelData(config: TrainConfig): void {
  const paired = isPairedDatasetName(config.dataset);
  if (config.model === "pix2pix" && !Number.isInteger(Math.log2(config.size))) {
    throw new RangeError(
      `Invalid --size "${config.size}": expected a power of two (pix2pix's U-Net halves it down to 1x1)`,
    );
  }
  if (config.dataset === FOLDER_DATASET && config.dataDir === "") {
    throw new TypeError(
      `Missing --data-dir for --dataset folder: expected a folder with one subfolder of ` +
        `PNG/JPEG images per class`,
    );
  }
  if (config.channels === 2) {
    throw new RangeError(`Invalid --channels "2": expected 1 (gray), 3 (RGB) or 0 (the images')`);
  }
  if (config.model === "pix2pix" && !paired) {
    throw new TypeError(
      `Invalid --dataset "${config.dataset}" for --model pix2pix: expected a paired dataset ` +
        `(${PAIRED_DATASET_NAMES.join(", ")})`,
    );
  }
  if (config.model !== "pix2pix" && paired) {
    throw new TypeError(
      `Invalid --dataset "${config.dataset}" for --model ${config.model}: it is a paired ` +
        `(image-to-image) dataset; train it with --model pix2pix`,
    );
  }
  if (paired && config.dataDir === "") {
    throw new TypeError(
      `Missing --data-dir for --dataset ${config.dataset}: expected the folder holding its ` +
        `train/ and val/ A|B JPEG or PNG files`,
    );
  }
  if (config.model === "pix2pix" && LOSSES[config.loss].lipschitz !== undefined) {
    throw new TypeError(
      `Invalid --loss "${config.loss}" for --model pix2pix: expected bce, lsgan or hinge`,
    );
  }
}

function parseValue(key: Key, raw: string, source: string): string | number {
  const field = FIELDS[key];
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

/**
 * The `--help` text of the train task: every flag with its default.
 *
 * @returns Multi-line help.
 *
 * @example
 * ```ts
 * import { trainHelp } from "./cli.ts";
 * console.log(trainHelp().includes("--latent-dim")); // true
 * ```
 */
export function trainHelp(): string {
  const lines = [
    "Train a conditional GAN.",
    "",
    "Usage: deno task train [flags]",
    "",
    `  --preset NAME            ${Object.keys(PRESETS).join(" | ")} (default: default)`,
    "  --resume DIR             continue the run in DIR from its latest checkpoint",
    "  --unconditional          same as --conditioning none",
    "  --help                   show this help",
  ];
  for (const key of Object.keys(FIELDS) as Key[]) {
    const field = FIELDS[key];
    const kind = typeof DEFAULTS[key];
    const flag = `--${flagName(key)}${
      kind === "boolean" ? "" : field.choices ? " NAME" : kind === "string" ? " TEXT" : " N"
    }`;
    const choices = field.choices ? ` (${field.choices.join(" | ")})` : "";
    const value = DEFAULTS[key] === "" ? '""' : String(DEFAULTS[key]);
    lines.push(`  ${flag.padEnd(24)} ${field.help}${choices} (default: ${value})`);
  }
  const diffs = (table: object) =>
    Object.entries(table).map(([name, diff]) => `${name} ${JSON.stringify(diff)}`).join(", ");
  lines.push(
    "",
    `Presets change: ${diffs(PRESETS)}; for pix2pix: ${diffs(MODEL_PRESETS.pix2pix ?? {})}`,
    `Models change: ${diffs(MODEL_DEFAULTS)}`,
    "",
    "pix2pix: deno task train --model pix2pix --data-dir DIR trains 64x64 facades (labels ->",
    "photo), the CPU preset; --preset paper (or --size 256) is the paper's 256x256, for a GPU.",
    "",
    "Your own images: deno task train --dataset folder --data-dir DIR reads one subfolder of",
    "PNG/JPEG images per class (named after it), decoded once into DIR/.cgan-cache-*.bin.",
  );
  return lines.join("\n");
}

/** The values {@linkcode parseFlags} returns for the flags `T`. */
export type ParsedFlags<T extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>
>["values"];

/**
 * Parses a task's flags strictly: unknown flags and positionals are a one-line TypeError.
 *
 * @param args Command-line arguments.
 * @param options The flags, as `node:util` `parseArgs` takes them.
 * @returns Flag values by name, typed from `options`.
 *
 * @example
 * ```ts
 * import { parseFlags } from "./cli.ts";
 * const v = parseFlags(["--n", "5"], { n: { type: "string", default: "1" } });
 * console.log(v.n); // "5"
 * ```
 */
export function parseFlags<const T extends ParseArgsOptionsConfig>(
  args: string[],
  options: T,
): ParsedFlags<T> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new TypeError(`Invalid arguments: ${(err as Error).message}; see --help`);
  }
}

/**
 * Parses an integer flag value with a lower bound.
 *
 * @param flag The flag name without dashes, for the message.
 * @param raw The text given.
 * @param min The smallest allowed value.
 * @returns The integer.
 *
 * @example
 * ```ts
 * import { intFlag } from "./cli.ts";
 * console.log(intFlag("n", "10", 1)); // 10
 * ```
 */
export function intFlag(flag: string, raw: string, min: number): number {
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(value) || value < min) {
    throw new RangeError(`Invalid --${flag} "${raw}": expected an integer >= ${min}`);
  }
  return value;
}

/**
 * Runs a task's main function: user errors print one line and exit 2; `CGAN_DEBUG=1` adds the
 * stack. A numeric result is the exit code.
 *
 * @param main The task body.
 * @param env Reads `CGAN_DEBUG` (the task passes `Deno.env.get`).
 * @returns Never: exits the process.
 *
 * @example
 * ```ts ignore
 * if (import.meta.main) await runTask(main, (k) => Deno.env.get(k));
 * ```
 */
export async function runTask(
  main: () => Promise<number | void>,
  env: (key: string) => string | undefined,
): Promise<never> {
  try {
    Deno.exit((await main()) ?? 0);
  } catch (err) {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    if (env("CGAN_DEBUG") && err instanceof Error) console.error(err.stack);
    Deno.exit(2);
  }
}
