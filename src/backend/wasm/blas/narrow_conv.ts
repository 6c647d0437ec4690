/**
 * Narrow convolutions on OpenBLAS: fewer output than input channels (e.g. a 7x7 conv to 1
 * channel). im2col copies kh·kw·Cin floats per output position and col2im adds as many back:
 * 629M for paper 001's last G layer at batch 128. When Cout < Cin it is cheaper to multiply
 * first and move kh·kw·Cout floats per position instead: the forward pass is X [N·H·W, Cin]
 * times the taps [Cin, kh·kw·Cout], then each output sums its taps' columns; both backward passes
 * gather dy per input position into [N·H·W, kh·kw·Cout] and multiply that with the taps or
 * with X.
 *
 * @module
 */
import type * as tf from "../../../_tf.ts";
import type { OpenBlas } from "../../openblas.ts";
import type { BlockOps } from "../block_simd.ts";
import { gemm, maxScratchFloats } from "./_gemm.ts";
import { tapRanges } from "./_tap_columns.ts";

/** Batch items per chunk when each item needs H·W·kh·kw·Cout floats of scratch. */
export function narrowChunk(info: tf.backend_util.Conv2DInfo): { items: number; floats: number } {
  const perItem = info.inHeight * info.inWidth * info.filterHeight * info.filterWidth *
    info.outChannels;
  const items = Math.max(1, Math.min(info.batchSize, Math.floor(maxScratchFloats() / perItem)));
  return { items, floats: items * perItem };
}

/**
 * Rearranges a filter [kh·kw, Cin, Cout] at `w` into `to`: "byChannel" gives [Cin, kh·kw·Cout]
 * (the forward taps), "byTap" gives [kh·kw·Cout, Cin] (the backward taps); "fromByChannel"
 * writes a [Cin, kh·kw·Cout] block at `w` back into filter layout at `to`.
 */
function rearrange(
  heap: Float32Array,
  w: number,
  to: number,
  info: tf.backend_util.Conv2DInfo,
  how: "byChannel" | "byTap" | "fromByChannel",
): void {
  const taps = info.filterHeight * info.filterWidth;
  const [c, o] = [info.inChannels, info.outChannels];
  for (let t = 0; t < taps; t++) {
    for (let ci = 0; ci < c; ci++) {
      for (let oi = 0; oi < o; oi++) {
        const filterAt = (t * c + ci) * o + oi;
        if (how === "byChannel") heap[to + ci * taps * o + t * o + oi] = heap[w + filterAt]!;
        else if (how === "byTap") heap[to + (t * o + oi) * c + ci] = heap[w + filterAt]!;
        else heap[to + filterAt] = heap[w + ci * taps * o + t * o + oi]!;
      }
    }
  }
}

/**
 * For items [n0, n0 + count): each output row (n, p) and filter tap (i, j) that reads inside x,
 * as `visit(outAt, tapAt, columns)`: the float offset of the run's first output column in the
 * output (NHWC, from item 0), that of its cell in the [count·H·W, kh·kw·Cout] tap layout (from
 * item n0), and the number of output columns, one tap cell every sw input positions.
 */
function eachTapRun(
  info: tf.backend_util.Conv2DInfo,
  n0: number,
  count: number,
  visit: (outAt: number, tapAt: number, columns: number) => void,
): void {
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, outChannels: o } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const rowLen = kh * kw * o;
  const ranges = tapRanges(info);
  for (let n = n0; n < n0 + count; n++) {
    const item = (n - n0) * h * w * rowLen;
    for (let p = 0; p < oh; p++) {
      const row = (n * oh + p) * ow * o;
      for (let i = 0; i < kh; i++) {
        const ih = p * sh - top + i * dh;
        if (ih < 0 || ih >= h) continue;
        for (let j = 0; j < kw; j++) {
          const [lo, hi] = ranges[j]!;
          if (hi <= lo) continue;
          const tapAt = item + (ih * w + lo * sw + j * dw - left) * rowLen + (i * kw + j) * o;
          visit(row + lo * o, tapAt, hi - lo);
        }
      }
    }
  }
}

/**
 * For items [n0, n0 + count): one row per input position (n, ih, iw) holding, for each tap
 * (i, j), dy at the output position that reads (ih, iw) through that tap, or zeros. The mirror
 * of {@linkcode sumTaps}: one block copy per output row and tap.
 */
function gatherDy(
  heap: Float32Array,
  moves: BlockOps,
  dy: number,
  info: tf.backend_util.Conv2DInfo,
  n0: number,
  count: number,
  rows: number,
): void {
  const o = info.outChannels;
  const rowLen = info.filterHeight * info.filterWidth * o;
  heap.fill(0, rows, rows + count * info.inHeight * info.inWidth * rowLen);
  eachTapRun(info, n0, count, (outAt, tapAt, columns) => {
    moves.copy(heap, rows + tapAt, info.strideWidth * rowLen, dy + outAt, o, columns, o);
  });
}

/**
 * The forward pass's second half: output (n, p, q) += the columns of its taps in `z`, the
 * [N·H·W, kh·kw·Cout] product of items [n0, n0 + count); one block add per output row and tap.
 */
function sumTaps(
  heap: Float32Array,
  moves: BlockOps,
  z: number,
  info: tf.backend_util.Conv2DInfo,
  n0: number,
  count: number,
  out: number,
): void {
  const o = info.outChannels;
  const rowLen = info.filterHeight * info.filterWidth * o;
  eachTapRun(info, n0, count, (outAt, tapAt, columns) => {
    moves.add(heap, out + outAt, o, z + tapAt, info.strideWidth * rowLen, columns, o);
  });
}

/** kh·kw·Cin·Cout: the size of the filter, and of its rearranged copy. */
export function taps(info: tf.backend_util.Conv2DInfo): number {
  return info.filterHeight * info.filterWidth * info.inChannels * info.outChannels;
}

/** Chunks of a narrow conv: `items` batch items per chunk, each calling `step(n0, count)`. */
function eachChunk(
  info: tf.backend_util.Conv2DInfo,
  items: number,
  step: (n0: number, count: number) => void,
): void {
  for (let n0 = 0; n0 < info.batchSize; n0 += items) {
    step(n0, Math.min(items, info.batchSize - n0));
  }
}

/**
 * Forward narrow conv into `out` (already holding the bias or zeros): per chunk,
 * Z = X [items·H·W, Cin] · taps [Cin, kh·kw·Cout], then each output sums its taps' columns.
 */
export function narrowForward(
  blas: OpenBlas,
  heap: Float32Array,
  moves: BlockOps,
  info: tf.backend_util.Conv2DInfo,
  items: number,
  at: { x: number; w: number; out: number; at: number[] },
): void {
  const [z, wr] = at.at as [number, number];
  const [c, cols] = [info.inChannels, info.filterHeight * info.filterWidth * info.outChannels];
  const pixels = info.inHeight * info.inWidth;
  rearrange(heap, at.w, wr, info, "byChannel");
  eachChunk(info, items, (n0, count) => {
    const a = at.x + n0 * pixels * c;
    gemm(blas, heap, {
      m: count * pixels,
      n: cols,
      k: c,
      a,
      lda: c,
      b: wr,
      ldb: cols,
      c: z,
      ldc: cols,
    });
    sumTaps(heap, moves, z, info, n0, count, at.out);
  });
}

/** dx of a narrow conv: gathered dy [items·H·W, kh·kw·Cout] · taps [kh·kw·Cout, Cin]. */
export function narrowBackpropInput(
  blas: OpenBlas,
  heap: Float32Array,
  moves: BlockOps,
  info: tf.backend_util.Conv2DInfo,
  items: number,
  at: { dy: number; w: number; dx: number; at: number[] },
): void {
  const [g, wt] = at.at as [number, number];
  const [c, cols] = [info.inChannels, info.filterHeight * info.filterWidth * info.outChannels];
  const pixels = info.inHeight * info.inWidth;
  rearrange(heap, at.w, wt, info, "byTap");
  eachChunk(info, items, (n0, count) => {
    gatherDy(heap, moves, at.dy, info, n0, count, g);
    const out = at.dx + n0 * pixels * c;
    gemm(blas, heap, {
      m: count * pixels,
      n: c,
      k: cols,
      a: g,
      lda: cols,
      b: wt,
      ldb: c,
      c: out,
      ldc: c,
    });
  });
}

/** dW of a narrow conv: Xᵀ [Cin, N·H·W] · gathered dy [N·H·W, kh·kw·Cout], rearranged. */
export function narrowBackpropFilter(
  blas: OpenBlas,
  heap: Float32Array,
  moves: BlockOps,
  info: tf.backend_util.Conv2DInfo,
  items: number,
  at: { x: number; dy: number; dw: number; at: number[] },
): void {
  const [g, acc] = at.at as [number, number];
  const [c, cols] = [info.inChannels, info.filterHeight * info.filterWidth * info.outChannels];
  const pixels = info.inHeight * info.inWidth;
  heap.fill(0, acc, acc + c * cols);
  eachChunk(info, items, (n0, count) => {
    gatherDy(heap, moves, at.dy, info, n0, count, g);
    const a = at.x + n0 * pixels * c;
    const product = { m: c, n: cols, k: count * pixels, lda: c, ldb: cols, ldc: cols };
    gemm(blas, heap, { ...product, ta: true, a, b: g, c: acc, beta: 1 });
  });
  rearrange(heap, acc, at.dw, info, "fromByChannel");
}
