/**
 * The scores a run takes at epoch ends (`--eval-every`), into the run state and `eval.csv`. A
 * class-conditional G is scored by its evaluator's FID (with the real floor), class accuracy
 * and IS on the test images; an image-to-image G (pix2pix) by PSNR, SSIM and L1 of its outputs
 * on the validation pairs. Which one is chosen once, from whether the data is paired.
 *
 * @module
 */
import type * as tf from "../_tf.ts";
import type { Dataset } from "../data/dataset.ts";
import { scoreGenerator } from "../eval/score_generator.ts";
import { scoreTranslation } from "../eval/score_translation.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import type { EvalPoint, RunState, TranslationPoint } from "./checkpoint.ts";
import type { TrainConfig } from "./config.ts";
import type { ProgressReporter } from "./progress.ts";

/** Scores G at an epoch's end. */
export interface EpochEval {
  /**
   * Scores G, appends the scores to the run state, logs them and rewrites `eval.csv`.
   *
   * @param epoch The epoch (1-based) that just ended.
   * @param step Steps completed.
   * @returns The path of `eval.csv`.
   */
  score(epoch: number, step: number): Promise<string>;
}

/** What {@linkcode epochEval} scores, with what, and where the scores go. */
export interface EpochEvalOptions {
  /** The run directory (`eval.csv` is written there). */
  runDir: string;
  /** The G that is scored (G's average when there is one). */
  sampler: tf.LayersModel;
  /** The run state: its `evals` (and, when paired, `translationEvals`) collect the scores. */
  state: RunState;
  /** Where the scores are logged. */
  progress: ProgressReporter;
  /**
   * The training data: if it is paired (pix2pix), the validation pairs are scored; if not,
   * FID's real floor is taken on a subset of it.
   */
  train: Dataset;
  /** Images scored at most (`evalN`), size of z and the run seed. */
  config: Pick<TrainConfig, "evalN" | "latentDim" | "seed">;
  /** Evaluator and real test images, needed to score a class-conditional G. */
  evaluation?: { evaluator: tf.LayersModel; test: Dataset } | undefined;
  /** Validation pairs, needed to score an image-to-image G. */
  validation?: Dataset | undefined;
}

/**
 * Chooses the scorer of a run's epoch ends from whether its training data is paired, and
 * makes sure the run state holds its points (scores from before a resume are kept). A scorer
 * whose evaluator or validation pairs are missing throws when it is first asked to score.
 *
 * @param opts The run's directory, G, state, data and scoring sizes.
 * @returns The scorer.
 *
 * @example Scoring pix2pix needs validation pairs
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { epochEval } from "./epoch_eval.ts";
 * const sampler = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [1] })] });
 * const train = { name: "toy", images: new Uint8Array(4), conditions: new Uint8Array(4),
 *   labels: new Uint8Array(1), shape: [2, 2, 1] as [number, number, number], classNames: [],
 *   source: "memory" };
 * const state = { step: 4, history: [] };
 * const progress = { update() {}, log() {}, stop() {} };
 * const config = { evalN: 8, latentDim: 8, seed: 0 };
 * const scorer = epochEval({ runDir: "runs/a", sampler, state, progress, train, config });
 * assert.deepEqual(state, { step: 4, history: [], evals: [], translationEvals: [] });
 * await assert.rejects(() => scorer.score(1, 4), /no validation pairs/);
 * sampler.dispose();
 * ```
 */
export function epochEval(opts: EpochEvalOptions): EpochEval {
  const { state } = opts;
  const evals = state.evals ?? [];
  state.evals = evals;
  if (opts.train.conditions !== undefined) {
    const points = state.translationEvals ?? [];
    state.translationEvals = points;
    return { score: (epoch, step) => scoreTranslationEpoch(opts, points, { epoch, step }) };
  }
  return { score: (epoch, step) => scoreClassEpoch(opts, evals, { epoch, step }) };
}

/** pix2pix: PSNR, SSIM and L1 of G's outputs on the validation pairs, into eval.csv. */
async function scoreTranslationEpoch(
  opts: EpochEvalOptions,
  points: TranslationPoint[],
  { epoch, step }: { epoch: number; step: number },
): Promise<string> {
  const { validation, sampler, progress } = opts;
  if (validation === undefined) {
    throw new Error(
      "Cannot use --eval-every: no validation pairs were given to the training loop",
    );
  }
  const n = Math.min(opts.config.evalN, validation.labels.length);
  const s = await scoreTranslation(sampler, validation, { n, seed: opts.config.seed });
  points.push({ epoch, step, ...s });
  progress.log(
    `epoch ${epoch}: val PSNR ${s.psnr.toFixed(2)} dB, SSIM ${s.ssim.toFixed(4)}, L1 ` +
      `${s.l1.toFixed(4)} (N = ${s.n} pairs, on [0, 1])`,
  );
  return await writeEvalCsv(opts.runDir, [
    "epoch,step,n,psnr,ssim,l1",
    ...points.map((e) => `${e.epoch},${e.step},${e.n},${e.psnr},${e.ssim},${e.l1}`),
  ]);
}

/** Class-conditional G: FID (and its real floor), accuracy and IS by the evaluator. */
async function scoreClassEpoch(
  opts: EpochEvalOptions,
  points: EvalPoint[],
  { epoch, step }: { epoch: number; step: number },
): Promise<string> {
  const { evaluation, sampler, progress, train } = opts;
  if (evaluation === undefined) {
    throw new Error("Cannot use --eval-every: no evaluator was given to the training loop");
  }
  const { evaluator, test } = evaluation;
  const { evalN, latentDim, seed } = opts.config;
  const n = Math.min(evalN, test.labels.length, train.labels.length);
  const s = await scoreGenerator(sampler, evaluator, test, train, {
    n,
    latentDim,
    seed,
    splits: 10,
    k: 3,
  });
  points.push({ epoch, step, fid: s.fid, fidReal: s.fidReal, accuracy: s.accuracy, is: s.is.mean });
  progress.log(
    `epoch ${epoch}: FID ${s.fid.toFixed(2)} (real floor ${s.fidReal.toFixed(2)}), accuracy ` +
      `${Number.isNaN(s.accuracy) ? "n/a" : `${(s.accuracy * 100).toFixed(1)}%`}, IS ${
        s.is.mean.toFixed(2)
      } (evaluator features, N = ${n})`,
  );
  return await writeEvalCsv(opts.runDir, [
    "epoch,step,fid,fid_real,accuracy,is",
    ...points.map((e) => `${e.epoch},${e.step},${e.fid},${e.fidReal},${e.accuracy},${e.is}`),
  ]);
}

async function writeEvalCsv(runDir: string, rows: string[]): Promise<string> {
  const file = `${runDir}/eval.csv`;
  await writeFileAtomic(file, rows.join("\n") + "\n");
  return file;
}
