/**
 * Sample-quality metrics on host arrays, computed in the feature space of cgan's own
 * evaluator classifier (there are no Inception weights offline, so the numbers are
 * comparable between cgan runs only, not with published Inception-based values):
 *
 * - Inception Score (Salimans et al. 2016), over the evaluator's class probabilities;
 * - Fréchet distance (FID, Heusel et al. 2017) and intra-FID (per class, Miyato & Koyama
 *   2018), over its penultimate-layer features;
 * - conditional accuracy: how often the evaluator agrees with the requested label;
 * - precision and recall of k-NN manifolds (Kynkäänniemi et al. 2019).
 *
 * All inputs are row-major `[N, D]` arrays; all arithmetic is float64.
 *
 * @module
 */
import {
  clampPsdEigenvalues,
  fromEigen,
  matmul,
  symmetricEigen,
  symmetricEigenvalues,
  trace,
} from "./linalg.ts";

/** Row-major values as produced by the evaluator. */
export type HostArray = Float32Array | Float64Array;
/** Class labels, one per row. */
export type Labels = Uint8Array | Int32Array;

/** Mean and covariance of a set of feature vectors. */
export interface FeatureStats {
  /** Mean `[dim]`. */
  mean: Float64Array;
  /** Unbiased covariance `[dim, dim]` (divided by `n - 1`), row-major, exactly symmetric. */
  cov: Float64Array;
  /** Number of samples. */
  n: number;
}

/** Options of {@linkcode frechetDistance}. */
export interface FrechetOptions {
  /**
   * Ridge, relative to the mean feature variance, added to both covariances when either is
   * singular or ill-conditioned: `S + eps * (Tr S1 + Tr S2) / (2 dim) * I`. Default `1e-6`;
   * 0 turns the ridge off.
   */
  eps?: number;
}

/** A Fréchet distance and the ridge it needed. */
export interface FrechetResult {
  /** The distance, `>= 0`. */
  fid: number;
  /**
   * The ridge actually added to the diagonal of both covariances (absolute, in feature
   * variance units): 0 when both were well-conditioned.
   */
  eps: number;
}

/** Mean and population standard deviation of a score over splits. */
export interface SplitScore {
  /** Mean over splits. */
  mean: number;
  /** Population standard deviation over splits (as in the original Inception Score code). */
  std: number;
}

/** Per-class Fréchet distances. */
export interface IntraFidResult {
  /** FID of class c at index c. */
  perClass: number[];
  /** Mean of `perClass`. */
  mean: number;
  /** Largest ridge any class needed (0 when none). */
  eps: number;
}

/** Precision and recall of k-NN manifolds, each in [0, 1]. */
export interface PrecisionRecall {
  /** Share of generated samples inside the real manifold. */
  precision: number;
  /** Share of real samples inside the generated manifold. */
  recall: number;
}

/** Default relative ridge of {@linkcode frechetDistance}. */
export const DEFAULT_FID_EPS = 1e-6;
/** A covariance whose eigenvalues span more than `1 / RCOND` is regularised. */
const RCOND = 1e-8;
/** Negative FID up to this share of its scale (plus the square roots' error bound) is clamped. */
const FID_ROUNDOFF = 1e-9;
/** Allowed deviation of a probability row's sum from 1 (float32 softmax). */
const PROB_SUM_TOLERANCE = 1e-3;

function checkCount(value: number, name: string, what: string, min = 1): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(
      `Cannot ${what}: expected ${name} to be an integer >= ${min}, found ${value}`,
    );
  }
}

function checkMatrix(
  values: HostArray,
  rows: number,
  cols: number,
  name: string,
  what: string,
): void {
  if (values.length !== rows * cols) {
    throw new RangeError(
      `Cannot ${what}: expected ${name} to hold ${rows}x${cols} = ${
        rows * cols
      } values, found ${values.length}`,
    );
  }
}

function checkLabels(labels: Labels, n: number, classes: number, name: string, what: string): void {
  if (labels.length !== n) {
    throw new RangeError(`Cannot ${what}: expected ${n} ${name}, found ${labels.length}`);
  }
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    if (c < 0 || c >= classes) {
      throw new RangeError(
        `Cannot ${what}: expected ${name} in [0, ${classes}), found ${c} at index ${i}`,
      );
    }
  }
}

function checkFinite(value: number, name: string, what: string): void {
  if (!Number.isFinite(value)) {
    throw new RangeError(`Cannot ${what}: expected finite ${name}, found ${value}`);
  }
}

/**
 * Inception Score `exp(E_x KL(p(y|x) || p(y)))`, computed on `splits` consecutive parts
 * (`p(y)` is each part's marginal), as in Salimans et al.'s code: parts are rows
 * `[floor(i n / splits), floor((i+1) n / splits))`, `0 log 0 = 0`.
 *
 * @param probs Class probabilities `[n, classes]`, rows summing to 1.
 * @param n Number of rows.
 * @param classes Number of classes.
 * @param splits Number of parts (at most `n`).
 * @returns Mean and population standard deviation of the score over parts; between 1
 *   (uniform or identical predictions) and `classes` (confident and balanced).
 *
 * @example Confident, balanced predictions score the number of classes
 * ```ts
 * import { inceptionScore } from "./metrics.ts";
 * const probs = new Float32Array([1, 0, 0, 1, 1, 0, 0, 1]);
 * console.log(inceptionScore(probs, 4, 2, 2)); // { mean: 2, std: 0 }
 * ```
 */
export function inceptionScore(
  probs: HostArray,
  n: number,
  classes: number,
  splits = 10,
): SplitScore {
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

/**
 * Mean and unbiased covariance of feature vectors, in float64.
 *
 * @param features Features `[n, dim]`, row-major.
 * @param n Number of rows (at least 2).
 * @param dim Feature size.
 * @returns The statistics, ready for {@linkcode frechetDistance}.
 *
 * @example
 * ```ts
 * import { featureStats } from "./metrics.ts";
 * const { mean, cov } = featureStats(new Float32Array([0, 0, 2, 4]), 2, 2);
 * console.log(mean, cov); // Float64Array [1, 2] Float64Array [2, 4, 4, 8]
 * ```
 */
export function featureStats(features: HostArray, n: number, dim: number): FeatureStats {
  const what = "compute feature statistics";
  checkCount(n, "n", what, 2);
  checkCount(dim, "dim", what);
  checkMatrix(features, n, dim, "features", what);
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const row = i * dim;
    for (let j = 0; j < dim; j++) mean[j] = mean[j]! + features[row + j]!;
  }
  for (let j = 0; j < dim; j++) {
    mean[j] = mean[j]! / n;
    checkFinite(mean[j]!, `features (column ${j} has a non-finite sum)`, what);
  }
  // Accumulate the upper triangle of X_c^T X_c, four centred rows at a time (each pass over
  // the covariance then does four multiply-adds per load and store).
  const cov = new Float64Array(dim * dim);
  const block = [0, 1, 2, 3].map(() => new Float64Array(dim));
  const [c0, c1, c2, c3] = block as [Float64Array, Float64Array, Float64Array, Float64Array];
  for (let i = 0; i < n; i += 4) {
    for (let r = 0; r < 4; r++) {
      const c = block[r]!;
      const row = (i + r) * dim;
      if (i + r >= n) c.fill(0);
      else for (let j = 0; j < dim; j++) c[j] = features[row + j]! - mean[j]!;
    }
    for (let a = 0; a < dim; a++) {
      const x0 = c0[a]!, x1 = c1[a]!, x2 = c2[a]!, x3 = c3[a]!;
      const out = a * dim;
      for (let b = a; b < dim; b++) {
        cov[out + b] = cov[out + b]! + x0 * c0[b]! + x1 * c1[b]! + x2 * c2[b]! + x3 * c3[b]!;
      }
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = cov[a * dim + b]! / (n - 1);
      cov[a * dim + b] = v;
      cov[b * dim + a] = v;
    }
  }
  return { mean, cov, n };
}

function checkStats(s: FeatureStats, dim: number, name: string, what: string): void {
  if (s.mean.length !== dim || s.cov.length !== dim * dim) {
    throw new RangeError(
      `Cannot ${what}: expected ${name} with a mean of ${dim} and a covariance of ${
        dim * dim
      } values, found ${s.mean.length} and ${s.cov.length}`,
    );
  }
  checkCount(s.n, `${name}.n`, what, 2);
}

function illConditioned(values: Float64Array): boolean {
  const largest = values[values.length - 1]!;
  return !(values[0]! > RCOND * largest);
}

/**
 * Fréchet distance between the Gaussians fitted to two feature sets:
 * `|mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))`.
 *
 * The trace of the root is computed without a non-symmetric square root, as the sum of the
 * square roots of the eigenvalues of the symmetric PSD matrix `S1^(1/2) S2 S1^(1/2)` (which
 * has the eigenvalues of `S1 S2`).
 *
 * When either covariance is singular or ill-conditioned (as many samples as dimensions or
 * fewer, dead features, eigenvalue ratio below 1e-8), a ridge `r I` is added to both
 * covariances, in every term (unlike pytorch-fid, which adds it only inside the square root,
 * so that identical sets still score 0), and `r` is reported. The ridge is relative,
 * `r = eps * (Tr S1 + Tr S2) / (2 dim)`: an absolute 1e-6 is below the round-off of
 * `S1^(1/2) S2 S1^(1/2)` once feature variances reach ~10, and the square roots of its
 * near-zero eigenvalues then swamp the result.
 *
 * A negative result is clamped to 0 when it is within round-off: `1e-9` of the total
 * variance plus the error bound of the square roots, `sum_i sqrt(w_i + d) - sqrt(w_i)` with
 * `d = dim * EPSILON * max_i w_i` for the eigenvalues `w_i` of that matrix.
 *
 * @param a Statistics of the first set (e.g. generated features).
 * @param b Statistics of the second set (e.g. real features).
 * @param opts The relative ridge to use when one is needed.
 * @returns The distance and the absolute ridge added (0 when none was needed).
 * @throws {Error} If the result is negative beyond round-off (a numerical failure).
 *
 * @example Two unit Gaussians whose means differ by 3
 * ```ts
 * import { frechetDistance } from "./metrics.ts";
 * const cov = new Float64Array([1, 0, 0, 1]);
 * const a = { mean: new Float64Array([0, 0]), cov, n: 100 };
 * const b = { mean: new Float64Array([3, 0]), cov, n: 100 };
 * console.log(frechetDistance(a, b)); // { fid: 9, eps: 0 } (up to round-off)
 * ```
 */
export function frechetDistance(
  a: FeatureStats,
  b: FeatureStats,
  opts: FrechetOptions = {},
): FrechetResult {
  const what = "compute the Fréchet distance";
  const dim = a.mean.length;
  checkCount(dim, "the feature size", what);
  checkStats(a, dim, "the first statistics", what);
  checkStats(b, dim, "the second statistics", what);
  const epsOption = opts.eps ?? DEFAULT_FID_EPS;
  if (!(epsOption >= 0) || !Number.isFinite(epsOption)) {
    throw new RangeError(
      `Cannot ${what}: expected eps to be a finite number >= 0, found ${epsOption}`,
    );
  }
  let meanTerm = 0;
  for (let j = 0; j < dim; j++) meanTerm += (a.mean[j]! - b.mean[j]!) ** 2;
  checkFinite(meanTerm, "means", what);

  const eigenA = symmetricEigen(a.cov, dim);
  const valuesB = clampPsdEigenvalues(
    symmetricEigenvalues(b.cov, dim),
    `${what}: second covariance`,
  );
  const needed = a.n <= dim || b.n <= dim || illConditioned(eigenA.values) ||
    illConditioned(valuesB);
  const traceA = trace(a.cov, dim);
  const traceB = trace(b.cov, dim);
  const meanVariance = (traceA + traceB) / (2 * dim);
  const eps = needed ? epsOption * (meanVariance > 0 ? meanVariance : 1) : 0;

  // rootA = (S1 + eps I)^(1/2) from S1's eigenvectors; covB = S2 + eps I.
  const valuesA = clampPsdEigenvalues(eigenA.values, `${what}: first covariance`).map((w) =>
    w + eps
  );
  const rootA = fromEigen({ values: valuesA, vectors: eigenA.vectors }, dim, Math.sqrt);
  const covB = Float64Array.from(b.cov);
  for (let j = 0; j < dim; j++) covB[j * dim + j] = covB[j * dim + j]! + eps;
  const m = matmul(matmul(rootA, covB, dim, dim, dim), rootA, dim, dim, dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (m[i * dim + j]! + m[j * dim + i]!);
      m[i * dim + j] = v;
      m[j * dim + i] = v;
    }
  }
  const valuesM = clampPsdEigenvalues(
    symmetricEigenvalues(m, dim),
    `${what}: S1^(1/2) S2 S1^(1/2)`,
  );
  // Eigenvalues of m are known to within d; sqrt magnifies that near 0.
  const d = dim * Number.EPSILON * valuesM[dim - 1]!;
  let traceRoot = 0;
  let rootError = 0;
  for (const w of valuesM) {
    const root = Math.sqrt(w);
    traceRoot += root;
    if (d > 0) rootError += d / (Math.sqrt(w + d) + root);
  }

  const scale = meanTerm + traceA + traceB + 2 * dim * eps;
  const fid = scale - 2 * traceRoot;
  if (fid >= 0) return { fid, eps };
  const tolerance = FID_ROUNDOFF * scale + 2 * rootError;
  if (-fid <= tolerance) return { fid: 0, eps };
  throw new Error(
    `Cannot ${what}: found ${fid}, negative beyond round-off (${-tolerance}); the covariances are too ill-conditioned, try a larger eps`,
  );
}

/**
 * Fréchet distance between two feature sets (statistics and distance in one call).
 *
 * @param featuresA First features `[nA, dim]`.
 * @param nA Rows of `featuresA`.
 * @param featuresB Second features `[nB, dim]`.
 * @param nB Rows of `featuresB`.
 * @param dim Feature size.
 * @returns The distance and the ridge used, as {@linkcode frechetDistance}.
 *
 * @example A set against itself
 * ```ts
 * import { fid } from "./metrics.ts";
 * const x = new Float32Array([0, 1, 2, 3, 5, 4]);
 * console.log(fid(x, 3, x, 3, 2).fid < 1e-12); // true
 * ```
 */
export function fid(
  featuresA: HostArray,
  nA: number,
  featuresB: HostArray,
  nB: number,
  dim: number,
): FrechetResult {
  return frechetDistance(featureStats(featuresA, nA, dim), featureStats(featuresB, nB, dim));
}

function rowsOfClass(features: HostArray, labels: Labels, dim: number, c: number): Float64Array {
  let count = 0;
  for (const l of labels) if (l === c) count++;
  const out = new Float64Array(count * dim);
  let k = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== c) continue;
    out.set(features.subarray(i * dim, (i + 1) * dim), k * dim);
    k++;
  }
  return out;
}

/**
 * Intra-FID: the Fréchet distance between generated and real features of each class, and
 * the mean over classes.
 *
 * @param features Generated features `[n, dim]`.
 * @param labels The class each generated row was requested for, `[n]`.
 * @param realFeatures Real features `[nReal, dim]`.
 * @param realLabels Their true classes, `[nReal]`.
 * @param dim Feature size.
 * @param classes Number of classes; each needs at least 2 rows on both sides.
 * @returns FID per class, their mean and the largest ridge used.
 *
 * @example Identical sets score 0 in every class
 * ```ts
 * import { intraFid } from "./metrics.ts";
 * const x = new Float32Array([0, 1, 2, 3, 5, 4, 7, 9]);
 * const labels = new Uint8Array([0, 1, 0, 1]);
 * const { perClass } = intraFid(x, labels, x, labels, 2, 2);
 * console.log(perClass.every((f) => f < 1e-6)); // true
 * ```
 */
export function intraFid(
  features: HostArray,
  labels: Labels,
  realFeatures: HostArray,
  realLabels: Labels,
  dim: number,
  classes: number,
): IntraFidResult {
  const what = "compute intra-FID";
  checkCount(dim, "dim", what);
  checkCount(classes, "classes", what);
  checkMatrix(features, labels.length, dim, "generated features (one row per label)", what);
  checkMatrix(realFeatures, realLabels.length, dim, "real features (one row per label)", what);
  checkLabels(labels, labels.length, classes, "generated labels", what);
  checkLabels(realLabels, realLabels.length, classes, "real labels", what);
  const perClass: number[] = [];
  let eps = 0;
  for (let c = 0; c < classes; c++) {
    const gen = rowsOfClass(features, labels, dim, c);
    const real = rowsOfClass(realFeatures, realLabels, dim, c);
    const nGen = gen.length / dim;
    const nReal = real.length / dim;
    if (nGen < 2 || nReal < 2) {
      throw new RangeError(
        `Cannot ${what}: expected at least 2 generated and 2 real rows of class ${c}, found ${nGen} and ${nReal}`,
      );
    }
    const result = frechetDistance(featureStats(gen, nGen, dim), featureStats(real, nReal, dim));
    perClass.push(result.fid);
    eps = Math.max(eps, result.eps);
  }
  return { perClass, mean: perClass.reduce((x, y) => x + y, 0) / classes, eps };
}

/**
 * Conditional accuracy: the share of rows whose most probable class (the first one on a
 * tie) is the requested label.
 *
 * @param probs Class probabilities (or logits) `[n, classes]`.
 * @param n Number of rows.
 * @param classes Number of classes.
 * @param requested The label each row was generated for, `[n]`.
 * @returns A share in [0, 1].
 *
 * @example
 * ```ts
 * import { conditionalAccuracy } from "./metrics.ts";
 * const probs = new Float32Array([0.9, 0.1, 0.3, 0.7, 0.6, 0.4]);
 * console.log(conditionalAccuracy(probs, 3, 2, new Uint8Array([0, 1, 1]))); // 0.666...
 * ```
 */
export function conditionalAccuracy(
  probs: HostArray,
  n: number,
  classes: number,
  requested: Labels,
): number {
  const what = "compute conditional accuracy";
  checkCount(n, "n", what);
  checkCount(classes, "classes", what);
  checkMatrix(probs, n, classes, "probs", what);
  checkLabels(requested, n, classes, "requested labels", what);
  let hits = 0;
  for (let i = 0; i < n; i++) if (argmaxRow(probs, i, classes) === requested[i]) hits++;
  return hits / n;
}

/** The predicted class of row `i` of `[n, classes]` probabilities (the first of equal maxima). */
function argmaxRow(probs: HostArray, i: number, classes: number): number {
  const row = i * classes;
  let best = 0;
  for (let c = 1; c < classes; c++) if (probs[row + c]! > probs[row + best]!) best = c;
  return best;
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

/**
 * Per-class conditional accuracy and how many classes the samples cover.
 *
 * @param probs Evaluator probabilities `[n, classes]`, row-major.
 * @param n Number of rows.
 * @param classes Number of classes.
 * @param requested The label each row was generated for, `[n]`.
 * @returns Per-class accuracy, predicted-class shares and the number of classes produced.
 *
 * @example Two classes requested, but every sample looks like class 0
 * ```ts
 * import { classCoverage } from "./metrics.ts";
 * const probs = new Float32Array([0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4]);
 * const c = classCoverage(probs, 4, 2, new Uint8Array([0, 1, 0, 1]));
 * console.log(c.perClassAccuracy, c.produced); // [1, 0] 1
 * ```
 */
export function classCoverage(
  probs: HostArray,
  n: number,
  classes: number,
  requested: Labels,
): ClassCoverage {
  const what = "compute class coverage";
  checkCount(n, "n", what);
  checkCount(classes, "classes", what);
  checkMatrix(probs, n, classes, "probs", what);
  checkLabels(requested, n, classes, "requested labels", what);
  const hits = new Array<number>(classes).fill(0);
  const asked = new Array<number>(classes).fill(0);
  const seen = new Array<number>(classes).fill(0);
  for (let i = 0; i < n; i++) {
    const best = argmaxRow(probs, i, classes);
    const want = requested[i]!;
    asked[want]!++;
    seen[best]!++;
    if (best === want) hits[want]!++;
  }
  const shares = seen.map((s) => s / n);
  return {
    perClassAccuracy: hits.map((h, c) => asked[c]! > 0 ? h / asked[c]! : NaN),
    shares,
    produced: shares.filter((s) => s >= 0.5 / classes).length,
  };
}

/** Rows per tile side of the distance kernel. */
const TILE = 4;

/** Copies `[n, dim]` into float64 padded with zero rows to a multiple of {@linkcode TILE}. */
function padded(x: HostArray, n: number, dim: number): { data: Float64Array; norms: Float64Array } {
  const rows = Math.ceil(n / TILE) * TILE;
  const data = new Float64Array(rows * dim);
  data.set(x.subarray(0, n * dim));
  const norms = new Float64Array(rows);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * dim; j < (i + 1) * dim; j++) s += data[j]! * data[j]!;
    norms[i] = s;
  }
  return { data, norms };
}

/**
 * Dot products of rows `i0..i0+3` of `x` with rows `j0..j0+3` of `y` into `out` (row-major
 * 4x4). Sixteen accumulators in registers: 8 loads per 16 multiply-adds.
 */
function dotTile(
  x: Float64Array,
  i0: number,
  y: Float64Array,
  j0: number,
  dim: number,
  out: Float64Array,
): void {
  const a0 = i0 * dim, a1 = a0 + dim, a2 = a1 + dim, a3 = a2 + dim;
  const b0 = j0 * dim, b1 = b0 + dim, b2 = b1 + dim, b3 = b2 + dim;
  let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
  let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
  for (let d = 0; d < dim; d++) {
    const p0 = x[a0 + d]!, p1 = x[a1 + d]!, p2 = x[a2 + d]!, p3 = x[a3 + d]!;
    const q0 = y[b0 + d]!, q1 = y[b1 + d]!, q2 = y[b2 + d]!, q3 = y[b3 + d]!;
    s00 += p0 * q0, s01 += p0 * q1, s02 += p0 * q2, s03 += p0 * q3;
    s10 += p1 * q0, s11 += p1 * q1, s12 += p1 * q2, s13 += p1 * q3;
    s20 += p2 * q0, s21 += p2 * q1, s22 += p2 * q2, s23 += p2 * q3;
    s30 += p3 * q0, s31 += p3 * q1, s32 += p3 * q2, s33 += p3 * q3;
  }
  out[0] = s00, out[1] = s01, out[2] = s02, out[3] = s03;
  out[4] = s10, out[5] = s11, out[6] = s12, out[7] = s13;
  out[8] = s20, out[9] = s21, out[10] = s22, out[11] = s23;
  out[12] = s30, out[13] = s31, out[14] = s32, out[15] = s33;
}

/** Inserts `d` into the ascending list of the k smallest distances at `knn[base..base+k)`. */
function insertNearest(knn: Float64Array, base: number, k: number, d: number): void {
  let pos = base + k - 1;
  if (!(d < knn[pos]!)) return;
  while (pos > base && knn[pos - 1]! > d) {
    knn[pos] = knn[pos - 1]!;
    pos--;
  }
  knn[pos] = d;
}

/** Squared distance of each row to its k-th nearest other row (the k-NN ball radii). */
function knnRadii(
  set: { data: Float64Array; norms: Float64Array },
  n: number,
  dim: number,
  k: number,
) {
  const { data, norms } = set;
  const rows = norms.length;
  const knn = new Float64Array(n * k).fill(Infinity);
  const dots = new Float64Array(TILE * TILE);
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    for (let j0 = i0; j0 < rows; j0 += TILE) {
      dotTile(data, i0, data, j0, dim, dots);
      for (let a = 0; a < TILE; a++) {
        const i = i0 + a;
        if (i >= n) break;
        for (let b = 0; b < TILE; b++) {
          const j = j0 + b;
          if (j >= n) break;
          if (j <= i) continue;
          const d = Math.max(0, norms[i]! + norms[j]! - 2 * dots[a * TILE + b]!);
          insertNearest(knn, i * k, k, d);
          insertNearest(knn, j * k, k, d);
        }
      }
    }
  }
  const radii = new Float64Array(Math.ceil(n / TILE) * TILE).fill(-Infinity);
  for (let i = 0; i < n; i++) radii[i] = knn[i * k + k - 1]!;
  return radii;
}

/**
 * Improved precision and recall (Kynkäänniemi et al. 2019). Each set's manifold is the union
 * of balls around its samples, of radius the distance to the sample's k-th nearest neighbour
 * in the same set (excluding itself). Precision is the share of generated samples inside the
 * real manifold (fidelity), recall the share of real samples inside the generated manifold
 * (coverage); a point on a ball's boundary is inside.
 *
 * Squared Euclidean distances are computed in 4x4 tiles as `|x|^2 + |y|^2 - 2 x.y` in float64;
 * a tile of the real-vs-generated pass is skipped once all its samples are known to be
 * inside. Worst case (disjoint sets) about 2.5 s for 5,000 x 5,000 at dim 128 on one core.
 *
 * @param real Real features `[nReal, dim]`.
 * @param nReal Real rows (more than k).
 * @param fake Generated features `[nFake, dim]`.
 * @param nFake Generated rows (more than k).
 * @param dim Feature size.
 * @param k Neighbourhood size (3 in the paper).
 * @returns Precision and recall in [0, 1].
 *
 * @example A generated set that covers only one of two real clusters
 * ```ts
 * import { precisionRecall } from "./metrics.ts";
 * const real = new Float32Array([0, 0, 0, 1, 1, 0, 9, 9, 9, 8, 8, 9]);
 * const fake = new Float32Array([0, 0.5, 0.5, 0, 0.5, 0.5, 0, 0]);
 * console.log(precisionRecall(real, 6, fake, 4, 2, 2)); // { precision: 1, recall: 0.5 }
 * ```
 */
export function precisionRecall(
  real: HostArray,
  nReal: number,
  fake: HostArray,
  nFake: number,
  dim: number,
  k = 3,
): PrecisionRecall {
  const what = "compute precision/recall";
  checkCount(k, "k", what);
  checkCount(dim, "dim", what);
  checkCount(nReal, "nReal", what, k + 1);
  checkCount(nFake, "nFake", what, k + 1);
  checkMatrix(real, nReal, dim, "real features", what);
  checkMatrix(fake, nFake, dim, "generated features", what);
  const r = padded(real, nReal, dim);
  const f = padded(fake, nFake, dim);
  for (const [set, name] of [[r, "real"], [f, "generated"]] as const) {
    for (const v of set.norms) checkFinite(v, `${name} features`, what);
  }
  const realRadii = knnRadii(r, nReal, dim, k);
  const fakeRadii = knnRadii(f, nFake, dim, k);

  // fakeInside[j]: generated j lies in some real ball; realInside[i]: real i in some generated
  // ball. Padding rows start as inside so that tiles at the edge can be skipped too.
  const fakeInside = new Uint8Array(f.norms.length).fill(1, nFake);
  const realInside = new Uint8Array(r.norms.length).fill(1, nReal);
  const dots = new Float64Array(TILE * TILE);
  for (let i0 = 0; i0 < r.norms.length; i0 += TILE) {
    for (let j0 = 0; j0 < f.norms.length; j0 += TILE) {
      if (
        realInside[i0]! & realInside[i0 + 1]! & realInside[i0 + 2]! & realInside[i0 + 3]! &
        fakeInside[j0]! & fakeInside[j0 + 1]! & fakeInside[j0 + 2]! & fakeInside[j0 + 3]!
      ) continue;
      dotTile(r.data, i0, f.data, j0, dim, dots);
      for (let a = 0; a < TILE; a++) {
        const i = i0 + a;
        for (let b = 0; b < TILE; b++) {
          const j = j0 + b;
          const d = Math.max(0, r.norms[i]! + f.norms[j]! - 2 * dots[a * TILE + b]!);
          if (d <= realRadii[i]!) fakeInside[j] = 1;
          if (d <= fakeRadii[j]!) realInside[i] = 1;
        }
      }
    }
  }
  let precision = 0;
  for (let j = 0; j < nFake; j++) precision += fakeInside[j]!;
  let recall = 0;
  for (let i = 0; i < nReal; i++) recall += realInside[i]!;
  return { precision: precision / nFake, recall: recall / nReal };
}
