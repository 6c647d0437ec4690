/**
 * Dense layers as one fused op on wasm: `tf.layers.dense` layers with a bias and a linear or
 * tanh activation, applied to `[N, K]` float32 inputs, run `CganDense` forward and
 * `CganDenseGrad` backward (src/backend/wasm/dense.ts): 2 kernel calls forward and 1 backward
 * instead of about 5 and 9 (12 with tanh). The layers, their weights and their saved files are
 * tfjs's own; only how `Dense.call` computes changes, and only on wasm with the kernels
 * registered. Where the engine records a gradient's own ops (second derivatives, as WGAN-GP's
 * penalty takes), the backward pass runs tfjs's ops, so it can be differentiated again.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { DENSE_GRAD_KERNEL, DENSE_KERNEL, type DenseActivation } from "./wasm/dense.ts";

/** Whether dense layers run fused where they can (the default); tests compare both. */
export const fusedDense = { on: true };

/** The parts of tfjs-layers' `Dense` the fused call reads (not part of its public API). */
interface DenseInternals {
  kernel: tf.LayerVariable;
  bias: tf.LayerVariable | null;
  activation: { getClassName(): string };
  invokeCallHook(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): void;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor;
}

const ops = new Map<DenseActivation, (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor>();

/** The fused op for `act`: forward and backward one kernel call each. */
function denseOp(act: DenseActivation) {
  let op = ops.get(act);
  if (op !== undefined) return op;
  op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const y = tf.engine().runKernel(DENSE_KERNEL, { x, w, b }, { activation: act }) as tf.Tensor;
    save([x, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, sy] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        if ((tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn()) {
          // Recorded for a second derivative: tfjs's ops, which have gradients of their own.
          const dz = act === "tanh" ? tf.mul(tf.sub(1, tf.square(sy)), dy) : dy;
          return [
            tf.matMul(dz as tf.Tensor2D, sw, false, true),
            tf.matMul(sx, dz as tf.Tensor2D, true, false),
            tf.sum(dz, 0),
          ];
        }
        return tf.engine().runKernel(
          DENSE_GRAD_KERNEL,
          { x: sx, w: sw, y: sy, dy },
          { activation: act },
        ) as tf.Tensor[];
      },
    };
  }) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;
  ops.set(act, op);
  return op;
}

let installed = false;

/**
 * Makes `tf.layers.dense` layers run the fused op where they can (idempotent): on wasm with
 * `CganDense` registered, a bias, a linear or tanh activation and a `[N, K]` float32 input;
 * every other call runs tfjs-layers' own.
 *
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { fuseDenseLayers } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * fuseDenseLayers(); // on cpu, dense layers compute as before
 * const layer = tfl.layers.dense({ units: 2, kernelInitializer: "ones" });
 * const y = layer.apply(tf.ones([1, 3])) as tf.Tensor;
 * assert.deepEqual(Array.from(y.dataSync()), [3, 3]);
 * ```
 */
export function fuseDenseLayers(): void {
  if (installed) return;
  installed = true;
  const proto = Object.getPrototypeOf(tf.layers.dense({ units: 1 })) as DenseInternals;
  const original = proto.call;
  proto.call = function (this: DenseInternals, inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const act = this.activation.getClassName().toLowerCase();
    const fused = fusedDense.on && x !== undefined && x.rank === 2 && x.dtype === "float32" &&
      this.bias !== null && (act === "linear" || act === "tanh") &&
      tf.getBackend() === "wasm" && tf.getKernel(DENSE_KERNEL, "wasm") !== undefined;
    if (!fused) return original.call(this, inputs, kwargs);
    // A named scope: profiles and kernel counts list the op under it.
    return tf.tidy("cganDense__op", () => {
      this.invokeCallHook(inputs, kwargs);
      return denseOp(act)(x, this.kernel.read(), this.bias!.read());
    });
  };
}
