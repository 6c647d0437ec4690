/**
 * Strided block moves on tfjs-backend-wasm's heap in WebAssembly SIMD: `rows` runs of `cols`
 * float32s, run r read at `src + r·srcStride` and added to (or copied over) `dst + r·dstStride`.
 * The convolutions' glue (im2col, col2im, the narrow conv's tap sums, a transposed conv's phase
 * scatter) is made of such runs, 3 to 512 floats long: as single JavaScript loops or
 * `copyWithin` calls they were a third of a CIFAR-10 DCGAN step; a block of a whole output row
 * is one call here, four lanes at a time.
 *
 * An f32x4 add rounds each lane as a JavaScript `+=` on a Float32Array rounds it (a float64 sum
 * of two float32s rounded once to float32 is the float32 sum), so the SIMD and the scalar paths
 * give the same bits; without SIMD (an engine that rejects the module) the scalar loops run.
 *
 * @module
 */
import { instantiateOn, kernelModule, loopBelow, loopTimes, OP, VALTYPE } from "./_wasm_binary.ts";

/**
 * `rows` runs of `cols` floats from `src` into `dst`, offsets and strides in floats; repeated
 * over `planes` planes (default 1), the plane p's runs starting at `dst + p·dstPlane` and
 * `src + p·srcPlane`.
 */
export type BlockMove = (
  heap: Float32Array,
  dst: number,
  dstStride: number,
  src: number,
  srcStride: number,
  rows: number,
  cols: number,
  planes?: number,
  dstPlane?: number,
  srcPlane?: number,
) => void;

/** Block moves on one heap. */
export interface BlockOps {
  /**
   * `dst[r·dstStride + k] += src[r·srcStride + k]`, run after run in order of plane and r, so
   * destination runs may overlap (col2im's do where the stride is below the kernel); a run must
   * not overlap the source.
   */
  add: BlockMove;
  /**
   * `dst[r·dstStride + k] = src[r·srcStride + k]`; destination runs must not overlap each other
   * or the source. Source runs may (a stride of 0 repeats one run: zeroing from a zero block).
   */
  copy: BlockMove;
}

// Parameters (i32, bytes): 0 dst, 1 dst stride, 2 src, 3 src stride, 4 rows, 5 run length,
// 6 planes, 7 dst plane stride, 8 src plane stride. Locals: 9 i (offset in the run), 10 the run's
// SIMD part (length & ~15), 11 rows left in the plane, 12 and 13 the run's dst and src.
const [DST, DS, SRC, SS, ROWS, LEN, PLANES, DP, SP] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const [I, SIMD, LEFT, D, S] = [9, 10, 11, 12, 13];
const get = OP.localGet;
const at = (ptr: number) => [...get(ptr), ...get(I), ...OP.i32Add];
const advance = (
  ptr: number,
  by: number,
) => [...get(ptr), ...get(by), ...OP.i32Add, ...OP.localSet(ptr)];

function body(add: boolean): number[] {
  const simd = add
    ? [...at(D), ...at(D), ...OP.v128Load, ...at(S), ...OP.v128Load, ...OP.f32x4Add]
    : [...at(D), ...at(S), ...OP.v128Load];
  const scalar = add
    ? [...at(D), ...at(D), ...OP.f32Load, ...at(S), ...OP.f32Load, ...OP.f32Add]
    : [...at(D), ...at(S), ...OP.f32Load];
  return [
    ...get(LEN),
    ...OP.i32Const(-16),
    ...OP.i32And,
    ...OP.localSet(SIMD),
    ...loopTimes(PLANES, [
      ...get(ROWS),
      ...OP.localSet(LEFT),
      ...get(DST),
      ...OP.localSet(D),
      ...get(SRC),
      ...OP.localSet(S),
      ...loopTimes(LEFT, [
        ...OP.i32Const(0),
        ...OP.localSet(I),
        ...loopBelow(I, SIMD, 16, [...simd, ...OP.v128Store]),
        ...loopBelow(I, LEN, 4, [...scalar, ...OP.f32Store]),
        ...advance(D, DS),
        ...advance(S, SS),
      ]),
      ...advance(DST, DP),
      ...advance(SRC, SP),
    ]),
  ];
}

const module = (name: string, add: boolean) =>
  kernelModule({
    name,
    params: Array(9).fill(VALTYPE.i32),
    locals: Array(5).fill(VALTYPE.i32),
    body: body(add),
  });

/** The modules' bytes (exported for their test). */
export const BLOCK_ADD_MODULE: Uint8Array<ArrayBuffer> = module("add", true);
/** See {@linkcode BLOCK_ADD_MODULE}. */
export const BLOCK_COPY_MODULE: Uint8Array<ArrayBuffer> = module("copy", false);

/** The scalar block moves, on the heap they are given. */
export const SCALAR_BLOCK_OPS: BlockOps = {
  add(heap, dst, ds, src, ss, rows, cols, planes = 1, dp = 0, sp = 0) {
    for (let p = 0; p < planes; p++) {
      for (let r = 0, d = dst + p * dp, s = src + p * sp; r < rows; r++, d += ds, s += ss) {
        for (let k = 0; k < cols; k++) heap[d + k]! += heap[s + k]!;
      }
    }
  },
  copy(heap, dst, ds, src, ss, rows, cols, planes = 1, dp = 0, sp = 0) {
    for (let p = 0; p < planes; p++) {
      for (let r = 0, d = dst + p * dp, s = src + p * sp; r < rows; r++, d += ds, s += ss) {
        if (cols >= 16) heap.copyWithin(d, s, s + cols);
        else for (let k = 0; k < cols; k++) heap[d + k] = heap[s + k]!;
      }
    }
  },
};

const OPS = new WeakMap<WebAssembly.Memory, BlockOps>();

/**
 * The block moves for a heap: SIMD where the engine compiles the modules, else the scalar
 * loops (same bits). Cached per memory.
 *
 * @param memory tfjs-backend-wasm's memory (its `wasm.asm.memory`), or undefined where the
 *   build does not expose it.
 * @returns The moves; their `heap` argument must view `memory` (the SIMD ones ignore it).
 */
export function blockOps(memory: WebAssembly.Memory | undefined): BlockOps {
  if (memory === undefined) return SCALAR_BLOCK_OPS;
  const cached = OPS.get(memory);
  if (cached !== undefined) return cached;
  let ops = SCALAR_BLOCK_OPS;
  const fns = instantiateOn(memory, [[BLOCK_ADD_MODULE, "add"], [BLOCK_COPY_MODULE, "copy"]]);
  if (fns !== null) {
    const [add, copy] = fns as [(...args: number[]) => void, (...args: number[]) => void];
    ops = {
      add: (_heap, dst, ds, src, ss, rows, cols, planes = 1, dp = 0, sp = 0) =>
        add(dst * 4, ds * 4, src * 4, ss * 4, rows, cols * 4, planes, dp * 4, sp * 4),
      copy: (_heap, dst, ds, src, ss, rows, cols, planes = 1, dp = 0, sp = 0) =>
        copy(dst * 4, ds * 4, src * 4, ss * 4, rows, cols * 4, planes, dp * 4, sp * 4),
    };
  }
  OPS.set(memory, ops);
  return ops;
}
