import assert from "node:assert/strict";
import {
  ADAM_SIMD_MODULE,
  adamLoop,
  type AdamPointers,
} from "../../../src/backend/wasm/adam_simd.ts";

const K = {
  step: 0.01 / (1 - 0.5 ** 3),
  inv2: 1 / (1 - 0.999 ** 3),
  beta1: 0.5,
  beta2: 0.999,
  epsilon: 1e-7,
};

/** A memory holding value, m, v and gradient of `n` elements at odd offsets, and room for outputs. */
function heapWith(n: number, seed: number) {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const heap = new Float32Array(memory.buffer);
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  // Offsets 4 bytes past a 16-byte boundary: the SIMD loads must not need alignment.
  const base = (k: number) => 4 + k * 16 * Math.ceil((n + 1) / 4);
  const p: AdamPointers = {
    x: base(0),
    m: base(1),
    v: base(2),
    g: base(3),
    xo: base(4),
    mo: base(5),
    vo: base(6),
  };
  for (let i = 0; i < n; i++) {
    heap[p.x / 4 + i] = rand() * 3;
    heap[p.m / 4 + i] = rand() * 0.1;
    heap[p.v / 4 + i] = Math.abs(rand()) * 0.01;
    heap[p.g / 4 + i] = rand() * (i % 5 === 0 ? 1e-6 : 1);
  }
  return { memory, heap, p };
}

const outputs = (heap: Float32Array, p: AdamPointers, n: number) =>
  [p.xo, p.mo, p.vo].map((b) => Array.from(heap.subarray(b / 4, b / 4 + n)));

Deno.test("the Adam SIMD module validates on this engine", () => {
  assert.ok(WebAssembly.validate(ADAM_SIMD_MODULE));
});

Deno.test("Adam's SIMD loop gives the scalar loop's bits, tails included, and follows Adam's formula", () => {
  for (const n of [0, 1, 3, 4, 5, 8, 17, 64, 103]) {
    const a = heapWith(n, n + 1);
    const b = heapWith(n, n + 1);
    adamLoop(a.memory, () => a.heap)(a.p, n, K);
    adamLoop(undefined, () => new Float32Array(b.memory.buffer))(b.p, n, K);
    const [simd, scalar] = [outputs(a.heap, a.p, n), outputs(b.heap, b.p, n)];
    assert.deepEqual(simd, scalar, `n = ${n}`);
    // Against the formula in float64.
    for (let i = 0; i < n; i++) {
      const at = (ptr: number) => a.heap[ptr / 4 + i]!;
      const g = at(a.p.g);
      const m1 = K.beta1 * at(a.p.m) + (1 - K.beta1) * g;
      const v1 = K.beta2 * at(a.p.v) + (1 - K.beta2) * g * g;
      const x1 = at(a.p.x) - K.step * m1 / (Math.sqrt(v1 * K.inv2) + K.epsilon);
      assert.ok(Math.abs(simd[1]![i]! - m1) <= 1e-6 * Math.max(1e-3, Math.abs(m1)), `m[${i}]`);
      assert.ok(Math.abs(simd[2]![i]! - v1) <= 1e-6 * Math.max(1e-6, Math.abs(v1)), `v[${i}]`);
      assert.ok(Math.abs(simd[0]![i]! - x1) <= 1e-6 * Math.max(1, Math.abs(x1)), `x[${i}]`);
    }
    // Nothing past the n-th element is written.
    assert.equal(a.heap[a.p.xo / 4 + n], 0);
  }
});
