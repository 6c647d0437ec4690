import assert from "node:assert/strict";
import {
  classCoverage,
  conditionalAccuracy,
  DEFAULT_FID_EPS,
  type FeatureStats,
  featureStats,
  fid,
  frechetDistance,
  inceptionScore,
  intraFid,
  precisionRecall,
} from "../../src/eval/metrics.ts";
import { fromEigen, symmetricEigen } from "../../src/eval/linalg.ts";

/** Deterministic standard normal values (Box-Muller on an LCG). */
function normal(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** `n` correlated features `[n, dim]`: `x = A z + shift`. */
function gaussianFeatures(n: number, dim: number, seed: number, shift = 0): Float32Array {
  const next = normal(seed);
  const mix = Float64Array.from({ length: dim * dim }, () => next() / Math.sqrt(dim));
  const x = new Float32Array(n * dim);
  const z = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) z[j] = next();
    for (let j = 0; j < dim; j++) {
      let s = shift + z[j]!;
      for (let k = 0; k < dim; k++) s += mix[j * dim + k]! * z[k]!;
      x[i * dim + j] = s;
    }
  }
  return x;
}

function stats(mean: number[], cov: number[], n = 1000): FeatureStats {
  return { mean: Float64Array.from(mean), cov: Float64Array.from(cov), n };
}

function close(actual: number, expected: number, tol: number, what = ""): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what} expected ${expected}, found ${actual} (tolerance ${tol})`,
  );
}

// Inception Score

Deno.test("inceptionScore() of confident, balanced predictions equals the number of classes", () => {
  const classes = 10;
  const n = 1000;
  const probs = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) probs[i * classes + (i % classes)] = 1;
  const { mean, std } = inceptionScore(probs, n, classes, 10);
  close(mean, classes, 1e-6);
  close(std, 0, 1e-9);
});

Deno.test("inceptionScore() of uniform predictions is 1", () => {
  const probs = new Float64Array(200 * 4).fill(0.25);
  const { mean, std } = inceptionScore(probs, 200, 4);
  close(mean, 1, 1e-12);
  close(std, 0, 1e-12);
});

Deno.test("inceptionScore() matches a hand-computed value", () => {
  // Rows [1, 0] and [0.5, 0.5]: p(y) = [0.75, 0.25].
  const kl1 = Math.log(1 / 0.75);
  const kl2 = 0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25);
  const { mean } = inceptionScore(new Float32Array([1, 0, 0.5, 0.5]), 2, 2, 1);
  close(mean, Math.exp((kl1 + kl2) / 2), 1e-12);
});

Deno.test("inceptionScore() reports the population std over consecutive splits", () => {
  // Split 1: confident and balanced (score 2); split 2: uniform (score 1).
  const probs = new Float32Array([1, 0, 0, 1, 0.5, 0.5, 0.5, 0.5]);
  const { mean, std } = inceptionScore(probs, 4, 2, 2);
  close(mean, 1.5, 1e-12);
  close(std, 0.5, 1e-12);
});

Deno.test("inceptionScore() rejects too few rows, bad rows and bad shapes", () => {
  const probs = new Float32Array(5 * 2).fill(0.5);
  assert.throws(
    () => inceptionScore(probs, 5, 2, 10),
    /Cannot compute the Inception Score: expected at least 10 rows \(one per split\), found 5/,
  );
  assert.throws(
    () => inceptionScore(new Float32Array([0.5, 0.5, 0.9, 0.3]), 2, 2, 1),
    /expected rows summing to 1, found 1\.\d+ in row 1/,
  );
  assert.throws(
    () => inceptionScore(new Float32Array([1.5, -0.5]), 1, 2, 1),
    /expected probabilities >= 0, found -0.5 in row 0/,
  );
  assert.throws(
    () => inceptionScore(probs, 4, 2, 2),
    /expected probs to hold 4x2 = 8 values, found 10/,
  );
});

// Feature statistics and FID

Deno.test("featureStats() computes the mean and unbiased covariance in float64", () => {
  const x = new Float32Array([1, 2, 3, 6, 5, 10]); // rows (1,2), (3,6), (5,10)
  const { mean, cov, n } = featureStats(x, 3, 2);
  assert.deepEqual([...mean], [3, 6]);
  // Centred rows (-2,-4), (0,0), (2,4): sums of products / (n - 1 = 2).
  assert.deepEqual([...cov], [4, 8, 8, 16]);
  assert.equal(n, 3);
  const wide = gaussianFeatures(37, 9, 4);
  const f64 = featureStats(Float64Array.from(wide), 37, 9);
  assert.deepEqual(featureStats(wide, 37, 9), f64);
});

Deno.test("featureStats() rejects bad shapes, one row and non-finite values", () => {
  assert.throws(
    () => featureStats(new Float32Array(7), 3, 2),
    /Cannot compute feature statistics: expected features to hold 3x2 = 6 values, found 7/,
  );
  assert.throws(
    () => featureStats(new Float32Array(2), 1, 2),
    /expected n to be an integer >= 2, found 1/,
  );
  assert.throws(
    () => featureStats(new Float32Array([1, NaN, 2, 3]), 2, 2),
    /expected finite features \(column 1 has a non-finite sum\)/,
  );
});

Deno.test("frechetDistance() of a set with itself is ~0", () => {
  const x = gaussianFeatures(500, 16, 1, 0.3);
  const s = featureStats(x, 500, 16);
  const { fid: d, eps } = frechetDistance(s, s);
  let scale = 0;
  for (let j = 0; j < 16; j++) scale += s.cov[j * 17]!;
  assert.ok(d >= 0 && d < 1e-6 * scale, `found ${d}`);
  assert.equal(eps, 0);
});

Deno.test("frechetDistance() matches the closed form for diagonal covariances", () => {
  const mu1 = [0, 1, -2, 0.5];
  const mu2 = [1, 1, 0, 0];
  const s1 = [1, 4, 0.25, 9];
  const s2 = [2, 1, 0.25, 0.01];
  const diag = (s: number[]) => s.flatMap((v, i) => s.map((_, j) => (i === j ? v : 0)));
  let expected = 0;
  for (let i = 0; i < 4; i++) {
    expected += (mu1[i]! - mu2[i]!) ** 2 + (Math.sqrt(s1[i]!) - Math.sqrt(s2[i]!)) ** 2;
  }
  const result = frechetDistance(stats(mu1, diag(s1)), stats(mu2, diag(s2)));
  close(result.fid, expected, 1e-12);
  assert.equal(result.eps, 0);
});

Deno.test("frechetDistance() matches a 2x2 non-diagonal case computed analytically", () => {
  // For 2x2 PSD S1, S2: Tr((S1 S2)^(1/2)) = sqrt(Tr(S1 S2) + 2 sqrt(det S1 det S2)).
  const s1 = [2, 0.8, 0.8, 1];
  const s2 = [1.5, -0.6, -0.6, 0.7];
  const trProduct = s1[0]! * s2[0]! + s1[1]! * s2[2]! + s1[2]! * s2[1]! + s1[3]! * s2[3]!;
  const det = (s: number[]) => s[0]! * s[3]! - s[1]! * s[2]!;
  const trRoot = Math.sqrt(trProduct + 2 * Math.sqrt(det(s1) * det(s2)));
  const expected = (1 - 0.2) ** 2 + (2 - 3) ** 2 + 3 + 2.2 - 2 * trRoot;
  const a = stats([1, 2], s1);
  const b = stats([0.2, 3], s2);
  close(frechetDistance(a, b).fid, expected, 1e-12);
  close(frechetDistance(b, a).fid, expected, 1e-12, "symmetric:");
});

Deno.test("frechetDistance() matches the closed form for commuting non-diagonal covariances", () => {
  // S1 = V diag(p) V^T, S2 = V diag(q) V^T share eigenvectors, so the distance is
  // |mu1 - mu2|^2 + sum (sqrt p - sqrt q)^2 whatever the rotation V.
  const dim = 20;
  const next = normal(61);
  const sym = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j <= i; j++) sym[i * dim + j] = sym[j * dim + i] = next();
  }
  const { vectors } = symmetricEigen(sym, dim);
  const p = Array.from({ length: dim }, () => Math.exp(next()));
  const q = Array.from({ length: dim }, () => Math.exp(next()));
  const rotated = (w: number[]) =>
    fromEigen({ values: Float64Array.from(w), vectors }, dim, (x) => x);
  const mu1 = Array.from({ length: dim }, next);
  const mu2 = Array.from({ length: dim }, next);
  let expected = 0;
  for (let i = 0; i < dim; i++) {
    expected += (mu1[i]! - mu2[i]!) ** 2 + (Math.sqrt(p[i]!) - Math.sqrt(q[i]!)) ** 2;
  }
  const a = { mean: Float64Array.from(mu1), cov: rotated(p), n: 100 };
  const b = { mean: Float64Array.from(mu2), cov: rotated(q), n: 100 };
  const result = frechetDistance(a, b);
  close(result.fid, expected, 1e-10 * expected);
  assert.equal(result.eps, 0);
});

Deno.test("fid() of two sample sets matches frechetDistance() of their statistics", () => {
  const a = gaussianFeatures(300, 8, 2);
  const b = gaussianFeatures(400, 8, 3, 0.5);
  const direct = frechetDistance(featureStats(a, 300, 8), featureStats(b, 400, 8));
  assert.deepEqual(fid(a, 300, b, 400, 8), direct);
  assert.ok(direct.fid > 8 * 0.5 ** 2 * 0.5, `a shift of 0.5 per dimension, found ${direct.fid}`);
});

Deno.test("frechetDistance() regularises when there are fewer samples than dimensions", () => {
  const dim = 32;
  const a = featureStats(gaussianFeatures(10, dim, 5), 10, dim);
  const b = featureStats(gaussianFeatures(12, dim, 6, 1), 12, dim);
  const result = frechetDistance(a, b);
  let traces = 0;
  for (let j = 0; j < dim; j++) traces += a.cov[j * (dim + 1)]! + b.cov[j * (dim + 1)]!;
  close(result.eps, DEFAULT_FID_EPS * traces / (2 * dim), 1e-18, "relative ridge:");
  assert.ok(Number.isFinite(result.fid) && result.fid > dim * 0.5, `found ${result.fid}`);
  const same = frechetDistance(a, a);
  assert.ok(same.eps > 0);
  let scale = 0;
  for (let j = 0; j < dim; j++) scale += a.cov[j * (dim + 1)]!;
  assert.ok(same.fid < 1e-6 * scale, `identical singular sets, found ${same.fid}`);
  close(frechetDistance(a, b, { eps: 1e-3 }).eps, 1e-3 * traces / (2 * dim), 1e-15);
  assert.equal(frechetDistance(a, b, { eps: 0 }).eps, 0);
});

Deno.test("frechetDistance() regularises a covariance with a dead (constant) feature", () => {
  const x = gaussianFeatures(200, 4, 7);
  for (let i = 0; i < 200; i++) x[i * 4 + 2] = 0;
  const y = gaussianFeatures(200, 4, 8);
  for (let i = 0; i < 200; i++) y[i * 4 + 2] = 0;
  const result = fid(x, 200, y, 200, 4);
  assert.ok(result.eps > 0 && result.eps < 1e-5, `found ${result.eps}`);
  // The dead feature adds nothing; the others are a shift-free pair of samples.
  const live = (z: Float32Array) => z.filter((_, k) => k % 4 !== 2);
  close(result.fid, fid(live(x), 200, live(y), 200, 3).fid, 1e-5);
});

Deno.test("frechetDistance() rejects mismatched statistics and a bad eps", () => {
  const a = stats([0, 0], [1, 0, 0, 1]);
  assert.throws(
    () => frechetDistance(a, stats([0, 0, 0], [1, 0, 0, 0, 1, 0, 0, 0, 1])),
    /Cannot compute the Fréchet distance: expected the second statistics with a mean of 2 and a covariance of 4 values, found 3 and 9/,
  );
  assert.throws(
    () => frechetDistance(a, stats([0, 0], [1, 0, 0, 1], 1)),
    /expected the second statistics.n to be an integer >= 2, found 1/,
  );
  assert.throws(
    () => frechetDistance(a, a, { eps: -1 }),
    /expected eps to be a finite number >= 0, found -1/,
  );
  assert.throws(
    () => frechetDistance(a, stats([0, 0], [1, 0, 0, -1])),
    /Fréchet distance: second covariance: expected a positive semi-definite matrix, found eigenvalue -1/,
  );
});

// Intra-FID

Deno.test("intraFid() computes the FID of each class separately", () => {
  const dim = 3;
  const x = gaussianFeatures(60, dim, 11);
  const y = gaussianFeatures(90, dim, 12, 0.4);
  const labels = Uint8Array.from({ length: 60 }, (_, i) => i % 3);
  const realLabels = Int32Array.from({ length: 90 }, (_, i) => (i * 7) % 3);
  const { perClass, mean, eps } = intraFid(x, labels, y, realLabels, dim, 3);
  const pick = (z: Float32Array, l: ArrayLike<number>, c: number) =>
    z.filter((_, k) => l[Math.floor(k / dim)] === c);
  for (let c = 0; c < 3; c++) {
    const expected = fid(pick(x, labels, c), 20, pick(y, realLabels, c), 30, dim).fid;
    close(perClass[c]!, expected, 1e-12, `class ${c}:`);
  }
  close(mean, (perClass[0]! + perClass[1]! + perClass[2]!) / 3, 1e-12);
  assert.equal(eps, 0);
  const same = intraFid(x, labels, x, labels, dim, 3);
  assert.ok(same.perClass.every((f) => f < 1e-9), `found ${same.perClass}`);
});

Deno.test("intraFid() rejects a class with too few rows and out-of-range labels", () => {
  const x = new Float32Array(8);
  assert.throws(
    () => intraFid(x, new Uint8Array([0, 0, 0, 1]), x, new Uint8Array([0, 1, 0, 1]), 2, 2),
    /Cannot compute intra-FID: expected at least 2 generated and 2 real rows of class 1, found 1 and 2/,
  );
  assert.throws(
    () => intraFid(x, new Uint8Array([0, 0, 1, 2]), x, new Uint8Array([0, 1, 0, 1]), 2, 2),
    /expected generated labels in \[0, 2\), found 2 at index 3/,
  );
  assert.throws(
    () => intraFid(x, new Uint8Array([0, 1, 0]), x, new Uint8Array([0, 1, 0, 1]), 2, 2),
    /expected generated features \(one row per label\) to hold 3x2 = 6 values, found 8/,
  );
});

// Conditional accuracy

Deno.test("conditionalAccuracy() counts rows whose argmax is the requested label", () => {
  const probs = new Float32Array([
    0.7,
    0.2,
    0.1, // argmax 0
    0.1,
    0.3,
    0.6, // argmax 2
    0.4,
    0.4,
    0.2, // tie: first (0)
    0.2,
    0.5,
    0.3, // argmax 1
  ]);
  assert.equal(conditionalAccuracy(probs, 4, 3, new Uint8Array([0, 2, 1, 1])), 0.75);
  assert.equal(conditionalAccuracy(probs, 4, 3, new Int32Array([0, 2, 0, 1])), 1);
  assert.equal(conditionalAccuracy(probs, 4, 3, new Int32Array([1, 1, 1, 0])), 0);
});

Deno.test("conditionalAccuracy() rejects a label count or value that does not fit", () => {
  const probs = new Float32Array(6).fill(0.5);
  assert.throws(
    () => conditionalAccuracy(probs, 3, 2, new Uint8Array(2)),
    /Cannot compute conditional accuracy: expected 3 requested labels, found 2/,
  );
  assert.throws(
    () => conditionalAccuracy(probs, 3, 2, new Int32Array([0, -1, 0])),
    /expected requested labels in \[0, 2\), found -1 at index 1/,
  );
});

// Precision and recall

/** Reference implementation: all pairwise distances, no tiling. */
function naivePrecisionRecall(
  real: Float32Array,
  fake: Float32Array,
  dim: number,
  k: number,
): { precision: number; recall: number } {
  const nReal = real.length / dim;
  const nFake = fake.length / dim;
  const d2 = (x: Float32Array, i: number, y: Float32Array, j: number) => {
    let s = 0;
    for (let t = 0; t < dim; t++) s += (x[i * dim + t]! - y[j * dim + t]!) ** 2;
    return s;
  };
  const radii = (x: Float32Array, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const ds = Array.from({ length: n }, (_, j) => d2(x, i, x, j)).filter((_, j) => j !== i);
      return ds.sort((p, q) => p - q)[k - 1]!;
    });
  const rReal = radii(real, nReal);
  const rFake = radii(fake, nFake);
  let precision = 0;
  for (let j = 0; j < nFake; j++) {
    if (rReal.some((r, i) => d2(real, i, fake, j) <= r)) precision++;
  }
  let recall = 0;
  for (let i = 0; i < nReal; i++) {
    if (rFake.some((r, j) => d2(real, i, fake, j) <= r)) recall++;
  }
  return { precision: precision / nFake, recall: recall / nReal };
}

Deno.test("precisionRecall() is 1 for identical sets", () => {
  const x = gaussianFeatures(101, 6, 21);
  assert.deepEqual(precisionRecall(x, 101, x, 101, 6), { precision: 1, recall: 1 });
});

Deno.test("precisionRecall() is 0 for far-apart sets", () => {
  const x = gaussianFeatures(50, 6, 22);
  const y = gaussianFeatures(70, 6, 23, 100);
  assert.deepEqual(precisionRecall(x, 50, y, 70, 6), { precision: 0, recall: 0 });
});

Deno.test("precisionRecall() matches a hand-checked 2-D case, boundary inside", () => {
  // k = 1. Real x: 0, 1, 5, 7 (squared radii 1, 1, 4, 4). Fake x: 0.5, 3, 10, 2.5.
  // Precision: 0.5 (in ball of 0), 3 (on the boundary of 5's ball) -> 2/4.
  // Fake squared radii: 0.5 -> 4, 3 -> 0.25, 10 -> 49, 2.5 -> 0.25; every real point is
  // inside the ball of 0.5 or of 10 -> recall 1.
  const real = new Float32Array([0, 0, 1, 0, 5, 0, 7, 0]);
  const fake = new Float32Array([0.5, 0, 3, 0, 10, 0, 2.5, 0]);
  assert.deepEqual(precisionRecall(real, 4, fake, 4, 2, 1), { precision: 0.5, recall: 1 });
  // Swapping the roles swaps the scores' meaning: real points covered -> precision 1.
  assert.deepEqual(precisionRecall(fake, 4, real, 4, 2, 1), { precision: 1, recall: 0.5 });
});

Deno.test("precisionRecall() flags mode collapse as high precision, low recall", () => {
  const real = gaussianFeatures(200, 2, 31);
  // All generated samples within a small region near the real mean.
  const fake = gaussianFeatures(60, 2, 32).map((v) => v * 0.05);
  const { precision, recall } = precisionRecall(real, 200, fake, 60, 2);
  assert.equal(precision, 1);
  assert.ok(recall < 0.2, `found recall ${recall}`);
});

Deno.test("precisionRecall() matches a brute-force reference on overlapping sets", () => {
  for (const [nReal, nFake, dim, k] of [[37, 41, 3, 3], [64, 30, 5, 2], [13, 9, 2, 4]]) {
    const real = gaussianFeatures(nReal!, dim!, 40 + nReal!);
    const fake = gaussianFeatures(nFake!, dim!, 50 + nFake!, 0.7);
    assert.deepEqual(
      precisionRecall(real, nReal!, fake, nFake!, dim!, k),
      naivePrecisionRecall(real, fake, dim!, k!),
      `nReal ${nReal}, nFake ${nFake}, dim ${dim}, k ${k}`,
    );
  }
});

Deno.test("precisionRecall() rejects too few samples for k and bad shapes", () => {
  const x = new Float32Array(3 * 2);
  assert.throws(
    () => precisionRecall(x, 3, x, 3, 2, 3),
    /Cannot compute precision\/recall: expected nReal to be an integer >= 4, found 3/,
  );
  assert.throws(
    () => precisionRecall(new Float32Array(10), 5, new Float32Array(11), 5, 2, 1),
    /expected generated features to hold 5x2 = 10 values, found 11/,
  );
  assert.throws(
    () => precisionRecall(new Float32Array([1, 2, NaN, 4]), 2, x, 3, 2, 1),
    /expected finite real features, found NaN/,
  );
});

Deno.test("classCoverage() counts the classes a collapsed generator still produces and scores each class", () => {
  // 10 classes requested 10 times each; the evaluator sees only classes 0, 1 and 2 (mode collapse).
  const n = 100;
  const probs = new Float32Array(n * 10);
  const requested = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    requested[i] = i % 10;
    probs[i * 10 + (i % 3)] = 1;
  }
  const collapsed = classCoverage(probs, n, 10, requested);
  assert.equal(collapsed.produced, 3);
  assert.deepEqual(collapsed.shares.slice(3), new Array(7).fill(0));
  // Class 0 samples are i = 0, 10, ..., 90: seen as class i % 3, right for i = 0, 30, 60, 90.
  assert.equal(collapsed.perClassAccuracy[0], 0.4);
  assert.equal(collapsed.perClassAccuracy[9], 0);
  // A generator the evaluator always agrees with covers all ten.
  probs.fill(0);
  for (let i = 0; i < n; i++) probs[i * 10 + requested[i]!] = 1;
  const perfect = classCoverage(probs, n, 10, requested);
  assert.equal(perfect.produced, 10);
  assert.deepEqual(perfect.perClassAccuracy, new Array(10).fill(1));
});
