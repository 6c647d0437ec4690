/**
 * Matrix products and convolutions of the tfjs `wasm` backend done by OpenBLAS's `cblas_sgemm`
 * (through Deno's FFI, see `../../openblas.ts`) directly on the wasm heap, with no copies in or
 * out: the heap is a plain `ArrayBuffer`, so a `Float32Array` view of a tensor is a pointer C can
 * read and write. Everything else (activations, BatchNorm, the optimizers) stays on WASM SIMD.
 *
 * - `matmul.ts`: `BatchMatMul` / `_FusedMatMul`, one sgemm per batch item (one in all when the
 *   right operand is shared), transposes passed to sgemm as flags; a bias is copied into C first
 *   and summed by sgemm (beta = 1); a fused activation runs the wasm kernel of that activation
 *   afterwards (`_epilogue.ts`).
 * - `conv.ts`: `Conv2D` / `FusedConv2D` (NHWC): im2col into a scratch block, then `[rows,
 *   kh·kw·Cin] x [kh·kw·Cin, Cout]` (the filter's own layout). 1x1 stride-1 convs skip im2col.
 *   `Conv2DBackpropInput` (also `conv2dTranspose`'s forward pass): `dy · Wᵀ` into columns, then
 *   col2im adds them into dx; strided ones go to the WASM kernel's stride² dense convs, which run
 *   here as `Conv2D`s. `Conv2DBackpropFilter`: `colsᵀ · dy`, summed over chunks.
 * - `narrow_conv.ts`: convs with fewer output than input channels (paper 001's 7x7 conv to 1
 *   channel) multiply first and move kh·kw·Cout floats per position instead of kh·kw·Cin.
 * - `_gemm.ts`: one sgemm on heap offsets, and outputs with scratch blocks. The scratch block is
 *   capped near 32 MiB by working through the batch in chunks.
 *
 * The kernels are not registered here: the wasm kernels (`../conv.ts`, `../matmul.ts`) route
 * each of these kernels through {@linkcode blasKernel} first while {@linkcode useBlas} holds a
 * library, and to the WASM implementations otherwise (or when a case is not handled here: other
 * dtypes or formats).
 *
 * @module
 */
import type { OpenBlas } from "../../openblas.ts";
import type { Info, WasmBackend } from "../_heap.ts";
import type { Args } from "./_gemm.ts";
import { conv2D, conv2DBackpropFilter, conv2DBackpropInput } from "./conv.ts";
import { matMul } from "./matmul.ts";

export { setScratchFloats } from "./_gemm.ts";

let active: OpenBlas | undefined;

/**
 * Routes the wasm backend's matmuls and convolutions to `blas` from now on, or back to WASM
 * with undefined.
 *
 * @param blas An opened OpenBLAS, or undefined.
 *
 * @example
 * ```ts ignore
 * import { loadOpenBlas } from "../../openblas.ts";
 * import { useBlas } from "./mod.ts";
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
