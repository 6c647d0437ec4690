/**
 * Counts what a piece of work asks of the WebGPU device: compute dispatches, buffers created,
 * uniform writes, command submissions and GPU-to-CPU reads (`mapAsync`). These are the CPU-side
 * costs of a tfjs-webgpu step that do not depend on the GPU's speed: on a fast GPU a step is
 * bound by them, so `deno task bench --count-only` prints them for the webgpu backend.
 *
 * @module
 */

/** WebGPU calls made during some work. */
export interface GpuCalls {
  /** `dispatchWorkgroups` calls (one per GPU kernel launch). */
  dispatches: number;
  /** `createBuffer` calls (tfjs reuses buffers through its pool; misses create). */
  buffers: number;
  /** `queue.writeBuffer` calls (tfjs writes each dispatch's uniforms so). */
  writes: number;
  /** `queue.submit` calls. */
  submits: number;
  /** `mapAsync` calls: reads of GPU data by the CPU, each a wait for the GPU. */
  reads: number;
}

/**
 * Runs `fn` (synchronous work, such as one training step's recording) and counts its WebGPU
 * calls on `device` and on every compute pass and buffer.
 *
 * @param device The device tfjs-backend-webgpu runs on (`tf.backend().device`).
 * @param fn The work.
 * @returns Its result and the counts.
 *
 * @example Nothing asked of the device
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { countGpuCalls } from "@cgan/cgan/internal";
 * const adapter = await navigator.gpu.requestAdapter();
 * const device = await adapter!.requestDevice();
 * assert.equal(countGpuCalls(device, () => 1 + 1).calls.dispatches, 0);
 * ```
 */
export function countGpuCalls<T>(device: GPUDevice, fn: () => T): { result: T; calls: GpuCalls } {
  const calls: GpuCalls = { dispatches: 0, buffers: 0, writes: 0, submits: 0, reads: 0 };
  const restores: (() => void)[] = [];
  // deno-lint-ignore no-explicit-any
  const patch = (target: any, method: string, key: keyof GpuCalls) => {
    const own = Object.hasOwn(target, method);
    const original = target[method];
    // deno-lint-ignore no-explicit-any
    target[method] = function (this: unknown, ...args: any[]) {
      calls[key]++;
      return original.apply(this, args);
    };
    restores.push(() => own ? (target[method] = original) : delete target[method]);
  };
  patch(GPUComputePassEncoder.prototype, "dispatchWorkgroups", "dispatches");
  patch(GPUBuffer.prototype, "mapAsync", "reads");
  patch(device, "createBuffer", "buffers");
  patch(device.queue, "writeBuffer", "writes");
  patch(device.queue, "submit", "submits");
  try {
    return { result: fn(), calls };
  } finally {
    for (const restore of restores.reverse()) restore();
  }
}
