/**
 * Adam's element loop in WebAssembly SIMD, four float32 lanes at a time, on tfjs-backend-wasm's
 * own heap: the module imports the backend's memory, so it reads value, moments and gradient
 * where they are and writes the three new tensors in place of a JavaScript loop (about 7 ns an
 * element on this project's 2-core machine, a third of an MLP step).
 *
 * Every operation rounds to float32, as tfjs's 13-kernel Adam does; the scalar tail (fewer than
 * four elements) rounds each operation the same way with `Math.fround`, so every element gets
 * the same bits whichever path computed it, and without SIMD (an engine that rejects the module)
 * the whole update takes that path.
 *
 * @module
 */
import { instantiateOn, kernelModule, loopBelow, OP, VALTYPE } from "./_wasm_binary.ts";

/** Byte offsets of the tensors of one update on the heap (each `n` float32s). */
export interface AdamPointers {
  /** Value, first moment, second moment and gradient, read. */
  x: number;
  m: number;
  v: number;
  g: number;
  /** New value and moments, written. */
  xo: number;
  mo: number;
  vo: number;
}

/** The per-update constants, already folded: `step = lr / c1`, `inv2 = 1 / c2`. */
export interface AdamConstants {
  step: number;
  inv2: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Runs one Adam update of `n` elements on a heap. */
export type AdamLoop = (p: AdamPointers, n: number, k: AdamConstants) => void;

// Parameters: 0-6 the pointers x, m, v, g, xo, mo, vo; 7 the byte length of the SIMD part;
// 8-14 step, inv2, beta1, beta2, 1 - beta1, 1 - beta2, epsilon. Locals: 15 the byte offset i;
// 16-22 the seven constants splat to four lanes; 23-25 the gradient and new moments.
const [X, M, V, G, XO, MO, VO, END] = [0, 1, 2, 3, 4, 5, 6, 7];
const [I, S, INV2, B1, B2, A1, A2, EPS, GI, M1, V1] = [15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25];

const at = (ptr: number) => [...OP.localGet(ptr), ...OP.localGet(I), ...OP.i32Add];
const load = (ptr: number) => [...at(ptr), ...OP.v128Load];
const get = OP.localGet;

const BODY = [
  // Splat the constants once.
  ...[8, 9, 10, 11, 12, 13, 14].flatMap((
    p,
    j,
  ) => [...get(p), ...OP.f32x4Splat, ...OP.localSet(S + j)]),
  ...loopBelow(I, END, 16, [
    // g
    ...load(G),
    ...OP.localSet(GI),
    // m' = beta1 m + (1 - beta1) g
    ...get(B1),
    ...load(M),
    ...OP.f32x4Mul,
    ...get(A1),
    ...get(GI),
    ...OP.f32x4Mul,
    ...OP.f32x4Add,
    ...OP.localSet(M1),
    // v' = beta2 v + ((1 - beta2) g) g
    ...get(B2),
    ...load(V),
    ...OP.f32x4Mul,
    ...get(A2),
    ...get(GI),
    ...OP.f32x4Mul,
    ...get(GI),
    ...OP.f32x4Mul,
    ...OP.f32x4Add,
    ...OP.localSet(V1),
    ...at(MO),
    ...get(M1),
    ...OP.v128Store,
    ...at(VO),
    ...get(V1),
    ...OP.v128Store,
    // x' = x - (step m') / (sqrt(v' inv2) + epsilon)
    ...at(XO),
    ...load(X),
    ...get(S),
    ...get(M1),
    ...OP.f32x4Mul,
    ...get(V1),
    ...get(INV2),
    ...OP.f32x4Mul,
    ...OP.f32x4Sqrt,
    ...get(EPS),
    ...OP.f32x4Add,
    ...OP.f32x4Div,
    ...OP.f32x4Sub,
    ...OP.v128Store,
  ]),
];

/** The module's bytes (exported for its test). */
export const ADAM_SIMD_MODULE: Uint8Array<ArrayBuffer> = kernelModule({
  name: "adam",
  params: [...Array(8).fill(VALTYPE.i32), ...Array(7).fill(VALTYPE.f32)],
  locals: [VALTYPE.i32, ...Array(10).fill(VALTYPE.v128)],
  body: BODY,
});

const f = Math.fround;

/**
 * The update of elements `[from, n)` in JavaScript, each operation rounded to float32 as the
 * SIMD lanes round it.
 */
function scalarUpdate(
  heap: Float32Array,
  p: AdamPointers,
  from: number,
  n: number,
  k: AdamConstants,
) {
  const [s, inv2, b1, b2, e] = [f(k.step), f(k.inv2), f(k.beta1), f(k.beta2), f(k.epsilon)];
  const [a1, a2] = [f(1 - k.beta1), f(1 - k.beta2)];
  const [x, m, v, g, xo, mo, vo] = [p.x, p.m, p.v, p.g, p.xo, p.mo, p.vo].map((b) => b >> 2);
  for (let i = from; i < n; i++) {
    const gi = heap[g! + i]!;
    const m1 = f(f(b1 * heap[m! + i]!) + f(a1 * gi));
    const v1 = f(f(b2 * heap[v! + i]!) + f(f(a2 * gi) * gi));
    heap[mo! + i] = m1;
    heap[vo! + i] = v1;
    heap[xo! + i] = f(heap[x! + i]! - f(f(s * m1) / f(f(Math.sqrt(f(v1 * inv2))) + e)));
  }
}

const LOOPS = new WeakMap<WebAssembly.Memory, AdamLoop>();

/**
 * The Adam loop for a heap: SIMD where the engine compiles the module, else the scalar loop
 * (same bits). Cached per memory.
 *
 * @param memory tfjs-backend-wasm's memory (its `wasm.asm.memory`), or undefined where the
 *   build does not expose it (the scalar loop then reads the heap through `heap()`).
 * @param heap The heap as float32s, taken afresh (a grown memory detaches old views).
 * @returns The loop.
 */
export function adamLoop(
  memory: WebAssembly.Memory | undefined,
  heap: () => Float32Array,
): AdamLoop {
  const scalar: AdamLoop = (p, n, k) => scalarUpdate(heap(), p, 0, n, k);
  if (memory === undefined) return scalar;
  const cached = LOOPS.get(memory);
  if (cached !== undefined) return cached;
  // Checked once per memory (a loop is asked for on every variable of every step).
  const fns = instantiateOn(memory, [[ADAM_SIMD_MODULE, "adam"]]);
  if (fns === null) return scalar;
  const adam = fns[0]!;
  const loop: AdamLoop = (p, n, k) => {
    const simd = n & ~3;
    adam(
      p.x,
      p.m,
      p.v,
      p.g,
      p.xo,
      p.mo,
      p.vo,
      simd * 4,
      k.step,
      k.inv2,
      k.beta1,
      k.beta2,
      1 - k.beta1,
      1 - k.beta2,
      k.epsilon,
    );
    if (simd < n) scalarUpdate(new Float32Array(memory.buffer), p, simd, n, k);
  };
  LOOPS.set(memory, loop);
  return loop;
}
