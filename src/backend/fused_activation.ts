/**
 * LeakyReLU's gradient as one kernel call on wasm and webgpu (`CganLeakyReluGrad`,
 * src/backend/wasm/leaky_relu.ts, src/backend/webgpu/leaky_relu.ts) instead of tfjs's 6 (3
 * dispatches on webgpu). The gradient is tfjs's registered one,
 * replaced by one that runs the kernel where it is registered and the engine is not recording
 * the gradient's own ops; elsewhere (other backends, second derivatives such as WGAN-GP's
 * penalty) it computes tfjs's formula with tfjs's ops.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { LEAKY_RELU_GRAD_KERNEL } from "./wasm/leaky_relu.ts";

/** Whether the gradient runs fused where it can (the default); tests compare both. */
export const fusedLeakyReluGrad = { on: true };

let installed = false;

/**
 * Replaces the gradient of `LeakyRelu` by one that runs `CganLeakyReluGrad` on wasm and webgpu
 * (idempotent); its values are those of tfjs's gradient.
 *
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { fuseLeakyReluGradient } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * fuseLeakyReluGradient(); // on cpu, tfjs's formula
 * const dx = tf.grad((x: tf.Tensor) => tf.sum(tf.leakyRelu(x, 0.2)))(tf.tensor([-1, 2]));
 * assert.deepEqual(Array.from(dx.dataSync()), [Math.fround(0.2), 1]);
 * ```
 */
export function fuseLeakyReluGradient(): void {
  if (installed) return;
  installed = true;
  tf.registerGradient({
    kernelName: "LeakyRelu",
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const { alpha } = attrs as unknown as { alpha: number };
      const tapeOn = (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();
      const fused = fusedLeakyReluGrad.on && !tapeOn &&
        tf.getKernel(LEAKY_RELU_GRAD_KERNEL, tf.getBackend()) !== undefined;
      const g = dy as tf.Tensor;
      if (!fused) {
        // tfjs 4.22's gradient of LeakyRelu.
        return { x: () => tf.where(tf.greater(x, 0), g, tf.mul(g, alpha)) };
      }
      return {
        x: () =>
          tf.engine().runKernel(LEAKY_RELU_GRAD_KERNEL, { dy: g, x }, { alpha }) as tf.Tensor,
      };
    },
  });
}
