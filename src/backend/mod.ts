/**
 * Backend choice (WebGPU on a real GPU, else SIMD WASM, else cpu) and the kernel fixes that
 * make training work and run fast on WASM.
 *
 * @module
 */
export {
  BACKEND_NAMES,
  type BackendInfo,
  type BackendName,
  type BackendPlan,
  describeBackend,
  initBackend,
  type InitBackendOptions,
  parseBackendName,
  planBackends,
} from "./select.ts";
export { registerGradientFixes } from "./gradient_fixes.ts";
export { type AdapterProbe, isSoftwareAdapter, probeAdapter } from "./webgpu_adapter.ts";
