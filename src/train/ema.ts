/**
 * An exponential moving average of G's weights (Yazici et al. 2019, "The Unusual Effectiveness of
 * Averaging in GAN Training"; BigGAN and StyleGAN sample from such an average). After every G
 * update, `ema = decay * ema + (1 - decay) * G`, for every weight of G, BatchNorm's moving
 * statistics included. Early in a run the decay is warmed up ({@linkcode emaDecayAt}), so that a
 * short run's average is not dominated by G's random initial weights. The average is a second LayersModel of the same architecture: it is what
 * a run samples, scores and exports, while training still updates G itself.
 *
 * @module
 */
import * as tf from "../_tf.ts";

/**
 * Builds the average's model: G's architecture with a copy of G's current weights.
 *
 * @param gen The generator being trained.
 * @returns A new model of G's name and metadata (the caller disposes it).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { createEma } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const gen = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
 * const ema = await createEma(gen);
 * assert.equal(ema.countParams(), gen.countParams());
 * ```
 */
export async function createEma(gen: tf.LayersModel): Promise<tf.LayersModel> {
  const topology = gen.toJSON(undefined, false) as unknown as tf.io.ModelJSON["modelTopology"];
  const ema = await tf.models.modelFromJSON({ modelTopology: topology });
  ema.setWeights(gen.getWeights()); // assigns G's values into the average's own variables
  const metadata = gen.getUserDefinedMetadata();
  if (metadata !== undefined) ema.setUserDefinedMetadata(metadata);
  return ema;
}

/**
 * The decay to use at a step: `min(decay, (1 + step) / (10 + step))`, the warm-up of
 * TensorFlow's `ExponentialMovingAverage(num_updates=...)`. It is 0.1 at step 0, 0.9 at step
 * 80, 0.99 at step 890 and reaches 0.999 at step 8,990: the average follows G closely while G
 * moves fast, then averages over about `1 / (1 - decay)` updates.
 *
 * @param decay The configured decay, in [0, 1).
 * @param step G's updates before this one (the run's step divided by `nCritic`, resumes
 *   included: with 5 critic steps per G update, a WGAN's average warms up over G's updates).
 * @returns The decay for this update.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { emaDecayAt } from "@cgan/cgan/internal";
 * assert.equal(emaDecayAt(0.999, 0), 0.1);
 * assert.equal(emaDecayAt(0.999, 80), 0.9);
 * assert.equal(emaDecayAt(0.999, 100_000), 0.999);
 * ```
 */
export function emaDecayAt(decay: number, step: number): number {
  return Math.min(decay, (1 + step) / (10 + step));
}

/**
 * Moves every weight of the average towards G's: `ema = decay * ema + (1 - decay) * G`.
 *
 * @param ema The average (from {@linkcode createEma}).
 * @param gen The generator, just updated.
 * @param decay In [0, 1): 0.999 averages over about the last 1,000 updates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { createEma, updateEma } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const gen = tfl.sequential({
 *   layers: [tfl.layers.dense({ units: 1, inputShape: [1], kernelInitializer: "zeros" })],
 * });
 * const ema = await createEma(gen);
 * gen.setWeights([tf.ones([1, 1]), tf.zeros([1])]);
 * updateEma(ema, gen, 0.75);
 * assert.equal(ema.getWeights()[0]!.dataSync()[0], 0.25); // 0.75 * 0 + 0.25 * 1
 * ```
 */
export function updateEma(ema: tf.LayersModel, gen: tf.LayersModel, decay: number): void {
  if (!(decay >= 0 && decay < 1)) {
    throw new RangeError(`Cannot average G's weights with decay ${decay}: expected 0 <= decay < 1`);
  }
  const [avg, live] = [ema.weights, gen.weights];
  if (avg.length !== live.length) {
    throw new TypeError(
      `Cannot average "${gen.name}" into "${ema.name}": ${live.length} vs ${avg.length} weights`,
    );
  }
  tf.tidy(() => {
    avg.forEach((a, i) => {
      const w = live[i]!.read();
      if (w.dtype !== "float32") return; // integer state (none in our nets) is left as it is
      const current = a.read();
      // ema + (1 - decay) * (G - ema): one fewer kernel than decay * ema + (1 - decay) * G.
      a.write(tf.add(current, tf.mul(tf.sub(w, current), 1 - decay)));
    });
  });
}
