/**
 * One step of a run as its config sets it up: the step's inputs drawn from (seed, step), its
 * dropout seed, D's update and (on every `nCritic`-th step) G's, then G's moving average. The
 * training loop (`loop.ts`) runs it for `deno task train`; the page's Train panel runs the same
 * function in a browser. No file I/O, no clock.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import type { BatchSource } from "../data/batches.ts";
import type { Dataset } from "../data/dataset.ts";
import { modelDef } from "../models/registry.ts";
import { deriveSeed, STREAM } from "../rng.ts";
import type { TrainConfig } from "./config.ts";
import { emaDecayAt, updateEma } from "./ema.ts";
import { LOSSES } from "./losses.ts";
import { drawStepInputs, type StepLosses, type StepOptions, trainStep } from "./step.ts";
import type { GanTrainables } from "./trainables.ts";

/** What every step of a run shares, fixed by its config and data. */
export interface StepPlan {
  /** How each step's noise, requested labels (and WGAN-GP weights) are drawn. */
  draw: Parameters<typeof drawStepInputs>[2];
  /** The loss and its settings. */
  step: StepOptions;
  /** D updates per G update. */
  nCritic: number;
  /** The run seed (of each step's dropout masks). */
  seed: number;
  /** Decay of G's moving average (0: none). */
  emaDecay: number;
}

/**
 * The settings of every step's draw and update, from the run's config and data.
 *
 * @param cfg The run's config.
 * @param dataset The training data (its classes, and whether it is paired).
 * @returns The plan {@linkcode runStep} follows.
 *
 * @example The MLP cGAN's plan: BCE with label smoothing 0.1, G updated every step
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig } from "@cgan/cgan";
 * import { stepPlan } from "@cgan/cgan/internal";
 * const dataset = { name: "toy", images: new Uint8Array(2 * 16), labels: new Uint8Array([0, 1]),
 *   shape: [4, 4, 1] as [number, number, number], classNames: ["a", "b"], source: "memory" };
 * const plan = stepPlan(resolveConfig({ model: "mlp" }), dataset);
 * assert.deepEqual([plan.step.loss.name, plan.step.labelSmoothing, plan.nCritic], ["bce", 0.1, 1]);
 * assert.equal(plan.draw.numClasses, 2);
 * ```
 */
export function stepPlan(cfg: TrainConfig, dataset: Dataset): StepPlan {
  const loss = LOSSES[cfg.loss];
  return {
    draw: {
      latentDim: cfg.latentDim,
      numClasses: dataset.classNames.length,
      seed: cfg.seed,
      interpolate: loss.lipschitz === "penalty",
      noise: cfg.noise,
    },
    step: {
      loss,
      labelSmoothing: cfg.labelSmoothing,
      clipValue: cfg.clipValue,
      lambdaGp: cfg.lambdaGp,
      auxClassifier: modelDef(cfg.model).auxClassifier,
      auxLoss: cfg.auxLoss,
      ...(dataset.conditions !== undefined ? { lambdaL1: cfg.lambdaL1 } : {}),
    },
    nCritic: cfg.nCritic,
    seed: cfg.seed,
    emaDecay: cfg.emaDecay,
  };
}

/**
 * Runs global step `step`: draws its inputs, updates D (and G on every `nCritic`-th step),
 * disposes the inputs, and moves G's average after a G update.
 *
 * @param trainables G, D, their optimizers and G's average (if any).
 * @param source The run's batches.
 * @param plan What {@linkcode stepPlan} made of the config.
 * @param step The zero-based step: with the seed, it fixes the batch, z and labels.
 * @returns The step's losses as scalars the caller owns (read them in batches: `LossLog`).
 *
 * @example Two steps of a tiny MLP cGAN leave no tensor behind but their losses
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { BatchSource, initBackend, resolveConfig } from "@cgan/cgan";
 * import { disposeTrainables, newTrainables, runStep, stepPlan } from "@cgan/cgan/internal";
 * await initBackend({ requested: "cpu" });
 * const dataset = { name: "toy", images: new Uint8Array(4 * 16), labels: new Uint8Array([0, 1, 0, 1]),
 *   shape: [4, 4, 1] as [number, number, number], classNames: ["a", "b"], source: "memory" };
 * const cfg = resolveConfig({ latentDim: 4, batchSize: 2, emaDecay: 0 });
 * const run = newTrainables(cfg, dataset);
 * const source = new BatchSource(dataset, cfg.batchSize, cfg.seed);
 * const plan = stepPlan(cfg, dataset);
 * tf.dispose(Object.values(runStep(run, source, plan, 0))); // warm-up
 * const before = tf.memory().numTensors;
 * const { dLoss, gLoss } = runStep(run, source, plan, 1);
 * assert.equal(tf.memory().numTensors, before + 2);
 * assert.ok(dLoss.dataSync()[0]! > 0 && gLoss!.dataSync()[0]! > 0);
 * tf.dispose([dLoss, gLoss!]);
 * source.dispose();
 * disposeTrainables(run);
 * ```
 */
export function runStep(
  trainables: GanTrainables,
  source: BatchSource,
  plan: StepPlan,
  step: number,
): StepLosses {
  const { nets, optimizers, ema } = trainables;
  const updateGen = (step + 1) % plan.nCritic === 0;
  const inputs = drawStepInputs(source, step, plan.draw);
  const dropoutSeed = deriveSeed(plan.seed, step, STREAM.dropout);
  const losses = trainStep(nets, optimizers, inputs, { ...plan.step, updateGen, dropoutSeed });
  tf.dispose(Object.values(inputs));
  // The warm-up counts G's updates (one per nCritic steps), not the critic's steps.
  if (updateGen && ema !== undefined) {
    updateEma(ema, nets.gen, emaDecayAt(plan.emaDecay, Math.floor(step / plan.nCritic)));
  }
  return losses;
}
