/**
 * How a run gets its networks: built fresh from the model's definition with new Adam
 * optimizers, or loaded with their optimizers and run state from the run's latest checkpoint
 * (`--resume`), whose G must know the data's classes. G's model file is then told what a sampler
 * needs (its noise and class names, or for pix2pix which way it translates), and with
 * `--ema-decay` G's moving average is started if the checkpoint had none.
 *
 * @module
 */
import type * as tf from "../_tf.ts";
import type { Dataset } from "../data/dataset.ts";
import { latestCheckpoint, loadCheckpoint, type RunState } from "./checkpoint.ts";
import type { TrainConfig } from "./config.ts";
import { createEma } from "./ema.ts";
import type { ProgressReporter } from "./progress.ts";
import {
  adamConfigs,
  disposeTrainables,
  type GanTrainables,
  labelGenerator,
  newTrainables,
} from "./trainables.ts";

export { disposeTrainables };

/** What {@linkcode startOrResume} starts from. */
export interface StartOptions {
  /** The resolved configuration (model, sizes, seed, Adam, noise, direction, EMA decay). */
  config: TrainConfig;
  /** The training data (its shape, class names, and whether it is paired). */
  dataset: Dataset;
  /** The run directory. */
  runDir: string;
  /** Where the start is logged. */
  progress: ProgressReporter;
  /** Continue from the run's latest checkpoint, if it has one. */
  resume: boolean;
}

/** A run ready to train. */
export interface StartedRun {
  /** Networks, optimizers and (with `--ema-decay`) G's average; the caller disposes them. */
  trainables: GanTrainables;
  /** Step and history (and scores) so far: step 0 for a new run. */
  state: RunState;
  /** The checkpoint resumed from, or null. */
  checkpoint: string | null;
  /** What grids, scores and checkpoints' samplers use: G's average when there is one. */
  sampler: tf.LayersModel;
}

/**
 * Builds a run's networks and optimizers, or loads them from its latest checkpoint.
 *
 * @param opts Config, data, run directory, progress and whether to resume.
 * @returns Trainables, state, the checkpoint resumed from and the sampler.
 * @throws {RangeError} If the checkpoint's G knows other classes than the data's (nothing is
 *   left undisposed).
 *
 * @example A new run of the MLP cGAN on two classes
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { DEFAULTS } from "./config.ts";
 * import { disposeTrainables, startOrResume } from "./start_or_resume.ts";
 * await tf.setBackend("cpu");
 * const dataset = { name: "toy", images: new Uint8Array(2 * 16), labels: new Uint8Array([0, 1]),
 *   shape: [4, 4, 1] as [number, number, number], classNames: ["a", "b"], source: "memory" };
 * const run = await startOrResume({
 *   config: { ...DEFAULTS, latentDim: 4, emaDecay: 0.9 }, dataset, runDir: "runs/none",
 *   progress: { update() {}, log() {}, stop() {} }, resume: false,
 * });
 * assert.equal(run.state.step, 0);
 * assert.equal(run.sampler, run.trainables.ema);
 * const metadata = run.sampler.getUserDefinedMetadata();
 * assert.deepEqual(metadata, { noise: "normal", classNames: ["a", "b"] });
 * disposeTrainables(run.trainables);
 * ```
 */
export async function startOrResume(opts: StartOptions): Promise<StartedRun> {
  const { config: cfg, dataset, runDir, progress } = opts;
  let trainables: GanTrainables;
  let state: RunState;
  const found = opts.resume ? await latestCheckpoint(runDir) : null;
  if (found !== null) {
    const adam = adamConfigs(cfg);
    ({ trainables, state } = await loadCheckpoint(found, adam.gen, adam.disc));
    progress.log(`resumed from ${found} at step ${state.step}`);
  } else {
    if (opts.resume) progress.log(`no checkpoint in ${runDir} yet: starting from step 0`);
    trainables = newTrainables(cfg, dataset);
    state = { step: 0, history: [] };
  }
  const { gen } = trainables.nets;
  const known = (gen.getUserDefinedMetadata() as { classNames?: string[] } | undefined)
    ?.classNames;
  if (known !== undefined && known.join("\n") !== dataset.classNames.join("\n")) {
    disposeTrainables(trainables);
    throw new RangeError(
      `Cannot resume "${runDir}": its G knows the classes ${known.join(", ")}, found ` +
        `${dataset.classNames.join(", ")} in ${dataset.source}`,
    );
  }
  // G's model file says which noise it takes and its class names (or, for pix2pix, which way
  // it translates), so a sampler needs nothing else; a resumed G is told again.
  labelGenerator(gen, cfg, dataset);
  if (cfg.emaDecay > 0 && trainables.ema === undefined) {
    if (state.step > 0) {
      progress.log(`--ema-decay: G's average starts from G at step ${state.step}`);
    }
    trainables.ema = await createEma(gen);
  }
  return { trainables, state, checkpoint: found, sampler: trainables.ema ?? gen };
}
