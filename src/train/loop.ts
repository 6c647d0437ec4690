/**
 * The one training loop: step, log every `logEvery`, grid every `sampleEvery` epochs,
 * checkpoint at each epoch's end and every `saveEvery` steps. Losses stay on the device
 * until a logging point, where they are read in one transfer and checked for NaN/Inf.
 * A paired dataset (pix2pix) runs through the same loop: its batches carry the condition
 * images (jittered and mirrored), its grid shows condition | output | target, and every
 * `evalEvery` epochs G is scored by PSNR, SSIM and L1 on the validation pairs.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { BatchSource } from "../data/batches.ts";
import { type Dataset, limitDataset } from "../data/dataset.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { lossCurveSvg } from "../io/plot.ts";
import { buildGan, MODEL_NAMES, modelDef, MODELS } from "../models/registry.ts";
import { scoreGenerator } from "../eval/score_generator.ts";
import { scoreTranslation } from "../eval/score_translation.ts";
import { deriveSeed, STREAM } from "../rng.ts";
import {
  type EvalPoint,
  type GanTrainables,
  latestCheckpoint,
  loadCheckpoint,
  type LossPoint,
  type RunState,
  saveCheckpoint,
  type TranslationPoint,
} from "./checkpoint.ts";
import type { TrainConfig } from "./config.ts";
import { createEma, emaDecayAt, updateEma } from "./ema.ts";
import { LOSSES } from "./losses.ts";
import { createAdam } from "../backend/optimizer.ts";
import type { ProgressReporter } from "./progress.ts";
import { classGridPng, disposeGridInputs, gridInputs, pairGridPng } from "./sample_grid.ts";
import { drawStepInputs, type StepLosses, trainStep } from "./step.ts";

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

/** Rows (fixed pairs) of pix2pix's sample grid. */
const GRID_PAIRS = 6;

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
  const numClasses = dataset.classNames.length;
  const def = modelDef(cfg.model);
  const paired = dataset.conditions !== undefined;
  if (paired !== (def.conditioning === "image")) {
    const imageModels = MODEL_NAMES.filter((name) => MODELS[name].conditioning === "image");
    throw new TypeError(
      paired
        ? `Cannot train ${cfg.model} on ${dataset.name}: its pairs need an image-to-image model (${
          imageModels.join(", ")
        })`
        : `Cannot train ${cfg.model} on ${dataset.name}: expected a paired dataset (with conditions)`,
    );
  }
  const source = new BatchSource(dataset, cfg.batchSize, cfg.seed, { jitter: paired });
  const stepsPerEpoch = source.stepsPerEpoch;
  const total = cfg.steps > 0
    ? Math.min(cfg.steps, cfg.epochs * stepsPerEpoch)
    : cfg.epochs * stepsPerEpoch;
  const adam = { lr: cfg.lr, beta1: cfg.beta1, beta2: cfg.beta2, epsilon: cfg.epsilon };

  let trainables: GanTrainables;
  let state: RunState;
  let checkpoint: string | null = null;
  const found = ctx.resume ? await latestCheckpoint(runDir) : null;
  if (found !== null) {
    ({ trainables, state } = await loadCheckpoint(found, adam));
    checkpoint = found;
    progress.log(`resumed from ${found} at step ${state.step}`);
  } else {
    if (ctx.resume) progress.log(`no checkpoint in ${runDir} yet: starting from step 0`);
    const nets = buildGan(cfg.model, {
      latentDim: cfg.latentDim,
      numClasses,
      imageShape: dataset.shape,
      width: cfg.width,
      activation: cfg.activation,
      seed: cfg.seed,
      conditional: cfg.conditioning !== "none",
    });
    trainables = { nets, optimizers: { gen: createAdam(adam), disc: createAdam(adam) } };
    state = { step: 0, history: [] };
  }
  const { nets, optimizers } = trainables;
  const known = (nets.gen.getUserDefinedMetadata() as { classNames?: string[] } | undefined)
    ?.classNames;
  if (known !== undefined && known.join("\n") !== dataset.classNames.join("\n")) {
    for (const owned of [nets.gen, nets.disc, optimizers.gen, optimizers.disc]) owned.dispose();
    trainables.ema?.dispose();
    source.dispose();
    throw new RangeError(
      `Cannot resume "${runDir}": its G knows the classes ${known.join(", ")}, found ` +
        `${dataset.classNames.join(", ")} in ${dataset.source}`,
    );
  }
  // G's model file says which noise it takes and its class names (or, for pix2pix, which way
  // it translates), so a sampler needs nothing else.
  nets.gen.setUserDefinedMetadata({
    ...nets.gen.getUserDefinedMetadata(),
    ...(paired
      ? { direction: cfg.direction }
      : { noise: cfg.noise, classNames: dataset.classNames }),
  });
  const { emaDecay } = cfg;
  if (emaDecay > 0 && trainables.ema === undefined) {
    if (state.step > 0) {
      progress.log(`--ema-decay: G's average starts from G at step ${state.step}`);
    }
    trainables.ema = await createEma(nets.gen);
  }
  // What grids, scores and checkpoints' samplers use: G's average when there is one.
  const sampler = trainables.ema ?? nets.gen;
  const grid = paired ? null : gridInputs(numClasses, 10, cfg.latentDim, cfg.seed, cfg.noise);
  const gridPairs = ctx.validation ?? dataset;
  const gridSeed = deriveSeed(cfg.seed, STREAM.gridNoise);
  const loss = LOSSES[cfg.loss];
  const outputs = new Set<string>();

  // Saves unless a weight is NaN/Inf (then the previous checkpoint stays the latest).
  const save = async (): Promise<boolean> => {
    const weights = [...nets.gen.weights, ...nets.disc.weights, ...(trainables.ema?.weights ?? [])];
    if (!await allFinite(weights.map((w) => w.read()))) {
      progress.log(
        `Stopping: non-finite weights at step ${state.step}; last good checkpoint: ${
          checkpoint ?? "none"
        }`,
      );
      return false;
    }
    checkpoint = await saveCheckpoint(runDir, trainables, state, cfg.keepCheckpoints);
    return true;
  };
  const writeGrid = async (name: string) => {
    const file = `${runDir}/samples/${name}.png`;
    await Deno.mkdir(`${runDir}/samples`, { recursive: true });
    const png = grid === null
      ? await pairGridPng(sampler, gridPairs, { rows: GRID_PAIRS, seed: gridSeed })
      : await classGridPng(sampler, grid);
    await writeFileAtomic(file, png);
    outputs.add(file);
  };
  const writeLosses = async () => {
    outputs.add(await writeLossFiles(runDir, state.history));
    outputs.add(`${runDir}/losses.csv`);
    outputs.add(`${runDir}/losses.json`);
  };

  const evals: EvalPoint[] = state.evals ?? [];
  state.evals = evals;
  const translationEvals: TranslationPoint[] = state.translationEvals ?? [];
  if (paired) state.translationEvals = translationEvals;
  // pix2pix: PSNR, SSIM and L1 of G's outputs on the validation pairs, into eval.csv.
  const scoreTranslationEpoch = async (epoch: number) => {
    if (ctx.validation === undefined) {
      throw new Error(
        "Cannot use --eval-every: no validation pairs were given to the training loop",
      );
    }
    const n = Math.min(cfg.evalN, ctx.validation.labels.length);
    const s = await scoreTranslation(sampler, ctx.validation, { n, seed: cfg.seed });
    translationEvals.push({ epoch, step: state.step, ...s });
    progress.log(
      `epoch ${epoch}: val PSNR ${s.psnr.toFixed(2)} dB, SSIM ${s.ssim.toFixed(4)}, L1 ` +
        `${s.l1.toFixed(4)} (N = ${s.n} pairs, on [0, 1])`,
    );
    const rows = [
      "epoch,step,n,psnr,ssim,l1",
      ...translationEvals.map((e) => `${e.epoch},${e.step},${e.n},${e.psnr},${e.ssim},${e.l1}`),
    ];
    await writeFileAtomic(`${runDir}/eval.csv`, rows.join("\n") + "\n");
    outputs.add(`${runDir}/eval.csv`);
  };
  const scoreEpoch = async (epoch: number) => {
    if (paired) return await scoreTranslationEpoch(epoch);
    if (ctx.evaluation === undefined) {
      throw new Error("Cannot use --eval-every: no evaluator was given to the training loop");
    }
    const { evaluator, test } = ctx.evaluation;
    const n = Math.min(cfg.evalN, test.labels.length, dataset.labels.length);
    const s = await scoreGenerator(sampler, evaluator, test, dataset, {
      n,
      latentDim: cfg.latentDim,
      seed: cfg.seed,
      splits: 10,
      k: 3,
    });
    evals.push({
      epoch,
      step: state.step,
      fid: s.fid,
      fidReal: s.fidReal,
      accuracy: s.accuracy,
      is: s.is.mean,
    });
    progress.log(
      `epoch ${epoch}: FID ${s.fid.toFixed(2)} (real floor ${s.fidReal.toFixed(2)}), accuracy ` +
        `${Number.isNaN(s.accuracy) ? "n/a" : `${(s.accuracy * 100).toFixed(1)}%`}, IS ${
          s.is.mean.toFixed(2)
        } (evaluator features, N = ${n})`,
    );
    const rows = [
      "epoch,step,fid,fid_real,accuracy,is",
      ...evals.map((e) => `${e.epoch},${e.step},${e.fid},${e.fidReal},${e.accuracy},${e.is}`),
    ];
    await writeFileAtomic(`${runDir}/eval.csv`, rows.join("\n") + "\n");
    outputs.add(`${runDir}/eval.csv`);
  };

  let pending: StepLosses[] = [];
  let intervalStart = ctx.now();
  let baselineTensors = -1;
  let timedImages = 0;
  let timedMs = 0;
  let status: TrainResult["status"] = "done";

  // Reads the losses of the steps since the last flush in one transfer; false on NaN/Inf.
  // Steps that only trained the critic (nCritic > 1) have no G loss; an interval without any
  // G update repeats the last G loss in the history.
  const flush = async (): Promise<boolean> => {
    if (pending.length === 0) return true;
    const steps = pending;
    pending = [];
    const scalars = steps.flatMap((l) => l.gLoss === undefined ? [l.dLoss] : [l.dLoss, l.gLoss]);
    const stacked = tf.tidy(() => tf.stack(scalars));
    const values = await stacked.data();
    stacked.dispose();
    tf.dispose(scalars);
    const count = steps.length;
    const firstStep = state.step - count + 1;
    let [d, g, gCount, at] = [0, 0, 0, 0];
    for (let i = 0; i < count; i++) {
      const dv = values[at++]!;
      const gv = steps[i]!.gLoss === undefined ? undefined : values[at++]!;
      const bad = !Number.isFinite(dv)
        ? `D loss (${dv})`
        : gv !== undefined && !Number.isFinite(gv)
        ? `G loss (${gv})`
        : null;
      if (bad !== null) {
        progress.log(
          `Stopping: non-finite ${bad} at step ${firstStep + i}; ` +
            `last good checkpoint: ${checkpoint ?? "none"}`,
        );
        return false;
      }
      d += dv;
      if (gv !== undefined) [g, gCount] = [g + gv, gCount + 1];
    }
    g = gCount > 0 ? g / gCount : state.history.at(-1)?.gLoss ?? 0;
    d /= count;
    const epoch = Math.floor((state.step - 1) / stepsPerEpoch);
    state.history.push({ step: state.step, epoch, dLoss: d, gLoss: g });
    const elapsed = ctx.now() - intervalStart;
    const ips = (count * cfg.batchSize) / Math.max(elapsed, 1e-6) * 1000;
    if (baselineTensors >= 0) {
      timedImages += count * cfg.batchSize;
      timedMs += elapsed;
    }
    progress.update({
      step: state.step,
      total,
      epoch: epoch + 1,
      epochs: Math.ceil(total / stepsPerEpoch),
      imagesPerSecond: ips,
      dLoss: d,
      gLoss: g,
    });
    // Every tensor of a step is disposed: the count must not grow across logging points.
    const tensors = tf.memory().numTensors;
    if (baselineTensors < 0) {
      baselineTensors = tensors;
    } else if (tensors !== baselineTensors) {
      throw new Error(
        `Tensor leak at step ${state.step}: ${tensors} tensors alive, ${baselineTensors} after warm-up`,
      );
    }
    // Let signal handlers (Ctrl-C) and timers run.
    await new Promise((resolve) => setTimeout(resolve, 0));
    intervalStart = ctx.now();
    return true;
  };

  try {
    if (state.step === 0) await writeGrid("epoch-000");
    let yielded = performance.now();
    while (state.step < total) {
      // A step never yields to the event loop, so Ctrl-C and SIGTERM listeners would wait for
      // the next logging point; a macrotask turn every 200 ms lets them stop the run at once.
      if (ctx.signal !== undefined && performance.now() - yielded > 200) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        yielded = performance.now();
      }
      if (ctx.signal?.aborted) {
        status = "interrupted";
        break;
      }
      const step = state.step;
      const updateGen = (step + 1) % cfg.nCritic === 0;
      const inputs = drawStepInputs(source, step, {
        latentDim: cfg.latentDim,
        numClasses,
        seed: cfg.seed,
        interpolate: loss.lipschitz === "penalty",
        noise: cfg.noise,
      });
      pending.push(
        trainStep(nets, optimizers, inputs, {
          loss,
          labelSmoothing: cfg.labelSmoothing,
          updateGen,
          clipValue: cfg.clipValue,
          lambdaGp: cfg.lambdaGp,
          auxClassifier: def.auxClassifier,
          auxLoss: cfg.auxLoss,
          dropoutSeed: deriveSeed(cfg.seed, step, STREAM.dropout),
          ...(paired ? { lambdaL1: cfg.lambdaL1 } : {}),
        }),
      );
      tf.dispose(Object.values(inputs));
      if (updateGen && trainables.ema !== undefined) {
        updateEma(trainables.ema, nets.gen, emaDecayAt(emaDecay, step));
      }
      state.step = step + 1;

      const epochEnd = state.step % stepsPerEpoch === 0;
      if (state.step % cfg.logEvery === 0 || epochEnd || state.step === total) {
        if (!await flush()) {
          status = "diverged";
          break;
        }
      }
      if (epochEnd) {
        const epoch = state.step / stepsPerEpoch;
        logEpoch(progress, state.history, epoch);
        if (cfg.evalEvery > 0 && epoch % cfg.evalEvery === 0) await scoreEpoch(epoch);
        if (epoch % cfg.sampleEvery === 0) {
          await writeGrid(`epoch-${String(epoch).padStart(3, "0")}`);
        }
        await writeLosses();
        if (!await save()) {
          status = "diverged";
          break;
        }
      } else if (cfg.saveEvery > 0 && state.step % cfg.saveEvery === 0 && !await save()) {
        status = "diverged";
        break;
      }
    }
    if (status !== "diverged") {
      if (!await flush()) {
        status = "diverged";
      } else {
        await writeGrid(status === "done" ? "final" : `step-${state.step}`);
        await writeLosses();
        if (!await save()) status = "diverged";
      }
    }
  } finally {
    tf.dispose(pending.flatMap((l) => l.gLoss === undefined ? [l.dLoss] : [l.dLoss, l.gLoss]));
    if (grid !== null) disposeGridInputs(grid);
    source.dispose();
    optimizers.gen.dispose();
    optimizers.disc.dispose();
    nets.gen.dispose();
    nets.disc.dispose();
    trainables.ema?.dispose();
  }
  return {
    status,
    step: state.step,
    checkpoint,
    history: state.history,
    imagesPerSecond: timedMs > 0 ? (timedImages / timedMs) * 1000 : 0,
    outputs: [...outputs, ...(checkpoint === null ? [] : [checkpoint])],
  };
}

async function allFinite(tensors: tf.Tensor[]): Promise<boolean> {
  const ok = tf.tidy(() => tf.all(tf.stack(tensors.map((t) => tf.all(tf.isFinite(t))))));
  const value = (await ok.data())[0];
  ok.dispose();
  return value === 1;
}

function logEpoch(progress: ProgressReporter, history: LossPoint[], epoch: number): void {
  const points = history.filter((p) => p.epoch === epoch - 1);
  if (points.length === 0) return;
  const mean = (f: (p: LossPoint) => number) =>
    points.reduce((a, p) => a + f(p), 0) / points.length;
  progress.log(
    `epoch ${epoch}: mean D loss ${mean((p) => p.dLoss).toFixed(4)}, G loss ${
      mean((p) => p.gLoss).toFixed(4)
    }`,
  );
}

/** Writes losses.csv, losses.json and losses.svg; returns the SVG path. */
async function writeLossFiles(runDir: string, history: LossPoint[]): Promise<string> {
  const csv = [
    "step,epoch,d_loss,g_loss",
    ...history.map((p) => `${p.step},${p.epoch},${p.dLoss},${p.gLoss}`),
  ];
  await writeFileAtomic(`${runDir}/losses.csv`, csv.join("\n") + "\n");
  await writeFileAtomic(`${runDir}/losses.json`, JSON.stringify(history));
  const svg = await lossCurveSvg([
    { name: "D loss", points: history.map((p) => ({ step: p.step, value: p.dLoss })) },
    { name: "G loss", points: history.map((p) => ({ step: p.step, value: p.gLoss })) },
  ], { title: "Training losses", xLabel: "step", yLabel: "loss" });
  await writeFileAtomic(`${runDir}/losses.svg`, svg);
  return `${runDir}/losses.svg`;
}
