/**
 * Dense layers as one fused op on wasm: `tf.layers.dense` layers with a bias and a linear or
 * tanh activation, applied to `[N, K]` float32 inputs, run `CganDense` forward and
 * `CganDenseGrad` backward (src/backend/wasm/dense.ts): 2 kernel calls forward and, backward,
 * one per gradient the pass needs (dx, dw, db: at most 3) instead of about 5 and 9 (12 with
 * tanh). Asking per input skips work tfjs's own ops also skip: D's first layer needs no dx while
 * D trains, D's layers no dw or db while G trains (about an eighth of the MLP cGAN's flops). The
 * layers, their weights and their saved files are tfjs's own; only how `Dense.call` computes
 * changes, and only on wasm with the kernels registered. Where the engine records a gradient's
 * own ops (second derivatives, as WGAN-GP's penalty takes), the backward pass runs tfjs's ops, so
 * it can be differentiated again.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import {
  DENSE_GRAD_KERNEL,
  DENSE_KERNEL,
  type DenseActivation,
  type DenseGradWrt,
} from "./wasm/dense.ts";

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

/** The gradient of `CganDense`, one kernel call per input the backward pass needs. */
function registerDenseGradient(): void {
  if (tf.getGradient(DENSE_KERNEL) !== undefined) return;
  tf.registerGradient({
    kernelName: DENSE_KERNEL,
    inputsToSave: ["x", "w"],
    outputsToSave: [true],
    gradFunc: (dys, saved, attrs) => {
      const dy = dys as tf.Tensor2D;
      const [x, w, y] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const act = attrs["activation"] as DenseActivation;
      const dz = () => act === "tanh" ? tf.mul(tf.sub(1, tf.square(y)), dy) as tf.Tensor2D : dy;
      // The engine calls a thunk only for an input on the path to what it differentiates.
      const grad = (wrt: DenseGradWrt, viaOps: () => tf.Tensor) => () => {
        // Recorded for a second derivative: tfjs's ops, which have gradients of their own.
        if ((tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn()) return viaOps();
        const inputs = { x, w, y, dy };
        return tf.engine().runKernel(DENSE_GRAD_KERNEL, inputs, {
          activation: act,
          wrt,
        }) as tf.Tensor;
      };
      return {
        x: grad("x", () => tf.matMul(dz(), w, false, true)),
        w: grad("w", () => tf.matMul(x, dz(), true, false)),
        b: grad("b", () => tf.sum(dz(), 0)),
      };
    },
  });
}

/** `y = act(x w + b)` as one kernel call, with {@linkcode registerDenseGradient}'s gradient. */
function dense(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, act: DenseActivation): tf.Tensor {
  return tf.engine().runKernel(DENSE_KERNEL, { x, w, b }, { activation: act }) as tf.Tensor;
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
  registerDenseGradient();
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
      return dense(x, this.kernel.read(), this.bias!.read(), act);
    });
  };
}
