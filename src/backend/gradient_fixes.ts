/**
 * Gradients tfjs 4.22 lacks for second derivatives. The gradient of `leakyRelu` is
 * `where(greater(x, 0), dy, alpha * dy)`; differentiating it again (WGAN-GP's penalty on
 * `||dD/dx||` is trained through D's weights) needs a gradient for `Greater`, which tfjs does
 * not register, so it throws "gradient function not found for Greater". A comparison's output
 * is piecewise constant in its inputs, so its gradient is zero (almost everywhere); these are
 * registered for the comparisons that have none, and never replace one that exists.
 *
 * @module
 */
import * as tf from "../_tf.ts";

/** Comparison kernels whose gradient is zero. */
const COMPARISONS = ["Greater", "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual"];

/**
 * Registers zero gradients for the comparison kernels that have no gradient. Idempotent.
 *
 * @returns The kernels it registered a gradient for (empty on a second call).
 *
 * @example The second derivative of leakyRelu
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { registerGradientFixes } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * registerGradientFixes();
 * const f = (x: tf.Tensor) => tf.sum(tf.square(tf.leakyRelu(x, 0.2)));
 * const g2 = tf.grad((x) => tf.sum(tf.grad(f)(x)))(tf.tensor([-1, 2]));
 * const [neg, pos] = await g2.data(); // 2 * 0.2^2 and 2 * 1^2
 * assert.ok(Math.abs(neg! - 0.08) < 1e-6 && Math.abs(pos! - 2) < 1e-6);
 * ```
 */
export function registerGradientFixes(): string[] {
  const added: string[] = [];
  for (const kernelName of COMPARISONS) {
    if (tf.getGradient(kernelName) !== undefined) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: ["a", "b"],
      gradFunc: (_dy, saved) => ({
        a: () => tf.zerosLike(saved[0]!),
        b: () => tf.zerosLike(saved[1]!),
      }),
    });
    added.push(kernelName);
  }
  return added;
}
