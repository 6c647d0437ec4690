/**
 * Shared fixtures of the metric tests: deterministic Gaussian features and a tolerance check.
 *
 * @module
 */
import assert from "node:assert/strict";

/** Deterministic standard normal values (Box-Muller on an LCG). */
export function normal(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** `n` correlated features `[n, dim]`: `x = A z + shift`. */
export function gaussianFeatures(n: number, dim: number, seed: number, shift = 0): Float32Array {
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

/** Asserts `|actual - expected| <= tol`, prefixing the message with `what`. */
export function close(actual: number, expected: number, tol: number, what = ""): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what} expected ${expected}, found ${actual} (tolerance ${tol})`,
  );
}
