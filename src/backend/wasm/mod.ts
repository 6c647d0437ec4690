/**
 * Kernel fixes for tfjs-backend-wasm 4.22, which cannot train convolutional GANs as shipped, one
 * kernel family per file:
 *
 * - `conv.ts`: `Conv2DBackpropFilter` (missing) and `Conv2DBackpropInput` (a scalar C++ loop) as
 *   XNNPACK `Conv2D`s.
 * - `matmul.ts`: `BatchMatMul` / `_FusedMatMul` kept on XNNPACK for transposed and batched
 *   operands instead of a scalar loop (~30x slower).
 * - `reduce.ts` and `tile.ts`: `Sum` / `Mean` over leading axes and `Tile` (BatchNorm's
 *   statistics and gradient) copy rows and accumulate in place; the stock kernels compute an
 *   index per element or transpose the whole input first (0.3 s a step at [128, 32, 32, 32]).
 * - `identity.ts`: `Identity` shares memory by reference count, as `Reshape` does, instead of
 *   copying each tensor the engine saves for backprop (~400 a step of the MLP cGAN).
 * - `gather.ts`: `GatherV2` on axis 0 (Embedding lookups) copies one row per index;
 *   `UnsortedSegmentSum` (missing; gather's gradient).
 * - `concat.ts`: `Concat` and `SplitV` by block copies (the stock kernels copy a one-value run
 *   in ~150 ns, as when a label channel joins an image).
 * - `tanh.ts`: `Tanh` through XNNPACK's `Sigmoid` (the stock scalar tanh costs ~70 ns an
 *   element here).
 * - `transpose.ts`: `Transpose` in cache-sized tiles where the output's rows read far apart in
 *   the input (the stock kernel took ~50 ns a value there).
 * - `max_pool.ts`: `MaxPoolGrad` (~130 ns per output) scans each window once for all channels.
 * - `blas/`: with OpenBLAS in use, matmuls and convolutions go there first.
 * - `adam.ts`: the fused Adam update `CganAdam`, registered by `../optimizer.ts`, not here.
 * - `dense.ts`: a dense layer's forward and backward pass as one kernel each (`CganDense`,
 *   `CganDenseGrad`), which `../fused_dense.ts` makes `tf.layers.dense` call.
 * - `batch_norm.ts`: BatchNorm in training as one kernel forward and one backward
 *   (`CganBatchNorm`, `CganBatchNormGrad`), called by `../fused_batch_norm.ts`.
 * - `bce.ts`: the BCE-with-logits loss and its gradient as one kernel each (`CganBce`,
 *   `CganBceGrad`), called by `../fused_loss.ts`.
 * - `leaky_relu.ts`: `LeakyRelu` without a data-dependent branch (tfjs's mispredicts on the
 *   sign of activations, ~30x slower here), and its gradient as one such kernel
 *   (`CganLeakyReluGrad`), called by the gradient `../fused_activation.ts` registers.
 *
 * Every fix runs other wasm kernels directly (never high-level tf ops), copies memory blocks on
 * the wasm heap where no fast kernel exists, and frees its intermediates with
 * `backend.disposeData`; `_heap.ts` holds the plumbing they share.
 *
 * @module
 */
// Registers the wasm kernels the fixes read, patch and call.
import "@tensorflow/tfjs-backend-wasm";
import { kernelOf } from "./_heap.ts";
import { registerBatchNormKernels } from "./batch_norm.ts";
import { registerBceKernels } from "./bce.ts";
import { registerConcatKernels } from "./concat.ts";
import { registerConvKernels } from "./conv.ts";
import { registerDenseKernels } from "./dense.ts";
import { registerGatherKernels } from "./gather.ts";
import { registerIdentityKernel } from "./identity.ts";
import { registerLeakyReluKernels } from "./leaky_relu.ts";
import { registerMatMulKernels } from "./matmul.ts";
import { registerMaxPoolGradKernel } from "./max_pool.ts";
import { registerReduceKernels } from "./reduce.ts";
import { registerTanhKernel } from "./tanh.ts";
import { registerTileKernel } from "./tile.ts";
import { registerTransposeKernel } from "./transpose.ts";

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
 * Registers fast or missing kernels for the tfjs `wasm` backend so that conv GANs can train on
 * it: `Conv2DBackpropFilter` (missing in tfjs-backend-wasm 4.22), an XNNPACK-based
 * `Conv2DBackpropInput`, `UnsortedSegmentSum` (the gradient of `gather`, missing too),
 * `BatchMatMul` / `_FusedMatMul` that keep transposed and batched products on XNNPACK instead of
 * a scalar loop, row-copying `Tile`, `Sum`, `Mean` and `GatherV2`, a copy-free `Identity`, a
 * one-pass `MaxPoolGrad`, and OpenBLAS matmuls and convolutions when `useBlas` holds a library
 * (see `blas/`). Only NHWC convolutions are supported (others throw a `TypeError` naming the
 * kernel).
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
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { registerWasmKernelFixes } from "./mod.ts";
 *
 * await tf.setBackend("wasm");
 * registerWasmKernelFixes();
 * const x = tf.randomNormal<tf.Rank.R4>([2, 8, 8, 3]);
 * const w = tf.randomNormal<tf.Rank.R4>([3, 3, 3, 4]);
 * const dw = tf.grad((w) => tf.sum(tf.square(tf.conv2d(x, w as tf.Tensor4D, 2, "same"))))(w);
 * assert.deepEqual(dw.shape, [3, 3, 3, 4]);
 * ```
 */
export function registerWasmKernelFixes(): void {
  for (const name of REQUIRED_KERNELS) kernelOf(name);
  registerConvKernels();
  registerGatherKernels();
  registerTileKernel();
  registerConcatKernels();
  registerTanhKernel();
  registerTransposeKernel();
  registerReduceKernels();
  registerMatMulKernels();
  registerMaxPoolGradKernel();
  registerIdentityKernel();
  registerDenseKernels();
  registerBatchNormKernels();
  registerBceKernels();
  registerLeakyReluKernels();
}
