/**
 * Deterministic weight initialisation: every layer gets its own seed drawn from one run seed,
 * so the same `--seed` builds the same network on every backend.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** A tfjs-layers weight initializer. */
export type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/** Hands out distinct, reproducible initializer seeds from one base seed. */
export class InitSeeds {
  #next: number;

  /**
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
   * import { InitSeeds } from "./seeds.ts";
   * const seeds = new InitSeeds(1);
   * const init = seeds.glorotUniform();
   * console.log(init.getClassName()); // "GlorotUniform"
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
   * import { InitSeeds } from "./seeds.ts";
   * console.log(new InitSeeds(1).uniform(0.05).getClassName()); // "RandomUniform"
   * ```
   */
  uniform(limit: number): Initializer {
    return tf.initializers.randomUniform({ minval: -limit, maxval: limit, seed: this.#take() });
  }

  #take(): number {
    return this.#next++;
  }
}
