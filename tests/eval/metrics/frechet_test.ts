import assert from "node:assert/strict";
import {
  DEFAULT_FID_EPS,
  type FeatureStats,
  featureStats,
  fid,
  frechetDistance,
  intraFid,
} from "../../../src/eval/metrics/frechet.ts";
import { fromEigen, symmetricEigen } from "../../../src/eval/linalg.ts";
import { close, gaussianFeatures, normal } from "./_helpers.ts";

function stats(mean: number[], cov: number[], n = 1000): FeatureStats {
  return { mean: Float64Array.from(mean), cov: Float64Array.from(cov), n };
}

// Feature statistics and FID

Deno.test("featureStats() computes the mean and unbiased covariance in float64", () => {
  const x = new Float32Array([1, 2, 3, 6, 5, 10]); // rows (1,2), (3,6), (5,10)
  const { mean, cov, n } = featureStats(x, { n: 3, dim: 2 });
  assert.deepEqual([...mean], [3, 6]);
  // Centred rows (-2,-4), (0,0), (2,4): sums of products / (n - 1 = 2).
  assert.deepEqual([...cov], [4, 8, 8, 16]);
  assert.equal(n, 3);
  const wide = gaussianFeatures(37, 9, 4);
  const f64 = featureStats(Float64Array.from(wide), { n: 37, dim: 9 });
  assert.deepEqual(featureStats(wide, { n: 37, dim: 9 }), f64);
});

Deno.test("featureStats() rejects bad shapes, one row and non-finite values", () => {
  assert.throws(
    () => featureStats(new Float32Array(7), { n: 3, dim: 2 }),
    /Cannot compute feature statistics: expected features to hold 3x2 = 6 values, found 7/,
  );
  assert.throws(
    () => featureStats(new Float32Array(2), { n: 1, dim: 2 }),
    /expected n to be an integer >= 2, found 1/,
  );
  assert.throws(
    () => featureStats(new Float32Array([1, NaN, 2, 3]), { n: 2, dim: 2 }),
    /expected finite features \(column 1 has a non-finite sum\)/,
  );
});

Deno.test("frechetDistance() of a set with itself is ~0", () => {
  const x = gaussianFeatures(500, 16, 1, 0.3);
  const s = featureStats(x, { n: 500, dim: 16 });
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
  const direct = frechetDistance(
    featureStats(a, { n: 300, dim: 8 }),
    featureStats(b, { n: 400, dim: 8 }),
  );
  assert.deepEqual(fid(a, b, { nA: 300, nB: 400, dim: 8 }), direct);
  assert.ok(direct.fid > 8 * 0.5 ** 2 * 0.5, `a shift of 0.5 per dimension, found ${direct.fid}`);
});

Deno.test("frechetDistance() regularises when there are fewer samples than dimensions", () => {
  const dim = 32;
  const a = featureStats(gaussianFeatures(10, dim, 5), { n: 10, dim });
  const b = featureStats(gaussianFeatures(12, dim, 6, 1), { n: 12, dim });
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
  const result = fid(x, y, { nA: 200, nB: 200, dim: 4 });
  assert.ok(result.eps > 0 && result.eps < 1e-5, `found ${result.eps}`);
  // The dead feature adds nothing; the others are a shift-free pair of samples.
  const live = (z: Float32Array) => z.filter((_, k) => k % 4 !== 2);
  close(result.fid, fid(live(x), live(y), { nA: 200, nB: 200, dim: 3 }).fid, 1e-5);
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
  const { perClass, mean, eps } = intraFid(
    { features: x, labels },
    { features: y, labels: realLabels },
    { dim, classes: 3 },
  );
  const pick = (z: Float32Array, l: ArrayLike<number>, c: number) =>
    z.filter((_, k) => l[Math.floor(k / dim)] === c);
  for (let c = 0; c < 3; c++) {
    const expected = fid(pick(x, labels, c), pick(y, realLabels, c), { nA: 20, nB: 30, dim }).fid;
    close(perClass[c]!, expected, 1e-12, `class ${c}:`);
  }
  close(mean, (perClass[0]! + perClass[1]! + perClass[2]!) / 3, 1e-12);
  assert.equal(eps, 0);
  const same = intraFid({ features: x, labels }, { features: x, labels }, { dim, classes: 3 });
  assert.ok(same.perClass.every((f) => f < 1e-9), `found ${same.perClass}`);
});

Deno.test("intraFid() rejects a class with too few rows and out-of-range labels", () => {
  const x = new Float32Array(8);
  const labelled = (labels: number[]) => ({ features: x, labels: Uint8Array.from(labels) });
  const sizes = { dim: 2, classes: 2 };
  assert.throws(
    () => intraFid(labelled([0, 0, 0, 1]), labelled([0, 1, 0, 1]), sizes),
    /Cannot compute intra-FID: expected at least 2 generated and 2 real rows of class 1, found 1 and 2/,
  );
  assert.throws(
    () => intraFid(labelled([0, 0, 1, 2]), labelled([0, 1, 0, 1]), sizes),
    /expected generated labels in \[0, 2\), found 2 at index 3/,
  );
  assert.throws(
    () => intraFid(labelled([0, 1, 0]), labelled([0, 1, 0, 1]), sizes),
    /expected generated features \(one row per label\) to hold 3x2 = 6 values, found 8/,
  );
});
