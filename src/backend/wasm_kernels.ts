/**
 * Kernel fixes for tfjs-backend-wasm 4.22, which cannot train convolutional GANs as shipped:
 *
 * - `Conv2DBackpropFilter` is missing, so any conv layer fails in backprop. It is added here as a
 *   convolution (XNNPACK `Conv2D`) of the batch/channel-swapped input with the output gradient.
 * - `Conv2DBackpropInput` (also the forward pass of `conv2dTranspose`) is a scalar C++ loop. It
 *   is replaced by stride x stride dense `Conv2D`s of the output gradient with sub-filters of the
 *   180°-rotated, channel-swapped filter, one per output phase, interleaved by `Transpose`.
 * - `BatchMatMul` and `_FusedMatMul` only reach XNNPACK for untransposed, unbatched operands; the
 *   rest falls into a scalar loop (~30x slower). The overrides materialise transposes with the
 *   wasm `Transpose` kernel, fold a broadcast operand's batch into the rows, and split batched
 *   `BatchMatMul`s into per-item XNNPACK calls.
 * - `Tile`, and `Sum` / `Mean` over leading axes (BatchNorm's statistics and gradient) compute an
 *   index per element or transpose the whole input first; a BatchNorm layer's backward pass spent
 *   0.3 s there per step at [128, 32, 32, 32]. The overrides copy rows and accumulate in place.
 * - `Identity` copies its input, and the engine runs it for each tensor saved for backprop
 *   (~400 a step of the MLP cGAN); the override shares memory by reference count, as `Reshape`
 *   does. `GatherV2` on axis 0 (Embedding lookups) copies one row per index. `MaxPoolGrad`
 *   (~130 ns per output) scans each window once for all channels.
 * - With OpenBLAS in use (`blas_kernels.ts`), matmuls and convolutions go there first.
 *
 * Every fix runs other wasm kernels directly (never high-level tf ops), copies memory blocks on
 * the wasm heap where no fast kernel exists, and frees its intermediates with
 * `backend.disposeData`.
 *
 * @module
 */
import * as tf from "../_tf.ts";
// Registers the wasm kernels this module reads, patches and calls.
import "@tensorflow/tfjs-backend-wasm";
import {
  asShape4,
  batchShape,
  checkDy,
  convInfo,
  dim,
  type Info,
  install,
  itemIndices,
  kernelOf,
  reshape,
  run,
  Scope,
  single,
  sizeOf,
  slice,
  transpose,
  type WasmBackend,
} from "./wasm_heap.ts";
import { blasKernel } from "./blas_kernels.ts";

/** Kernels the fixes call; all ship with tfjs-backend-wasm 4.22. */
const REQUIRED_KERNELS = [
  "Conv2D",
  "Transpose",
  "Reshape",
  "Slice",
  "Concat",
  "Fill",
] as const;

/**
 * Batched matmuls whose per-item work (M*K*N) is below this stay in the scalar C++ loop: there the
 * per-call cost of an XNNPACK operator (weight packing, copies) outweighs the faster inner loop.
 */
const MIN_ITEM_WORK = 8_192;

/** Plain NHWC convolution with explicit [top, bottom] / [left, right] padding. */
function conv2d(
  backend: WasmBackend,
  x: Info,
  filter: Info,
  dilations: [number, number],
  padH: [number, number],
  padW: [number, number],
): Info {
  const pad = [[0, 0], padH, padW, [0, 0]];
  return run("Conv2D", backend, { x, filter }, {
    strides: [1, 1],
    pad,
    dataFormat: "NHWC",
    dilations,
  });
}

/**
 * dW[i, j, c, o] = sum over n, p, q of x[n, p*sh + i - top, q*sw + j - left, c] * dy[n, p, q, o]:
 * a stride-1 convolution of x as [Cin, H, W, N] with dy as the [OH, OW, N, Cout] filter, dilated
 * by the forward stride. Its output is [Cin, >=kh, >=kw, Cout]; crop and move Cin inward.
 */
function conv2DBackpropFilter(args: Parameters<tf.KernelFunc>[0]): Info {
  const viaBlas = blasKernel("Conv2DBackpropFilter", args);
  if (viaBlas !== undefined) return viaBlas;
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs;
  const attrs = args.attrs ?? {};
  const kernel = "Conv2DBackpropFilter";
  if (x === undefined || dy === undefined) {
    throw new TypeError(`Cannot run wasm ${kernel}: expected inputs x and dy`);
  }
  const filterShape = asShape4(attrs["filterShape"] as number[], "filterShape", kernel);
  const info = convInfo(attrs, asShape4(x.shape, "x", kernel), filterShape, kernel);
  checkDy(dy, info, kernel);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const bottom = Math.max(0, kh + (info.outHeight - 1) * sh - info.inHeight - top);
  const right = Math.max(0, kw + (info.outWidth - 1) * sw - info.inWidth - left);
  const scope = new Scope(backend);
  try {
    const xT = scope.track(transpose(backend, x, [3, 1, 2, 0])); // [Cin, H, W, N]
    const dyT = scope.track(transpose(backend, dy, [1, 2, 0, 3])); // [OH, OW, N, Cout]
    let dw = scope.track(conv2d(backend, xT, dyT, [sh, sw], [top, bottom], [left, right]));
    if (dim(dw.shape, 1) !== kh || dim(dw.shape, 2) !== kw) {
      dw = scope.track(
        slice(backend, dw, [0, 0, 0, 0], [info.inChannels, kh, kw, info.outChannels]),
      );
    }
    return transpose(backend, dw, [1, 2, 0, 3]); // [kh, kw, Cin, Cout]
  } finally {
    scope.dispose();
  }
}

/** How one output phase of a strided transposed convolution reads dy, along one axis. */
interface PhaseTaps {
  /** The phase uses filter taps residue, residue + stride, ... (all below the kernel size). */
  residue: number;
  /** Number of taps; 0 when the phase gets no contribution (filter smaller than stride). */
  count: number;
  /** Padding of dy before / after for a stride-1 conv; negative means crop. */
  pad: [number, number];
}

/**
 * Splits one axis of a transposed convolution into `stride` phases: output positions
 * y = t * stride + phase, t < outLen, each a stride-1 correlation of dy with every stride-th tap
 * of the filter, reversed. dx[y] = sum over p, i with p * stride + i = y + padBefore of
 * dy[p] * w[i]; so in a phase, i = r + stride * a with r = (phase + padBefore) mod stride.
 */
function phaseTaps(
  kernel: number,
  stride: number,
  padBefore: number,
  dyLen: number,
  outLen: number,
): PhaseTaps[] {
  const phases: PhaseTaps[] = [];
  for (let phase = 0; phase < stride; phase++) {
    const residue = (phase + padBefore) % stride;
    const count = residue < kernel ? Math.ceil((kernel - residue) / stride) : 0;
    const offset = Math.floor((phase + padBefore) / stride); // dy row of tap `residue` at t = 0
    const before = count - 1 - offset;
    phases.push({ residue, count, pad: [before, outLen - dyLen - before + count - 1] });
  }
  return phases;
}

/**
 * The filter of one phase, [rows.count, cols.count, Cout, Cin]: the phase's taps of `swapped`
 * ([kh, kw, Cout, Cin]) in reverse order. Built by copying whole [Cout, Cin] blocks, as wasm's
 * Reverse and StridedSlice kernels are scalar loops (~30 ms for a 5x5x64x128 filter).
 */
function phaseFilter(
  backend: WasmBackend,
  swapped: Info,
  rows: PhaseTaps,
  cols: PhaseTaps,
  strides: [number, number],
): Info {
  const [, kw, cout, cin] = asShape4(swapped.shape, "filter", "Conv2DBackpropInput");
  const block = cout * cin;
  const out = backend.makeOutput([rows.count, cols.count, cout, cin], "float32");
  // Views are taken after the allocation above, which can grow (and detach) the heap.
  const src = backend.typedArrayFromHeap(swapped);
  const dst = backend.typedArrayFromHeap(out);
  for (let a = 0; a < rows.count; a++) {
    const i = rows.residue + strides[0] * (rows.count - 1 - a);
    for (let b = 0; b < cols.count; b++) {
      const j = cols.residue + strides[1] * (cols.count - 1 - b);
      const from = (i * kw + j) * block;
      dst.set(src.subarray(from, from + block), (a * cols.count + b) * block);
    }
  }
  return out;
}

/**
 * Stride-1 NHWC conv with explicit padding, where negative padding crops x instead. Returns
 * undefined when the crop leaves nothing, i.e. the output is all zeros.
 */
function convCropping(
  backend: WasmBackend,
  scope: Scope,
  x: Info,
  filter: Info,
  padH: [number, number],
  padW: [number, number],
): Info | undefined {
  const crop = [...padH, ...padW].map((p) => Math.max(0, -p));
  const [cropT = 0, cropB = 0, cropL = 0, cropR = 0] = crop;
  let input = x;
  if (crop.some((c) => c > 0)) {
    const [n, h, w, c] = asShape4(x.shape, "x", "Conv2D");
    const size = [n, h - cropT - cropB, w - cropL - cropR, c];
    if (dim(size, 1) <= 0 || dim(size, 2) <= 0) return undefined;
    input = scope.track(slice(backend, x, [0, cropT, cropL, 0], size));
  }
  const [t, b, l, r] = [...padH, ...padW].map((p) => Math.max(0, p));
  return conv2d(backend, input, filter, [1, 1], [t ?? 0, b ?? 0], [l ?? 0, r ?? 0]);
}

/**
 * dx of a conv is a transposed conv of dy. Instead of inserting stride - 1 zeros between dy
 * elements (which wastes stride² of the work on zeros), each of the sh x sw output phases is a
 * dense stride-1 XNNPACK conv of dy with a sub-filter of the 180°-rotated, channel-swapped
 * filter; the phases are then interleaved with two transposes.
 */
function conv2DBackpropInput(args: Parameters<tf.KernelFunc>[0]): Info {
  const viaBlas = blasKernel("Conv2DBackpropInput", args);
  if (viaBlas !== undefined) return viaBlas;
  const backend = args.backend as WasmBackend;
  const { dy, filter } = args.inputs;
  const attrs = args.attrs ?? {};
  const kernel = "Conv2DBackpropInput";
  if (dy === undefined || filter === undefined) {
    throw new TypeError(`Cannot run wasm ${kernel}: expected inputs dy and filter`);
  }
  const inShape = asShape4(attrs["inputShape"] as number[], "inputShape", kernel);
  const info = convInfo(attrs, inShape, asShape4(filter.shape, "filter", kernel), kernel);
  checkDy(dy, info, kernel);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: cin } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const [hq, wq] = [Math.ceil(h / sh), Math.ceil(w / sw)]; // rows / columns per phase
  const rows = phaseTaps(kh, sh, info.padInfo.top, info.outHeight, hq);
  const cols = phaseTaps(kw, sw, info.padInfo.left, info.outWidth, wq);
  const scope = new Scope(backend);
  try {
    const swapped = scope.track(transpose(backend, filter, [0, 1, 3, 2])); // [kh, kw, Cout, Cin]
    const phases: Info[] = [];
    for (const row of rows) {
      for (const col of cols) {
        let phase: Info | undefined;
        if (row.count > 0 && col.count > 0) {
          const taps = scope.track(phaseFilter(backend, swapped, row, col, [sh, sw]));
          phase = convCropping(backend, scope, dy, taps, row.pad, col.pad);
        }
        phase ??= run("Fill", backend, {}, { shape: [n, hq, wq, cin], value: 0, dtype: "float32" });
        phases.push(sh * sw === 1 ? phase : scope.track(phase));
      }
    }
    const [only] = phases;
    if (phases.length === 1 && only !== undefined) return only;
    // [sh, sw, N, hq, wq, Cin] -> [N, hq, sh, wq, sw, Cin] = [N, hq * sh, wq * sw, Cin], in two
    // transposes of rank <= 4 (wasm's rank-5+ transpose is ~100x slower).
    const stacked = scope.track(
      run("Concat", backend, phases as unknown as tf.NamedTensorInfoMap, { axis: 0 }),
    );
    const byPhase = scope.track(reshape(backend, stacked, [sh * sw, n * hq, wq * cin]));
    const byRow = scope.track(transpose(backend, byPhase, [1, 0, 2])); // [N * hq, sh * sw, wq * Cin]
    const rowsGrid = scope.track(reshape(backend, byRow, [n * hq * sh, sw, wq, cin]));
    const mixed = scope.track(transpose(backend, rowsGrid, [0, 2, 1, 3])); // [N hq sh, wq, sw, Cin]
    const dx = scope.track(reshape(backend, mixed, [n, hq * sh, wq * sw, cin]));
    if (hq * sh === h && wq * sw === w) return reshape(backend, dx, inShape);
    return slice(backend, dx, [0, 0, 0, 0], inShape);
  } finally {
    scope.dispose();
  }
}

/** Swaps the last two axes of `x`. */
function transposeLast2(backend: WasmBackend, x: Info): Info {
  const rank = x.shape.length;
  const perm = x.shape.map((_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [rank - 1, rank - 2];
  return transpose(backend, x, perm);
}

/** Operands of a matmul with transposes already applied: a is [..., M, K], b is [..., K, N]. */
interface MatMulOperands {
  a: Info;
  b: Info;
  outBatch: number[];
  m: number;
  k: number;
  n: number;
}

/**
 * Runs `call` once per batch item on [1, M, K] x [1, K, N] copies (the shapes XNNPACK serves)
 * and gathers the [1, M, N] results into one [batch, M, N] output.
 */
function perItemMatMul(
  backend: WasmBackend,
  call: (a: Info, b: Info) => Info,
  { a, b, outBatch, m, k, n }: MatMulOperands,
): Info {
  const aItems = itemIndices(outBatch, a.shape.slice(0, -2));
  const bItems = itemIndices(outBatch, b.shape.slice(0, -2));
  const out = backend.makeOutput([aItems.length, m, n], "float32");
  const item = new Scope(backend);
  try {
    aItems.forEach((ia, i) => {
      const ib = bItems[i] ?? 0;
      const ai = item.track(backend.makeOutput([1, m, k], "float32"));
      const bi = item.track(backend.makeOutput([1, k, n], "float32"));
      // Views are taken right before each copy: allocation can grow (and detach) the heap.
      const aView = backend.typedArrayFromHeap(a).subarray(ia * m * k, (ia + 1) * m * k);
      backend.typedArrayFromHeap(ai).set(aView);
      const bView = backend.typedArrayFromHeap(b).subarray(ib * k * n, (ib + 1) * k * n);
      backend.typedArrayFromHeap(bi).set(bView);
      const ci = item.track(call(ai, bi));
      backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(ci), i * m * n);
      item.dispose();
    });
  } catch (error) {
    item.dispose();
    backend.disposeData(out.dataId);
    throw error;
  }
  return out;
}

/**
 * Wraps a wasm matmul kernel (`BatchMatMul` or `_FusedMatMul`) so that it only ever sees
 * untransposed operands and, where it pays, unbatched ones: the shapes XNNPACK serves. Batched
 * `_FusedMatMul`s with a bias, and batches that broadcast on both sides, always go per item: the
 * stock kernels get those wrong (misplaced bias; output sized by the larger batch alone).
 */
function fastMatMul(
  original: tf.KernelFunc,
  kernel: "BatchMatMul" | "_FusedMatMul",
): tf.KernelFunc {
  return (args) => {
    const viaBlas = blasKernel(kernel, args);
    if (viaBlas !== undefined) return viaBlas;
    const backend = args.backend as WasmBackend;
    const { a, b, ...epilogue } = args.inputs;
    if (a === undefined || b === undefined) {
      throw new TypeError(`Cannot run wasm ${kernel}: expected inputs a and b`);
    }
    const tooOdd = a.dtype !== "float32" || b.dtype !== "float32" || a.shape.length < 2 ||
      b.shape.length < 2;
    if (tooOdd) return original(args); // Let the stock kernel report what it does not support.
    const attrs: tf.NamedAttrMap = { ...args.attrs, transposeA: false, transposeB: false };
    const call = (x: Info, y: Info) =>
      single(original({ inputs: { ...epilogue, a: x, b: y }, backend, attrs }), kernel);
    const scope = new Scope(backend);
    try {
      const a2 = args.attrs?.["transposeA"] ? scope.track(transposeLast2(backend, a)) : a;
      const b2 = args.attrs?.["transposeB"] ? scope.track(transposeLast2(backend, b)) : b;
      const [m, k, n] = [dim(a2.shape, -2), dim(a2.shape, -1), dim(b2.shape, -1)];
      const batchA = sizeOf(a2.shape.slice(0, -2));
      const batchB = sizeOf(b2.shape.slice(0, -2));
      const outBatch = batchShape(a2.shape.slice(0, -2), b2.shape.slice(0, -2));
      if (outBatch === undefined || (batchA === 1 && batchB === 1) || m * k * n === 0) {
        return call(a2, b2);
      }
      const outShape = [...outBatch, m, n];
      const bias = epilogue["bias"];
      const prelu = epilogue["preluActivationWeights"];
      // A bias or prelu weights act per output column: fine on stacked rows, not on joined columns.
      const perColumn = prelu === undefined || prelu.shape.length <= 1;
      if (batchB === 1 && perColumn) {
        // Every item shares b: stack the items of a as rows of one matrix.
        const rows = scope.track(reshape(backend, a2, [1, batchA * m, k]));
        const b3 = scope.track(reshape(backend, b2, [1, k, n]));
        return reshape(backend, scope.track(call(rows, b3)), outShape);
      }
      if (batchA === 1 && bias === undefined && prelu === undefined) {
        // Every item shares a: put the items of b side by side as columns of one matrix.
        const a3 = scope.track(reshape(backend, a2, [1, m, k]));
        const b3 = scope.track(reshape(backend, b2, [batchB, k, n]));
        const cols = scope.track(transpose(backend, b3, [1, 0, 2])); // [K, batch, N]
        const wide = scope.track(reshape(backend, cols, [1, k, batchB * n]));
        const prod = scope.track(reshape(backend, scope.track(call(a3, wide)), [m, batchB, n]));
        const items = scope.track(transpose(backend, prod, [1, 0, 2])); // [batch, M, N]
        return reshape(backend, items, outShape);
      }
      // The stock kernels size the output by the larger batch alone: wrong when both broadcast.
      const mixed = batchA !== batchB;
      const needsEpilogue = bias !== undefined || prelu !== undefined;
      if (perColumn && (mixed || needsEpilogue || m * k * n >= MIN_ITEM_WORK)) {
        const operands = { a: a2, b: b2, outBatch, m, k, n };
        const out = scope.track(perItemMatMul(backend, call, operands));
        return reshape(backend, out, outShape);
      }
      return call(a2, b2);
    } finally {
      scope.dispose();
    }
  };
}

/**
 * `UnsortedSegmentSum` (missing in tfjs-backend-wasm 4.22; it is the gradient of `gather`, so
 * every Embedding layer needs it): `out[ids[i], ...] += x[i, ...]`, summed on the wasm heap.
 * The work is one pass over `x`, which is small next to the matmuls around it.
 */
function unsortedSegmentSum(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as unknown as WasmBackend;
  const { x, segmentIds } = args.inputs as { x: Info; segmentIds: Info };
  const numSegments = args.attrs?.numSegments as number;
  const ids = sizeOf(segmentIds.shape);
  const inner = ids === 0 ? 0 : sizeOf(x.shape) / ids;
  if (
    !Number.isInteger(inner) ||
    x.shape.slice(0, segmentIds.shape.length).join() !== segmentIds.shape.join()
  ) {
    throw new RangeError(
      `Cannot run wasm UnsortedSegmentSum: x shape [${x.shape}] does not start with segmentIds shape [${segmentIds.shape}]`,
    );
  }
  if (x.dtype !== "float32" && x.dtype !== "int32") {
    throw new TypeError(
      `Cannot run wasm UnsortedSegmentSum: expected float32 or int32 x, found ${x.dtype}`,
    );
  }
  const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  const dst = backend.typedArrayFromHeap(out);
  dst.fill(0);
  const src = backend.typedArrayFromHeap(x);
  const seg = backend.typedArrayFromHeap(segmentIds);
  for (let i = 0; i < ids; i++) {
    const id = seg[i]!;
    if (id < 0 || id >= numSegments) continue; // like TensorFlow: out-of-range ids are dropped
    const from = i * inner;
    const to = id * inner;
    for (let j = 0; j < inner; j++) dst[to + j]! += src[from + j]!;
  }
  return out;
}

/**
 * `Tile` (the stock wasm kernel computes an index per element, ~50 ns each: 0.2 s to tile a
 * BatchNorm scale over a [128, 32, 32, 32] gradient): copies each innermost row of `x` once,
 * then doubles the filled block with `copyWithin` for every repeat, axis by axis.
 */
function tile(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as unknown as WasmBackend;
  const { x } = args.inputs as { x: Info };
  const reps = args.attrs?.reps as number[];
  if (reps.length !== x.shape.length) {
    throw new RangeError(
      `Cannot run wasm Tile: expected ${x.shape.length} reps for shape [${x.shape}], found [${reps}]`,
    );
  }
  const rank = x.shape.length;
  const outShape = x.shape.map((d, i) => d * reps[i]!);
  const out = backend.makeOutput(outShape, x.dtype);
  if (sizeOf(outShape) === 0) return out;
  const dst = backend.typedArrayFromHeap(out);
  const src = backend.typedArrayFromHeap(x);
  if (rank === 0) {
    dst[0] = src[0]!;
    return out;
  }
  const inStride = new Array<number>(rank);
  const outStride = new Array<number>(rank);
  inStride[rank - 1] = 1;
  outStride[rank - 1] = 1;
  for (let a = rank - 2; a >= 0; a--) {
    inStride[a] = inStride[a + 1]! * x.shape[a + 1]!;
    outStride[a] = outStride[a + 1]! * outShape[a + 1]!;
  }
  // Fills the first copy of axis `a` at `to` from `x` at `from`, then repeats it.
  const fill = (a: number, from: number, to: number): void => {
    const n = x.shape[a]!;
    const block = n * outStride[a]!;
    if (a === rank - 1) {
      dst.set(src.subarray(from, from + n), to);
    } else {
      for (let i = 0; i < n; i++) fill(a + 1, from + i * inStride[a]!, to + i * outStride[a]!);
    }
    for (let filled = block; filled < block * reps[a]!;) {
      const copy = Math.min(filled, block * reps[a]! - filled);
      dst.copyWithin(to + filled, to, to + copy);
      filled += copy;
    }
  };
  fill(0, 0, 0);
  return out;
}

/**
 * `Sum` and `Mean` over the leading axes of a float32 tensor (BatchNorm statistics and their
 * gradients reduce [N, H, W, C] over N, H, W): the stock kernels transpose the whole input first
 * so that the reduced axes are innermost. This sums the rows in place into float64
 * accumulators instead. Other reductions go to the stock kernel.
 */
function leadingAxesReduce(original: tf.KernelFunc, mean: boolean): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as WasmBackend;
    const { x } = args.inputs as { x: Info };
    const rank = x.shape.length;
    const raw = args.attrs?.axis as number | number[];
    const axes = [...new Set((Array.isArray(raw) ? raw : [raw]).map((a) => a < 0 ? a + rank : a))]
      .sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (!leading || x.dtype !== "float32") return original(args);
    const rows = sizeOf(x.shape.slice(0, axes.length));
    const inner = sizeOf(x.shape.slice(axes.length));
    const keepDims = args.attrs?.keepDims === true;
    const outShape = keepDims
      ? x.shape.map((d, i) => i < axes.length ? 1 : d)
      : x.shape.slice(axes.length);
    const acc = new Float64Array(inner);
    const src = backend.typedArrayFromHeap(x);
    for (let r = 0; r < rows; r++) {
      const base = r * inner;
      for (let j = 0; j < inner; j++) acc[j]! += src[base + j]!;
    }
    const out = backend.makeOutput(outShape, "float32");
    const dst = backend.typedArrayFromHeap(out);
    const scale = mean ? 1 / rows : 1;
    for (let j = 0; j < inner; j++) dst[j] = acc[j]! * scale;
    return out;
  };
}

/**
 * `Identity` without the copy: the stock wasm kernel copies its input, and tfjs's engine runs
 * Identity for every tensor it saves for the backward pass (~400 copies per MLP cGAN step).
 * Like `Reshape` (and the cpu backend's Identity), the output shares the input's memory by
 * reference count: no wasm kernel writes into its inputs, so sharing is safe.
 */
function identity(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: Info };
    if (x.dtype === "string") return original(args);
    (args.backend as unknown as { incRef(dataId: Info["dataId"]): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

/**
 * `GatherV2` along axis 0 (an Embedding lookup) as one row copy per index: the stock kernel
 * computes every element's source index (1.8 ms for 64 rows of 784). Other axes, batch dims
 * or out-of-range indices go to the stock kernel, which also reports the latter.
 */
function gatherRows(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as WasmBackend;
    const { x, indices } = args.inputs as { x: Info; indices: Info };
    const attrs = args.attrs ?? {};
    const axis = attrs["axis"] as number | undefined ?? 0;
    const batchDims = attrs["batchDims"] as number | undefined ?? 0;
    const plain = (axis === 0 || axis === -x.shape.length) && batchDims === 0 &&
      x.shape.length >= 1 && (x.dtype === "float32" || x.dtype === "int32") &&
      (indices.dtype === "int32" || indices.dtype === "float32");
    if (!plain) return original(args);
    const rows = dim(x.shape, 0);
    const ids = backend.typedArrayFromHeap(indices);
    for (const id of ids) {
      if (!(id >= 0 && id < rows && Number.isInteger(id))) return original(args);
    }
    const row = sizeOf(x.shape.slice(1));
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    // Views are taken after the allocation above, which can grow (and detach) the heap.
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    const at = backend.typedArrayFromHeap(indices);
    for (let i = 0; i < at.length; i++) {
      const from = at[i]! * row;
      dst.set(src.subarray(from, from + row), i * row);
    }
    return out;
  };
}

/**
 * `MaxPoolGrad` (the stock wasm kernel took 134 ms for a [128, 32, 32, 32] 2x2 pool, ~130 ns per
 * output): routes each dy value to the first maximum of its window, as tfjs's cpu backend
 * does, scanning a window once for all channels of an output position.
 */
function maxPoolGrad(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as unknown as WasmBackend;
  const { dy, input } = args.inputs as { dy: Info; input: Info };
  const attrs = args.attrs ?? {};
  const info = tf.backend_util.computePool2DInfo(
    asShape4(input.shape, "input", "MaxPoolGrad"),
    attrs["filterSize"] as number | [number, number],
    attrs["strides"] as number | [number, number],
    1,
    attrs["pad"] as "same" | "valid" | number | tf.backend_util.ExplicitPadding,
    attrs["dimRoundingMode"] as "floor" | "round" | "ceil" | undefined,
  );
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c } = info;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { top, left } = info.padInfo;
  const out = backend.makeOutput([...input.shape], "float32");
  // Views are taken after the allocation above, which can grow (and detach) the heap.
  const x = backend.typedArrayFromHeap(input);
  const g = backend.typedArrayFromHeap(dy);
  const dx = backend.typedArrayFromHeap(out);
  dx.fill(0);
  const best = new Float32Array(c);
  const where = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < oh; p++) {
      const r0 = Math.max(0, p * sh - top);
      const r1 = Math.min(h, p * sh - top + fh);
      for (let q = 0; q < ow; q++) {
        const c0 = Math.max(0, q * sw - left);
        const c1 = Math.min(w, q * sw - left + fw);
        best.fill(Number.NEGATIVE_INFINITY);
        where.fill(-1);
        for (let r = r0; r < r1; r++) {
          for (let col = c0; col < c1; col++) {
            const at = ((b * h + r) * w + col) * c;
            for (let d = 0; d < c; d++) {
              const v = x[at + d]!;
              if (v > best[d]!) {
                best[d] = v;
                where[d] = at + d;
              }
            }
          }
        }
        const from = ((b * oh + p) * ow + q) * c;
        for (let d = 0; d < c; d++) if (where[d]! >= 0) dx[where[d]!]! += g[from + d]!;
      }
    }
  }
  return out;
}

/**
 * Registers fast or missing kernels for the tfjs `wasm` backend so that conv GANs can train on
 * it: `Conv2DBackpropFilter` (missing in tfjs-backend-wasm 4.22), an XNNPACK-based
 * `Conv2DBackpropInput`, `UnsortedSegmentSum` (the gradient of `gather`, missing too), `BatchMatMul` / `_FusedMatMul` that keep transposed and batched
 * products on XNNPACK instead of a scalar loop, row-copying `Tile`, `Sum`, `Mean` and `GatherV2`,
 * a copy-free `Identity`, and OpenBLAS matmuls and convolutions when `useBlas` holds a library
 * (see `blas_kernels.ts`). Only NHWC convolutions are supported (others
 * throw a `TypeError` naming the kernel).
 *
 * Idempotent: a second call changes nothing. The kernels are replaced in tfjs's global registry,
 * so it works both before and after `await tf.setBackend("wasm")`; the original kernels are kept
 * and called for the cases XNNPACK already serves.
 *
 * @returns Nothing; the kernels are registered for backend `wasm`.
 * @throws {Error} If the stock wasm kernels the fixes build on are not registered.
 *
 * @example Train a conv net on the WASM backend
 * ```ts ignore
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { registerWasmKernelFixes } from "./wasm_kernels.ts";
 *
 * await tf.setBackend("wasm");
 * registerWasmKernelFixes();
 * const x = tf.randomNormal<tf.Rank.R4>([2, 8, 8, 3]);
 * const w = tf.randomNormal<tf.Rank.R4>([3, 3, 3, 4]);
 * const dw = tf.grad((w) => tf.conv2d(x, w as tf.Tensor4D, 2, "same").square().sum())(w);
 * console.log(dw.shape); // [3, 3, 3, 4]
 * ```
 */
export function registerWasmKernelFixes(): void {
  for (const name of REQUIRED_KERNELS) kernelOf(name);
  install("Conv2DBackpropFilter", () => conv2DBackpropFilter);
  install("Conv2DBackpropInput", () => conv2DBackpropInput);
  install("UnsortedSegmentSum", () => unsortedSegmentSum);
  install("Tile", () => tile);
  for (const name of ["Sum", "Mean"] as const) {
    install(
      name,
      (original) => leadingAxesReduce((original ?? kernelOf(name)).kernelFunc, name === "Mean"),
    );
  }
  for (const name of ["BatchMatMul", "_FusedMatMul"] as const) {
    install(name, (original) => fastMatMul((original ?? kernelOf(name)).kernelFunc, name));
  }
  install("MaxPoolGrad", () => maxPoolGrad);
  install("Identity", (original) => identity((original ?? kernelOf("Identity")).kernelFunc));
  install("GatherV2", (original) => gatherRows((original ?? kernelOf("GatherV2")).kernelFunc));
  for (const name of ["Conv2D", "FusedConv2D"] as const) {
    install(name, (original) => {
      const stock = (original ?? kernelOf(name)).kernelFunc;
      return (args) => blasKernel(name, args) ?? stock(args);
    });
  }
}
