/**
 * The 1-D toy of paper 004: points `(x, y)` with `x ~ N(0, 1)` and `y = 10 + x^2`, a joint
 * distribution on a parabola that a small MLP GAN should learn.
 *
 * @module
 */
import { mulberry32 } from "../rng.ts";

/**
 * Draws `n` toy points as rows `(x, 10 + x^2)`, seeded (Box-Muller on mulberry32).
 *
 * @param n Number of points.
 * @param seed Seed of the draw.
 * @returns Row-major `[n, 2]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleParabola } from "@cgan/cgan/internal";
 * const p = sampleParabola(3, 0);
 * assert.equal(p.length, 6); // 3 points (x, y)
 * assert.ok(Math.abs(p[1]! - 10 - p[0]! ** 2) < 1e-4); // y = 10 + x^2
 * ```
 */
export function sampleParabola(n: number, seed: number): Float32Array {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`Cannot sample ${n} toy points: expected a positive integer`);
  }
  const rand = mulberry32(seed);
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const u = 1 - rand(); // (0, 1]: log stays finite
    const x = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
    out[2 * i] = x;
    out[2 * i + 1] = 10 + x * x;
  }
  return out;
}

/** How far generated points are from the toy distribution. */
export interface ToyFit {
  /** Mean |y - (10 + x^2)|: 0 when every point lies on the parabola. */
  curveError: number;
  /** 1-D Wasserstein distance between the points' x and a standard normal sample. */
  xWasserstein: number;
}

/**
 * Scores generated points against the toy distribution.
 *
 * @param points Row-major `[n, 2]` generated points.
 * @param reference Real points (`sampleParabola`), at least `n` rows.
 * @returns Distance to the curve and of the x marginal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleParabola, toyFit } from "@cgan/cgan/internal";
 * const fit = toyFit(sampleParabola(500, 1), sampleParabola(500, 2));
 * assert.ok(fit.curveError < 1e-4);
 * assert.ok(fit.xWasserstein < 0.2);
 * ```
 */
export function toyFit(points: Float32Array, reference: Float32Array): ToyFit {
  const n = points.length / 2;
  if (!Number.isInteger(n) || n < 1 || reference.length < points.length) {
    throw new RangeError(
      `Cannot score toy points: expected [n, 2] points and at least n reference rows, found ` +
        `${points.length} and ${reference.length} values`,
    );
  }
  let curve = 0;
  const xs = new Float64Array(n);
  const rs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = points[2 * i]!;
    curve += Math.abs(points[2 * i + 1]! - 10 - x * x);
    xs[i] = x;
    rs[i] = reference[2 * i]!;
  }
  xs.sort();
  rs.sort();
  let w = 0;
  for (let i = 0; i < n; i++) w += Math.abs(xs[i]! - rs[i]!);
  return { curveError: curve / n, xWasserstein: w / n };
}
