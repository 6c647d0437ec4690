/**
 * The unconditional MLP GAN of paper 004's 1-D toy: G maps noise to a point `(x, y)`, D
 * scores a point. Small dense nets with LeakyReLU; the paper gives no sizes, so these are the
 * smallest that fit a parabola comfortably.
 *
 * G: z (2) -> Dense 64, LeakyReLU 0.2 -> Dense 64, LeakyReLU -> Dense 2 (linear).
 * D: point (2) -> Dense 64, LeakyReLU -> Dense 64, LeakyReLU -> Dense 1 (logit).
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { InitSeeds } from "./blocks/seeds.ts";

/** Sizes of the toy GAN. */
export interface ToyGanConfig {
  /** Size of z (default 2). */
  latentDim: number;
  /** Units of each hidden layer (default 64). */
  hidden: number;
  /** Weight initialisation seed. */
  seed: number;
}

/** Defaults of {@linkcode ToyGanConfig}. */
export const TOY_DEFAULTS: ToyGanConfig = { latentDim: 2, hidden: 64, seed: 0 };

function mlp(
  input: tf.SymbolicTensor,
  hidden: number,
  out: number,
  seeds: InitSeeds,
  name: string,
): tf.SymbolicTensor {
  let x = input;
  for (const i of [0, 1]) {
    x = tf.layers.dense({
      units: hidden,
      kernelInitializer: seeds.glorotUniform(),
      name: `${name}_dense${i}`,
    })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.leakyReLU({ alpha: 0.2, name: `${name}_act${i}` }).apply(x) as tf.SymbolicTensor;
  }
  return tf.layers.dense({
    units: out,
    kernelInitializer: seeds.glorotUniform(),
    name: `${name}_out`,
  })
    .apply(x) as tf.SymbolicTensor;
}

/**
 * Builds the toy generator `z [N, latentDim] -> points [N, 2]`.
 *
 * @param cfg Sizes and seed.
 * @returns G.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { buildToyGenerator, TOY_DEFAULTS } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * assert.deepEqual(buildToyGenerator(TOY_DEFAULTS).outputs[0]!.shape, [null, 2]);
 * ```
 */
export function buildToyGenerator(cfg: ToyGanConfig): tf.LayersModel {
  const z = tf.input({ shape: [cfg.latentDim], name: "z" });
  const point = mlp(z, cfg.hidden, 2, new InitSeeds(cfg.seed), "gen");
  return tf.model({ inputs: z, outputs: point, name: "toy_generator" });
}

/**
 * Builds the toy discriminator `points [N, 2] -> logits [N, 1]`.
 *
 * @param cfg Sizes and seed.
 * @returns D.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { buildToyDiscriminator, TOY_DEFAULTS } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * assert.deepEqual(buildToyDiscriminator(TOY_DEFAULTS).outputs[0]!.shape, [null, 1]);
 * ```
 */
export function buildToyDiscriminator(cfg: ToyGanConfig): tf.LayersModel {
  const point = tf.input({ shape: [2], name: "point" });
  const logit = mlp(point, cfg.hidden, 1, new InitSeeds(cfg.seed + 1), "disc");
  return tf.model({ inputs: point, outputs: logit, name: "toy_discriminator" });
}
