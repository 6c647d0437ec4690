/**
 * `CganBce` and `CganBceGrad` on WebGPU: the mean BCE-with-logits loss against a constant target
 * as one dispatch, and its gradient as another, where tfjs's ops make about 10 and 15. The same
 * formulas as the wasm kernels (`../wasm/bce.ts`), in float32 as the GPU computes:
 *
 *     CganBce:      loss = Σ (max(x, 0) - x t + log(1 + exp(-|x|))) / n
 *     CganBceGrad:  dx = dy (sigmoid(x) - t) / n
 *
 * The loss is one workgroup's sum: 64 threads each add every 64th element, then a tree.
 *
 * @module
 */
import * as tf from "../../_tf.ts";
import { BCE_GRAD_KERNEL, BCE_KERNEL, floatInput } from "../wasm/bce.ts";
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
/** n and the target (`target` is a reserved word in WGSL). */
const PARAMS = "struct Params { n: u32, goal: f32 }";

const LOSS = /* wgsl */ `
${PARAMS}
${bindingsWgsl(["x"], ["loss"])}
${workgroupTotal(WORKGROUP)}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(local_invocation_index) t: u32) {
  var s = 0.0;
  for (var i = t; i < p.n; i = i + ${WORKGROUP}u) {
    let v = x[i];
    s = s + max(v, 0.0) - v * p.goal + log(1.0 + exp(-abs(v)));
  }
  let sum = total(t, s);
  if (t == 0u) { loss[0] = sum / f32(p.n); }
}`;

const GRAD = /* wgsl */ `
${PARAMS}
${bindingsWgsl(["x", "dy"], ["dx"])}
${elementwiseMain(WORKGROUP)}
  if (i >= p.n) { return; }
  dx[i] = (1.0 / (1.0 + exp(-x[i])) - p.goal) * (dy[0] / f32(p.n));
}`;

const PIPELINES = { loss: pipelineCache(LOSS), grad: pipelineCache(GRAD) };

function params(device: GPUDevice, n: number, target: number): GPUBuffer {
  return cachedUniform(device, `bce ${n} ${target}`, 16, (d) => {
    new Uint32Array(d, 0, 1)[0] = n;
    new Float32Array(d, 4, 1)[0] = target;
  });
}

function bce(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = args.backend as unknown as WebGpuBackend;
  const x = floatInput(BCE_KERNEL, (args.inputs as Record<string, tf.TensorInfo>)["x"], "x");
  const n = tf.util.sizeFromShape(x.shape);
  const loss = backend.makeTensorInfo([], "float32");
  const uniform = params(backend.device, n, args.attrs?.["target"] as number);
  const pipeline = PIPELINES.loss(backend.device);
  dispatchAll(backend, BCE_KERNEL, [{ pipeline, tensors: [x, loss], uniform, workgroups: 1 }]);
  return loss;
}

function bceGrad(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const backend = args.backend as unknown as WebGpuBackend;
  const inputs = args.inputs as Record<string, tf.TensorInfo>;
  const x = floatInput(BCE_GRAD_KERNEL, inputs["x"], "x");
  const dy = floatInput(BCE_GRAD_KERNEL, inputs["dy"], "dy");
  const n = tf.util.sizeFromShape(x.shape);
  const dx = backend.makeTensorInfo([...x.shape], "float32");
  const uniform = params(backend.device, n, args.attrs?.["target"] as number);
  dispatchAll(backend, BCE_GRAD_KERNEL, [{
    pipeline: PIPELINES.grad(backend.device),
    tensors: [x, dy, dx],
    uniform,
    workgroups: Math.ceil(n / WORKGROUP),
  }]);
  return dx;
}

/**
 * Registers `CganBce` and `CganBceGrad` for the webgpu backend (idempotent).
 * tfjs-backend-webgpu need not be the active backend: the kernels run only when it is.
 *
 * @returns Nothing.
 */
export function registerWebGpuBceKernels(): void {
  registerOnWebGpu([[BCE_KERNEL, bce], [BCE_GRAD_KERNEL, bceGrad]]);
}
