/**
 * `Concat` and `SplitV` on tfjs-backend-wasm 4.22 by block copies on the heap. The stock kernels
 * copy one innermost run at a time through a new typed-array view each: ~150 ns an element when
 * the run is one value long, as when a conditional DCGAN joins a one-channel label map to the
 * image (`[128, 28, 28, 1]` twice: 30 ms a call here, where a copy loop takes well under one).
 * Here each input's run, of any length, is copied with `copyWithin` on one view of the whole heap
 * (a plain loop for short runs), for float32 and int32 (bits copied as integers); other dtypes
 * go to the stock kernels.
 *
 * @module
 */
import * as tf from "../../_tf.ts";
import { type Info, install, sizeOf, type WasmBackend, wholeHeap } from "./_heap.ts";

/** Runs shorter than this are copied by a loop rather than `copyWithin`. */
const SHORT_RUN = 16;

/** The whole heap as 32-bit integers (bits copied exactly), and where `info` starts in it. */
const heapOf = (backend: WasmBackend, info: Info) => wholeHeap(backend, info, Int32Array);

/** Copies `runs` runs of `len` values: from `src` every `srcStride`, to `dst` every `dstStride`. */
function copyRuns(
  heap: Int32Array,
  src: number,
  srcStride: number,
  dst: number,
  dstStride: number,
  runs: number,
  len: number,
): void {
  if (len >= SHORT_RUN) {
    for (let r = 0; r < runs; r++) {
      heap.copyWithin(dst + r * dstStride, src + r * srcStride, src + r * srcStride + len);
    }
  } else if (len === 1) {
    for (let r = 0; r < runs; r++) heap[dst + r * dstStride] = heap[src + r * srcStride]!;
  } else {
    for (let r = 0; r < runs; r++) {
      const [s, d] = [src + r * srcStride, dst + r * dstStride];
      for (let i = 0; i < len; i++) heap[d + i] = heap[s + i]!;
    }
  }
}

/** Values before `axis` (the runs) and from `axis` on (one run) of `shape`. */
function split(shape: readonly number[], axis: number): { outer: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, axis)), inner: sizeOf(shape.slice(axis)) };
}

const copied = (dtype: tf.DataType) => dtype === "float32" || dtype === "int32";

function concat(original: tf.KernelConfig) {
  return (args: Parameters<tf.KernelFunc>[0]): Info | Info[] => {
    const backend = args.backend as unknown as WasmBackend;
    const inputs = args.inputs as unknown as Info[];
    const dtype = inputs[0]?.dtype;
    if (dtype === undefined || !copied(dtype) || inputs.some((t) => t.dtype !== dtype)) {
      return original.kernelFunc(args);
    }
    const axis = tf.util.parseAxisParam(args.attrs?.["axis"] as number, inputs[0]!.shape)[0]!;
    const shapes = inputs.map((t) => t.shape);
    tf.backend_util.assertParamsConsistent(shapes, axis);
    const outShape = tf.backend_util.computeOutShape(shapes, axis);
    const out = backend.makeOutput(outShape, dtype);
    if (sizeOf(outShape) === 0) return out;
    const { heap, at: dst } = heapOf(backend, out);
    const { inner: outInner } = split(outShape, axis);
    let offset = 0;
    for (const t of inputs) {
      const { outer, inner } = split(t.shape, axis);
      if (inner > 0) {
        copyRuns(heap, heapOf(backend, t).at, inner, dst + offset, outInner, outer, inner);
      }
      offset += inner;
    }
    return out;
  };
}

function splitV(original: tf.KernelConfig) {
  return (args: Parameters<tf.KernelFunc>[0]): Info | Info[] => {
    const backend = args.backend as unknown as WasmBackend;
    const { x } = args.inputs as { x: Info };
    if (!copied(x.dtype)) return original.kernelFunc(args);
    const axis = tf.util.parseAxisParam(args.attrs?.["axis"] as number, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(
      x as unknown as tf.Tensor,
      args.attrs?.["numOrSizeSplits"] as number | number[],
      axis,
    );
    const { outer, inner: xInner } = split(x.shape, axis);
    const run = xInner / (x.shape[axis]! || 1);
    const outs: Info[] = [];
    let offset = 0;
    for (const size of sizes) {
      const shape = x.shape.slice();
      shape[axis] = size;
      const out = backend.makeOutput(shape, x.dtype);
      outs.push(out);
      const len = size * run;
      if (sizeOf(shape) > 0) {
        const { heap, at: src } = heapOf(backend, x);
        copyRuns(heap, src + offset, xInner, heapOf(backend, out).at, len, outer, len);
      }
      offset += len;
    }
    return outs;
  };
}

/** Installs `Concat` and `SplitV` for backend `wasm`. Idempotent. */
export function registerConcatKernels(): void {
  for (const [name, make] of [["Concat", concat], ["SplitV", splitV]] as const) {
    install(name, (original) => {
      if (original === undefined) throw new Error(`tfjs-backend-wasm has no ${name} kernel`);
      return make(original);
    });
  }
}
