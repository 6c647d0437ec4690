/**
 * `Conv2D` / `FusedConv2D`, `Conv2DBackpropInput` and `Conv2DBackpropFilter` (NHWC) on
 * OpenBLAS, by im2col and col2im around one sgemm per chunk of the batch; narrow convs (fewer
 * output than input channels) go to `narrow_conv.ts`.
 *
 * @module
 */
import * as tf from "../../../_tf.ts";
import type { OpenBlas } from "../../openblas.ts";
import { type Info, sizeOf, type WasmBackend } from "../_heap.ts";
import { type BlockOps, blockOps } from "../block_simd.ts";
import { activate, columnBias, fillRows, knownActivation } from "./_epilogue.ts";
import { type Args, gemm, maxScratchFloats, produce } from "./_gemm.ts";
import { tapRanges } from "./_tap_columns.ts";
import {
  narrowBackpropFilter,
  narrowBackpropInput,
  narrowChunk,
  narrowForward,
  taps,
} from "./narrow_conv.ts";

/** Conv geometry from a kernel's attributes; undefined for data formats other than NHWC. */
function geometry(
  attrs: tf.NamedAttrMap,
  inShape: number[],
  filterShape: number[],
): tf.backend_util.Conv2DInfo | undefined {
  const format = attrs["dataFormat"] ?? "NHWC";
  if (format !== "NHWC" || inShape.length !== 4 || filterShape.length !== 4) return undefined;
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs["strides"] as number | [number, number],
    (attrs["dilations"] ?? 1) as number | [number, number],
    attrs["pad"] as "same" | "valid" | number | tf.backend_util.ExplicitPadding,
    attrs["dimRoundingMode"] as "floor" | "round" | "ceil" | undefined,
    false,
    "channelsLast",
  );
}

/** A conv that is a plain matmul: 1x1 filter, stride 1, no padding. */
function pointwise(info: tf.backend_util.Conv2DInfo): boolean {
  return info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 &&
    info.strideWidth === 1 && info.padInfo.top === 0 && info.padInfo.left === 0 &&
    info.outHeight === info.inHeight && info.outWidth === info.inWidth;
}

/**
 * Batch items per im2col chunk, the chunk's scratch size in floats, and where in it im2col keeps
 * its block of zeros (one filter row's kw·c floats, after the rows).
 */
function chunking(
  info: tf.backend_util.Conv2DInfo,
): { items: number; floats: number; zeros: number } {
  const perItem = info.outHeight * info.outWidth * info.filterHeight * info.filterWidth *
    info.inChannels;
  const items = Math.max(1, Math.min(info.batchSize, Math.floor(maxScratchFloats() / perItem)));
  const zeros = items * perItem;
  return { items, floats: zeros + info.filterWidth * info.inChannels, zeros };
}

/**
 * The runs between the im2col rows of one output row (n, p) and filter row i, and the input
 * row they read, the same for every n, p and i: for each tap j, the output columns whose input
 * lies inside x, as `[rowsAt, inputAt, count, length]` (float offsets from the row's first im2col
 * row and from the input row, the number of output columns, floats per column). Where taps are
 * adjacent in the input (dilation 1), the columns every tap reaches go as one run of kw·c floats
 * per output column, and only the edges tap by tap.
 */
function columnRuns(info: tf.backend_util.Conv2DInfo): Int32Array {
  const { inChannels: c, filterWidth: kw } = info;
  const { strideWidth: sw, dilationWidth: dw } = info;
  const left = info.padInfo.left;
  const rowLen = info.filterHeight * kw * c;
  const ranges = tapRanges(info);
  const runs: number[] = [];
  let [qa, qb] = [0, 0];
  if (dw === 1) {
    qa = Math.max(...ranges.map((r) => r[0]));
    qb = Math.min(...ranges.map((r) => r[1]));
    if (qb > qa) runs.push(qa * rowLen, (qa * sw - left) * c, qb - qa, kw * c);
    else [qa, qb] = [0, 0];
  }
  ranges.forEach(([lo, hi], j) => {
    const spans = qb > qa ? [[lo, Math.min(hi, qa)], [Math.max(lo, qb), hi]] : [[lo, hi]];
    for (const [from, to] of spans) {
      if (to! > from!) {
        runs.push(from! * rowLen + j * c, (from! * sw + j * dw - left) * c, to! - from!, c);
      }
    }
  });
  return Int32Array.from(runs);
}

/**
 * The complement of {@linkcode columnRuns}: runs of the c-float cells whose tap reads left or
 * right of x, which im2col zeroes, as `[rowsAt, count]` (the first cell's offset from a filter
 * row's first im2col row, and the number of output columns, one cell each).
 */
function columnGaps(info: tf.backend_util.Conv2DInfo): Int32Array {
  const { inChannels: c, outWidth: ow, filterWidth: kw } = info;
  const rowLen = info.filterHeight * kw * c;
  const gaps: number[] = [];
  tapRanges(info).forEach(([lo, hi], j) => {
    if (lo > 0) gaps.push(j * c, Math.min(lo, ow));
    if (hi < ow) gaps.push(Math.max(hi, 0) * rowLen + j * c, ow - Math.max(hi, 0));
  });
  return Int32Array.from(gaps);
}

/**
 * im2col: for items [n0, n0 + count) of x (NHWC at `x`), writes one row per output position
 * (n, oh, ow), holding the input patch in the filter's (i, j, c) order, zeros where it leaves x.
 * Each move covers every output row p a filter row reads alike (a plane per p): a few calls per
 * item and filter row, copied from x or from `zeros`, kw·c floats this function zeroes first.
 */
function im2col(
  heap: Float32Array,
  moves: BlockOps,
  x: number,
  info: tf.backend_util.Conv2DInfo,
  n0: number,
  count: number,
  cols: number,
  zeros: number,
): void {
  const { inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, dilationHeight: dh } = info;
  const rowLen = kh * kw * c;
  const plane = ow * rowLen;
  const [runs, gaps, step] = [columnRuns(info), columnGaps(info), info.strideWidth * c];
  heap.fill(0, zeros, zeros + kw * c);
  for (let n = n0; n < n0 + count; n++) {
    const item = x + n * h * w * c;
    const first = cols + (n - n0) * oh * plane;
    for (let i = 0; i < kh; i++) {
      // Filter row i of output row p reads input row p·sh + top: inside x for p in [pa, pb).
      const top = i * dh - info.padInfo.top;
      const pa = Math.min(oh, Math.max(0, Math.ceil(-top / sh)));
      const pb = Math.max(pa, Math.min(oh, Math.ceil((h - top) / sh)));
      const to = first + i * kw * c;
      // The rows outside read padding: zeros in every output column.
      moves.copy(heap, to, rowLen, zeros, 0, ow, kw * c, pa, plane, 0);
      moves.copy(heap, to + pb * plane, rowLen, zeros, 0, ow, kw * c, oh - pb, plane, 0);
      if (pb === pa) continue;
      const [at, rows] = [to + pa * plane, pb - pa];
      for (let g = 0; g < gaps.length; g += 2) {
        moves.copy(heap, at + gaps[g]!, rowLen, zeros, 0, gaps[g + 1]!, c, rows, plane, 0);
      }
      const from = item + (pa * sh + top) * w * c;
      for (let r = 0; r < runs.length; r += 4) {
        const [dst, src, columns, len] = [runs[r]!, runs[r + 1]!, runs[r + 2]!, runs[r + 3]!];
        moves.copy(heap, at + dst, rowLen, from + src, step, columns, len, rows, plane, sh * w * c);
      }
    }
  }
}

/** col2im: adds each column row of `cols` back into the patch of dx (NHWC at `dx`) it came from. */
function col2im(
  heap: Float32Array,
  moves: BlockOps,
  cols: number,
  info: tf.backend_util.Conv2DInfo,
  n0: number,
  count: number,
  dx: number,
): void {
  const { inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, dilationHeight: dh } = info;
  const rowLen = kh * kw * c;
  const [runs, step] = [columnRuns(info), info.strideWidth * c];
  for (let n = n0; n < n0 + count; n++) {
    const item = dx + n * h * w * c;
    for (let p = 0; p < oh; p++) {
      const rows = cols + ((n - n0) * oh + p) * ow * rowLen;
      for (let i = 0; i < kh; i++) {
        const ih = p * sh - info.padInfo.top + i * dh;
        if (ih < 0 || ih >= h) continue;
        // Rows of one call may overlap in dx (stride < kernel); they are added one after another.
        const [from, to] = [rows + i * kw * c, item + ih * w * c];
        for (let r = 0; r < runs.length; r += 4) {
          moves.add(
            heap,
            to + runs[r + 1]!,
            step,
            from + runs[r]!,
            rowLen,
            runs[r + 2]!,
            runs[r + 3]!,
          );
        }
      }
    }
  }
}

/** Checks a backprop kernel's dy against the geometry; false lets the WASM kernel report it. */
function dyMatches(dy: Info, info: tf.backend_util.Conv2DInfo): boolean {
  const expected = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  return dy.shape.length === 4 && expected.every((d, i) => dy.shape[i] === d);
}

/** `Conv2D` / `FusedConv2D`; undefined for a case the WASM kernel handles. */
export function conv2D(blas: OpenBlas, backend: WasmBackend, args: Args): Info | undefined {
  const { x, filter, bias, preluActivationWeights: prelu } = args.inputs;
  const attrs = args.attrs ?? {};
  if (x === undefined || filter === undefined || !knownActivation(attrs, prelu)) return undefined;
  const info = geometry(attrs, x.shape, filter.shape);
  if (info === undefined) return undefined;
  const moves = blockOps(backend.wasm?.asm?.memory);
  const biasRow = columnBias(backend, bias, info.outChannels);
  if (biasRow === undefined) return undefined;
  const shape = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const prefill = (heap: Float32Array, out: number) => {
    if (biasRow !== null) fillRows(heap, out, rows, biasRow);
    else heap.fill(0, out, out + rows * info.outChannels);
  };
  let out: Info;
  if (narrow(info)) {
    const plan = narrowChunk(info);
    out = produce(backend, shape, [x, filter], [plan.floats, taps(info)], (heap, at) => {
      prefill(heap, at.out);
      const [X, W] = at.inputs as [number, number];
      narrowForward(blas, heap, moves, info, plan.items, {
        x: X,
        w: W,
        out: at.out,
        at: at.scratch,
      });
    });
  } else {
    const plan = chunking(info);
    const scratch = pointwise(info) ? [] : [plan.floats];
    out = produce(backend, shape, [x, filter], scratch, (heap, at) => {
      prefill(heap, at.out);
      const [X, W] = at.inputs as [number, number];
      const [S] = at.scratch;
      const depth = depthOf(info);
      const positions = info.outHeight * info.outWidth;
      const o = info.outChannels;
      const shared = { n: o, k: depth, b: W, lda: depth, ldb: o, ldc: o, beta: 1 };
      if (S === undefined) return gemm(blas, heap, { ...shared, m: rows, a: X, c: at.out });
      for (let n0 = 0; n0 < info.batchSize; n0 += plan.items) {
        const count = Math.min(plan.items, info.batchSize - n0);
        im2col(heap, moves, X, info, n0, count, S, S + plan.zeros);
        const c = at.out + n0 * positions * o;
        gemm(blas, heap, { ...shared, m: count * positions, a: S, c });
      }
    });
  }
  return activate(backend, out, attrs, prelu);
}

/** `Conv2DBackpropInput`; undefined for a case (strided and wide) the WASM kernel handles. */
export function conv2DBackpropInput(
  blas: OpenBlas,
  backend: WasmBackend,
  args: Args,
): Info | undefined {
  const { dy, filter } = args.inputs;
  const attrs = args.attrs ?? {};
  if (dy === undefined || filter === undefined) return undefined;
  const inShape = attrs["inputShape"] as number[];
  const info = geometry({ ...attrs, dilations: 1 }, inShape, filter.shape);
  if (info === undefined || !dyMatches(dy, info)) return undefined;
  const moves = blockOps(backend.wasm?.asm?.memory);
  if (narrow(info)) {
    const plan = narrowChunk(info);
    return produce(backend, inShape, [dy, filter], [plan.floats, taps(info)], (heap, at) => {
      const [D, W] = at.inputs as [number, number];
      narrowBackpropInput(blas, heap, moves, info, plan.items, {
        dy: D,
        w: W,
        dx: at.out,
        at: at.scratch,
      });
    });
  }
  // Strided or not, one sgemm and col2im's block adds. The WASM kernel's split of a strided conv
  // into stride² dense convs (each an OpenBLAS Conv2D) measured slower once col2im's adds became
  // block moves: 48-50 vs 61-63 ms for the CIFAR DCGAN's [64, 16, 16, 64] -> [64, 32, 32, 32]
  // 5x5 at stride 2, 276-280 vs 294-302 ms for Gazali's [128, 14, 14, 128] -> [128, 28, 28, 128].
  const plan = chunking(info);
  const scratch = pointwise(info) ? [] : [plan.floats];
  return produce(backend, inShape, [dy, filter], scratch, (heap, at) => {
    const [D, W] = at.inputs as [number, number];
    const [S] = at.scratch;
    const depth = depthOf(info);
    const positions = info.outHeight * info.outWidth;
    const o = info.outChannels;
    const shared = { tb: true, n: depth, k: o, b: W, lda: o, ldb: o, ldc: depth };
    if (S === undefined) {
      return gemm(blas, heap, { ...shared, m: info.batchSize * positions, a: D, c: at.out });
    }
    heap.fill(0, at.out, at.out + sizeOf(inShape));
    for (let n0 = 0; n0 < info.batchSize; n0 += plan.items) {
      const count = Math.min(plan.items, info.batchSize - n0);
      const a = D + n0 * positions * o;
      gemm(blas, heap, { ...shared, m: count * positions, a, c: S });
      col2im(heap, moves, S, info, n0, count, at.out);
    }
  });
}

/** `Conv2DBackpropFilter`; undefined for a case the WASM kernel handles. */
export function conv2DBackpropFilter(
  blas: OpenBlas,
  backend: WasmBackend,
  args: Args,
): Info | undefined {
  const { x, dy } = args.inputs;
  const attrs = args.attrs ?? {};
  if (x === undefined || dy === undefined) return undefined;
  const filterShape = attrs["filterShape"] as number[];
  const info = geometry({ ...attrs, dilations: 1 }, x.shape, filterShape);
  if (info === undefined || !dyMatches(dy, info)) return undefined;
  const moves = blockOps(backend.wasm?.asm?.memory);
  if (narrow(info)) {
    const plan = narrowChunk(info);
    return produce(backend, filterShape, [x, dy], [plan.floats, taps(info)], (heap, at) => {
      const [X, D] = at.inputs as [number, number];
      narrowBackpropFilter(blas, heap, moves, info, plan.items, {
        x: X,
        dy: D,
        dw: at.out,
        at: at.scratch,
      });
    });
  }
  const plan = chunking(info);
  const scratch = pointwise(info) ? [] : [plan.floats];
  return produce(backend, filterShape, [x, dy], scratch, (heap, at) => {
    const [X, D] = at.inputs as [number, number];
    const [S] = at.scratch;
    const depth = depthOf(info);
    const positions = info.outHeight * info.outWidth;
    const o = info.outChannels;
    const shared = { ta: true, m: depth, n: o, lda: depth, ldb: o, c: at.out, ldc: o };
    if (S === undefined) {
      return gemm(blas, heap, { ...shared, k: info.batchSize * positions, a: X, b: D });
    }
    heap.fill(0, at.out, at.out + depth * o);
    for (let n0 = 0; n0 < info.batchSize; n0 += plan.items) {
      const count = Math.min(plan.items, info.batchSize - n0);
      im2col(heap, moves, X, info, n0, count, S, S + plan.zeros);
      const b = D + n0 * positions * o;
      gemm(blas, heap, { ...shared, k: count * positions, a: S, b, beta: 1 });
    }
  });
}

/** kh·kw·Cin: the length of an im2col row. */
function depthOf(info: tf.backend_util.Conv2DInfo): number {
  return info.filterHeight * info.filterWidth * info.inChannels;
}

/** Whether the output-side formulation moves less memory than im2col. */
function narrow(info: tf.backend_util.Conv2DInfo): boolean {
  return info.outChannels < info.inChannels && !pointwise(info);
}
