/**
 * The convolution kernels of tfjs-backend-wasm 4.22, fixed:
 *
 * - `Conv2DBackpropFilter` is missing, so any conv layer fails in backprop. It is added here as a
 *   convolution (XNNPACK `Conv2D`) of the batch/channel-swapped input with the output gradient.
 * - `Conv2DBackpropInput` (also the forward pass of `conv2dTranspose`) is a scalar C++ loop. It
 *   is replaced by stride x stride dense `Conv2D`s of the output gradient with sub-filters of the
 *   180°-rotated, channel-swapped filter, one per output phase, interleaved by `Transpose`.
 * - With OpenBLAS in use (`blas/`), these two, `Conv2D` and `FusedConv2D` go there first.
 *
 * Only NHWC convolutions are supported (others throw a `TypeError` naming the kernel).
 *
 * @module
 */
import type * as tf from "../../_tf.ts";
import {
  asShape4,
  checkDy,
  convInfo,
  dim,
  type Info,
  install,
  kernelOf,
  run,
  Scope,
  slice,
  transpose,
  type WasmBackend,
  wholeHeap,
} from "./_heap.ts";
import { blasKernel } from "./blas/mod.ts";
import { blockOps } from "./block_simd.ts";

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

/** A float32 tensor of zeros. */
function zeros(backend: WasmBackend, shape: number[]): Info {
  return run("Fill", backend, {}, { shape, value: 0, dtype: "float32" });
}

/**
 * Writes phase (a, b) of a strided transposed conv, `[N, hq, wq, C]`, into dx `[N, H, W, C]` at
 * rows t·sh + a and columns u·sw + b (those inside dx); zeros there when the phase is undefined
 * (no filter tap reaches it).
 */
function scatterPhase(
  backend: WasmBackend,
  dx: Info,
  phase: Info | undefined,
  g: {
    n: number;
    h: number;
    w: number;
    c: number;
    hq: number;
    wq: number;
    sh: number;
    sw: number;
    a: number;
    b: number;
  },
): void {
  const { heap, at: out } = wholeHeap(backend, dx, Float32Array);
  const src = phase === undefined ? undefined : wholeHeap(backend, phase, Float32Array).at;
  const moves = blockOps(backend.wasm?.asm?.memory);
  const { n, h, w, c, hq, wq, sh, sw, a, b } = g;
  const tEnd = Math.min(hq, Math.ceil((h - a) / sh));
  const uEnd = Math.min(wq, Math.ceil((w - b) / sw));
  for (let item = 0; item < n; item++) {
    for (let t = 0; t < tEnd; t++) {
      const to = out + ((item * h + t * sh + a) * w + b) * c;
      if (src === undefined) {
        for (let u = 0; u < uEnd; u++) heap.fill(0, to + u * sw * c, to + (u * sw + 1) * c);
      } else {
        moves.copy(heap, to, sw * c, src + ((item * hq + t) * wq) * c, c, uEnd, c);
      }
    }
  }
}

/**
 * dx of a conv is a transposed conv of dy. Instead of inserting stride - 1 zeros between dy
 * elements (which wastes stride² of the work on zeros), each of the sh x sw output phases is a
 * dense stride-1 XNNPACK conv of dy with a sub-filter of the 180°-rotated, channel-swapped
 * filter, written into its rows and columns of dx.
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
    if (sh * sw === 1) {
      const [row, col] = [rows[0]!, cols[0]!];
      const taps = scope.track(phaseFilter(backend, swapped, row, col, [sh, sw]));
      return convCropping(backend, scope, dy, taps, row.pad, col.pad) ?? zeros(backend, inShape);
    }
    // Each phase's conv is written straight into its positions of dx (one pass), rather than
    // stacked and interleaved by transposes (three passes and three allocations).
    const dx = backend.makeOutput([...inShape], "float32");
    rows.forEach((row, a) => {
      cols.forEach((col, b) => {
        let phase: Info | undefined;
        if (row.count > 0 && col.count > 0) {
          const taps = scope.track(phaseFilter(backend, swapped, row, col, [sh, sw]));
          phase = convCropping(backend, scope, dy, taps, row.pad, col.pad);
          if (phase !== undefined) scope.track(phase);
        }
        scatterPhase(backend, dx, phase, { n, h, w, c: cin, hq, wq, sh, sw, a, b });
      });
    });
    return dx;
  } finally {
    scope.dispose();
  }
}

/**
 * Installs the convolution kernels for backend `wasm`: `Conv2DBackpropFilter`,
 * `Conv2DBackpropInput`, and `Conv2D` / `FusedConv2D` that try OpenBLAS before the stock kernel.
 * Idempotent.
 */
export function registerConvKernels(): void {
  install("Conv2DBackpropFilter", () => conv2DBackpropFilter);
  install("Conv2DBackpropInput", () => conv2DBackpropInput);
  for (const name of ["Conv2D", "FusedConv2D"] as const) {
    install(name, (original) => {
      const stock = (original ?? kernelOf(name)).kernelFunc;
      return (args) => blasKernel(name, args) ?? stock(args);
    });
  }
}
