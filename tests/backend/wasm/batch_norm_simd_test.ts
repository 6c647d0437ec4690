import assert from "node:assert/strict";
import { batchNormSimd } from "../../../src/backend/wasm/batch_norm_simd.ts";

/** A memory with x and dy [rows, c] and per-channel inputs at 8-byte aligned offsets. */
function setup(rows: number, c: number, seed: number) {
  const memory = new WebAssembly.Memory({ initial: 4 });
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  let next = 8;
  const f32 = (n: number, fill: () => number) => {
    const a = new Float32Array(memory.buffer, next, n);
    a.forEach((_, i) => a[i] = fill());
    next += 8 * Math.ceil(n / 2);
    return a;
  };
  const f64 = (n: number) => {
    const a = new Float64Array(memory.buffer, next, n);
    next += 8 * n;
    return a;
  };
  return {
    memory,
    x: f32(rows * c, () => 3 * rand() + 1),
    dy: f32(rows * c, rand),
    mean: f32(c, () => rand() + 1),
    beta: f32(c, rand),
    gamma: f32(c, () => 1 + 0.5 * rand()),
    y: f32(rows * c, () => 0),
    dx: f32(rows * c, () => 0),
    f64,
  };
}

Deno.test("BatchNorm's SIMD passes give the JavaScript loops' bits", () => {
  for (const [rows, c] of [[1, 2], [7, 6], [64, 32], [33, 10]] as const) {
    const m = setup(rows, c, rows * 100 + c);
    const simd = batchNormSimd(m.memory)!;
    assert.ok(simd !== null);
    const [acc, scale, r, sumDy, sumDyXhat, k, mm] = [0, 1, 2, 3, 4, 5, 6].map(() => m.f64(c));
    // Forward sums.
    acc!.fill(0);
    simd.sums(rows, c, m.x.byteOffset, acc!.byteOffset);
    const want = new Float64Array(c);
    for (let i = 0; i < rows; i++) for (let j = 0; j < c; j++) want[j]! += m.x[i * c + j]!;
    assert.deepEqual(acc, want, `sums ${rows}x${c}`);
    acc!.fill(0);
    simd.squares(rows, c, m.x.byteOffset, m.mean.byteOffset, acc!.byteOffset);
    want.fill(0);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < c; j++) {
        const d = Math.fround(m.x[i * c + j]! - m.mean[j]!);
        want[j]! += Math.fround(d * d);
      }
    }
    assert.deepEqual(acc, want, `squares ${rows}x${c}`);
    for (let j = 0; j < c; j++) scale![j] = m.gamma[j]! / Math.sqrt(0.5 + j + 1e-3);
    simd.normalize(
      rows,
      c,
      m.x.byteOffset,
      m.mean.byteOffset,
      scale!.byteOffset,
      m.beta.byteOffset,
      m.y.byteOffset,
    );
    const y = new Float32Array(rows * c);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < c; j++) {
        y[i * c + j] = (m.x[i * c + j]! - m.mean[j]!) * scale![j]! + m.beta[j]!;
      }
    }
    assert.deepEqual(m.y, y, `normalize ${rows}x${c}`);
    // Backward.
    for (let j = 0; j < c; j++) r![j] = 1 / Math.sqrt(0.7 + j);
    sumDy!.fill(0);
    sumDyXhat!.fill(0);
    const at = (a: { byteOffset: number }) => a.byteOffset;
    simd.gradSums(rows, c, at(m.x), at(m.dy), at(m.mean), at(r!), at(sumDy!), at(sumDyXhat!));
    const [s1, s2] = [new Float64Array(c), new Float64Array(c)];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < c; j++) {
        const g = m.dy[i * c + j]!;
        s1[j]! += g;
        s2[j]! += g * (m.x[i * c + j]! - m.mean[j]!) * r![j]!;
      }
    }
    assert.deepEqual([sumDy, sumDyXhat], [s1, s2], `gradSums ${rows}x${c}`);
    for (let j = 0; j < c; j++) {
      k![j] = m.gamma[j]! * r![j]!;
      mm![j] = sumDy![j]! / rows;
    }
    simd.gradApply(rows, c, {
      x: at(m.x),
      dy: at(m.dy),
      dx: at(m.dx),
      mean: at(m.mean),
      r: at(r!),
      k: at(k!),
      m: at(mm!),
      s: at(sumDyXhat!),
    });
    const dx = new Float32Array(rows * c);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < c; j++) {
        const xhat = (m.x[i * c + j]! - m.mean[j]!) * r![j]!;
        dx[i * c + j] = m.gamma[j]! * r![j]! *
          (m.dy[i * c + j]! - sumDy![j]! / rows - xhat * sumDyXhat![j]! / rows);
      }
    }
    assert.deepEqual(m.dx, dx, `gradApply ${rows}x${c}`);
  }
});

Deno.test("batchNormSimd() caches per memory and is null without one", () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  assert.equal(batchNormSimd(memory), batchNormSimd(memory));
  assert.equal(batchNormSimd(undefined), null);
});
