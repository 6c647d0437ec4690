import assert from "node:assert/strict";
import {
  clampPsdEigenvalues,
  fromEigen,
  matmul,
  sqrtmPsd,
  symmetricEigen,
  symmetricEigenvalues,
  trace,
} from "../../src/eval/linalg.ts";

/** Deterministic uniform values in [-0.5, 0.5). */
function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function randomSymmetric(n: number, seed: number): Float64Array {
  const next = uniform(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = next();
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  return a;
}

/** `B B^T` for a random `[n, rank]` matrix B: PSD with the given rank. */
function randomPsd(n: number, rank: number, seed: number): Float64Array {
  const next = uniform(seed);
  const b = Float64Array.from({ length: n * rank }, next);
  const bt = new Float64Array(rank * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < rank; j++) bt[j * n + i] = b[i * rank + j]!;
  return matmul(b, bt, n, rank, n);
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function transpose(a: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j]!;
  return t;
}

function identity(n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = 1;
  return a;
}

for (const n of [1, 2, 5, 50]) {
  Deno.test(`symmetricEigen() reconstructs a random symmetric ${n}x${n} matrix with orthonormal V`, () => {
    const a = randomSymmetric(n, 17 + n);
    const { values, vectors } = symmetricEigen(a, n);
    const scaled = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) scaled[i * n + j] = vectors[i * n + j]! * values[j]!;
    }
    const vt = transpose(vectors, n);
    assert.ok(maxAbsDiff(matmul(scaled, vt, n, n, n), a) < 1e-12);
    assert.ok(maxAbsDiff(matmul(vt, vectors, n, n, n), identity(n)) < 1e-12);
    for (let i = 1; i < n; i++) assert.ok(values[i - 1]! <= values[i]!, "ascending order");
  });
}

Deno.test("symmetricEigen() finds the known eigenpairs of a 2x2 matrix", () => {
  const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
  assert.ok(Math.abs(values[0]! - 1) < 1e-15 && Math.abs(values[1]! - 3) < 1e-15);
  // Eigenvector of 3 is (1, 1)/sqrt 2 up to sign: second column.
  assert.ok(Math.abs(Math.abs(vectors[1]!) - Math.SQRT1_2) < 1e-15);
  assert.ok(Math.abs(vectors[1]! - vectors[3]!) < 1e-15);
});

Deno.test("symmetricEigen() handles repeated eigenvalues, diagonal and zero matrices", () => {
  const diag = new Float64Array([3, 0, 0, 0, -1, 0, 0, 0, 3]);
  assert.deepEqual([...symmetricEigen(diag, 3).values], [-1, 3, 3]);
  const zero = symmetricEigen(new Float64Array(16), 4);
  assert.deepEqual([...zero.values], [0, 0, 0, 0]);
  assert.ok(
    maxAbsDiff(matmul(transpose(zero.vectors, 4), zero.vectors, 4, 4, 4), identity(4)) < 1e-15,
  );
  // Rank one: u u^T with u = (1, 2, 2) has eigenvalues 0, 0, 9.
  const u = [1, 2, 2];
  const rank1 = Float64Array.from({ length: 9 }, (_, k) => u[Math.floor(k / 3)]! * u[k % 3]!);
  const w = symmetricEigen(rank1, 3).values;
  assert.ok(Math.abs(w[0]!) < 1e-14 && Math.abs(w[1]!) < 1e-14 && Math.abs(w[2]! - 9) < 1e-13);
});

Deno.test("symmetricEigen() converges on a 128x128 matrix of rank 19 (109 zero eigenvalues)", () => {
  // Like the covariance of 20 samples of 128 features: a relative-only deflation test stalls
  // on the cluster of zero eigenvalues.
  const n = 128;
  const a = randomPsd(n, 19, 4);
  const { values, vectors } = symmetricEigen(a, n);
  const scaled = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) scaled[i * n + j] = vectors[i * n + j]! * values[j]!;
  }
  assert.ok(maxAbsDiff(matmul(scaled, transpose(vectors, n), n, n, n), a) < 1e-12);
  const zeros = values.filter((w) => Math.abs(w) < 1e-12 * values[n - 1]!).length;
  assert.equal(zeros, n - 19);
});

Deno.test("symmetricEigenvalues() matches symmetricEigen() values", () => {
  const a = randomSymmetric(30, 5);
  assert.ok(maxAbsDiff(symmetricEigenvalues(a, 30), symmetricEigen(a, 30).values) < 1e-13);
});

Deno.test("symmetricEigen() leaves its input unchanged", () => {
  const a = randomSymmetric(6, 9);
  const copy = Float64Array.from(a);
  symmetricEigen(a, 6);
  symmetricEigenvalues(a, 6);
  assert.deepEqual(a, copy);
});

Deno.test("symmetricEigen() rejects bad shapes, asymmetric and non-finite matrices", () => {
  assert.throws(
    () => symmetricEigen(new Float64Array(5), 2),
    /Cannot compute the eigen-decomposition: expected 4 values for a 2x2 matrix, found 5/,
  );
  assert.throws(
    () => symmetricEigen(new Float64Array(0), 0),
    /expected a positive integer size n, found 0/,
  );
  assert.throws(
    () => symmetricEigen(new Float64Array([1, 2, 3, 4]), 2),
    /expected a symmetric matrix, found a\[1\]\[0\] = 3 but a\[0\]\[1\] = 2/,
  );
  assert.throws(
    () => symmetricEigenvalues(new Float64Array([1, NaN, NaN, 1]), 2),
    /Cannot compute the eigenvalues: expected finite values, found NaN at \(0, 1\)/,
  );
});

for (const [n, rank] of [[1, 1], [3, 3], [20, 20], [20, 5]] as const) {
  Deno.test(`sqrtmPsd() squares back to a ${n}x${n} PSD matrix of rank ${rank}`, () => {
    const a = randomPsd(n, rank, 100 + n + rank);
    const root = sqrtmPsd(a, n);
    assert.ok(maxAbsDiff(matmul(root, root, n, n, n), a) < 1e-12);
    assert.deepEqual(root, transpose(root, n), "exactly symmetric");
    for (const w of symmetricEigenvalues(root, n)) assert.ok(w > -1e-7, `PSD root, found ${w}`);
  });
}

Deno.test("sqrtmPsd() rejects an indefinite matrix", () => {
  assert.throws(
    () => sqrtmPsd(new Float64Array([1, 0, 0, -1]), 2),
    /Cannot compute the square root of a PSD matrix: expected a positive semi-definite matrix, found eigenvalue -1/,
  );
});

Deno.test("clampPsdEigenvalues() zeroes round-off negatives only", () => {
  assert.deepEqual([...clampPsdEigenvalues(new Float64Array([-1e-14, 0.5, 10]), "x")], [
    0,
    0.5,
    10,
  ]);
  assert.throws(() => clampPsdEigenvalues(new Float64Array([-1e-6, 10]), "do x"), /Cannot do x/);
});

Deno.test("fromEigen() applies a function to the eigenvalues", () => {
  const a = randomPsd(8, 8, 3);
  const inv = fromEigen(symmetricEigen(a, 8), 8, (w) => 1 / w);
  assert.ok(maxAbsDiff(matmul(a, inv, 8, 8, 8), identity(8)) < 1e-9);
  assert.throws(
    () => fromEigen({ values: new Float64Array(2), vectors: new Float64Array(3) }, 2, Math.sqrt),
    /expected 2 eigenvalues and 4 eigenvector values, found 2 and 3/,
  );
});

Deno.test("matmul() multiplies rectangular matrices and rejects mismatched shapes", () => {
  const a = new Float64Array([1, 2, 3, 4, 5, 6]); // [2, 3]
  const b = new Float64Array([1, 0, 0, 1, 1, 1]); // [3, 2]
  assert.deepEqual([...matmul(a, b, 2, 3, 2)], [4, 5, 10, 11]);
  assert.throws(
    () => matmul(a, b, 3, 2, 2),
    /Cannot multiply matrices: expected 3x2 and 2x2 \(6 and 4 values\), found 6 and 6 values/,
  );
  assert.throws(() => matmul(a, b, 2, 3, 1.5), /expected a positive integer n, found 1.5/);
});

Deno.test("trace() sums the diagonal", () => {
  assert.equal(trace(new Float64Array([1, 9, 9, 9, 2, 9, 9, 9, 3]), 3), 6);
  assert.throws(() => trace(new Float64Array(3), 2), /Cannot compute the trace: expected 4 values/);
});
