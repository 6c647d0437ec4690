/**
 * LeakyReLU's forward and backward loops in WebAssembly SIMD on tfjs-backend-wasm's heap, four
 * float32 lanes at a time: `out = sel(v > 0, v, v alpha)` with v = x forward and v = dy (the
 * sign taken from x) backward, by a lane mask and `v128.bitselect`, so without a branch as the
 * JavaScript table loop in `leaky_relu.ts`, and with its bits (a float32 product rounds as the
 * loop's float64 product of two float32s rounded to float32; zeros keep their sign, NaN stays NaN).
 *
 * @module
 */
import { instantiateOn, kernelModule, loopBelow, OP, uleb, VALTYPE } from "./_wasm_binary.ts";

const SIMD = {
  /** `f32x4.gt`. */
  gt: [0xfd, ...uleb(0x44)],
  /** `v128.bitselect`: lanes of the first operand where the mask's bits are set, else the second. */
  bitselect: [0xfd, ...uleb(0x52)],
};
/** `f32.const 0`. */
const F32_ZERO = [0x43, 0, 0, 0, 0];

// Parameters: 0 x, 1 v (x again forward, dy backward), 2 out (bytes), 3 the SIMD byte length,
// 4 alpha (f32). Locals: 5 the byte offset i, 6 alpha splat, 7 zero splat, 8 v's lanes.
const [X, V, OUT, END, ALPHA, I, A4, Z4, V4] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const at = (ptr: number) => [...OP.localGet(ptr), ...OP.localGet(I), ...OP.i32Add];

const BODY = [
  ...OP.localGet(ALPHA),
  ...OP.f32x4Splat,
  ...OP.localSet(A4),
  ...F32_ZERO,
  ...OP.f32x4Splat,
  ...OP.localSet(Z4),
  ...loopBelow(I, END, 16, [
    ...at(OUT),
    ...at(V),
    ...OP.v128Load,
    ...OP.localSet(V4),
    ...OP.localGet(V4),
    ...OP.localGet(V4),
    ...OP.localGet(A4),
    ...OP.f32x4Mul,
    ...at(X),
    ...OP.v128Load,
    ...OP.localGet(Z4),
    ...SIMD.gt,
    ...SIMD.bitselect,
    ...OP.v128Store,
  ]),
];

/** The module's bytes (exported for its test). */
export const LEAKY_RELU_SIMD_MODULE: Uint8Array<ArrayBuffer> = kernelModule({
  name: "f",
  params: [VALTYPE.i32, VALTYPE.i32, VALTYPE.i32, VALTYPE.i32, VALTYPE.f32],
  locals: [VALTYPE.i32, VALTYPE.v128, VALTYPE.v128, VALTYPE.v128],
  body: BODY,
});

/**
 * `out[i] = x[i] > 0 ? v[i] : v[i] alpha` for i below `n` rounded down to a multiple of 4
 * (byte offsets); the caller does the rest.
 */
export type LeakyReluSimd = (x: number, v: number, out: number, n: number, alpha: number) => void;

const CACHE = new WeakMap<WebAssembly.Memory, LeakyReluSimd | null>();

/**
 * The SIMD loop on a heap, or null where the engine rejects the module or the build does not
 * expose its memory. Cached per memory.
 *
 * @param memory tfjs-backend-wasm's memory (its `wasm.asm.memory`).
 * @returns The loop, or null.
 */
export function leakyReluSimd(memory: WebAssembly.Memory | undefined): LeakyReluSimd | null {
  if (memory === undefined) return null;
  const cached = CACHE.get(memory);
  if (cached !== undefined) return cached;
  let loop: LeakyReluSimd | null = null;
  const fns = instantiateOn(memory, [[LEAKY_RELU_SIMD_MODULE, "f"]]);
  if (fns !== null) {
    const f = fns[0]!;
    loop = (x, v, out, n, alpha) => f(x, v, out, (n & ~3) * 4, alpha);
  }
  CACHE.set(memory, loop);
  return loop;
}
