/**
 * `Sum` and `Mean` over leading axes on tfjs-backend-wasm 4.22 (BatchNorm's statistics and
 * gradient), accumulated in place instead of after transposing the whole input.
 *
 * @module
 */
import type * as tf from "../../_tf.ts";
import { type Info, install, kernelOf, sizeOf, type WasmBackend } from "./_heap.ts";

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

/** Installs `Sum` and `Mean` for backend `wasm`, wrapping the stock kernels. Idempotent. */
export function registerReduceKernels(): void {
  for (const name of ["Sum", "Mean"] as const) {
    install(
      name,
      (original) => leadingAxesReduce((original ?? kernelOf(name)).kernelFunc, name === "Mean"),
    );
  }
}
