/**
 * Training the 1-D toy of paper 004: an unconditional MLP GAN on 10,000 points of
 * `y = 10 + x^2`, `x ~ N(0, 1)`, with the shared training step, recording each epoch how far
 * G's points are from the parabola and what D says about real and generated points, so that
 * the paper's observation (early success, then divergence) can be seen and measured.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { sampleParabola, type ToyFit, toyFit } from "../data/toy.ts";
import { latentNoise } from "../models/generator.ts";
import { buildToyDiscriminator, buildToyGenerator, type ToyGanConfig } from "../models/toy_mlp.ts";
import { deriveSeed, permutation, STREAM } from "../rng.ts";
import { BCE_LOSS } from "./losses.ts";
import { createAdam } from "../backend/optimizer.ts";
import { trainStep } from "./step.ts";

/** Settings of {@linkcode trainToy}. */
export interface ToyTraining {
  /** Passes over the data. */
  epochs: number;
  /** Points per step. */
  batchSize: number;
  /** Adam learning rate (both nets; beta1 0.5). */
  lr: number;
  /** Training points (paper: 10,000). */
  points: number;
  /** Seed of data, weights, batches and noise. */
  seed: number;
  /** Net sizes. */
  model: Omit<ToyGanConfig, "seed">;
}

/** Defaults: the paper's 10,000 points, 200 epochs of batch 100, Adam 1e-3. */
export const TOY_TRAINING: ToyTraining = {
  epochs: 200,
  batchSize: 100,
  lr: 1e-3,
  points: 10_000,
  seed: 0,
  model: { latentDim: 2, hidden: 64 },
};

/** What one epoch ended with. */
export interface ToyEpoch extends ToyFit {
  /** 1-based epoch. */
  epoch: number;
  /** Mean D loss over the epoch's steps. */
  dLoss: number;
  /** Mean G loss over the epoch's steps. */
  gLoss: number;
  /** Mean D probability of "real" on 1,000 real points. */
  dReal: number;
  /** Mean D probability of "real" on 1,000 generated points. */
  dFake: number;
}

/** The state handed to {@linkcode ToyHooks.onEpoch}. */
export interface ToyState {
  /** The generator, `z [N, latentDim] -> point [N, 2]`. */
  gen: tf.LayersModel;
  /** The discriminator, `point [N, 2] -> logit [N, 1]`. */
  disc: tf.LayersModel;
  /** 1,000 generated points of this epoch, row-major `[1000, 2]`. */
  fake: Float32Array;
  /** 1,000 held-out real points. */
  real: Float32Array;
}

/** Callbacks of {@linkcode trainToy}. */
export interface ToyHooks {
  /** After each epoch (awaited). */
  onEpoch?: (stats: ToyEpoch, state: ToyState) => Promise<void> | void;
}

const PROBE = 1000;

/**
 * Trains the toy GAN and returns its history.
 *
 * @param opts Schedule, sizes and seed.
 * @param hooks Per-epoch callback (plots, logs).
 * @returns One entry per epoch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { TOY_TRAINING, trainToy } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const history = await trainToy({ ...TOY_TRAINING, epochs: 1, points: 200 });
 * assert.equal(history.length, 1); // one entry per epoch
 * assert.equal(history[0]!.epoch, 1);
 * ```
 */
export async function trainToy(opts: ToyTraining, hooks: ToyHooks = {}): Promise<ToyEpoch[]> {
  const cfg = { ...opts.model, seed: opts.seed };
  const nets = { gen: buildToyGenerator(cfg), disc: buildToyDiscriminator(cfg) };
  const adam = { lr: opts.lr, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 };
  const optimizers = { gen: createAdam(adam), disc: createAdam(adam) };
  const data = sampleParabola(opts.points, deriveSeed(opts.seed, 1));
  const real = sampleParabola(PROBE, deriveSeed(opts.seed, 2));
  const steps = Math.floor(opts.points / opts.batchSize);
  if (steps < 1) {
    throw new RangeError(
      `Cannot train the toy: batch size ${opts.batchSize} exceeds the ${opts.points} points`,
    );
  }
  const history: ToyEpoch[] = [];
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const order = permutation(opts.points, deriveSeed(opts.seed, epoch, STREAM.shuffle));
      const losses: tf.Scalar[] = [];
      for (let s = 0; s < steps; s++) {
        const batch = new Float32Array(opts.batchSize * 2);
        for (let i = 0; i < opts.batchSize; i++) {
          const k = order[s * opts.batchSize + i]!;
          batch[2 * i] = data[2 * k]!;
          batch[2 * i + 1] = data[2 * k + 1]!;
        }
        const step = epoch * steps + s;
        const inputs = {
          images: tf.tensor2d(batch, [opts.batchSize, 2]),
          z: latentNoise(
            opts.batchSize,
            opts.model.latentDim,
            deriveSeed(opts.seed, step, STREAM.noise),
          ),
        };
        const { dLoss, gLoss } = trainStep(nets, optimizers, inputs, {
          loss: BCE_LOSS,
          labelSmoothing: 0,
        });
        losses.push(dLoss, gLoss!); // G is updated every step here (no nCritic)
        tf.dispose(Object.values(inputs));
      }
      const means = tf.tidy(() => {
        const all = tf.reshape(tf.stack(losses), [steps, 2]);
        return tf.mean(all, 0);
      });
      const [dLoss, gLoss] = await means.data();
      tf.dispose([means, ...losses]);
      const probe = tf.tidy(() => {
        const z = latentNoise(PROBE, opts.model.latentDim, opts.seed);
        const fake = nets.gen.predict(z) as tf.Tensor;
        const pFake = tf.mean(tf.sigmoid(nets.disc.predict(fake) as tf.Tensor));
        const pReal = tf.mean(
          tf.sigmoid(nets.disc.predict(tf.tensor2d(real, [PROBE, 2])) as tf.Tensor),
        );
        return [fake, pReal, pFake];
      });
      const fake = await probe[0]!.data() as Float32Array;
      const dReal = (await probe[1]!.data())[0]!;
      const dFake = (await probe[2]!.data())[0]!;
      tf.dispose(probe);
      const stats: ToyEpoch = {
        epoch: epoch + 1,
        dLoss: dLoss!,
        gLoss: gLoss!,
        dReal,
        dFake,
        ...toyFit(fake, real),
      };
      history.push(stats);
      await hooks.onEpoch?.(stats, { ...nets, fake, real });
    }
  } finally {
    optimizers.gen.dispose();
    optimizers.disc.dispose();
    nets.gen.dispose();
    nets.disc.dispose();
  }
  return history;
}
