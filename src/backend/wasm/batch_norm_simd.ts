/**
 * BatchNorm's passes over `x [rows, C]` in WebAssembly SIMD, two channels at a time in float64
 * lanes, on tfjs-backend-wasm's heap (the formulas are in `batch_norm.ts`). Each lane does the
 * JavaScript loops' operations in their order (float32 values promoted to float64, float64
 * arithmetic, results rounded once to float32), so both paths give the same bits; the sums run
 * row by row, as the loops do, into float64 accumulators on the heap. Where the engine rejects
 * SIMD, or C is odd, `batch_norm.ts` keeps its loops.
 *
 * @module
 */
import {
  instantiateOn,
  kernelModule,
  loopBelow,
  loopTimes,
  OP,
  uleb,
  VALTYPE,
} from "./_wasm_binary.ts";

const I32 = VALTYPE.i32;
const F64 = 0x7c;

// The SIMD opcodes of this file (0xfd-prefixed), memory ones with their alignment hint and offset.
const SIMD = {
  /** `v128.load64_zero`: two float32 into the low half. */
  load2: [0xfd, ...uleb(0x5d), 0x02, 0x00],
  /** `f64x2.promote_low_f32x4`. */
  promote: [0xfd, ...uleb(0x5f)],
  /** `f32x4.demote_f64x2_zero`. */
  demote: [0xfd, ...uleb(0x5e)],
  /** `v128.store64_lane` lane 0: the low two float32. */
  store2: [0xfd, ...uleb(0x5b), 0x02, 0x00, 0x00],
  f64x2Splat: [0xfd, ...uleb(0x14)],
  add: [0xfd, ...uleb(0xf0)],
  sub: [0xfd, ...uleb(0xf1)],
  mul: [0xfd, ...uleb(0xf2)],
  div: [0xfd, ...uleb(0xf3)],
};

/** Addressing inside a {@linkcode channelPairs} body. */
interface Body {
  /** Address (bytes) of the pair in row-major float32 tensor parameter n. */
  row(n: number): number[];
  /** Address of the pair in per-channel float32 tensor parameter n. */
  channel(n: number): number[];
  /** Address of the pair in per-channel float64 array parameter n. */
  channel64(n: number): number[];
  /** The local index of float64 parameter n. */
  scalar(n: number): number;
  /** The local index of v128 scratch local n. */
  temp(n: number): number;
}

/**
 * A module whose function `f(rows, C, ...pointers, ...float64 scalars)` runs `body` for each
 * row i < rows and each even channel j < C.
 */
function channelPairs(
  pointers: number,
  scalars: number,
  temps: number,
  body: (b: Body) => number[],
): Uint8Array<ArrayBuffer> {
  const [ROWS, C] = [0, 1];
  const first = 2 + pointers + scalars;
  const [K, J, END] = [first, first + 1, first + 2]; // 4(iC + j), 4j, 4C
  const get = OP.localGet;
  const b: Body = {
    row: (n) => [...get(2 + n), ...get(K), ...OP.i32Add],
    channel: (n) => [...get(2 + n), ...get(J), ...OP.i32Add],
    channel64: (n) => [...get(2 + n), ...get(J), ...OP.i32Add, ...get(J), ...OP.i32Add],
    scalar: (n) => 2 + pointers + n,
    temp: (n) => first + 3 + n,
  };
  const step = (
    local: number,
  ) => [...get(local), ...OP.i32Const(8), ...OP.i32Add, ...OP.localSet(local)];
  const code = [
    ...get(C),
    ...get(C),
    ...OP.i32Add,
    ...get(C),
    ...OP.i32Add,
    ...get(C),
    ...OP.i32Add,
    ...OP.localSet(END),
    ...loopTimes(ROWS, [
      ...OP.i32Const(0),
      ...OP.localSet(J),
      ...loopBelow(J, END, 8, [...body(b), ...step(K)]),
    ]),
  ];
  return kernelModule({
    name: "f",
    params: [I32, I32, ...Array(pointers).fill(I32), ...Array(scalars).fill(F64)],
    locals: [I32, I32, I32, ...Array(temps).fill(VALTYPE.v128)],
    body: code,
  });
}

/** The float32 pair at `addr`, promoted to float64. */
const promoted = (addr: number[]) => [...addr, ...SIMD.load2, ...SIMD.promote];
/** `acc += value` for the float64 pair at `addr` (value: instructions leaving a v128). */
const accumulate = (addr: number[], value: number[]) => [
  ...addr,
  ...addr,
  ...OP.v128Load,
  ...value,
  ...SIMD.add,
  ...OP.v128Store,
];

/** `sums(rows, C, x, acc)`: acc[j] += x[i, j]. */
export const BN_SUMS_MODULE = channelPairs(
  2,
  0,
  0,
  (b) => accumulate(b.channel64(1), promoted(b.row(0))),
);

/** `squares(rows, C, x, mean, acc)`: d = f32(x - mean), acc[j] += f32(d d). */
export const BN_SQUARES_MODULE = channelPairs(3, 0, 1, (b) =>
  accumulate(b.channel64(2), [
    ...b.row(0),
    ...SIMD.load2,
    ...b.channel(1),
    ...SIMD.load2,
    ...OP.f32x4Sub,
    ...OP.localSet(b.temp(0)),
    ...OP.localGet(b.temp(0)),
    ...OP.localGet(b.temp(0)),
    ...OP.f32x4Mul,
    ...SIMD.promote,
  ]));

/** `normalize(rows, C, x, mean, scale, beta, y)`: y = f32((x - mean) scale + beta). */
export const BN_NORMALIZE_MODULE = channelPairs(5, 0, 0, (b) => [
  ...b.row(4),
  ...promoted(b.row(0)),
  ...promoted(b.channel(1)),
  ...SIMD.sub,
  ...b.channel64(2),
  ...OP.v128Load,
  ...SIMD.mul,
  ...promoted(b.channel(3)),
  ...SIMD.add,
  ...SIMD.demote,
  ...SIMD.store2,
]);

/**
 * `gradSums(rows, C, x, dy, mean, r, sumDy, sumDyXhat)`: g = dy; sumDy[j] += g;
 * sumDyXhat[j] += g (x - mean) r.
 */
export const BN_GRAD_SUMS_MODULE = channelPairs(6, 0, 1, (b) => [
  ...promoted(b.row(1)),
  ...OP.localSet(b.temp(0)),
  ...accumulate(b.channel64(4), OP.localGet(b.temp(0))),
  ...accumulate(b.channel64(5), [
    ...OP.localGet(b.temp(0)),
    ...promoted(b.row(0)),
    ...promoted(b.channel(2)),
    ...SIMD.sub,
    ...SIMD.mul,
    ...b.channel64(3),
    ...OP.v128Load,
    ...SIMD.mul,
  ]),
]);

/**
 * `gradApply(rows, C, x, dy, dx, mean, r, k, m, s, R)`, with k = gamma r, m = sumDy / R and
 * s = sumDyXhat per channel: dx = f32(k ((dy - m) - ((x - mean) r s) / R)).
 */
export const BN_GRAD_APPLY_MODULE = channelPairs(8, 1, 0, (b) => [
  ...b.row(2),
  ...b.channel64(5),
  ...OP.v128Load,
  ...promoted(b.row(1)),
  ...b.channel64(6),
  ...OP.v128Load,
  ...SIMD.sub,
  ...promoted(b.row(0)),
  ...promoted(b.channel(3)),
  ...SIMD.sub,
  ...b.channel64(4),
  ...OP.v128Load,
  ...SIMD.mul,
  ...b.channel64(7),
  ...OP.v128Load,
  ...SIMD.mul,
  ...OP.localGet(b.scalar(0)),
  ...SIMD.f64x2Splat,
  ...SIMD.div,
  ...SIMD.sub,
  ...SIMD.mul,
  ...SIMD.demote,
  ...SIMD.store2,
]);

/** BatchNorm's passes; pointers are byte offsets on the heap, C must be even. */
export interface BatchNormSimd {
  sums(rows: number, c: number, x: number, acc: number): void;
  squares(rows: number, c: number, x: number, mean: number, acc: number): void;
  normalize(
    rows: number,
    c: number,
    x: number,
    mean: number,
    scale: number,
    beta: number,
    y: number,
  ): void;
  gradSums(
    rows: number,
    c: number,
    x: number,
    dy: number,
    mean: number,
    r: number,
    sumDy: number,
    sumDyXhat: number,
  ): void;
  gradApply(
    rows: number,
    c: number,
    p: {
      x: number;
      dy: number;
      dx: number;
      mean: number;
      r: number;
      k: number;
      m: number;
      s: number;
    },
  ): void;
}

const CACHE = new WeakMap<WebAssembly.Memory, BatchNormSimd | null>();

/**
 * The SIMD passes on a heap, or null where the engine rejects the modules or the build does not
 * expose its memory. Cached per memory.
 *
 * @param memory tfjs-backend-wasm's memory (its `wasm.asm.memory`).
 * @returns The passes, or null.
 */
export function batchNormSimd(memory: WebAssembly.Memory | undefined): BatchNormSimd | null {
  if (memory === undefined) return null;
  const cached = CACHE.get(memory);
  if (cached !== undefined) return cached;
  const modules = [
    BN_SUMS_MODULE,
    BN_SQUARES_MODULE,
    BN_NORMALIZE_MODULE,
    BN_GRAD_SUMS_MODULE,
    BN_GRAD_APPLY_MODULE,
  ];
  let simd: BatchNormSimd | null = null;
  const fns = instantiateOn(memory, modules.map((m) => [m, "f"]));
  if (fns !== null) {
    const [sums, squares, normalize, gradSums, gradApply] = fns;
    simd = {
      sums: (...a) => sums!(...a),
      squares: (...a) => squares!(...a),
      normalize: (...a) => normalize!(...a),
      gradSums: (...a) => gradSums!(...a),
      gradApply: (rows, c, p) =>
        gradApply!(rows, c, p.x, p.dy, p.dx, p.mean, p.r, p.k, p.m, p.s, rows),
    };
  }
  CACHE.set(memory, simd);
  return simd;
}
