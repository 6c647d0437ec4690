/**
 * cgan's own kernels on tfjs-backend-webgpu (compute shaders; `_raw.ts` holds what they share):
 *
 * - `adam.ts`: `CganAdamGroup`, a net's Adam update in one dispatch a variable (registered by
 *   `createAdam`, as the wasm one);
 * - `leaky_relu.ts`: `CganLeakyReluGrad`, one dispatch where tfjs's gradient makes three;
 * - `batch_norm.ts`: `CganBatchNorm` and `CganBatchNormGrad`, two dispatches each;
 * - `bce.ts`: `CganBce` and `CganBceGrad`, one dispatch each.
 *
 * The fused ops (`../fused_*.ts`) run them wherever the active backend registers them.
 *
 * @module
 */
import { registerWebGpuBatchNormKernels } from "./batch_norm.ts";
import { registerWebGpuBceKernels } from "./bce.ts";
import { registerWebGpuLeakyReluGrad } from "./leaky_relu.ts";

/**
 * Registers cgan's fused-layer kernels for the webgpu backend (idempotent). tfjs-backend-webgpu
 * need not be the active backend: they run only when it is.
 */
export function registerWebGpuKernels(): void {
  registerWebGpuLeakyReluGrad();
  registerWebGpuBatchNormKernels();
  registerWebGpuBceKernels();
}
