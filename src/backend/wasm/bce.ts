/**
 * The mean binary cross-entropy of `sigmoid(x)` against a constant target `t` as one wasm
 * kernel, `CganBce`, and its gradient as another, `CganBceGrad`; through tfjs's ops the loss
 * takes about 10 kernel calls forward and 15 backward. Per element, in the stable form of
 * src/train/losses.ts, accumulated in float64 over the n elements:
 *
 *     CganBce:      loss = Σ (max(x, 0) - x t + log(1 + exp(-|x|))) / n
 *     CganBceGrad:  dx = dy (sigmoid(x) - t) / n
 *
 * @module
 */
import * as tf from "../../_tf.ts";
import { type Info, sizeOf, type WasmBackend } from "./_heap.ts";

/** The forward kernel's name: input x, attribute target; a scalar output. */
export const BCE_KERNEL = "CganBce";
/** The backward kernel's name: inputs x and the scalar dy, attribute target. */
export const BCE_GRAD_KERNEL = "CganBceGrad";

/** A float32 input of either kernel, or a TypeError naming it (every backend's kernels). */
export function floatInput(kernel: string, t: Info | undefined, name: string): Info {
  if (t === undefined || t.dtype !== "float32") {
    throw new TypeError(`Cannot run ${kernel}: expected a float32 input ${name}`);
  }
  return t;
}

function bce(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as unknown as WasmBackend;
  const x = floatInput(BCE_KERNEL, (args.inputs as Record<string, Info>)["x"], "x");
  const t = args.attrs?.["target"] as number;
  const n = sizeOf(x.shape);
  const out = backend.makeOutput([], "float32");
  const xs = backend.typedArrayFromHeap(x);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = xs[i]!;
    sum += Math.max(v, 0) - v * t + Math.log1p(Math.exp(-Math.abs(v)));
  }
  backend.typedArrayFromHeap(out)[0] = sum / n;
  return out;
}

function bceGrad(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as unknown as WasmBackend;
  const inputs = args.inputs as Record<string, Info>;
  const x = floatInput(BCE_GRAD_KERNEL, inputs["x"], "x");
  const dy = floatInput(BCE_GRAD_KERNEL, inputs["dy"], "dy");
  const t = args.attrs?.["target"] as number;
  const n = sizeOf(x.shape);
  const out = backend.makeOutput([...x.shape], "float32");
  const [xs, g, dx] = [x, dy, out].map((i) => backend.typedArrayFromHeap(i));
  const scale = g![0]! / n;
  for (let i = 0; i < n; i++) dx![i] = (1 / (1 + Math.exp(-xs![i]!)) - t) * scale;
  return out;
}

/**
 * Registers `CganBce` and `CganBceGrad` for the wasm backend (idempotent).
 *
 * @returns Nothing.
 */
export function registerBceKernels(): void {
  for (
    const [kernelName, kernelFunc] of [[BCE_KERNEL, bce], [BCE_GRAD_KERNEL, bceGrad]] as const
  ) {
    if (tf.getKernel(kernelName, "wasm") === undefined) {
      tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
    }
  }
}
