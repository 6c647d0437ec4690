/**
 * LeakyReLU's gradient as one wasm kernel, `CganLeakyReluGrad`: tfjs's gradient runs 6 kernel
 * calls (`Greater`, `Multiply`, three `Identity` from `where`'s broadcasts, `Select`) for
 *
 *     dx = x > 0 ? dy : dy alpha
 *
 * computed here in one pass, `dy alpha` rounded to float32 as tfjs's `Multiply` rounds it.
 *
 * @module
 */
import * as tf from "../../_tf.ts";
import { type Info, sizeOf, type WasmBackend } from "./_heap.ts";

/** The kernel's name: inputs dy and x (same shape), attribute alpha. */
export const LEAKY_RELU_GRAD_KERNEL = "CganLeakyReluGrad";

function leakyReluGrad(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as unknown as WasmBackend;
  const { dy, x } = args.inputs as Record<"dy" | "x", Info>;
  const n = sizeOf(x.shape);
  if (x.dtype !== "float32" || dy.dtype !== "float32" || sizeOf(dy.shape) !== n) {
    throw new TypeError(
      `Cannot run ${LEAKY_RELU_GRAD_KERNEL}: expected float32 dy and x of one shape, found ` +
        `[${dy.shape}] ${dy.dtype} and [${x.shape}] ${x.dtype}`,
    );
  }
  const alpha = Math.fround(args.attrs?.["alpha"] as number);
  const out = backend.makeOutput([...x.shape], "float32");
  const [g, xs, dx] = [dy, x, out].map((i) => backend.typedArrayFromHeap(i));
  for (let i = 0; i < n; i++) dx![i] = xs![i]! > 0 ? g![i]! : g![i]! * alpha;
  return out;
}

/**
 * Registers `CganLeakyReluGrad` for the wasm backend (idempotent).
 *
 * @returns Nothing.
 */
export function registerLeakyReluGradKernel(): void {
  if (tf.getKernel(LEAKY_RELU_GRAD_KERNEL, "wasm") !== undefined) return;
  tf.registerKernel({
    kernelName: LEAKY_RELU_GRAD_KERNEL,
    backendName: "wasm",
    kernelFunc: leakyReluGrad,
  });
}
