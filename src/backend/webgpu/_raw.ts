/**
 * What cgan's own WebGPU kernels share: tfjs-backend-webgpu 4.22's backend internals they use,
 * the GPU buffer of a tensor, pipelines made once per device, and recording dispatches into the
 * backend's own command encoder (submitted in batches, as tfjs submits its own). Internal.
 *
 * @module
 */
import * as tf from "../../_tf.ts";

/** The parts of tfjs-backend-webgpu 4.22's `WebGPUBackend` cgan's kernels use. */
export interface WebGpuBackend {
  device: GPUDevice;
  tensorMap: { get(dataId: object): { resource?: unknown } };
  commandEncoder: GPUCommandEncoder | null;
  computePassEncoder: GPUComputePassEncoder | null;
  dispatchCountInPass: number;
  commandQueueOwnedIds: WeakSet<object>;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  uploadToGPU(dataId: object): void;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** Registers kernels for the webgpu backend where none is registered under their names. */
export function registerOnWebGpu(kernels: [string, tf.KernelFunc][]): void {
  for (const [kernelName, kernelFunc] of kernels) {
    if (tf.getKernel(kernelName, "webgpu") === undefined) {
      tf.registerKernel({ kernelName, backendName: "webgpu", kernelFunc });
    }
  }
}

/** The most workgroups along one dispatch axis (WebGPU's default limit). */
export const MAX_GROUPS = 65535;
/** Uniform buffer offsets must be multiples of this (WebGPU's default limit). */
export const UNIFORM_ALIGN = 256;

/** The GPU buffer holding a tensor (uploaded first if it lives on the CPU). */
export function bufferOf(
  backend: WebGpuBackend,
  info: tf.TensorInfo,
  kernel: string,
  name: string,
): GPUBuffer {
  backend.uploadToGPU(info.dataId);
  const resource = backend.tensorMap.get(info.dataId).resource;
  if (!(resource instanceof GPUBuffer)) {
    throw new TypeError(`Cannot run ${kernel} on webgpu: ${name} is not in a GPU buffer`);
  }
  backend.commandQueueOwnedIds.add(info.dataId);
  return resource;
}

/**
 * A compute pipeline per (device, shader), made on first use. WebGPU reports a shader that does
 * not compile only asynchronously, and its dispatches then do nothing (outputs keep whatever
 * their buffers held): so a failure here rejects a promise nobody awaits, which ends the
 * program with the shader's error.
 */
export function pipelineCache(code: string): (device: GPUDevice) => GPUComputePipeline {
  const made = new WeakMap<GPUDevice, GPUComputePipeline>();
  return (device) => {
    let pipeline = made.get(device);
    if (pipeline === undefined) {
      device.pushErrorScope("validation");
      pipeline = device.createComputePipeline({
        layout: "auto",
        compute: { module: device.createShaderModule({ code }), entryPoint: "main" },
      });
      void device.popErrorScope().then((error) => {
        if (error !== null) {
          throw new Error(`cgan's WebGPU shader does not compile: ${error.message}\n${code}`);
        }
      });
      made.set(device, pipeline);
    }
    return pipeline;
  };
}

/** A bind group of `resources` at bindings 0, 1, ... of a pipeline's group 0. */
export function bindAll(
  device: GPUDevice,
  pipeline: GPUComputePipeline,
  resources: GPUBindingResource[],
): GPUBindGroup {
  return device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: resources.map((resource, binding) => ({ binding, resource })),
  });
}

/** A uniform buffer written once at creation (its contents never change afterwards). */
export function constantUniform(
  device: GPUDevice,
  bytes: number,
  fill: (data: ArrayBuffer) => void,
): GPUBuffer {
  const buffer = device.createBuffer({
    size: bytes,
    usage: GPUBufferUsage.UNIFORM,
    mappedAtCreation: true,
  });
  fill(buffer.getMappedRange());
  buffer.unmap();
  return buffer;
}

/** Workgroup counts (x, y) for `groups` workgroups within the per-axis limit. */
export function spread(groups: number): [number, number] {
  const x = Math.min(Math.max(1, groups), MAX_GROUPS);
  return [x, Math.ceil(groups / x)];
}

/**
 * Records dispatches into the backend's compute pass (`count` of them, for its batching) and
 * submits when the batch is full, as tfjs does after its own dispatches.
 */
export function record(
  backend: WebGpuBackend,
  count: number,
  encode: (pass: GPUComputePassEncoder) => void,
): void {
  backend.ensureCommandEncoderReady();
  backend.computePassEncoder ??= backend.commandEncoder!.beginComputePass();
  encode(backend.computePassEncoder);
  backend.dispatchCountInPass += count;
  if (backend.dispatchCountInPass >= tf.env().getNumber("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE")) {
    backend.endComputePassEncoder();
    backend.submitQueue();
  }
}

/**
 * WGSL of `fn total(t, v) -> f32`: the sum of `v` over a workgroup of `size` threads (a power of
 * two), by a tree over workgroup memory; every thread gets the total. Call it in uniform
 * control flow (it has barriers).
 */
export function workgroupTotal(size: number): string {
  return /* wgsl */ `
var<workgroup> part: array<f32, ${size}>;
fn total(t: u32, v: f32) -> f32 {
  part[t] = v;
  workgroupBarrier();
  for (var stride = ${size / 2}u; stride > 0u; stride = stride / 2u) {
    if (t < stride) { part[t] = part[t] + part[t + stride]; }
    workgroupBarrier();
  }
  let sum = part[0];
  workgroupBarrier();
  return sum;
}`;
}

const UNIFORMS = new WeakMap<GPUDevice, Map<string, GPUBuffer>>();

/**
 * A constant uniform buffer per (device, key), made by `fill` on first use: its contents never
 * change, so a later step cannot overwrite what an earlier, not yet submitted, one reads. Keys
 * name their kernel and every value written.
 */
export function cachedUniform(
  device: GPUDevice,
  key: string,
  bytes: number,
  fill: (data: ArrayBuffer) => void,
): GPUBuffer {
  let byKey = UNIFORMS.get(device);
  if (byKey === undefined) UNIFORMS.set(device, byKey = new Map());
  let buffer = byKey.get(key);
  if (buffer === undefined) {
    buffer = constantUniform(device, bytes, fill);
    byKey.set(key, buffer);
  }
  return buffer;
}

/** One dispatch: a pipeline, its tensors at bindings 0, 1, ..., then its uniform; workgroups. */
export interface Dispatch {
  pipeline: GPUComputePipeline;
  tensors: tf.TensorInfo[];
  uniform: GPUBuffer;
  workgroups: number;
}

/** Binds and records dispatches in order (each sees what the previous ones wrote). */
export function dispatchAll(backend: WebGpuBackend, kernel: string, dispatches: Dispatch[]): void {
  const groups = dispatches.map(({ pipeline, tensors, uniform }) =>
    bindAll(backend.device, pipeline, [
      ...tensors.map((t, k) => ({ buffer: bufferOf(backend, t, kernel, `binding ${k}`) })),
      { buffer: uniform },
    ])
  );
  record(backend, dispatches.length, (pass) => {
    dispatches.forEach(({ pipeline, workgroups }, k) => {
      pass.setPipeline(pipeline);
      pass.setBindGroup(0, groups[k]!);
      pass.dispatchWorkgroups(...spread(workgroups));
    });
  });
}

/**
 * WGSL of a dispatch's bindings in {@linkcode dispatchAll}'s order: the float arrays it reads,
 * then those it writes, then `p`, a uniform of struct `Params`.
 */
export function bindingsWgsl(reads: string[], writes: string[]): string {
  const arrays = [
    ...reads.map((name) => `var<storage, read> ${name}: array<f32>;`),
    ...writes.map((name) => `var<storage, read_write> ${name}: array<f32>;`),
    "var<uniform> p: Params;",
  ];
  return arrays.map((decl, k) => `@group(0) @binding(${k}) ${decl}`).join("\n");
}

/**
 * WGSL of an elementwise shader's entry: `main` over workgroups of `size` threads, with `i` the
 * element's index; the body follows (and closes the function).
 */
export function elementwiseMain(size: number): string {
  return /* wgsl */ `@compute @workgroup_size(${size})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = id.x + id.y * groups.x * ${size}u;`;
}
