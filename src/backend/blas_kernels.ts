/**
 * Matrix products and convolutions of the tfjs `wasm` backend done by OpenBLAS's `cblas_sgemm`
 * (through Deno's FFI, see `openblas.ts`) directly on the wasm heap, with no copies in or out:
 * the heap is a plain `ArrayBuffer`, so a `Float32Array` view of a tensor is a pointer C can
 * read and write. Everything else (activations, BatchNorm, the optimizers) stays on WASM SIMD.
 *
 * - `BatchMatMul` / `_FusedMatMul`: one sgemm per batch item (one in all when the right operand
 *   is shared), transposes passed to sgemm as flags; a bias is copied into C first and summed by
 *   sgemm (beta = 1); a fused activation runs the wasm kernel of that activation afterwards.
 * - `Conv2D` / `FusedConv2D` (NHWC): im2col into a scratch block, then `[rows, kh·kw·Cin] x
 *   [kh·kw·Cin, Cout]` (the filter's own layout). 1x1 stride-1 convs skip im2col.
 * - `Conv2DBackpropInput` (also `conv2dTranspose`'s forward pass): `dy · Wᵀ` into columns,
 *   then col2im adds them into dx; strided ones go to the WASM kernel's stride² dense convs,
 *   which run here as `Conv2D`s. `Conv2DBackpropFilter`: `colsᵀ · dy`, summed over chunks.
 * - Convs with fewer output than input channels (paper 001's 7x7 conv to 1 channel) multiply
 *   first and move kh·kw·Cout floats per position instead of kh·kw·Cin (see "Narrow" below).
 *   The scratch block is capped near 32 MiB by working through the batch in chunks.
 *
 * The kernels are not registered here: `wasm_kernels.ts` routes each of these kernels through
 * {@linkcode blasKernel} first while {@linkcode useBlas} holds a library, and to the WASM
 * implementations otherwise (or when a case is not handled here: other dtypes or formats).
 *
 * @module
 */
import * as tf from "../_tf.ts";
import type { OpenBlas } from "./openblas.ts";
import { batchShape, type Info, itemIndices, run, sizeOf, type WasmBackend } from "./wasm_heap.ts";

/** Largest im2col scratch block, in floats (32 MiB by default). */
let scratchFloats = 8 * 1024 * 1024;

/**
 * Sets the largest im2col scratch block, in floats (tests use a small one to exercise the
 * chunking); returns the previous size.
 */
export function setScratchFloats(floats: number): number {
  if (!Number.isInteger(floats) || floats < 1) {
    throw new RangeError(`Invalid im2col scratch size ${floats}: expected an integer >= 1`);
  }
  const previous = scratchFloats;
  scratchFloats = floats;
  return previous;
}

let active: OpenBlas | undefined;

/**
 * Routes the wasm backend's matmuls and convolutions to `blas` from now on, or back to WASM
 * with undefined.
 *
 * @param blas An opened OpenBLAS, or undefined.
 *
 * @example
 * ```ts ignore
 * import { loadOpenBlas } from "./openblas.ts";
 * import { useBlas } from "./blas_kernels.ts";
 * const blas = loadOpenBlas();
 * useBlas("sgemm" in blas ? blas : undefined);
 * ```
 */
export function useBlas(blas: OpenBlas | undefined): void {
  active = blas;
}

/** The library the wasm kernels use now, if any. */
export function activeBlas(): OpenBlas | undefined {
  return active;
}

/** The kernels this module implements. */
export const BLAS_KERNELS = [
  "BatchMatMul",
  "_FusedMatMul",
  "Conv2D",
  "FusedConv2D",
  "Conv2DBackpropInput",
  "Conv2DBackpropFilter",
] as const;

/** One of {@linkcode BLAS_KERNELS}. */
export type BlasKernelName = typeof BLAS_KERNELS[number];

type Args = Parameters<tf.KernelFunc>[0];

/**
 * Runs kernel `name` on OpenBLAS when one is in use and the case is one it handles.
 *
 * @param name The kernel.
 * @param args The kernel's arguments, as tfjs passes them.
 * @returns The output, or undefined to let the caller run its WASM implementation.
 */
export function blasKernel(name: BlasKernelName, args: Args): Info | undefined {
  const blas = active;
  if (blas === undefined) return undefined;
  const backend = args.backend as unknown as WasmBackend;
  const floats = Object.values(args.inputs).every((t) => t == null || t.dtype === "float32");
  if (!floats) return undefined;
  switch (name) {
    case "BatchMatMul":
    case "_FusedMatMul":
      return matMul(blas, backend, args);
    case "Conv2D":
    case "FusedConv2D":
      return conv2D(blas, backend, args);
    case "Conv2DBackpropInput":
      return conv2DBackpropInput(blas, backend, args);
    case "Conv2DBackpropFilter":
      return conv2DBackpropFilter(blas, backend, args);
  }
}

/** The whole wasm heap as floats, and where a tensor's data starts in it. */
interface Heap {
  heap: Float32Array;
  at: number;
}

/** The whole heap as floats, and where `info`'s data starts in it. Take it after allocating. */
function heapOf(backend: WasmBackend, info: Info): Heap {
  const view = backend.typedArrayFromHeap(info);
  return { heap: new Float32Array(view.buffer), at: view.byteOffset / 4 };
}

/** Writes `bias` (one value per column, `cols` of them) into each of `rows` rows at `at`. */
function fillRows(heap: Float32Array, at: number, rows: number, bias: Float32Array): void {
  const cols = bias.length;
  if (rows === 0) return;
  heap.set(bias, at);
  for (let filled = 1; filled < rows;) {
    const copy = Math.min(filled, rows - filled);
    heap.copyWithin(at + filled * cols, at, at + copy * cols);
    filled += copy;
  }
}

/** The bias as one value per output column, or undefined when it is shaped otherwise. */
function columnBias(backend: WasmBackend, bias: Info | undefined, n: number) {
  if (bias == null) return null;
  const leadingOnes = bias.shape.slice(0, -1).every((d) => d === 1);
  if (sizeOf(bias.shape) !== n || !leadingOnes) return undefined;
  return (backend.typedArrayFromHeap(bias) as Float32Array).slice();
}

/** The activations tfjs fuses, as the wasm kernels that compute them. */
function activate(
  backend: WasmBackend,
  out: Info,
  attrs: tf.NamedAttrMap,
  prelu: Info | undefined,
): Info {
  const name = (attrs["activation"] as string | undefined) ?? "linear";
  const calls: Record<string, () => Info> = {
    relu: () => run("Relu", backend, { x: out }, {}),
    relu6: () => run("Relu6", backend, { x: out }, {}),
    elu: () => run("Elu", backend, { x: out }, {}),
    sigmoid: () => run("Sigmoid", backend, { x: out }, {}),
    leakyrelu: () =>
      run("LeakyRelu", backend, { x: out }, { alpha: attrs["leakyreluAlpha"] ?? 0.2 }),
    prelu: () => run("Prelu", backend, { x: out, alpha: prelu as Info }, {}),
  };
  if (name === "linear") return out;
  const call = calls[name];
  if (call === undefined) {
    backend.disposeData(out.dataId);
    throw new TypeError(`Cannot run a fused ${name} activation on wasm: not supported`);
  }
  try {
    return call();
  } finally {
    backend.disposeData(out.dataId);
  }
}

function knownActivation(attrs: tf.NamedAttrMap, prelu: Info | undefined): boolean {
  const name = (attrs["activation"] as string | undefined) ?? "linear";
  const ok = ["linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu", "prelu"].includes(name);
  return ok && (name !== "prelu" || prelu != null);
}

/** One sgemm on heap offsets, row-major: `c = op(a) · op(b) + beta · c`, op(a) `[m, k]`. */
interface Gemm {
  ta?: boolean;
  tb?: boolean;
  m: number;
  n: number;
  k: number;
  a: number;
  lda: number;
  b: number;
  ldb: number;
  c: number;
  ldc: number;
  /** Default 0: c is overwritten. */
  beta?: number;
}

/** Runs one {@linkcode Gemm}; an empty product leaves `c` (scaled by beta) as BLAS defines. */
function gemm(blas: OpenBlas, heap: Float32Array, g: Gemm): void {
  const beta = g.beta ?? 0;
  if (g.m === 0 || g.n === 0) return;
  if (g.k === 0) {
    // BLAS rejects leading dimensions of 0; the product is empty, so c = beta · c.
    for (let i = 0; i < g.m; i++) {
      const row = heap.subarray(g.c + i * g.ldc, g.c + i * g.ldc + g.n);
      if (beta === 0) row.fill(0);
      else if (beta !== 1) row.forEach((v, j) => row[j] = beta * v);
    }
    return;
  }
  const [a, b, c] = [heap.subarray(g.a), heap.subarray(g.b), heap.subarray(g.c)];
  blas.sgemm(g.ta ?? false, g.tb ?? false, g.m, g.n, g.k, 1, a, g.lda, b, g.ldb, beta, c, g.ldc);
}

/**
 * Allocates an output of `shape` and scratch blocks of `scratch` floats, runs `fill` with the
 * heap offsets of `inputs`, the output and the blocks (taken after every allocation), and frees
 * the blocks; on an error the output is freed too.
 */
function produce(
  backend: WasmBackend,
  shape: number[],
  inputs: Info[],
  scratch: number[],
  fill: (heap: Float32Array, at: { inputs: number[]; out: number; scratch: number[] }) => void,
): Info {
  const out = backend.makeOutput(shape, "float32");
  const blocks: Info[] = [];
  try {
    for (const floats of scratch) blocks.push(backend.makeOutput([floats], "float32"));
    const { heap } = heapOf(backend, out);
    const offset = (t: Info) => heapOf(backend, t).at;
    fill(heap, { inputs: inputs.map(offset), out: offset(out), scratch: blocks.map(offset) });
    return out;
  } catch (error) {
    backend.disposeData(out.dataId);
    throw error;
  } finally {
    for (const block of blocks) backend.disposeData(block.dataId);
  }
}

function matMul(blas: OpenBlas, backend: WasmBackend, args: Args): Info | undefined {
  const { a, b, bias, preluActivationWeights: prelu } = args.inputs;
  const attrs = args.attrs ?? {};
  if (a === undefined || b === undefined || a.shape.length < 2 || b.shape.length < 2) {
    return undefined;
  }
  if (!knownActivation(attrs, prelu)) return undefined;
  const ta = attrs["transposeA"] === true;
  const tb = attrs["transposeB"] === true;
  const [a1, a2] = [a.shape.at(-2)!, a.shape.at(-1)!];
  const [b1, b2] = [b.shape.at(-2)!, b.shape.at(-1)!];
  const [m, k] = ta ? [a2, a1] : [a1, a2];
  const [kb, n] = tb ? [b2, b1] : [b1, b2];
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const outBatch = batchShape(batchA, batchB);
  if (k !== kb || outBatch === undefined) return undefined; // the WASM kernel reports it
  const biasRow = columnBias(backend, bias, n);
  if (biasRow === undefined) return undefined;
  const total = sizeOf(outBatch);
  const out = produce(backend, [...outBatch, m, n], [a, b], [], (heap, at) => {
    const [A, B] = at.inputs as [number, number];
    if (biasRow !== null) fillRows(heap, at.out, total * m, biasRow);
    const shared = {
      ta,
      tb,
      n,
      k,
      lda: ta ? m : k,
      ldb: tb ? k : n,
      ldc: n,
      beta: biasRow ? 1 : 0,
    };
    if (sizeOf(batchB) === 1 && !ta) {
      // b is shared: the items of a are the rows of one [total * m, k] matrix.
      gemm(blas, heap, { ...shared, m: total * m, a: A, b: B, c: at.out });
      return;
    }
    const ia = itemIndices(outBatch, batchA);
    const ib = itemIndices(outBatch, batchB);
    for (let i = 0; i < total; i++) {
      const items = { a: A + ia[i]! * m * k, b: B + ib[i]! * k * n, c: at.out + i * m * n };
      gemm(blas, heap, { ...shared, m, ...items });
    }
  });
  return activate(backend, out, attrs, prelu);
}

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

/** Batch items per im2col chunk, and the chunk's scratch size in floats. */
function chunking(info: tf.backend_util.Conv2DInfo): { items: number; floats: number } {
  const perItem = info.outHeight * info.outWidth * info.filterHeight * info.filterWidth *
    info.inChannels;
  const items = Math.max(1, Math.min(info.batchSize, Math.floor(scratchFloats / perItem)));
  return { items, floats: items * perItem };
}

/**
 * im2col: for items [n0, n0 + count) of x (NHWC at `x`), writes one row per output position
 * (n, oh, ow), holding the input patch in the filter's (i, j, c) order, zeros where it leaves x.
 */
function im2col(
  heap: Float32Array,
  x: number,
  info: tf.backend_util.Conv2DInfo,
  n0: number,
  count: number,
  cols: number,
): void {
  const { inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const rowLen = kh * kw * c;
  let row = cols;
  for (let n = n0; n < n0 + count; n++) {
    const item = x + n * h * w * c;
    for (let p = 0; p < oh; p++) {
      for (let q = 0; q < ow; q++) {
        const iw0 = q * sw - left;
        for (let i = 0; i < kh; i++) {
          const ih = p * sh - top + i * dh;
          const at = row + i * kw * c;
          if (ih < 0 || ih >= h) {
            heap.fill(0, at, at + kw * c);
            continue;
          }
          const line = item + ih * w * c;
          if (dw === 1) {
            const j0 = Math.max(0, -iw0);
            const j1 = Math.min(kw, w - iw0);
            if (j0 > 0) heap.fill(0, at, at + j0 * c);
            if (j1 > j0) {
              heap.copyWithin(at + j0 * c, line + (iw0 + j0) * c, line + (iw0 + j1) * c);
            }
            if (j1 < kw) heap.fill(0, at + Math.max(j1, j0) * c, at + kw * c);
          } else {
            for (let j = 0; j < kw; j++) {
              const iw = iw0 + j * dw;
              const to = at + j * c;
              if (iw < 0 || iw >= w) heap.fill(0, to, to + c);
              else heap.copyWithin(to, line + iw * c, line + (iw + 1) * c);
            }
          }
        }
        row += rowLen;
      }
    }
  }
}

/** col2im: adds each column row of `cols` back into the patch of dx (NHWC at `dx`) it came from. */
function col2im(
  heap: Float32Array,
  cols: number,
  info: tf.backend_util.Conv2DInfo,
  n0: number,
  count: number,
  dx: number,
): void {
  const { inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  let row = cols;
  for (let n = n0; n < n0 + count; n++) {
    const item = dx + n * h * w * c;
    for (let p = 0; p < oh; p++) {
      for (let q = 0; q < ow; q++) {
        for (let i = 0; i < kh; i++) {
          const ih = p * sh - top + i * dh;
          if (ih < 0 || ih >= h) continue;
          const line = item + ih * w * c;
          for (let j = 0; j < kw; j++) {
            const iw = q * sw - left + j * dw;
            if (iw < 0 || iw >= w) continue;
            const from = row + (i * kw + j) * c;
            const to = line + iw * c;
            for (let t = 0; t < c; t++) heap[to + t]! += heap[from + t]!;
          }
        }
        row += kh * kw * c;
      }
    }
  }
}

/** Checks a backprop kernel's dy against the geometry; false lets the WASM kernel report it. */
function dyMatches(dy: Info, info: tf.backend_util.Conv2DInfo): boolean {
  const expected = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  return dy.shape.length === 4 && expected.every((d, i) => dy.shape[i] === d);
}

function conv2D(blas: OpenBlas, backend: WasmBackend, args: Args): Info | undefined {
  const { x, filter, bias, preluActivationWeights: prelu } = args.inputs;
  const attrs = args.attrs ?? {};
  if (x === undefined || filter === undefined || !knownActivation(attrs, prelu)) return undefined;
  const info = geometry(attrs, x.shape, filter.shape);
  if (info === undefined) return undefined;
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
      narrowForward(blas, heap, info, plan.items, { x: X, w: W, out: at.out, at: at.scratch });
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
        im2col(heap, X, info, n0, count, S);
        const c = at.out + n0 * positions * o;
        gemm(blas, heap, { ...shared, m: count * positions, a: S, c });
      }
    });
  }
  return activate(backend, out, attrs, prelu);
}

function conv2DBackpropInput(blas: OpenBlas, backend: WasmBackend, args: Args): Info | undefined {
  const { dy, filter } = args.inputs;
  const attrs = args.attrs ?? {};
  if (dy === undefined || filter === undefined) return undefined;
  const inShape = attrs["inputShape"] as number[];
  const info = geometry({ ...attrs, dilations: 1 }, inShape, filter.shape);
  if (info === undefined || !dyMatches(dy, info)) return undefined;
  if (narrow(info)) {
    const plan = narrowChunk(info);
    return produce(backend, inShape, [dy, filter], [plan.floats, taps(info)], (heap, at) => {
      const [D, W] = at.inputs as [number, number];
      narrowBackpropInput(blas, heap, info, plan.items, {
        dy: D,
        w: W,
        dx: at.out,
        at: at.scratch,
      });
    });
  }
  // Strided and wide: the WASM kernel's split into stride² dense convs (each an OpenBLAS Conv2D)
  // copies blocks where col2im would add kh·kw·Cin floats one by one; it measured faster.
  if (info.strideHeight > 1 || info.strideWidth > 1) return undefined;
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
      col2im(heap, S, info, n0, count, at.out);
    }
  });
}

function conv2DBackpropFilter(blas: OpenBlas, backend: WasmBackend, args: Args): Info | undefined {
  const { x, dy } = args.inputs;
  const attrs = args.attrs ?? {};
  if (x === undefined || dy === undefined) return undefined;
  const filterShape = attrs["filterShape"] as number[];
  const info = geometry({ ...attrs, dilations: 1 }, x.shape, filterShape);
  if (info === undefined || !dyMatches(dy, info)) return undefined;
  if (narrow(info)) {
    const plan = narrowChunk(info);
    return produce(backend, filterShape, [x, dy], [plan.floats, taps(info)], (heap, at) => {
      const [X, D] = at.inputs as [number, number];
      narrowBackpropFilter(blas, heap, info, plan.items, {
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
      im2col(heap, X, info, n0, count, S);
      const b = D + n0 * positions * o;
      gemm(blas, heap, { ...shared, k: count * positions, a: S, b, beta: 1 });
    }
  });
}

/** kh·kw·Cin: the length of an im2col row. */
function depthOf(info: tf.backend_util.Conv2DInfo): number {
  return info.filterHeight * info.filterWidth * info.inChannels;
}

// ---- Narrow convolutions: fewer output than input channels (e.g. a 7x7 conv to 1 channel) ----
// im2col copies kh·kw·Cin floats per output position and col2im adds as many back: 629M for
// paper 001's last G layer at batch 128. When Cout < Cin it is cheaper to multiply first and
// move kh·kw·Cout floats per position instead: the forward pass is X [N·H·W, Cin] times the
// taps [Cin, kh·kw·Cout], then each output sums its taps' columns; both backward passes gather
// dy per input position into [N·H·W, kh·kw·Cout] and multiply that with the taps or with X.

/** Whether the output-side formulation moves less memory than im2col. */
function narrow(info: tf.backend_util.Conv2DInfo): boolean {
  return info.outChannels < info.inChannels && !pointwise(info);
}

/** Batch items per chunk when each item needs H·W·kh·kw·Cout floats of scratch. */
function narrowChunk(info: tf.backend_util.Conv2DInfo): { items: number; floats: number } {
  const perItem = info.inHeight * info.inWidth * info.filterHeight * info.filterWidth *
    info.outChannels;
  const items = Math.max(1, Math.min(info.batchSize, Math.floor(scratchFloats / perItem)));
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

/** Adds or copies `n` floats within the heap (a loop for short runs, copyWithin for long). */
function moveRun(heap: Float32Array, from: number, to: number, n: number): void {
  if (n >= 16) {
    heap.copyWithin(to, from, from + n);
  } else {
    for (let t = 0; t < n; t++) heap[to + t] = heap[from + t]!;
  }
}

/**
 * For items [n0, n0 + count): one row per input position (n, ih, iw) holding, for each tap
 * (i, j), dy at the output position that reads (ih, iw) through that tap, or zeros.
 */
function gatherDy(
  heap: Float32Array,
  dy: number,
  info: tf.backend_util.Conv2DInfo,
  n0: number,
  count: number,
  rows: number,
): void {
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, outChannels: o } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const rowLen = kh * kw * o;
  heap.fill(0, rows, rows + count * h * w * rowLen);
  let row = rows;
  for (let n = n0; n < n0 + count; n++) {
    const item = dy + n * oh * ow * o;
    for (let ih = 0; ih < h; ih++) {
      for (let iw = 0; iw < w; iw++) {
        for (let i = 0; i < kh; i++) {
          const ph = ih + top - i * dh;
          if (ph < 0 || ph % sh !== 0 || ph / sh >= oh) continue;
          const line = item + (ph / sh) * ow * o;
          for (let j = 0; j < kw; j++) {
            const qw = iw + left - j * dw;
            if (qw < 0 || qw % sw !== 0 || qw / sw >= ow) continue;
            moveRun(heap, line + (qw / sw) * o, row + (i * kw + j) * o, o);
          }
        }
        row += rowLen;
      }
    }
  }
}

/**
 * The forward pass's second half: output (n, p, q) += the columns of its taps in `z`, the
 * [N·H·W, kh·kw·Cout] product of items [n0, n0 + count).
 */
function sumTaps(
  heap: Float32Array,
  z: number,
  info: tf.backend_util.Conv2DInfo,
  n0: number,
  count: number,
  out: number,
): void {
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, outChannels: o } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const rowLen = kh * kw * o;
  for (let n = n0; n < n0 + count; n++) {
    const item = z + (n - n0) * h * w * rowLen;
    for (let p = 0; p < oh; p++) {
      for (let q = 0; q < ow; q++) {
        const to = out + ((n * oh + p) * ow + q) * o;
        for (let i = 0; i < kh; i++) {
          const ih = p * sh - top + i * dh;
          if (ih < 0 || ih >= h) continue;
          for (let j = 0; j < kw; j++) {
            const iw = q * sw - left + j * dw;
            if (iw < 0 || iw >= w) continue;
            const from = item + (ih * w + iw) * rowLen + (i * kw + j) * o;
            for (let t = 0; t < o; t++) heap[to + t]! += heap[from + t]!;
          }
        }
      }
    }
  }
}

/** kh·kw·Cin·Cout: the size of the filter, and of its rearranged copy. */
function taps(info: tf.backend_util.Conv2DInfo): number {
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
function narrowForward(
  blas: OpenBlas,
  heap: Float32Array,
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
    sumTaps(heap, z, info, n0, count, at.out);
  });
}

/** dx of a narrow conv: gathered dy [items·H·W, kh·kw·Cout] · taps [kh·kw·Cout, Cin]. */
function narrowBackpropInput(
  blas: OpenBlas,
  heap: Float32Array,
  info: tf.backend_util.Conv2DInfo,
  items: number,
  at: { dy: number; w: number; dx: number; at: number[] },
): void {
  const [g, wt] = at.at as [number, number];
  const [c, cols] = [info.inChannels, info.filterHeight * info.filterWidth * info.outChannels];
  const pixels = info.inHeight * info.inWidth;
  rearrange(heap, at.w, wt, info, "byTap");
  eachChunk(info, items, (n0, count) => {
    gatherDy(heap, at.dy, info, n0, count, g);
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
function narrowBackpropFilter(
  blas: OpenBlas,
  heap: Float32Array,
  info: tf.backend_util.Conv2DInfo,
  items: number,
  at: { x: number; dy: number; dw: number; at: number[] },
): void {
  const [g, acc] = at.at as [number, number];
  const [c, cols] = [info.inChannels, info.filterHeight * info.filterWidth * info.outChannels];
  const pixels = info.inHeight * info.inWidth;
  heap.fill(0, acc, acc + c * cols);
  eachChunk(info, items, (n0, count) => {
    gatherDy(heap, at.dy, info, n0, count, g);
    const a = at.x + n0 * pixels * c;
    const product = { m: c, n: cols, k: count * pixels, lda: c, ldb: cols, ldc: cols };
    gemm(blas, heap, { ...product, ta: true, a, b: g, c: acc, beta: 1 });
  });
  rearrange(heap, acc, at.dw, info, "fromByChannel");
}
