/**
 * Deterministic randomness of layers: every layer gets its own initialisation seed drawn from
 * one run seed, so the same `--seed` builds the same network on every backend; and dropout
 * masks can be seeded per step, so a step is a pure function of (run seed, step).
 *
 * @module
 */
import * as tf from "../../_tf.ts";
import { deriveSeed } from "../../rng.ts";

/** A tfjs-layers weight initializer. */
export type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/** Hands out distinct, reproducible initializer seeds from one base seed. */
export class InitSeeds {
  #next: number;

  /**
   * Starts the sequence of seeds at `seed`.
   *
   * @param seed The run seed; the same seed yields the same sequence.
   */
  constructor(seed: number) {
    this.#next = (seed >>> 0) * 1000;
  }

  /**
   * Glorot-uniform kernel initializer with the next seed (Keras' default for Dense/Conv).
   *
   * @returns A seeded initializer.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { InitSeeds } from "@cgan/cgan/internal";
   * const seeds = new InitSeeds(1);
   * const init = seeds.glorotUniform();
   * assert.equal(init.getClassName(), "VarianceScaling"); // tfjs's class of Glorot-uniform
   * ```
   */
  glorotUniform(): Initializer {
    return tf.initializers.glorotUniform({ seed: this.#take() });
  }

  /**
   * Uniform initializer in [-limit, limit] with the next seed (Keras' default for Embedding
   * uses limit 0.05).
   *
   * @param limit Half-width of the interval.
   * @returns A seeded initializer.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { InitSeeds } from "@cgan/cgan/internal";
   * assert.equal(new InitSeeds(1).uniform(0.05).getClassName(), "RandomUniform");
   * ```
   */
  uniform(limit: number): Initializer {
    return tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed: this.#take() });
  }

  #take(): number {
    return this.#next++;
  }
}

/**
 * Seeds the masks of every `Dropout` layer of a model: layer `i` draws from
 * `deriveSeed(seed, i)` on each call until the next reseed. tfjs's Dropout otherwise draws from
 * `Math.random`, which no run seed controls; it reads its (private) `seed` field at each call,
 * and this sets that field.
 *
 * @param model The model whose dropout layers to seed.
 * @param seed The seed of this step (e.g. `deriveSeed(runSeed, step, STREAM.dropout)`).
 * @returns The number of dropout layers seeded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { seedDropout } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const input = tfl.input({ shape: [8] });
 * const net = tfl.model({ inputs: input, outputs: tfl.layers.dropout({ rate: 0.5 }).apply(input) as tfl.SymbolicTensor });
 * const run = () => (net.apply(tf.ones([1, 8]), { training: true }) as tf.Tensor).arraySync();
 * seedDropout(net, 3);
 * const a = run();
 * seedDropout(net, 3);
 * assert.deepEqual(run(), a); // the same seed, the same mask
 * ```
 */
export function seedDropout(model: tf.LayersModel, seed: number): number {
  const layers = model.layers.filter((l) => l.getClassName() === "Dropout");
  layers.forEach((layer, i) => {
    (layer as unknown as { seed?: number }).seed = deriveSeed(seed, i);
  });
  return layers.length;
}
