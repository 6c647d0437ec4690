/**
 * A training run as the train task makes it, callable from code: the config resolved as the
 * CLI resolves its flags, `config.json` written into the run directory (with the data's class
 * names and shape), then the one loop. `deno task train` calls {@linkcode trainOnDataset} with
 * the data it read; code calls it with a dataset held in memory. Either run directory then
 * works with `deno task sample --weights RUN --class NAME`, `eval` and `train --resume`.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import type { Dataset } from "../data/dataset.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { acquireRunLock } from "../io/run_lock.ts";
import { type PresetName, resolveConfig, type TrainConfig } from "./config.ts";
import { train, type TrainContext, type TrainResult } from "./loop.ts";
import type { ProgressReporter } from "./progress.ts";

/** What a run directory's `config.json` holds. */
export interface RunRecord {
  /** The full resolved config. */
  config: TrainConfig;
  /** The command that started the run (or the function, from code). */
  command: string;
  /** The backend it trained on. */
  backend: string;
  /** Where the data came from. */
  data: string;
  /** The class names, in label order (what `sample --class NAME` reads). */
  classNames: string[];
  /** `[height, width, channels]` of the images. */
  shape: [number, number, number];
}

/** Options of {@linkcode trainOnDataset}. */
export interface TrainOnDatasetOptions {
  /** Run directory (created; `resume` continues the run in it). */
  runDir: string;
  /**
   * Config fields, resolved like the train task's flags: over the defaults, the model's and the
   * loss's changes and `preset`. `dataset` defaults to "memory".
   */
  config?: Partial<TrainConfig>;
  /** A preset of `PRESETS` (default "default"). */
  preset?: PresetName;
  /** Progress sink (default: none). */
  progress?: ProgressReporter;
  /** Aborting it saves a checkpoint and returns ("interrupted"). */
  signal?: AbortSignal;
  /** Continue from the run's latest checkpoint. */
  resume?: boolean;
  /** Monotonic clock in milliseconds (default `performance.now`). */
  now?: () => number;
  /** What `config.json` records as the command (default "trainOnDataset()"). */
  command?: string;
  /** Evaluator and real test images, for `config.evalEvery > 0`. */
  evaluation?: TrainContext["evaluation"];
  /** pix2pix: validation pairs, for `config.evalEvery > 0` and the grid. */
  validation?: Dataset;
}

const SILENT: ProgressReporter = { update: () => {}, log: () => {}, stop: () => {} };

/**
 * Writes a run directory's `config.json` atomically (creating the directory).
 *
 * @param runDir The run directory.
 * @param record What the run is.
 * @returns The file written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULTS } from "@cgan/cgan";
 * import { writeRunConfig } from "@cgan/cgan/internal";
 * const runDir = await Deno.makeTempDir();
 * await writeRunConfig(runDir, {
 *   config: DEFAULTS, command: "test", backend: "cpu", data: "memory", classNames: ["a"],
 *   shape: [2, 2, 1],
 * });
 * const { classNames } = JSON.parse(await Deno.readTextFile(`${runDir}/config.json`));
 * assert.deepEqual(classNames, ["a"]);
 * await Deno.remove(runDir, { recursive: true });
 * ```
 */
export async function writeRunConfig(runDir: string, record: RunRecord): Promise<string> {
  const file = `${runDir}/config.json`;
  await writeFileAtomic(file, JSON.stringify(record, null, 2) + "\n");
  return file;
}

/**
 * Trains on a dataset held in memory, with the config and run directory of `deno task train`:
 * the config is resolved as the CLI resolves flags, `config.json` records it with the class
 * names, and the one training loop writes checkpoints, sample grids and losses. Select the
 * backend (`initBackend`) first.
 *
 * @param dataset Images (`[N, H, W, C]` uint8), one label per image, `shape`, `classNames`.
 * @param opts The run directory, config fields, and optional progress, signal and resume.
 * @returns How the run ended, its steps, newest checkpoint and losses.
 * @throws {RangeError} If the labels do not match the images or name a class that does not
 *   exist; {TypeError} from the loop if the model does not fit the data; {Deno.errors.Busy}
 *   if another live process trains in `runDir` (its `train.lock`, held for the whole run).
 *
 * @example Train the MLP cGAN for 4 steps on two classes of tiny squares
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend, trainOnDataset } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const n = 64;
 * const labels = Uint8Array.from({ length: n }, (_, i) => i % 2);
 * const images = Uint8Array.from({ length: n * 64 }, (_, i) => labels[Math.floor(i / 64)] ? 220 : 30);
 * const runDir = await Deno.makeTempDir();
 * const result = await trainOnDataset(
 *   { name: "squares", images, labels, shape: [8, 8, 1], classNames: ["dark", "light"], source: "memory" },
 *   { runDir, config: { batchSize: 16, steps: 4, latentDim: 8 } },
 * );
 * assert.deepEqual([result.status, result.step], ["done", 4]);
 * const record = JSON.parse(await Deno.readTextFile(`${runDir}/config.json`));
 * assert.deepEqual(record.classNames, ["dark", "light"]);
 * await Deno.remove(runDir, { recursive: true });
 * ```
 */
export async function trainOnDataset(
  dataset: Dataset,
  opts: TrainOnDatasetOptions,
): Promise<TrainResult> {
  const [h, w, c] = dataset.shape;
  const n = dataset.labels.length;
  if (dataset.images.length !== n * h * w * c) {
    throw new RangeError(
      `Cannot train on dataset "${dataset.name}": expected ${n} labels x ${h}x${w}x${c} = ` +
        `${n * h * w * c} image bytes, found ${dataset.images.length}`,
    );
  }
  const classes = dataset.classNames.length;
  const bad = dataset.conditions === undefined
    ? dataset.labels.find((l) => l >= classes)
    : undefined;
  if (bad !== undefined) {
    throw new RangeError(
      `Cannot train on dataset "${dataset.name}": expected labels below ${classes} ` +
        `(one per class name), found ${bad}`,
    );
  }
  const config = resolveConfig({ dataset: "memory", ...opts.config }, opts.preset);
  const { runDir } = opts;
  const command = opts.command ?? "trainOnDataset()";
  const progress = opts.progress ?? SILENT;
  const lock = await acquireRunLock(runDir, { command });
  if (lock.tookOver !== null) {
    const { pid, hostname, started } = lock.tookOver;
    progress.log(
      `note: took over ${lock.path} of process ${pid} on ${hostname} (started ${started}), ` +
        `which is gone`,
    );
  }
  try {
    await writeRunConfig(runDir, {
      config,
      command,
      backend: tf.getBackend(),
      data: dataset.source,
      classNames: dataset.classNames,
      shape: dataset.shape,
    });
    return await train({
      config,
      dataset,
      runDir,
      progress,
      now: opts.now ?? (() => performance.now()),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.resume ? { resume: true } : {}),
      ...(opts.evaluation ? { evaluation: opts.evaluation } : {}),
      ...(opts.validation ? { validation: opts.validation } : {}),
    });
  } finally {
    lock.release();
  }
}
