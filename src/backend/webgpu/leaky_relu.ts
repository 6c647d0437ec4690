/**
 * `CganLeakyReluGrad` on WebGPU: LeakyReLU's gradient, `x > 0 ? dy : alpha dy`, as one compute
 * shader dispatch through tfjs-backend-webgpu's own program runner (its uniform, bind group and
 * command batching). tfjs's gradient is `Greater`, `Multiply` and `Select`: three dispatches per
 * LeakyReLU layer, 27 of the MLP cGAN's step on webgpu. The same float32 values: the product is
 * rounded as `Multiply` rounds it, and the sign test is the same.
 *
 * @module
 */
import type * as tf from "../../_tf.ts";
import { webgpu_util } from "@tensorflow/tfjs-backend-webgpu";
import { checkedLeakyReluGrad, LEAKY_RELU_GRAD_KERNEL } from "../wasm/leaky_relu.ts";
import { registerOnWebGpu } from "./_raw.ts";

/** The parts of tfjs-backend-webgpu 4.22's `WebGPUBackend` the kernel uses. */
interface WebGpuBackend {
  runWebGPUProgram(
    program: LeakyReluGradProgram,
    inputs: tf.TensorInfo[],
    outputDtype: tf.DataType,
    uniforms: { type: string; data: number[] }[],
  ): tf.TensorInfo;
}

/** A program in tfjs-backend-webgpu's form: its runner adds the bindings and index helpers. */
class LeakyReluGradProgram {
  readonly variableNames = ["dy", "x"];
  readonly uniforms = "alpha : f32,";
  readonly size = true;
  readonly workgroupSize: [number, number, number] = [128, 1, 1];
  readonly shaderKey = "cganLeakyReluGrad";
  readonly outputShape: number[];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];

  constructor(shape: number[]) {
    this.outputShape = shape;
    this.dispatchLayout = webgpu_util.flatDispatchLayout(shape);
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, shape, this.workgroupSize);
  }

  getUserCode(): string {
    return /* wgsl */ `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let dy = getDyByOutputIndex(index);
          setOutputAtIndex(index, select(uniforms.alpha * dy, dy, getXByOutputIndex(index) > 0.0));
        }
      }`;
  }
}

function leakyReluGrad(args: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { dy, x } = checkedLeakyReluGrad(args.inputs);
  const { alpha } = args.attrs as unknown as { alpha: number };
  const backend = args.backend as unknown as WebGpuBackend;
  const program = new LeakyReluGradProgram([...x.shape]);
  return backend.runWebGPUProgram(program, [dy, x], "float32", [
    { type: "float32", data: [alpha] },
  ]);
}

/**
 * Registers `CganLeakyReluGrad` for the webgpu backend (idempotent). tfjs-backend-webgpu need
 * not be the active backend: the kernel runs only when it is.
 *
 * @returns Nothing.
 */
export function registerWebGpuLeakyReluGrad(): void {
  registerOnWebGpu([[LEAKY_RELU_GRAD_KERNEL, leakyReluGrad]]);
}
