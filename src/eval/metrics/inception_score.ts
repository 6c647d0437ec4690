/**
 * Inception Score (Salimans et al. 2016) over the evaluator's class probabilities. cgan has
 * no Inception weights offline, so the score is comparable between cgan runs only, not with
 * published Inception-based values.
 *
 * @module
 */
import { checkCount, checkMatrix } from "./_checks.ts";
import type { HostArray } from "./_types.ts";

/** Allowed deviation of a probability row's sum from 1 (float32 softmax). */
const PROB_SUM_TOLERANCE = 1e-3;

/** Options of {@linkcode inceptionScore}. */
export interface InceptionScoreOptions {
  /** Number of rows of `probs`. */
  n: number;
  /** Number of classes (columns of `probs`). */
  classes: number;
  /** Number of consecutive parts to score (at most `n`). Default 10. */
  splits?: number;
}

/** Mean and population standard deviation of a score over splits. */
export interface SplitScore {
  /** Mean over splits. */
  mean: number;
  /** Population standard deviation over splits (as in the original Inception Score code). */
  std: number;
}

/**
 * Inception Score `exp(E_x KL(p(y|x) || p(y)))`, computed on `splits` consecutive parts
 * (`p(y)` is each part's marginal), as in Salimans et al.'s code: parts are rows
 * `[floor(i n / splits), floor((i+1) n / splits))`, `0 log 0 = 0`.
 *
 * @param probs Class probabilities `[n, classes]`, rows summing to 1.
 * @param opts Rows, classes and the number of splits.
 * @returns Mean and population standard deviation of the score over parts; between 1
 *   (uniform or identical predictions) and `classes` (confident and balanced).
 *
 * @example Confident, balanced predictions score the number of classes
 * ```ts
 * import assert from "node:assert/strict";
 * import { inceptionScore } from "@cgan/cgan";
 * const probs = new Float32Array([1, 0, 0, 1, 1, 0, 0, 1]);
 * assert.deepEqual(inceptionScore(probs, { n: 4, classes: 2, splits: 2 }), { mean: 2, std: 0 });
 * ```
 */
export function inceptionScore(probs: HostArray, opts: InceptionScoreOptions): SplitScore {
  const { n, classes, splits = 10 } = opts;
  const what = "compute the Inception Score";
  checkCount(n, "n", what);
  checkCount(classes, "classes", what);
  checkCount(splits, "splits", what);
  if (n < splits) {
    throw new RangeError(
      `Cannot ${what}: expected at least ${splits} rows (one per split), found ${n}`,
    );
  }
  checkMatrix(probs, n, classes, "probs", what);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const p = probs[i * classes + c]!;
      if (!(p >= 0)) {
        throw new RangeError(`Cannot ${what}: expected probabilities >= 0, found ${p} in row ${i}`);
      }
      sum += p;
    }
    if (Math.abs(sum - 1) > PROB_SUM_TOLERANCE) {
      throw new RangeError(`Cannot ${what}: expected rows summing to 1, found ${sum} in row ${i}`);
    }
  }
  const scores: number[] = [];
  const marginal = new Float64Array(classes);
  for (let s = 0; s < splits; s++) {
    const start = Math.floor((s * n) / splits);
    const end = Math.floor(((s + 1) * n) / splits);
    marginal.fill(0);
    for (let i = start; i < end; i++) {
      for (let c = 0; c < classes; c++) marginal[c] = marginal[c]! + probs[i * classes + c]!;
    }
    for (let c = 0; c < classes; c++) marginal[c] = marginal[c]! / (end - start);
    let kl = 0;
    for (let i = start; i < end; i++) {
      for (let c = 0; c < classes; c++) {
        const p = probs[i * classes + c]!;
        if (p > 0) kl += p * (Math.log(p) - Math.log(marginal[c]!));
      }
    }
    scores.push(Math.exp(kl / (end - start)));
  }
  const mean = scores.reduce((a, b) => a + b, 0) / splits;
  const variance = scores.reduce((a, b) => a + (b - mean) ** 2, 0) / splits;
  return { mean, std: Math.sqrt(variance) };
}
