/**
 * The BCE-with-logits loss as one fused op on wasm and webgpu: `CganBce` forward and
 * `CganBceGrad` backward (src/backend/wasm/bce.ts, src/backend/webgpu/bce.ts), 2 kernel calls
 * forward and 1 backward instead of about 10 and 15. Where the engine records the gradient's
 * own ops (a second derivative), the backward pass runs tfjs's ops, so it can be
 * differentiated again.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { BCE_GRAD_KERNEL, BCE_KERNEL } from "./wasm/bce.ts";

/** Whether the loss runs fused where it can (the default); tests compare both. */
export const fusedBce = { on: true };

/**
 * Whether {@linkcode fusedBceWithLogits} runs here: on a backend with `CganBce` registered
 * (wasm, webgpu), for float32 logits.
 *
 * @param logits The logits the loss would read.
 * @returns True where the fused op runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { canFuseBce } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * assert.equal(canFuseBce(tf.tensor([0])), false); // wasm and webgpu only
 * ```
 */
export function canFuseBce(logits: tf.Tensor): boolean {
  return fusedBce.on && logits.dtype === "float32" &&
    tf.getKernel(BCE_KERNEL, tf.getBackend()) !== undefined;
}

/**
 * Mean binary cross-entropy of `sigmoid(logits)` against the constant `target`, as one op.
 *
 * @param logits Raw scores (float32).
 * @param target The target probability, the same for every element.
 * @returns The mean loss, a scalar.
 *
 * @example
 * ```ts ignore
 * import * as tf from "@tensorflow/tfjs-core";
 * import { fusedBceWithLogits, initBackend } from "@cgan/cgan/internal";
 * await initBackend({ requested: "wasm" });
 * fusedBceWithLogits(tf.tensor([0]), 1).print(); // ln 2
 * ```
 */
export function fusedBceWithLogits(logits: tf.Tensor, target: number): tf.Scalar {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([x]);
    return {
      value: tf.engine().runKernel(BCE_KERNEL, { x }, { target }) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, [sx]: tf.Tensor[]) => {
        if ((tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn()) {
          // Recorded for a second derivative: tfjs's ops, which have gradients of their own.
          return tf.mul(tf.sub(tf.sigmoid(sx!), target), tf.div(dy, sx!.size));
        }
        return tf.engine().runKernel(BCE_GRAD_KERNEL, { x: sx!, dy }, { target }) as tf.Tensor;
      },
    };
  }) as (x: tf.Tensor) => tf.Scalar;
  return tf.tidy("cganBce__op", () => op(logits));
}
