/**
 * Adam with a complete, restorable state. tfjs's `Adam.setWeights` recomputes the bias
 * corrections as `beta ** (t + 1)`, which differs in the last float32 bit from the running
 * products it keeps while training; saving and restoring those products too makes a resumed
 * run bit-identical to an unbroken one. On wasm a net's whole update is one fused kernel call
 * (`CganAdamGroup`, see src/backend/wasm/adam.ts) instead of tfjs's 13 per variable; the state
 * (moments, running products, iterations) is tfjs's own, so checkpoints are the same either way.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import {
  ADAM_GROUP_KERNEL,
  ADAM_KERNEL,
  type AdamKernelAttrs,
  registerAdamKernel,
} from "./wasm/adam.ts";
import { registerWebGpuAdamKernel } from "./webgpu/adam.ts";

/** Adam hyperparameters. */
export interface AdamConfig {
  /** Learning rate. */
  lr: number;
  /** Decay of the first moment. */
  beta1: number;
  /** Decay of the second moment. */
  beta2: number;
  /** Denominator guard. */
  epsilon: number;
}

/** The state tfjs keeps inside AdamOptimizer (not part of its public API). */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

/**
 * Whether the fused Adam updates all of a net's variables in one `CganAdamGroup` call (the
 * default) or, on wasm, calls `CganAdam` once per variable and, on webgpu, runs tfjs's Adam
 * (tests compare them).
 */
export const adamGroupKernel = { on: true };

/**
 * tfjs's Adam whose update runs as one `CganAdamGroup` kernel for all variables on wasm (the same
 * formula, state and lazily made moments as `tf.AdamOptimizer.applyGradients`); other
 * backends run tfjs's own update.
 */
class FusedAdam extends tf.AdamOptimizer {
  override applyGradients(grads: Parameters<tf.AdamOptimizer["applyGradients"]>[0]): void {
    const list: { name: string; tensor: tf.Tensor | null | undefined }[] = Array.isArray(grads)
      ? grads
      : Object.keys(grads).map((name) => ({ name, tensor: grads[name] }));
    const backend = tf.getBackend();
    // On webgpu only the group kernel exists, and it reads the bias corrections on the GPU.
    const onGpu = backend === "webgpu" && adamGroupKernel.on &&
      tf.getKernel(ADAM_GROUP_KERNEL, "webgpu") !== undefined;
    const onWasm = backend === "wasm" && tf.getKernel(ADAM_KERNEL, "wasm") !== undefined;
    const fused = (onGpu || onWasm) &&
      list.every((g) =>
        g.tensor === undefined || g.tensor === null || g.tensor.dtype === "float32"
      );
    if (!fused) return super.applyGradients(grads);
    const state = this as unknown as AdamInternals;
    const grouped = onGpu ||
      (adamGroupKernel.on && tf.getKernel(ADAM_GROUP_KERNEL, "wasm") !== undefined);
    // On wasm a scalar read is a heap read, not a device sync; webgpu never reads them here.
    const attrs: AdamKernelAttrs = {
      lr: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      c1: onGpu ? NaN : 1 - state.accBeta1.dataSync()[0]!,
      c2: onGpu ? NaN : 1 - state.accBeta2.dataSync()[0]!,
    };
    tf.tidy(() => {
      // All variables and both running products in one CganAdamGroup call (one CganAdam call
      // per variable, and two muls, without it).
      const inputs: tf.NamedTensorMap = {};
      const updated: { value: tf.Variable; m: tf.Variable; v: tf.Variable }[] = [];
      list.forEach(({ name, tensor: grad }, i) => {
        const value = tf.engine().registeredVariables[name]!;
        const moment = (suffix: string) => ({
          originalName: `${name}/${suffix}`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        });
        const m = (state.accumulatedFirstMoment[i] ??= moment("m")).variable;
        const v = (state.accumulatedSecondMoment[i] ??= moment("v")).variable;
        if (grad == null) return;
        const k = updated.length;
        Object.assign(inputs, { [`value${k}`]: value, [`m${k}`]: m, [`v${k}`]: v });
        inputs[`grad${k}`] = grad;
        updated.push({ value, m, v });
      });
      if (grouped) {
        const outs = tf.engine().runKernel(
          ADAM_GROUP_KERNEL,
          { ...inputs, accBeta1: state.accBeta1, accBeta2: state.accBeta2 },
          { ...attrs, count: updated.length } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
        updated.forEach(({ value, m, v }, k) => {
          m.assign(outs[3 * k + 1]!);
          v.assign(outs[3 * k + 2]!);
          value.assign(outs[3 * k]!);
        });
        state.accBeta1.assign(outs[3 * updated.length]!);
        state.accBeta2.assign(outs[3 * updated.length + 1]!);
        return;
      }
      updated.forEach(({ value, m, v }, k) => {
        const [x1, m1, v1] = tf.engine().runKernel(ADAM_KERNEL, {
          value,
          m,
          v,
          grad: inputs[`grad${k}`]!,
        }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(m1!);
        v.assign(v1!);
        value.assign(x1!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

/** A tensor with a name, as optimizers' getWeights/setWeights use. */
export interface NamedTensor {
  /** Weight name. */
  name: string;
  /** Its value. */
  tensor: tf.Tensor;
}

const ACC_BETA1 = "__cgan_acc_beta1";
const ACC_BETA2 = "__cgan_acc_beta2";

/**
 * Creates an Adam optimizer.
 *
 * @param cfg Hyperparameters.
 * @returns A fresh optimizer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAdam, initBackend } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const opt = createAdam({ lr: 2e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 });
 * assert.equal(opt.getClassName(), "Adam");
 * ```
 */
export function createAdam(cfg: AdamConfig): tf.AdamOptimizer {
  registerAdamKernel();
  registerWebGpuAdamKernel();
  return new FusedAdam(cfg.lr, cfg.beta1, cfg.beta2, cfg.epsilon);
}

/**
 * Snapshot of an Adam optimizer's whole state as named tensors. The caller must dispose the
 * returned tensors whose names are listed in `owned` (they are copies made for the snapshot).
 *
 * @param opt The optimizer.
 * @returns Named tensors (iteration count, moments, bias-correction products).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { createAdam, initBackend } from "@cgan/cgan";
 * import { adamState } from "@cgan/cgan/internal";
 * await initBackend({ requested: "cpu" });
 * const opt = createAdam({ lr: 0.1, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 });
 * const state = await adamState(opt);
 * assert.deepEqual(state.tensors.map((t) => t.name), ["iter", "__cgan_acc_beta1", "__cgan_acc_beta2"]);
 * tf.dispose(state.owned);
 * ```
 */
export async function adamState(
  opt: tf.AdamOptimizer,
): Promise<{ tensors: NamedTensor[]; owned: tf.Tensor[] }> {
  const weights = await opt.getWeights();
  const internals = opt as unknown as AdamInternals;
  const acc1 = internals.accBeta1.clone();
  const acc2 = internals.accBeta2.clone();
  const iter = weights[0]!.tensor; // a fresh scalar made by getWeights
  return {
    tensors: [...weights, { name: ACC_BETA1, tensor: acc1 }, { name: ACC_BETA2, tensor: acc2 }],
    owned: [iter, acc1, acc2],
  };
}

/**
 * Restores a state from {@linkcode adamState} into a fresh optimizer. Takes ownership of the
 * given tensors.
 *
 * @param opt A fresh optimizer (never stepped).
 * @param tensors Named tensors as saved.
 * @returns Resolves when restored.
 *
 * @example
 * ```ts
 * import { createAdam, initBackend } from "@cgan/cgan";
 * import { adamState, restoreAdam } from "@cgan/cgan/internal";
 * await initBackend({ requested: "cpu" });
 * const cfg = { lr: 0.1, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 };
 * const state = await adamState(createAdam(cfg));
 * await restoreAdam(createAdam(cfg), state.tensors);
 * ```
 */
export async function restoreAdam(opt: tf.AdamOptimizer, tensors: NamedTensor[]): Promise<void> {
  const acc1 = tensors.find((t) => t.name === ACC_BETA1);
  const acc2 = tensors.find((t) => t.name === ACC_BETA2);
  if (acc1 === undefined || acc2 === undefined || tensors[0]?.name !== "iter") {
    throw new Error(
      `Cannot restore Adam state: expected "iter", moments, ${ACC_BETA1} and ${ACC_BETA2}, ` +
        `found ${tensors.map((t) => t.name).join(", ")}`,
    );
  }
  const rest = tensors.filter((t) => t !== acc1 && t !== acc2);
  await opt.setWeights(rest);
  const internals = opt as unknown as AdamInternals;
  internals.accBeta1.assign(acc1.tensor);
  internals.accBeta2.assign(acc2.tensor);
  // Variables made by setWeights share data by reference count: the inputs can go.
  tf.dispose(tensors.map((t) => t.tensor));
}
