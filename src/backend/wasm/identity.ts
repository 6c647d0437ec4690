/**
 * `Identity` on tfjs-backend-wasm 4.22 without the copy.
 *
 * @module
 */
import type * as tf from "../../_tf.ts";
import { type Info, install, kernelOf } from "./_heap.ts";

/**
 * `Identity` without the copy: the stock wasm kernel copies its input, and tfjs's engine runs
 * Identity for every tensor it saves for the backward pass (~400 copies per MLP cGAN step).
 * Like `Reshape` (and the cpu backend's Identity), the output shares the input's memory by
 * reference count: no wasm kernel writes into its inputs, so sharing is safe.
 */
function identity(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: Info };
    if (x.dtype === "string") return original(args);
    (args.backend as unknown as { incRef(dataId: Info["dataId"]): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}

/** Installs the copy-free `Identity` for backend `wasm`. Idempotent. */
export function registerIdentityKernel(): void {
  install("Identity", (original) => identity((original ?? kernelOf("Identity")).kernelFunc));
}
