/**
 * A new run's networks and optimizers, built from its config and data: G and D of the config's
 * model (from the registry), each with its own Adam (`lr`, and D's `lrD` when set), and G told
 * what a sampler needs (its noise and class names, or which way a pix2pix G translates). No
 * file I/O: `deno task train` (through `startOrResume`) and the page's Train panel, in a
 * browser, start their runs with these same functions.
 *
 * @module
 */
import type * as tf from "../_tf.ts";
import { type AdamConfig, createAdam } from "../backend/optimizer.ts";
import type { Dataset } from "../data/dataset.ts";
import { buildGan } from "../models/registry.ts";
import type { TrainConfig } from "./config.ts";
import type { GanNets } from "./step.ts";

/** Networks and optimizers of a GAN run. */
export interface GanTrainables {
  /** G and D. */
  nets: GanNets;
  /** Their Adam optimizers. */
  optimizers: { gen: tf.AdamOptimizer; disc: tf.AdamOptimizer };
  /** With `--ema-decay`: the moving average of G's weights, saved as the checkpoint's `gen_ema/`. */
  ema?: tf.LayersModel;
}

/**
 * The Adam hyperparameters of G and D: the config's `lr`, betas and epsilon, and for D its own
 * `lrD` when that is set (two time-scales).
 *
 * @param cfg The run's config.
 * @returns G's and D's Adam settings.
 *
 * @example D's own learning rate
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig } from "@cgan/cgan";
 * import { adamConfigs } from "@cgan/cgan/internal";
 * const { gen, disc } = adamConfigs(resolveConfig({ lr: 1e-4, lrD: 4e-4 }));
 * assert.deepEqual([gen.lr, disc.lr, disc.beta1], [1e-4, 4e-4, 0.5]);
 * ```
 */
export function adamConfigs(
  cfg: Pick<TrainConfig, "lr" | "lrD" | "beta1" | "beta2" | "epsilon">,
): { gen: AdamConfig; disc: AdamConfig } {
  const gen = { lr: cfg.lr, beta1: cfg.beta1, beta2: cfg.beta2, epsilon: cfg.epsilon };
  return { gen, disc: { ...gen, lr: cfg.lrD > 0 ? cfg.lrD : cfg.lr } };
}

/**
 * Builds a new run's G and D (the config's model, sized by the data) and their Adam
 * optimizers, and tells G what a sampler needs ({@linkcode labelGenerator}).
 *
 * @param cfg The run's config (model, sizes, seed, Adam, noise, conditioning).
 * @param dataset The training data: its image shape, class names, and whether it is paired.
 * @returns Networks and optimizers the caller disposes ({@linkcode disposeTrainables}).
 *
 * @example The MLP cGAN on two classes of 4x4 images
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend, resolveConfig } from "@cgan/cgan";
 * import { disposeTrainables, newTrainables } from "@cgan/cgan/internal";
 * await initBackend({ requested: "cpu" });
 * const dataset = { name: "toy", images: new Uint8Array(2 * 16), labels: new Uint8Array([0, 1]),
 *   shape: [4, 4, 1] as [number, number, number], classNames: ["a", "b"], source: "memory" };
 * const run = newTrainables(resolveConfig({ latentDim: 4 }), dataset);
 * assert.deepEqual(run.nets.gen.outputs[0]!.shape, [null, 4, 4, 1]);
 * assert.deepEqual(run.nets.gen.getUserDefinedMetadata(), { noise: "normal", classNames: ["a", "b"] });
 * disposeTrainables(run);
 * ```
 */
export function newTrainables(cfg: TrainConfig, dataset: Dataset): GanTrainables {
  const nets = buildGan(cfg.model, {
    latentDim: cfg.latentDim,
    numClasses: dataset.classNames.length,
    imageShape: dataset.shape,
    width: cfg.width,
    activation: cfg.activation,
    seed: cfg.seed,
    conditional: cfg.conditioning !== "none",
  });
  const adam = adamConfigs(cfg);
  labelGenerator(nets.gen, cfg, dataset);
  return { nets, optimizers: { gen: createAdam(adam.gen), disc: createAdam(adam.disc) } };
}

/**
 * Records in G's model file what a sampler needs, over what it records already: the noise and
 * the data's class names, or for an image-to-image G (paired data) which way it translates.
 *
 * @param gen The generator.
 * @param cfg The run's config (its `noise` and `direction`).
 * @param dataset The training data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildGan, initBackend, resolveConfig } from "@cgan/cgan";
 * import { labelGenerator } from "@cgan/cgan/internal";
 * await initBackend({ requested: "cpu" });
 * const { gen } = buildGan("mlp", {
 *   latentDim: 4, numClasses: 2, imageShape: [4, 4, 1], activation: "leaky", seed: 0,
 * });
 * const dataset = { name: "toy", images: new Uint8Array(2 * 16), labels: new Uint8Array([0, 1]),
 *   shape: [4, 4, 1] as [number, number, number], classNames: ["a", "b"], source: "memory" };
 * labelGenerator(gen, resolveConfig({ noise: "uniform" }), dataset);
 * assert.deepEqual(gen.getUserDefinedMetadata(), { noise: "uniform", classNames: ["a", "b"] });
 * ```
 */
export function labelGenerator(
  gen: tf.LayersModel,
  cfg: Pick<TrainConfig, "noise" | "direction">,
  dataset: Dataset,
): void {
  gen.setUserDefinedMetadata({
    ...gen.getUserDefinedMetadata(),
    ...(dataset.conditions !== undefined
      ? { direction: cfg.direction }
      : { noise: cfg.noise, classNames: dataset.classNames }),
  });
}

/**
 * Disposes a run's networks, optimizers and G's average.
 *
 * @param trainables What {@linkcode newTrainables} or `startOrResume` returned.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { disposeTrainables } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const before = tf.memory().numTensors;
 * const net = () => tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [1] })] });
 * disposeTrainables({
 *   nets: { gen: net(), disc: net() },
 *   optimizers: { gen: tf.train.adam(), disc: tf.train.adam() },
 * });
 * assert.equal(tf.memory().numTensors, before);
 * ```
 */
export function disposeTrainables(trainables: GanTrainables): void {
  const { nets, optimizers } = trainables;
  for (const owned of [optimizers.gen, optimizers.disc, nets.gen, nets.disc]) owned.dispose();
  trainables.ema?.dispose();
}
