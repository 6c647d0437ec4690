/**
 * One adversarial training step: D on real and generated images, then G (non-saturating).
 * Each optimizer is given only its own network's variables, so the D step cannot move G and
 * the G step cannot move D.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { BatchSource } from "../data/batches.ts";
import { deriveSeed, randomInts, STREAM } from "../rng.ts";
import type { GanLoss } from "./losses.ts";

/** The two networks of a conditional GAN. */
export interface GanNets {
  /** G: `(z, labels) -> images`. */
  gen: tf.LayersModel;
  /** D: `(images, labels) -> logits`. */
  disc: tf.LayersModel;
}

/** One optimizer per network. */
export interface GanOptimizers {
  /** Updates G's trainable weights. */
  gen: tf.Optimizer;
  /** Updates D's trainable weights. */
  disc: tf.Optimizer;
}

/**
 * Inputs of one step; the caller owns them. Without labels the step is unconditional: G is
 * applied to `z` alone and D to the samples alone (the baselines and the 1-D toy).
 */
export interface StepInputs {
  /** Real samples: images `[N, H, W, C]` in [-1, 1] (or `[N, D]` points for the toy). */
  images: tf.Tensor;
  /** Real labels `[N, 1]` int32 (conditional models). */
  labels?: tf.Tensor2D;
  /** Latent noise `[N, latentDim]`. */
  z: tf.Tensor2D;
  /** Labels requested from G `[N, 1]` int32 (conditional models). */
  fakeLabels?: tf.Tensor2D;
}

/**
 * Draws the inputs of global step `step`: its real batch, and z and requested labels from
 * the run seed, so the same (seed, step) always gives the same inputs.
 *
 * @param source The dataset's batches.
 * @param step Zero-based step counter.
 * @param opts Latent size, class count and run seed.
 * @returns Tensors the caller owns (dispose with `tf.dispose(Object.values(inputs))`).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { BatchSource } from "../data/batches.ts";
 * import { drawStepInputs } from "./step.ts";
 * await tf.setBackend("cpu");
 * const ds = { name: "toy", images: new Uint8Array(4), labels: new Uint8Array([0, 1, 0, 1]),
 *   shape: [1, 1, 1] as [number, number, number], classNames: ["a", "b"], source: "memory" };
 * const source = new BatchSource(ds, 2, 0);
 * const inputs = drawStepInputs(source, 0, { latentDim: 3, numClasses: 2, seed: 0 });
 * console.log(inputs.z.shape); // [2, 3]
 * tf.dispose(Object.values(inputs));
 * source.dispose();
 * ```
 */
export function drawStepInputs(
  source: BatchSource,
  step: number,
  opts: { latentDim: number; numClasses: number; seed: number },
): StepInputs {
  const batch = source.batch(step);
  const n = batch.images.shape[0];
  const zSeed = deriveSeed(opts.seed, step, STREAM.noise);
  const z = tf.randomNormal([n, opts.latentDim], 0, 1, "float32", zSeed) as tf.Tensor2D;
  const labelSeed = deriveSeed(opts.seed, step, STREAM.fakeLabels);
  const fakeLabels = tf.tensor2d(randomInts(n, opts.numClasses, labelSeed), [n, 1], "int32");
  return { ...batch, z, fakeLabels };
}

/** Settings of a step. */
export interface StepOptions {
  /** The adversarial loss. */
  loss: GanLoss;
  /** One-sided label smoothing for D's real targets. */
  labelSmoothing: number;
}

/** Losses of one step as scalar tensors the caller owns (read them in batches, not per step). */
export interface StepLosses {
  /** D's loss before its update. */
  dLoss: tf.Scalar;
  /** G's loss before its update (against the freshly updated D). */
  gLoss: tf.Scalar;
}

/** Applies a net in training mode to `x`, with labels as its second input when given. */
function applyNet(net: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor2D | undefined): tf.Tensor {
  return net.apply(labels === undefined ? x : [x, labels], { training: true }) as tf.Tensor;
}

function trainable(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Runs one D update and one G update.
 *
 * @param nets G and D.
 * @param optimizers One optimizer per network.
 * @param inputs Real batch, noise and requested labels.
 * @param opts Loss and label smoothing.
 * @returns Both losses as scalars.
 *
 * @example One step of a tiny MLP cGAN
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { buildDiscriminator, buildGenerator } from "../models/mlp_cgan.ts";
 * import { BCE_LOSS } from "./losses.ts";
 * import { trainStep } from "./step.ts";
 * await tf.setBackend("cpu");
 * const cfg = { latentDim: 4, numClasses: 2, imageShape: [2, 2, 1] as [number, number, number],
 *   activation: "leaky" as const, seed: 0 };
 * const nets = { gen: buildGenerator(cfg), disc: buildDiscriminator(cfg) };
 * const optimizers = { gen: tf.train.adam(2e-4, 0.5), disc: tf.train.adam(2e-4, 0.5) };
 * const inputs = {
 *   images: tf.zeros([2, 2, 2, 1]) as tf.Tensor4D, labels: tf.tensor2d([[0], [1]], [2, 1], "int32"),
 *   z: tf.randomNormal([2, 4]) as tf.Tensor2D, fakeLabels: tf.tensor2d([[1], [0]], [2, 1], "int32"),
 * };
 * const { dLoss, gLoss } = trainStep(nets, optimizers, inputs, { loss: BCE_LOSS, labelSmoothing: 0.1 });
 * console.log(dLoss.dataSync()[0]! > 0, gLoss.dataSync()[0]! > 0); // true true
 * ```
 */
export function trainStep(
  nets: GanNets,
  optimizers: GanOptimizers,
  inputs: StepInputs,
  opts: StepOptions,
): StepLosses {
  const { images, labels, z, fakeLabels } = inputs;
  const G = (z: tf.Tensor) => applyNet(nets.gen, z, fakeLabels);
  const D = (x: tf.Tensor, y: tf.Tensor2D | undefined) => applyNet(nets.disc, x, y);

  // ---- D: real -> 1 - smoothing, G(z) -> 0 ----
  const dLoss = optimizers.disc.minimize(
    () => {
      const fake = G(z);
      const realLogits = D(images, labels);
      const fakeLogits = D(fake, fakeLabels);
      return opts.loss.d(realLogits, fakeLogits, { labelSmoothing: opts.labelSmoothing });
    },
    true,
    trainable(nets.disc),
  ) as tf.Scalar;

  // ---- G: make D call G(z) real ----
  const gLoss = optimizers.gen.minimize(
    () => opts.loss.g(D(G(z), fakeLabels)),
    true,
    trainable(nets.gen),
  ) as tf.Scalar;

  return { dLoss, gLoss };
}
