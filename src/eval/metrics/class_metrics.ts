/**
 * Class metrics of generated images, from the evaluator's class probabilities: conditional
 * accuracy (how often the evaluator agrees with the requested label) and class coverage
 * (per-class accuracy and how many classes the samples cover, the mode-collapse view).
 *
 * @module
 */
import { checkCount, checkLabels, checkMatrix } from "./_checks.ts";
import type { HostArray, Labels } from "./_types.ts";

/** Options of {@linkcode conditionalAccuracy} and {@linkcode classCoverage}. */
export interface ClassMetricOptions {
  /** Number of rows of `probs`. */
  n: number;
  /** Number of classes (columns of `probs`). */
  classes: number;
}

/** Per-class accuracy and class coverage of generated images (the mode-collapse view). */
export interface ClassCoverage {
  /** For each class, the share of its requested samples the evaluator assigns to it. */
  perClassAccuracy: number[];
  /** For each class, the share of all samples the evaluator assigns to it. */
  shares: number[];
  /**
   * Classes the generator actually produces: those the evaluator sees at least half as often
   * as a balanced generator would (`share >= 0.5 / classes`).
   */
  produced: number;
}

/** The predicted class of row `i` of `[n, classes]` probabilities (the first of equal maxima). */
function argmaxRow(probs: HostArray, i: number, classes: number): number {
  const row = i * classes;
  let best = 0;
  for (let c = 1; c < classes; c++) if (probs[row + c]! > probs[row + best]!) best = c;
  return best;
}

/** Rows requested, rows predicted and rows predicted as requested, per class. */
interface Tally {
  asked: number[];
  seen: number[];
  hits: number[];
}

/** Checks the arguments shared by both metrics, then counts per class. */
function tally(probs: HostArray, requested: Labels, opts: ClassMetricOptions, what: string): Tally {
  const { n, classes } = opts;
  checkCount(n, "n", what);
  checkCount(classes, "classes", what);
  checkMatrix(probs, n, classes, "probs", what);
  checkLabels(requested, n, classes, "requested labels", what);
  const asked = new Array<number>(classes).fill(0);
  const seen = new Array<number>(classes).fill(0);
  const hits = new Array<number>(classes).fill(0);
  for (let i = 0; i < n; i++) {
    const best = argmaxRow(probs, i, classes);
    const want = requested[i]!;
    asked[want]!++;
    seen[best]!++;
    if (best === want) hits[want]!++;
  }
  return { asked, seen, hits };
}

/**
 * Conditional accuracy: the share of rows whose most probable class (the first one on a
 * tie) is the requested label.
 *
 * @param probs Class probabilities (or logits) `[n, classes]`.
 * @param requested The label each row was generated for, `[n]`.
 * @param opts Rows and classes of `probs`.
 * @returns A share in [0, 1].
 *
 * @example Two of three rows agree with the requested label
 * ```ts
 * import assert from "node:assert/strict";
 * import { conditionalAccuracy } from "@cgan/cgan";
 * const probs = new Float32Array([0.9, 0.1, 0.3, 0.7, 0.6, 0.4]);
 * const requested = new Uint8Array([0, 1, 1]);
 * assert.equal(conditionalAccuracy(probs, requested, { n: 3, classes: 2 }), 2 / 3);
 * ```
 */
export function conditionalAccuracy(
  probs: HostArray,
  requested: Labels,
  opts: ClassMetricOptions,
): number {
  const { hits } = tally(probs, requested, opts, "compute conditional accuracy");
  return hits.reduce((a, b) => a + b, 0) / opts.n;
}

/**
 * Per-class conditional accuracy and how many classes the samples cover.
 *
 * @param probs Evaluator probabilities `[n, classes]`, row-major.
 * @param requested The label each row was generated for, `[n]`.
 * @param opts Rows and classes of `probs`.
 * @returns Per-class accuracy, predicted-class shares and the number of classes produced.
 *
 * @example Two classes requested, but every sample looks like class 0
 * ```ts
 * import assert from "node:assert/strict";
 * import { classCoverage } from "@cgan/cgan";
 * const probs = new Float32Array([0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4]);
 * const requested = new Uint8Array([0, 1, 0, 1]);
 * const c = classCoverage(probs, requested, { n: 4, classes: 2 });
 * assert.deepEqual(c.perClassAccuracy, [1, 0]);
 * assert.equal(c.produced, 1);
 * ```
 */
export function classCoverage(
  probs: HostArray,
  requested: Labels,
  opts: ClassMetricOptions,
): ClassCoverage {
  const { n, classes } = opts;
  const { asked, seen, hits } = tally(probs, requested, opts, "compute class coverage");
  const shares = seen.map((s) => s / n);
  return {
    perClassAccuracy: hits.map((h, c) => asked[c]! > 0 ? h / asked[c]! : NaN),
    shares,
    produced: shares.filter((s) => s >= 0.5 / classes).length,
  };
}
