/**
 * `CganAdamGroup` on WebGPU: every variable of a net updated by one compute shader dispatch
 * each, recorded into tfjs-backend-webgpu's own command encoder. tfjs's Adam runs about 13
 * kernels a variable (each a dispatch with its own uniform buffer and bind group), which made
 * Adam about 300 of an MLP step's ~780 dispatches on WebGPU; this makes it one per variable plus
 * one for the bias-correction products, and never reads the GPU from the CPU: the products
 * `accBeta1`, `accBeta2` stay on the GPU, where the first dispatch folds them into the step's
 * constants.
 *
 * The same formula as the wasm kernel (`../wasm/adam.ts`) and tfjs 4.22's `AdamOptimizer`, in
 * float32 as the GPU computes:
 *
 *     m' = beta1 m + (1 - beta1) g        v' = beta2 v + (1 - beta2) g²
 *     value' = value - lr (m' / c1) / (sqrt(v' / c2) + epsilon)
 *
 * with c1 = 1 - beta1^t and c2 = 1 - beta2^t.
 *
 * @module
 */
import * as tf from "../../_tf.ts";
import { ADAM_GROUP_KERNEL } from "../wasm/adam.ts";
import {
  bindAll,
  bufferOf,
  constantUniform,
  pipelineCache,
  record,
  registerOnWebGpu,
  spread,
  UNIFORM_ALIGN,
  type WebGpuBackend,
} from "./_raw.ts";

const WORKGROUP = 64;

const PREPARE = /* wgsl */ `
@group(0) @binding(0) var<storage, read> acc1: array<f32>;
@group(0) @binding(1) var<storage, read> acc2: array<f32>;
@group(0) @binding(2) var<storage, read_write> acc1Out: array<f32>;
@group(0) @binding(3) var<storage, read_write> acc2Out: array<f32>;
@group(0) @binding(4) var<storage, read_write> consts: array<f32>;
@group(0) @binding(5) var<uniform> betas: vec4<f32>;
@compute @workgroup_size(1)
fn main() {
  consts[0] = 1.0 - acc1[0];
  consts[1] = 1.0 - acc2[0];
  acc1Out[0] = acc1[0] * betas.x;
  acc2Out[0] = acc2[0] * betas.y;
}`;

const UPDATE = /* wgsl */ `
struct Params { lr: f32, beta1: f32, beta2: f32, epsilon: f32, n: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> m: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read> g: array<f32>;
@group(0) @binding(4) var<storage, read> consts: array<f32>;
@group(0) @binding(5) var<storage, read_write> xOut: array<f32>;
@group(0) @binding(6) var<storage, read_write> mOut: array<f32>;
@group(0) @binding(7) var<storage, read_write> vOut: array<f32>;
@group(0) @binding(8) var<uniform> p: Params;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = id.x + id.y * groups.x * ${WORKGROUP}u;
  if (i >= p.n) { return; }
  let gi = g[i];
  let m1 = p.beta1 * m[i] + (1.0 - p.beta1) * gi;
  let v1 = p.beta2 * v[i] + (1.0 - p.beta2) * gi * gi;
  mOut[i] = m1;
  vOut[i] = v1;
  xOut[i] = x[i] - p.lr * (m1 / consts[0]) / (sqrt(v1 / consts[1]) + p.epsilon);
}`;

const PREPARE_PIPELINE = pipelineCache(PREPARE);
const UPDATE_PIPELINE = pipelineCache(UPDATE);

/** Per device: the uniforms per (hyperparameters, sizes), and the step's constants. */
interface DeviceState {
  /**
   * The step's c1 and c2, written by the first dispatch and read by the others. One buffer
   * serves every step: a step's dispatches are recorded after the previous step's, and run in
   * that order.
   */
  consts: GPUBuffer;
  uniforms: Map<string, { betas: GPUBuffer; params: GPUBuffer }>;
}
const DEVICES = new WeakMap<GPUDevice, DeviceState>();

function deviceState(device: GPUDevice): DeviceState {
  let state = DEVICES.get(device);
  if (state === undefined) {
    state = {
      consts: device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE }),
      uniforms: new Map(),
    };
    DEVICES.set(device, state);
  }
  return state;
}

/**
 * Uniform buffers holding the betas and each variable's (lr, betas, epsilon, n), written once
 * when made: their contents never change, so a later step's update cannot overwrite what an
 * earlier, not yet submitted, step reads.
 */
function uniforms(
  device: GPUDevice,
  state: DeviceState,
  attrs: { lr: number; beta1: number; beta2: number; epsilon: number },
  sizes: number[],
) {
  const key = JSON.stringify([attrs.lr, attrs.beta1, attrs.beta2, attrs.epsilon, sizes]);
  let found = state.uniforms.get(key);
  if (found === undefined) {
    const make = (bytes: number, fill: (data: ArrayBuffer) => void) =>
      constantUniform(device, bytes, fill);
    const betas = make(16, (d) => new Float32Array(d).set([attrs.beta1, attrs.beta2, 0, 0]));
    const params = make(Math.max(1, sizes.length) * UNIFORM_ALIGN, (d) => {
      sizes.forEach((n, k) => {
        const at = (k * UNIFORM_ALIGN) / 4;
        new Float32Array(d, 0).set([attrs.lr, attrs.beta1, attrs.beta2, attrs.epsilon], at);
        new Uint32Array(d, 0)[at + 4] = n;
      });
    });
    found = { betas, params };
    state.uniforms.set(key, found);
  }
  return found;
}

function adamGroup(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const backend = args.backend as unknown as WebGpuBackend;
  const inputs = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const attrs = args.attrs as unknown as {
    lr: number;
    beta1: number;
    beta2: number;
    epsilon: number;
    count: number;
  };
  const device = backend.device;
  const state = deviceState(device);
  const groups = [];
  for (let k = 0; k < attrs.count; k++) {
    const names = [`value${k}`, `m${k}`, `v${k}`, `grad${k}`];
    const infos = names.map((n) => inputs[n]);
    const n = tf.util.sizeFromShape(infos[0]?.shape ?? []);
    infos.forEach((t, j) => {
      if (t === undefined || t.dtype !== "float32" || tf.util.sizeFromShape(t.shape) !== n) {
        throw new TypeError(
          `Cannot run ${ADAM_GROUP_KERNEL}: expected a float32 ${names[j]} of ${n} values`,
        );
      }
    });
    groups.push({ infos: infos as tf.TensorInfo[], n });
  }
  const [acc1, acc2] = [inputs["accBeta1"], inputs["accBeta2"]];
  if (acc1?.dtype !== "float32" || acc2?.dtype !== "float32") {
    throw new TypeError(`Cannot run ${ADAM_GROUP_KERNEL}: expected float32 accBeta1 and accBeta2`);
  }
  const outs: tf.TensorInfo[] = [];
  for (const { infos } of groups) {
    for (const t of infos.slice(0, 3)) outs.push(backend.makeTensorInfo([...t.shape], "float32"));
  }
  const accOuts = [acc1, acc2].map((t) => backend.makeTensorInfo([...t.shape], "float32"));
  const u = uniforms(device, state, attrs, groups.map((g) => g.n));
  const [prepareP, updateP] = [PREPARE_PIPELINE(device), UPDATE_PIPELINE(device)];
  const buffer = (info: tf.TensorInfo, name: string) => ({
    buffer: bufferOf(backend, info, ADAM_GROUP_KERNEL, name),
  });
  const prepare = bindAll(device, prepareP, [
    buffer(acc1, "accBeta1"),
    buffer(acc2, "accBeta2"),
    buffer(accOuts[0]!, "accBeta1 out"),
    buffer(accOuts[1]!, "accBeta2 out"),
    { buffer: state.consts },
    { buffer: u.betas },
  ]);
  const updates = groups.map(({ infos, n }, k) => ({
    n,
    group: bindAll(device, updateP, [
      ...infos.map((t, j) => buffer(t, `input ${j} of variable ${k}`)),
      { buffer: state.consts },
      ...outs.slice(3 * k, 3 * k + 3).map((t, j) => buffer(t, `output ${j} of variable ${k}`)),
      { buffer: u.params, offset: k * UNIFORM_ALIGN, size: 32 },
    ]),
  }));
  record(backend, 1 + updates.length, (pass) => {
    pass.setPipeline(prepareP);
    pass.setBindGroup(0, prepare);
    pass.dispatchWorkgroups(1);
    pass.setPipeline(updateP);
    for (const { n, group } of updates) {
      if (n === 0) continue;
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(...spread(Math.ceil(n / WORKGROUP)));
    }
  });
  return [...outs, ...accOuts];
}

/**
 * Registers `CganAdamGroup` for the webgpu backend (idempotent). tfjs-backend-webgpu need not
 * be the active backend, nor even set up: the kernel runs only when it is.
 *
 * @returns Nothing.
 */
export function registerWebGpuAdamKernel(): void {
  registerOnWebGpu([[ADAM_GROUP_KERNEL, adamGroup]]);
}
