/**
 * BatchNorm layers in training as one fused op on wasm and webgpu:
 * `tf.layers.batchNormalization` layers over the last axis with gamma and beta, applied in
 * training to float32 inputs, run `CganBatchNorm` forward (normalisation and both moving
 * averages) and `CganBatchNormGrad` backward (src/backend/wasm/batch_norm.ts,
 * src/backend/webgpu/batch_norm.ts): 2 kernel calls forward and 1 backward instead of 16 and
 * 48. The layers, their weights and saved files are tfjs's own; inference, other backends and
 * other layouts run tfjs-layers' own call, and so does a BatchNorm applied inside
 * a gradient that is itself differentiated (WGAN-GP's penalty), whose batch statistics must
 * stay on the tape.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import {
  BATCH_NORM_GRAD_KERNEL,
  BATCH_NORM_KERNEL,
  type BatchNormAttrs,
} from "./wasm/batch_norm.ts";

/** Whether BatchNorm layers run fused where they can (the default); tests compare both. */
export const fusedBatchNorm = { on: true };

/** The parts of tfjs-layers' `BatchNormalization` the fused call reads (not public API). */
interface BatchNormInternals {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: tf.LayerVariable | null;
  beta: tf.LayerVariable | null;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: tf.serialization.ConfigDict): tf.Tensor;
}

interface EngineState {
  state: { gradientDepth: number };
  isTapeOn(): boolean;
}

/** One training application: y, with the moving averages written as tfjs-layers writes them. */
function apply(layer: BatchNormInternals, x: tf.Tensor): tf.Tensor {
  const attrs: BatchNormAttrs = { epsilon: layer.epsilon, momentum: layer.momentum };
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, gamma, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [y, mean, variance, movingMean, movingVariance] = tf.engine().runKernel(
      BATCH_NORM_KERNEL,
      {
        x,
        gamma,
        beta,
        movingMean: layer.movingMean.read(),
        movingVariance: layer.movingVariance.read(),
      },
      attrs as unknown as tf.NamedAttrMap,
    ) as tf.Tensor[];
    layer.movingMean.write(movingMean!);
    layer.movingVariance.write(movingVariance!);
    save([x, gamma, mean!, variance!]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        if ((tf.engine() as unknown as EngineState).isTapeOn()) {
          throw new Error(
            `Cannot differentiate ${BATCH_NORM_GRAD_KERNEL} again: its batch statistics are ` +
              "not on the tape (apply the layer with fusedBatchNorm.on false)",
          );
        }
        const [sx, sgamma, smean, svariance] = saved;
        return tf.engine().runKernel(
          BATCH_NORM_GRAD_KERNEL,
          { x: sx!, gamma: sgamma!, mean: smean!, variance: svariance!, dy },
          attrs as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
      },
    };
  }) as (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor;
  return op(x, layer.gamma!.read(), layer.beta!.read());
}

let installed = false;

/**
 * Makes `tf.layers.batchNormalization` layers run the fused op in training where they can
 * (idempotent): on a backend with `CganBatchNorm` registered (wasm, webgpu), over the last
 * axis, with gamma and beta, on a float32 input, outside a gradient that is differentiated
 * again; every other call runs tfjs-layers' own.
 *
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { fuseBatchNormLayers } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * fuseBatchNormLayers(); // on cpu, BatchNorm layers compute as before
 * const layer = tfl.layers.batchNormalization();
 * const y = layer.apply(tf.tensor2d([[1], [3]]), { training: true }) as tf.Tensor;
 * assert.ok(Math.abs(y.dataSync()[0]! + 1) < 1e-2); // (1 - 2) / sqrt(1 + 0.001)
 * ```
 */
export function fuseBatchNormLayers(): void {
  if (installed) return;
  installed = true;
  const proto = Object.getPrototypeOf(tf.layers.batchNormalization()) as BatchNormInternals;
  const original = proto.call;
  proto.call = function (this: BatchNormInternals, inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const engine = tf.engine() as unknown as EngineState;
    const fused = fusedBatchNorm.on && kwargs["training"] === true && x !== undefined &&
      x.rank >= 2 && x.dtype === "float32" && (this.axis === -1 || this.axis === x.rank - 1) &&
      this.gamma !== null && this.beta !== null && engine.state.gradientDepth <= 1 &&
      tf.getKernel(BATCH_NORM_KERNEL, tf.getBackend()) !== undefined;
    if (!fused) return original.call(this, inputs, kwargs);
    return tf.tidy("cganBatchNorm__op", () => apply(this, x));
  };
}
