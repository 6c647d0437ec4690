/**
 * Running a function outside the gradient tape that is recording. tfjs's engine has one tape:
 * a gradient taken inside another gradient's function records into the outer tape, and so does
 * the inner gradient's backward pass (that is how tfjs gives second derivatives). A training
 * step that updates D inside G's gradient tape (G runs forward once, `src/train/step.ts`) needs
 * neither: D's update is not on the path from G's weights to G's loss. Recorded, it cost memory
 * (every tensor D's backward saved lived until G's update ended) and speed: cgan's fused
 * gradients (LeakyReLU, BatchNorm, dense, BCE) fall back to tfjs's ops whenever a tape records,
 * so that second derivatives stay possible, and D's backward ran them all unfused.
 *
 * @module
 */
import * as tf from "../_tf.ts";

/** The engine's tape state (not part of tfjs's public API). */
interface TapeState {
  state: { activeTape: unknown[] | null; gradientDepth: number };
}

/**
 * Runs `fn` with the engine's gradient tape set aside: its kernels are not recorded by a
 * gradient being taken around it, and a gradient taken inside it starts a tape of its own and
 * frees that tape's saved tensors when it ends, as it would at top level. The tape is restored
 * afterwards, also when `fn` throws. Tensors `fn` returns are constants to the outer gradient.
 *
 * @param fn A synchronous function.
 * @returns What `fn` returned.
 *
 * @example The outer gradient does not see what ran untaped
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { untaped } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const x = tf.scalar(3);
 * // d/dx (x * x + untaped(x * x)) = 2x: the untaped term is a constant to the gradient.
 * const dx = tf.grad((x: tf.Tensor) => tf.add(tf.mul(x, x), untaped(() => tf.mul(x, x))))(x);
 * assert.equal(dx.dataSync()[0], 6);
 * tf.dispose([x, dx]);
 * ```
 */
export function untaped<T>(fn: () => T): T {
  const { state } = tf.engine() as unknown as TapeState;
  const [tape, depth] = [state.activeTape, state.gradientDepth];
  state.activeTape = null;
  state.gradientDepth = 0;
  try {
    return fn();
  } finally {
    state.activeTape = tape;
    state.gradientDepth = depth;
  }
}
