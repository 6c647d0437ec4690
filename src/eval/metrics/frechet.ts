/**
 * Fréchet distance (FID, Heusel et al. 2017) and intra-FID (per class, Miyato & Koyama 2018)
 * over the evaluator's penultimate-layer features, in float64. cgan has no Inception weights
 * offline, so the distances are comparable between cgan runs only, not with published
 * Inception-based values.
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
} from "../linalg.ts";
import { checkCount, checkFinite, checkLabels, checkMatrix } from "./_checks.ts";
import type { HostArray, Labels } from "./_types.ts";

/** Mean and covariance of a set of feature vectors. */
export interface FeatureStats {
  /** Mean `[dim]`. */
  mean: Float64Array;
  /** Unbiased covariance `[dim, dim]` (divided by `n - 1`), row-major, exactly symmetric. */
  cov: Float64Array;
  /** Number of samples. */
  n: number;
}

/** Options of {@linkcode featureStats}. */
export interface FeatureStatsOptions {
  /** Number of rows (at least 2). */
  n: number;
  /** Feature size. */
  dim: number;
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

/** Options of {@linkcode fid}. */
export interface FidOptions {
  /** Rows of the first features (at least 2). */
  nA: number;
  /** Rows of the second features (at least 2). */
  nB: number;
  /** Feature size. */
  dim: number;
}

/** Features and the class of each row: one side of {@linkcode intraFid}. */
export interface LabelledFeatures {
  /** Features `[labels.length, dim]`, row-major. */
  features: HostArray;
  /** The class of each row. */
  labels: Labels;
}

/** Options of {@linkcode intraFid}. */
export interface IntraFidOptions {
  /** Feature size. */
  dim: number;
  /** Number of classes; each needs at least 2 rows on both sides. */
  classes: number;
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

/** Default relative ridge of {@linkcode frechetDistance}. */
export const DEFAULT_FID_EPS = 1e-6;
/** A covariance whose eigenvalues span more than `1 / RCOND` is regularised. */
const RCOND = 1e-8;
/** Negative FID up to this share of its scale (plus the square roots' error bound) is clamped. */
const FID_ROUNDOFF = 1e-9;

/**
 * Mean and unbiased covariance of feature vectors, in float64.
 *
 * @param features Features `[n, dim]`, row-major.
 * @param opts Rows (at least 2) and feature size.
 * @returns The statistics, ready for {@linkcode frechetDistance}.
 *
 * @example Two points in the plane
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureStats } from "@cgan/cgan/internal";
 * const { mean, cov } = featureStats(new Float32Array([0, 0, 2, 4]), { n: 2, dim: 2 });
 * assert.deepEqual([...mean], [1, 2]);
 * assert.deepEqual([...cov], [2, 4, 4, 8]);
 * ```
 */
export function featureStats(features: HostArray, opts: FeatureStatsOptions): FeatureStats {
  const { n, dim } = opts;
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
 * import assert from "node:assert/strict";
 * import { frechetDistance } from "@cgan/cgan/internal";
 * const cov = new Float64Array([1, 0, 0, 1]);
 * const a = { mean: new Float64Array([0, 0]), cov, n: 100 };
 * const b = { mean: new Float64Array([3, 0]), cov, n: 100 };
 * const { fid, eps } = frechetDistance(a, b);
 * assert.ok(Math.abs(fid - 9) < 1e-12);
 * assert.equal(eps, 0);
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
 * @param featuresA First features `[nA, dim]` (e.g. generated).
 * @param featuresB Second features `[nB, dim]` (e.g. real).
 * @param opts Rows of each set and the feature size.
 * @returns The distance and the ridge used, as {@linkcode frechetDistance}.
 *
 * @example A set against itself
 * ```ts
 * import assert from "node:assert/strict";
 * import { fid } from "@cgan/cgan";
 * const x = new Float32Array([0, 1, 2, 3, 5, 4]);
 * assert.ok(fid(x, x, { nA: 3, nB: 3, dim: 2 }).fid < 1e-12);
 * ```
 */
export function fid(featuresA: HostArray, featuresB: HostArray, opts: FidOptions): FrechetResult {
  const { nA, nB, dim } = opts;
  return frechetDistance(
    featureStats(featuresA, { n: nA, dim }),
    featureStats(featuresB, { n: nB, dim }),
  );
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
 * @param fake Generated features `[n, dim]` and the class each row was requested for.
 * @param real Real features `[nReal, dim]` and their true classes.
 * @param opts Feature size and number of classes; each class needs at least 2 rows on both
 *   sides.
 * @returns FID per class, their mean and the largest ridge used.
 *
 * @example Identical sets score 0 in every class
 * ```ts
 * import assert from "node:assert/strict";
 * import { intraFid } from "@cgan/cgan";
 * const set = {
 *   features: new Float32Array([0, 1, 2, 3, 5, 4, 7, 9]),
 *   labels: new Uint8Array([0, 1, 0, 1]),
 * };
 * const { perClass } = intraFid(set, set, { dim: 2, classes: 2 });
 * assert.ok(perClass.every((f) => f < 1e-6));
 * ```
 */
export function intraFid(
  fake: LabelledFeatures,
  real: LabelledFeatures,
  opts: IntraFidOptions,
): IntraFidResult {
  const { dim, classes } = opts;
  const what = "compute intra-FID";
  checkCount(dim, "dim", what);
  checkCount(classes, "classes", what);
  checkMatrix(
    fake.features,
    fake.labels.length,
    dim,
    "generated features (one row per label)",
    what,
  );
  checkMatrix(real.features, real.labels.length, dim, "real features (one row per label)", what);
  checkLabels(fake.labels, fake.labels.length, classes, "generated labels", what);
  checkLabels(real.labels, real.labels.length, classes, "real labels", what);
  const perClass: number[] = [];
  let eps = 0;
  for (let c = 0; c < classes; c++) {
    const gen = rowsOfClass(fake.features, fake.labels, dim, c);
    const ref = rowsOfClass(real.features, real.labels, dim, c);
    const nGen = gen.length / dim;
    const nReal = ref.length / dim;
    if (nGen < 2 || nReal < 2) {
      throw new RangeError(
        `Cannot ${what}: expected at least 2 generated and 2 real rows of class ${c}, found ${nGen} and ${nReal}`,
      );
    }
    const result = frechetDistance(
      featureStats(gen, { n: nGen, dim }),
      featureStats(ref, { n: nReal, dim }),
    );
    perClass.push(result.fid);
    eps = Math.max(eps, result.eps);
  }
  return { perClass, mean: perClass.reduce((x, y) => x + y, 0) / classes, eps };
}
