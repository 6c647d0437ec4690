/**
 * Adam with a complete, restorable state. tfjs's `Adam.setWeights` recomputes the bias
 * corrections as `beta ** (t + 1)`, which differs in the last float32 bit from the running
 * products it keeps while training; saving and restoring those products too makes a resumed
 * run bit-identical to an unbroken one.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

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

/** The running products tfjs keeps inside AdamOptimizer (not part of its public API). */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
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
 * import { createAdam } from "./optimizer.ts";
 * const opt = createAdam({ lr: 2e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 });
 * console.log(opt.getClassName()); // "Adam"
 * ```
 */
export function createAdam(cfg: AdamConfig): tf.AdamOptimizer {
  return tf.train.adam(cfg.lr, cfg.beta1, cfg.beta2, cfg.epsilon);
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
 * import * as tf from "@tensorflow/tfjs";
 * import { adamState, createAdam } from "./optimizer.ts";
 * const opt = createAdam({ lr: 0.1, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 });
 * const state = await adamState(opt);
 * console.log(state.tensors.map((t) => t.name)); // ["iter", "__cgan_acc_beta1", "__cgan_acc_beta2"]
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
 * import { adamState, createAdam, restoreAdam } from "./optimizer.ts";
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
