/**
 * The one training loop: step, log every `logEvery`, grid every `sampleEvery` epochs,
 * checkpoint at each epoch's end and every `saveEvery` steps. Losses stay on the device
 * until a logging point, where they are read in one transfer and checked for NaN/Inf.
 * A paired dataset (pix2pix) runs through the same loop: its batches carry the condition
 * images (jittered and mirrored), its grid shows condition | output | target, and every
 * `evalEvery` epochs G is scored by PSNR, SSIM and L1 on the validation pairs.
 *
 * The loop's parts, one file each: `run_step.ts` (one step as the config sets it up, which the
 * page's Train panel runs too), `start_or_resume.ts` (nets and optimizers, new or from the
 * latest checkpoint), `loss_log.ts` (pending losses, logging points, the NaN/Inf and tensor
 * leak checks), `epoch_eval.ts` (`--eval-every` scores into eval.csv), `checkpoint_policy.ts`
 * (when to save, never non-finite weights) and `run_files.ts` (grids, loss files, the outputs).
 *
 * @module
 */
import type * as tf from "../_tf.ts";
import { BatchSource } from "../data/batches.ts";
import { type Dataset, limitDataset } from "../data/dataset.ts";
import { MODEL_NAMES, modelDef, type ModelName, MODELS } from "../models/registry.ts";
import type { LossPoint } from "./checkpoint.ts";
import { CheckpointPolicy } from "./checkpoint_policy.ts";
import type { TrainConfig } from "./config.ts";
import { type EpochEval, epochEval } from "./epoch_eval.ts";
import { LossLog } from "./loss_log.ts";
import type { ProgressReporter } from "./progress.ts";
import { RunFiles } from "./run_files.ts";
import { runStep, stepPlan } from "./run_step.ts";
import { disposeTrainables, type StartedRun, startOrResume } from "./start_or_resume.ts";

/** What {@linkcode train} needs besides the config. */
export interface TrainContext {
  /** The resolved configuration. */
  config: TrainConfig;
  /** Training data (already limited to `config.limit` images by the caller or here). */
  dataset: Dataset;
  /** Run directory (exists or is created); `--resume` passes the run's own. */
  runDir: string;
  /** Progress sink. */
  progress: ProgressReporter;
  /** Monotonic clock in milliseconds (e.g. `performance.now`). */
  now: () => number;
  /** Aborted on Ctrl-C: the loop saves a checkpoint and returns. */
  signal?: AbortSignal;
  /** Continue from the run's latest checkpoint. */
  resume?: boolean;
  /** Evaluator and real test images, needed when `config.evalEvery > 0`. */
  evaluation?: { evaluator: tf.LayersModel; test: Dataset };
  /**
   * pix2pix: validation pairs, scored when `config.evalEvery > 0`; their first pairs fill the
   * sample grid (the first training pairs when absent).
   */
  validation?: Dataset;
}

/** How a run ended. */
export interface TrainResult {
  /** "done", "interrupted" (signal) or "diverged" (non-finite loss). */
  status: "done" | "interrupted" | "diverged";
  /** Steps completed. */
  step: number;
  /** The newest checkpoint on disk (null if none was written). */
  checkpoint: string | null;
  /** Loss history. */
  history: LossPoint[];
  /** Mean images/s over the steps run in this call (after the first interval). */
  imagesPerSecond: number;
  /** Files written (and the newest checkpoint), for the final listing. */
  outputs: string[];
}

/**
 * Trains a conditional GAN.
 *
 * @param ctx Config, data, run directory, progress, clock, signal.
 * @returns How the run ended.
 *
 * @example
 * ```ts ignore
 * const result = await train({ config, dataset, runDir, progress, now: () => performance.now() });
 * ```
 */
export async function train(ctx: TrainContext): Promise<TrainResult> {
  const { config: cfg, runDir, progress } = ctx;
  const dataset = cfg.limit > 0 ? limitDataset(ctx.dataset, cfg.limit) : ctx.dataset;
  const paired = checkPairing(cfg.model, dataset);
  const source = new BatchSource(dataset, cfg.batchSize, cfg.seed, { jitter: paired });
  const stepsPerEpoch = source.stepsPerEpoch;
  const total = cfg.steps > 0
    ? Math.min(cfg.steps, cfg.epochs * stepsPerEpoch)
    : cfg.epochs * stepsPerEpoch;
  const run = await startOrResume(
    { config: cfg, dataset, runDir, progress, resume: ctx.resume === true },
  ).catch((err: unknown) => {
    source.dispose();
    throw err;
  });
  const { trainables, state } = run;
  const sizes = { dataset, stepsPerEpoch, total };
  const { files, scorer, checkpoints, losses } = runParts(ctx, { ...run, ...sizes });
  const plan = stepPlan(cfg, dataset);
  let status: TrainResult["status"] = "done";
  try {
    if (state.step === 0) await files.writeGrid("epoch-000");
    const interrupted = interruption(ctx.signal);
    while (state.step < total) {
      if (await interrupted()) {
        status = "interrupted";
        break;
      }
      losses.push(runStep(trainables, source, plan, state.step));
      state.step += 1;

      const epochEnd = state.step % stepsPerEpoch === 0;
      const logPoint = state.step % cfg.logEvery === 0 || epochEnd || state.step === total;
      if (logPoint && !await losses.flush(state.step, checkpoints.latest)) {
        status = "diverged";
        break;
      }
      if (epochEnd) {
        const epoch = state.step / stepsPerEpoch;
        losses.logEpoch(epoch);
        if (cfg.evalEvery > 0 && epoch % cfg.evalEvery === 0) {
          files.add(await scorer.score(epoch, state.step));
        }
        if (epoch % cfg.sampleEvery === 0) {
          await files.writeGrid(`epoch-${String(epoch).padStart(3, "0")}`);
        }
        await files.writeLosses(state.history);
      }
      if (checkpoints.due(state.step) && !await checkpoints.save()) {
        status = "diverged";
        break;
      }
    }
    if (status !== "diverged") {
      if (!await losses.flush(state.step, checkpoints.latest)) {
        status = "diverged";
      } else {
        await files.writeGrid(status === "done" ? "final" : `step-${state.step}`);
        await files.writeLosses(state.history);
        if (!await checkpoints.save()) status = "diverged";
      }
    }
  } finally {
    losses.dispose();
    files.dispose();
    source.dispose();
    disposeTrainables(trainables);
  }
  return {
    status,
    step: state.step,
    checkpoint: checkpoints.latest,
    history: state.history,
    imagesPerSecond: losses.imagesPerSecond(),
    outputs: files.list(checkpoints.latest),
  };
}

/**
 * The parts of a run around its state: its files, its epoch-end scores, its checkpoints and its
 * loss log.
 */
function runParts(
  ctx: TrainContext,
  run: StartedRun & { dataset: Dataset; stepsPerEpoch: number; total: number },
): { files: RunFiles; scorer: EpochEval; checkpoints: CheckpointPolicy; losses: LossLog } {
  const { config, runDir, progress, evaluation, validation } = ctx;
  const { trainables, state, sampler, dataset: train, stepsPerEpoch, total } = run;
  return {
    files: new RunFiles(runDir, sampler, { config, train, validation }),
    scorer: epochEval({ runDir, sampler, state, progress, config, train, evaluation, validation }),
    checkpoints: new CheckpointPolicy({
      runDir,
      trainables,
      state,
      stepsPerEpoch,
      config,
      progress,
      latest: run.checkpoint,
    }),
    // Reads the clock now: the first logging interval starts here.
    losses: new LossLog(state.history, {
      stepsPerEpoch,
      total,
      batchSize: config.batchSize,
      now: () => ctx.now(),
      progress,
    }),
  };
}

/**
 * Checks that the model fits the data: paired data needs an image-to-image model, and an
 * image-to-image model needs paired data.
 *
 * @returns Whether the data is paired.
 */
function checkPairing(model: ModelName, dataset: Dataset): boolean {
  const def = modelDef(model);
  const paired = dataset.conditions !== undefined;
  if (paired !== (def.conditioning === "image")) {
    const imageModels = MODEL_NAMES.filter((name) => MODELS[name].conditioning === "image");
    throw new TypeError(
      paired
        ? `Cannot train ${model} on ${dataset.name}: its pairs need an image-to-image model (${
          imageModels.join(", ")
        })`
        : `Cannot train ${model} on ${dataset.name}: expected a paired dataset (with conditions)`,
    );
  }
  return paired;
}

/**
 * A step never yields to the event loop, so Ctrl-C and SIGTERM listeners would wait for the
 * next logging point; with a signal, a macrotask turn every 200 ms lets them stop the run at
 * once.
 *
 * @returns A check to call before each step: true once the signal is aborted.
 */
function interruption(signal: AbortSignal | undefined): () => Promise<boolean> {
  let yielded = performance.now();
  return async () => {
    if (signal !== undefined && performance.now() - yielded > 200) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      yielded = performance.now();
    }
    return signal?.aborted === true;
  };
}
