/**
 * `CganBatchNorm` and `CganBatchNormGrad` on WebGPU: BatchNorm in training as two compute shader
 * dispatches forward and two backward, where tfjs-layers' ops make 16 kernel calls forward and
 * 48 backward (on the MLP cGAN's step, 45 more dispatches a layer than these four).
 * The same contract and formulas as the wasm kernels (`../wasm/batch_norm.ts`), over the last
 * axis of x `[..., C]` with R rows:
 *
 *     mean = Σ x / R       variance = Σ (x - mean)² / R       r = 1 / sqrt(variance + epsilon)
 *     y = (x - mean) r gamma + beta
 *     moving' = moving - (moving - batch value) (1 - momentum)       (mean and variance)
 *     x̂ = (x - mean) r      dbeta = Σ dy      dgamma = Σ dy x̂
 *     dx = gamma r (dy - dbeta / R - x̂ dgamma / R)
 *
 * A channel's sums are one workgroup's: 64 threads each add every 64th row, then a tree adds
 * their partial sums, in float32 as the GPU computes (the wasm kernels sum in float64).
 *
 * @module
 */
import type * as tf from "../../_tf.ts";
import {
  BATCH_NORM_GRAD_KERNEL,
  BATCH_NORM_KERNEL,
  type BatchNormAttrs,
  checkedBatchNorm,
} from "../wasm/batch_norm.ts";
import {
  bindingsWgsl,
  cachedUniform,
  dispatchAll,
  elementwiseMain,
  pipelineCache,
  registerOnWebGpu,
  type WebGpuBackend,
  workgroupTotal,
} from "./_raw.ts";

const WORKGROUP = 64;

/** rows, channels, epsilon, momentum: the uniforms of all four shaders. */
const PARAMS = "struct Params { rows: u32, c: u32, epsilon: f32, momentum: f32 }";

const REDUCE = workgroupTotal(WORKGROUP);

const STATS_BINDINGS = bindingsWgsl(
  ["x", "movingMean", "movingVariance"],
  ["meanOut", "varianceOut", "movingMeanOut", "movingVarianceOut"],
);

/** Per channel (a workgroup each): mean, variance and both moving averages. */
const STATS = /* wgsl */ `
${PARAMS}
${STATS_BINDINGS}
${REDUCE}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let ch = wg.x + wg.y * groups.x;
  if (ch >= p.c) { return; }
  var s = 0.0;
  for (var r = t; r < p.rows; r = r + ${WORKGROUP}u) { s = s + x[r * p.c + ch]; }
  let mean = total(t, s) / f32(p.rows);
  var q = 0.0;
  for (var r = t; r < p.rows; r = r + ${WORKGROUP}u) {
    let d = x[r * p.c + ch] - mean;
    q = q + d * d;
  }
  let variance = total(t, q) / f32(p.rows);
  if (t == 0u) {
    meanOut[ch] = mean;
    varianceOut[ch] = variance;
    movingMeanOut[ch] = movingMean[ch] - (movingMean[ch] - mean) * (1.0 - p.momentum);
    movingVarianceOut[ch] = movingVariance[ch] -
      (movingVariance[ch] - variance) * (1.0 - p.momentum);
  }
}`;

/** Per element: y = (x - mean) r gamma + beta. */
const NORMALIZE = /* wgsl */ `
${PARAMS}
${bindingsWgsl(["x", "mean", "variance", "gamma", "beta"], ["y"])}
${elementwiseMain(WORKGROUP)}
  if (i >= p.rows * p.c) { return; }
  let ch = i % p.c;
  y[i] = (x[i] - mean[ch]) * inverseSqrt(variance[ch] + p.epsilon) * gamma[ch] + beta[ch];
}`;

/** Per channel (a workgroup each): dbeta = Σ dy and dgamma = Σ dy x̂. */
const GRAD_SUMS = /* wgsl */ `
${PARAMS}
${bindingsWgsl(["x", "mean", "variance", "dy"], ["dgamma", "dbeta"])}
${REDUCE}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) t: u32) {
  let ch = wg.x + wg.y * groups.x;
  if (ch >= p.c) { return; }
  let r = inverseSqrt(variance[ch] + p.epsilon);
  var sDy = 0.0;
  var sDyXhat = 0.0;
  for (var row = t; row < p.rows; row = row + ${WORKGROUP}u) {
    let g = dy[row * p.c + ch];
    sDy = sDy + g;
    sDyXhat = sDyXhat + g * (x[row * p.c + ch] - mean[ch]) * r;
  }
  let sumDy = total(t, sDy);
  let sumDyXhat = total(t, sDyXhat);
  if (t == 0u) {
    dbeta[ch] = sumDy;
    dgamma[ch] = sumDyXhat;
  }
}`;

/** Per element: dx = gamma r (dy - dbeta / R - x̂ dgamma / R). */
const GRAD_APPLY = /* wgsl */ `
${PARAMS}
${bindingsWgsl(["x", "mean", "variance", "gamma", "dy", "dgamma", "dbeta"], ["dx"])}
${elementwiseMain(WORKGROUP)}
  if (i >= p.rows * p.c) { return; }
  let ch = i % p.c;
  let r = inverseSqrt(variance[ch] + p.epsilon);
  let n = f32(p.rows);
  let xhat = (x[i] - mean[ch]) * r;
  dx[i] = gamma[ch] * r * (dy[i] - dbeta[ch] / n - xhat * dgamma[ch] / n);
}`;

const PIPELINES = {
  stats: pipelineCache(STATS),
  normalize: pipelineCache(NORMALIZE),
  gradSums: pipelineCache(GRAD_SUMS),
  gradApply: pipelineCache(GRAD_APPLY),
};

function params(device: GPUDevice, rows: number, c: number, attrs: BatchNormAttrs): GPUBuffer {
  const momentum = attrs.momentum ?? 0;
  return cachedUniform(device, `batch norm ${rows} ${c} ${attrs.epsilon} ${momentum}`, 16, (d) => {
    new Uint32Array(d, 0, 2).set([rows, c]);
    new Float32Array(d, 8, 2).set([attrs.epsilon, momentum]);
  });
}

/** Workgroups of the elementwise shaders over `rows` x `c` values. */
const perElement = (rows: number, c: number) => Math.ceil((rows * c) / WORKGROUP);

function batchNorm(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const backend = args.backend as unknown as WebGpuBackend;
  const inputs = args.inputs as Record<string, tf.TensorInfo>;
  const names = ["x", "gamma", "beta", "movingMean", "movingVariance"];
  const { c, rows } = checkedBatchNorm(BATCH_NORM_KERNEL, inputs, names);
  const [x, gamma, beta, movingMean, movingVariance] = names.map((n) => inputs[n]!);
  const y = backend.makeTensorInfo([...x!.shape], "float32");
  const [mean, variance, mm, mv] = [0, 1, 2, 3].map(() => backend.makeTensorInfo([c], "float32"));
  const uniform = params(backend.device, rows, c, args.attrs as unknown as BatchNormAttrs);
  dispatchAll(backend, BATCH_NORM_KERNEL, [{
    pipeline: PIPELINES.stats(backend.device),
    tensors: [x!, movingMean!, movingVariance!, mean!, variance!, mm!, mv!],
    uniform,
    workgroups: c,
  }, {
    pipeline: PIPELINES.normalize(backend.device),
    tensors: [x!, mean!, variance!, gamma!, beta!, y],
    uniform,
    workgroups: perElement(rows, c),
  }]);
  return [y, mean!, variance!, mm!, mv!];
}

function batchNormGrad(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo[] {
  const backend = args.backend as unknown as WebGpuBackend;
  const inputs = args.inputs as Record<string, tf.TensorInfo>;
  const names = ["x", "gamma", "mean", "variance", "dy"];
  const { c, rows } = checkedBatchNorm(BATCH_NORM_GRAD_KERNEL, inputs, names);
  const [x, gamma, mean, variance, dy] = names.map((n) => inputs[n]!);
  const dx = backend.makeTensorInfo([...x!.shape], "float32");
  const [dgamma, dbeta] = [0, 1].map(() => backend.makeTensorInfo([c], "float32"));
  const uniform = params(backend.device, rows, c, args.attrs as unknown as BatchNormAttrs);
  dispatchAll(backend, BATCH_NORM_GRAD_KERNEL, [{
    pipeline: PIPELINES.gradSums(backend.device),
    tensors: [x!, mean!, variance!, dy!, dgamma!, dbeta!],
    uniform,
    workgroups: c,
  }, {
    pipeline: PIPELINES.gradApply(backend.device),
    tensors: [x!, mean!, variance!, gamma!, dy!, dgamma!, dbeta!, dx],
    uniform,
    workgroups: perElement(rows, c),
  }]);
  return [dx, dgamma!, dbeta!];
}

/**
 * Registers `CganBatchNorm` and `CganBatchNormGrad` for the webgpu backend (idempotent).
 * tfjs-backend-webgpu need not be the active backend: the kernels run only when it is.
 *
 * @returns Nothing.
 */
export function registerWebGpuBatchNormKernels(): void {
  registerOnWebGpu([[BATCH_NORM_KERNEL, batchNorm], [BATCH_NORM_GRAD_KERNEL, batchNormGrad]]);
}
