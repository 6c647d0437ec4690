/**
 * The gradient penalty of WGAN-GP (Gulrajani et al. 2017): on interpolates
 * `x_hat = alpha * x + (1 - alpha) * G(z)` with one `alpha ~ U[0, 1]` per sample, the mean of
 * `(||grad_{x_hat} D(x_hat)||_2 - 1)^2`. It is minimised through D's weights, so D must be
 * twice differentiable: tfjs differentiates leakyRelu's gradient once `registerGradientFixes`
 * (`src/backend/`) has given `Greater` its zero gradient, which `initBackend` does.
 *
 * @module
 */
import * as tf from "../_tf.ts";

/** Added under the square root so the norm's gradient stays finite at a zero gradient. */
export const NORM_EPS = 1e-12;

/**
 * The gradient penalty of `critic` between `real` and `fake` images.
 *
 * @param critic D's score `[N, 1]` of images `[N, H, W, C]` (with the labels bound in).
 * @param real Real images `[N, H, W, C]`.
 * @param fake Generated images, the same shape.
 * @param alpha Interpolation weights `[N, 1, 1, 1]` in [0, 1].
 * @returns `mean((||dD/dx_hat|| - 1)^2)` as a scalar, differentiable in the critic's weights.
 *
 * @example A linear critic with weights of norm 2 has penalty (2 - 1)^2 = 1
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { gradientPenalty } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const w = tf.tensor4d([2, 0, 0, 0], [1, 2, 2, 1]);
 * const critic = (x: tf.Tensor) => tf.reshape(tf.sum(tf.mul(x, w), [1, 2, 3]), [-1, 1]);
 * const x = tf.ones([3, 2, 2, 1]);
 * const gp = gradientPenalty(critic, x, tf.zeros([3, 2, 2, 1]), tf.fill([3, 1, 1, 1], 0.5));
 * assert.equal(gp.dataSync()[0], 1); // (||w|| - 1)^2 = (2 - 1)^2
 * ```
 */
export function gradientPenalty(
  critic: (x: tf.Tensor) => tf.Tensor,
  real: tf.Tensor,
  fake: tf.Tensor,
  alpha: tf.Tensor,
): tf.Scalar {
  return tf.tidy(() => {
    const xHat = tf.add(tf.mul(alpha, real), tf.mul(tf.sub(1, alpha), fake));
    // Each score depends on its own image only, so the gradient of their sum holds every
    // sample's own gradient.
    const grads = tf.grad((x: tf.Tensor) => tf.sum(critic(x)))(xHat);
    const axes = Array.from({ length: grads.rank - 1 }, (_, i) => i + 1);
    const norms = tf.sqrt(tf.add(tf.sum(tf.square(grads), axes), NORM_EPS)); // [N]
    return tf.mean(tf.square(tf.sub(norms, 1))) as tf.Scalar;
  });
}
