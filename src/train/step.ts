/**
 * One adversarial training step: D on real and generated images, then G (non-saturating). With
 * `auxClassifier` (ACGAN) D's output has `1 + C` columns: its class logits add a softmax
 * cross-entropy on real and generated images to D's loss, and on generated ones to G's.
 * With a condition image (pix2pix) G translates it instead of drawing from z, D scores
 * (condition, target) against (condition, G(condition)) on its patch logits, and G's loss adds
 * `lambdaL1` times the L1 distance of G(condition) to the target.
 * Each optimizer is given only its own network's variables, so the D step cannot move G and
 * the G step cannot move D. For the Wasserstein losses D (the critic) is kept Lipschitz by
 * clipping its weights after its update (WGAN) or by a gradient penalty in its loss (WGAN-GP),
 * and with `nCritic > 1` the loop updates G on every `nCritic`-th step only.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { untaped } from "../backend/untaped.ts";
import type { BatchSource } from "../data/batches.ts";
import { seedDropout } from "../models/blocks/seeds.ts";
import { latentNoise, type NoiseKind } from "../models/generator.ts";
import { deriveSeed, randomInts, STREAM } from "../rng.ts";
import { gradientPenalty } from "./gradient_penalty.ts";
import { type GanLoss, l1Loss } from "./losses.ts";

/** The two networks of a conditional GAN. */
export interface GanNets {
  /** G: `(z, labels) -> images` (pix2pix: `input image -> image`). */
  gen: tf.LayersModel;
  /** D: `(images, labels) -> logits` (pix2pix: `(input image, image) -> patch logits`). */
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
 * applied to `z` alone and D to the samples alone (the baselines and the 1-D toy). With a
 * `condition` (pix2pix) G is applied to it and D to (condition, image) pairs; no z is needed.
 */
export interface StepInputs {
  /** Real samples: images `[N, H, W, C]` in [-1, 1] (or `[N, D]` points for the toy). */
  images: tf.Tensor;
  /** Real labels `[N, 1]` int32 (conditional models). */
  labels?: tf.Tensor2D;
  /** Latent noise `[N, latentDim]` (every model but pix2pix). */
  z?: tf.Tensor2D;
  /** Image-to-image models (pix2pix): G's input images `[N, H, W, C]`; `images` are the targets. */
  condition?: tf.Tensor4D;
  /** Labels requested from G `[N, 1]` int32 (conditional models). */
  fakeLabels?: tf.Tensor2D;
  /** WGAN-GP: interpolation weights `[N, 1, 1, 1]` in [0, 1] (one per sample). */
  alpha?: tf.Tensor;
}

/**
 * Draws the inputs of global step `step`: its real batch, and z and requested labels from
 * the run seed, so the same (seed, step) always gives the same inputs. A paired batch gives
 * its targets and conditions only (pix2pix draws no z and no labels).
 *
 * @param source The dataset's batches.
 * @param step Zero-based step counter.
 * @param opts Latent size, class count and run seed.
 * @returns Tensors the caller owns (dispose with `tf.dispose(Object.values(inputs))`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { BatchSource, drawStepInputs } from "@cgan/cgan";
 * await tf.setBackend("cpu");
 * const ds = { name: "toy", images: new Uint8Array(4), labels: new Uint8Array([0, 1, 0, 1]),
 *   shape: [1, 1, 1] as [number, number, number], classNames: ["a", "b"], source: "memory" };
 * const source = new BatchSource(ds, 2, 0);
 * const inputs = drawStepInputs(source, 0, { latentDim: 3, numClasses: 2, seed: 0 });
 * assert.deepEqual(inputs.z!.shape, [2, 3]); // batch 2, latentDim 3
 * tf.dispose(Object.values(inputs));
 * source.dispose();
 * ```
 */
export function drawStepInputs(
  source: BatchSource,
  step: number,
  opts: {
    latentDim: number;
    numClasses: number;
    seed: number;
    interpolate?: boolean;
    noise?: NoiseKind;
  },
): StepInputs {
  const batch = source.batch(step);
  if (batch.condition !== undefined) {
    batch.labels.dispose();
    return { images: batch.images, condition: batch.condition };
  }
  const n = batch.images.shape[0];
  const zSeed = deriveSeed(opts.seed, step, STREAM.noise);
  const z = latentNoise(n, opts.latentDim, zSeed, opts.noise);
  const labelSeed = deriveSeed(opts.seed, step, STREAM.fakeLabels);
  const fakeLabels = tf.tensor2d(randomInts(n, opts.numClasses, labelSeed), [n, 1], "int32");
  if (!opts.interpolate) return { ...batch, z, fakeLabels };
  const alphaShape = [n, ...batch.images.shape.slice(1).map(() => 1)];
  const alphaSeed = deriveSeed(opts.seed, step, STREAM.interpolation);
  return {
    ...batch,
    z,
    fakeLabels,
    alpha: tf.randomUniform(alphaShape, 0, 1, "float32", alphaSeed),
  };
}

/** Settings of a step. */
export interface StepOptions {
  /** The adversarial loss. */
  loss: GanLoss;
  /** One-sided label smoothing for D's real targets. */
  labelSmoothing: number;
  /** Update G too (default true); false on the critic-only steps when `nCritic > 1`. */
  updateGen?: boolean;
  /** WGAN (`loss.lipschitz` "clip"): D's weights are clipped to `[-clipValue, clipValue]`. */
  clipValue?: number;
  /** WGAN-GP (`loss.lipschitz` "penalty"): weight of the gradient penalty (paper: 10). */
  lambdaGp?: number;
  /**
   * D has ACGAN's auxiliary classifier (the model's `auxClassifier`): its output `[N, 1 + C]` is
   * the real/fake logit and class logits (default false: D's output is the logit alone).
   */
  auxClassifier?: boolean;
  /** ACGAN: D's class loss on real and generated images ("both", the default) or real only. */
  auxLoss?: "both" | "real";
  /** pix2pix (inputs with a condition): weight of the L1 term in G's loss (paper: 100; default 0). */
  lambdaL1?: number;
  /**
   * Seed of this step's dropout masks, so a step is a pure function of its inputs (and a
   * resumed run equals an unbroken one). G's masks (pix2pix's U-Net) come from this seed
   * itself: G runs once a step and both updates see its images. D's (the MNIST
   * DCGAN's trunk) are drawn afresh for each application of D, from this seed and the
   * application's place in the step, as unseeded dropout would. Unset: tfjs draws them from
   * `Math.random` (a net seeded before keeps its last seeds).
   */
  dropoutSeed?: number;
}

/** Losses of one step as scalar tensors the caller owns (read them in batches, not per step). */
export interface StepLosses {
  /** D's loss before its update (with WGAN-GP: including the weighted penalty). */
  dLoss: tf.Scalar;
  /** G's loss before its update (against the freshly updated D); absent when G was not updated. */
  gLoss?: tf.Scalar;
}

/** Applies a net in training mode to `x`, and to the labels too when it takes them. */
function applyNet(net: tf.LayersModel, x: tf.Tensor, labels: tf.Tensor2D | undefined): tf.Tensor {
  if (net.inputs.length < 2) return net.apply(x, { training: true }) as tf.Tensor;
  if (labels === undefined) {
    throw new TypeError(`Cannot run "${net.name}": it takes labels, and the step has none`);
  }
  return net.apply([x, labels], { training: true }) as tf.Tensor;
}

/** D's output split into the real/fake logit and, for ACGAN (`[N, 1 + C]`), class logits. */
function heads(
  out: tf.Tensor,
  auxClassifier: boolean,
): { source: tf.Tensor; classes: tf.Tensor | null } {
  if (!auxClassifier) return { source: out, classes: null };
  const width = out.shape[1] ?? 1;
  if (out.rank !== 2 || width < 2) {
    throw new TypeError(
      `Cannot train an auxiliary classifier: expected D's output [N, 1 + classes], found [${out.shape}]`,
    );
  }
  return {
    source: tf.slice(out, [0, 0], [-1, 1]),
    classes: tf.slice(out, [0, 1], [-1, width - 1]),
  };
}

/** ACGAN's auxiliary loss: softmax cross-entropy of class logits against the labels. */
function classLoss(logits: tf.Tensor, labels: tf.Tensor2D | undefined, what: string): tf.Scalar {
  if (labels === undefined) {
    throw new TypeError(`Cannot train an auxiliary classifier without ${what} labels`);
  }
  const target = tf.oneHot(tf.reshape(labels, [-1]) as tf.Tensor1D, logits.shape[1]!);
  return tf.losses.softmaxCrossEntropy(target, logits) as tf.Scalar;
}

/**
 * Layers whose output for one sample depends on the rest of its batch (BatchNorm's batch
 * statistics) or that update state on each application (spectral norm's power iteration).
 */
const BATCH_COUPLED = new Set([
  "BatchNormalization",
  "ConditionalBatchNorm",
  "SNConv2D",
  "SNDense",
]);

/**
 * Whether D gives each sample the same score alone as in a batch with others, so that the
 * real and the generated batch may be scored as one (dropout draws a mask per sample either way).
 */
function joinable(net: tf.LayersModel): boolean {
  return !net.layers.some((layer) => BATCH_COUPLED.has(layer.getClassName()));
}

/** D's outputs on the real and the generated batch, from one application of D to both. */
function scoreTogether(
  D: (x: tf.Tensor, y: tf.Tensor2D | undefined) => tf.Tensor,
  images: tf.Tensor,
  fakeImages: tf.Tensor,
  labels: tf.Tensor2D | undefined,
  fakeLabels: tf.Tensor2D | undefined,
): [tf.Tensor, tf.Tensor] {
  const n = images.shape[0]!;
  const y = labels !== undefined && fakeLabels !== undefined
    ? tf.concat([labels, fakeLabels]) as tf.Tensor2D
    : undefined;
  const out = D(tf.concat([images, fakeImages]), y);
  const [real, fake] = tf.split(out, [n, out.shape[0]! - n]);
  return [real!, fake!];
}

/** The sum of a loss's terms (the one term itself when alone). */
function total(terms: tf.Tensor[]): tf.Scalar {
  return (terms.length === 1 ? terms[0]! : tf.addN(terms)) as tf.Scalar;
}

function trainable(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * Runs one D update and one G update. G runs forward once: D's update scores its images, then
 * G's loss scores them with the updated D (as PyTorch's DCGAN example does with `detach`), except
 * where D's fakes are drawn for other labels (WGAN-GP) or G is not updated.
 *
 * @param nets G and D.
 * @param optimizers One optimizer per network.
 * @param inputs Real batch, noise and requested labels (pix2pix: targets and conditions).
 * @param opts Loss, label smoothing and dropout seed (pix2pix: and the L1 weight).
 * @returns Both losses as scalars.
 *
 * @example One step of a tiny MLP cGAN
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { buildGan, initBackend, LOSSES, trainStep } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const nets = buildGan("mlp", {
 *   latentDim: 4, numClasses: 2, imageShape: [2, 2, 1], activation: "leaky", seed: 0,
 * });
 * const optimizers = { gen: tf.train.adam(2e-4, 0.5), disc: tf.train.adam(2e-4, 0.5) };
 * const inputs = {
 *   images: tf.zeros([2, 2, 2, 1]) as tf.Tensor4D, labels: tf.tensor2d([[0], [1]], [2, 1], "int32"),
 *   z: tf.randomNormal([2, 4]) as tf.Tensor2D, fakeLabels: tf.tensor2d([[1], [0]], [2, 1], "int32"),
 * };
 * const { dLoss, gLoss } = trainStep(nets, optimizers, inputs, { loss: LOSSES.bce, labelSmoothing: 0.1 });
 * assert.ok(dLoss.dataSync()[0]! > 0 && gLoss!.dataSync()[0]! > 0);
 * ```
 */
export function trainStep(
  nets: GanNets,
  optimizers: GanOptimizers,
  inputs: StepInputs,
  opts: StepOptions,
): StepLosses {
  const { images, labels, z, fakeLabels, alpha, condition } = inputs;
  const { lipschitz } = opts.loss;
  if (condition === undefined && z === undefined) {
    throw new TypeError(`Cannot run "${nets.gen.name}": the step has neither z nor a condition`);
  }
  const { dropoutSeed } = opts;
  const aux = opts.auxClassifier ?? false;
  if (dropoutSeed !== undefined) seedDropout(nets.gen, dropoutSeed);
  // G translates the condition (pix2pix) or draws from z; D then sees (condition, image) pairs.
  const G = (y: tf.Tensor2D | undefined) =>
    condition !== undefined
      ? nets.gen.apply(condition, { training: true }) as tf.Tensor
      : applyNet(nets.gen, z!, y);
  // D's masks are seeded afresh for each application of D, numbered in call order (real,
  // fake, interpolates, then the G step's fake), so they are independent, as unseeded ones.
  let dCalls = 0;
  const D = (x: tf.Tensor, y: tf.Tensor2D | undefined) => {
    if (dropoutSeed !== undefined) {
      seedDropout(nets.disc, deriveSeed(dropoutSeed, STREAM.dropout, dCalls++));
    }
    return condition !== undefined
      ? nets.disc.apply([condition, x], { training: true }) as tf.Tensor
      : applyNet(nets.disc, x, y);
  };
  // Where nothing in D couples the samples of a batch, D scores the real and the generated
  // batch as one: half the kernel calls, and taller matmuls.
  const joined = condition === undefined && joinable(nets.disc);
  // The penalty interpolates pairs of the same class, so for it D's fakes get the real labels.
  const dFakeLabels = lipschitz === "penalty" && labels !== undefined ? labels : fakeLabels;

  // ---- D: real -> 1 - smoothing, G(z) -> 0 (+ ACGAN: classify both; + WGAN-GP: penalty) ----
  const updateD = (fakeImages: tf.Tensor): tf.Scalar => {
    const dLoss = optimizers.disc.minimize(
      () => {
        const [realOut, fakeOut] = joined
          ? scoreTogether(D, images, fakeImages, labels, dFakeLabels)
          : [D(images, labels), D(fakeImages, dFakeLabels)];
        const real = heads(realOut, aux);
        const fake = heads(fakeOut, aux);
        const terms = [
          opts.loss.d(real.source, fake.source, { labelSmoothing: opts.labelSmoothing }),
        ];
        if (real.classes !== null && fake.classes !== null) {
          terms.push(classLoss(real.classes, labels, "real"));
          // ACGAN as published also teaches D's classifier the requested class of G's samples;
          // "real" trains it on real images only, so G cannot agree with D on easy fakes.
          if (opts.auxLoss !== "real") {
            terms.push(classLoss(fake.classes, dFakeLabels, "requested"));
          }
        }
        if (lipschitz === "penalty") {
          if (alpha === undefined || opts.lambdaGp === undefined) {
            throw new TypeError(
              `Cannot train with ${opts.loss.name}: expected inputs.alpha and lambdaGp`,
            );
          }
          const critic = (x: tf.Tensor) => heads(D(x, labels), aux).source;
          terms.push(tf.mul(opts.lambdaGp, gradientPenalty(critic, images, fakeImages, alpha)));
        }
        return total(terms);
      },
      true,
      trainable(nets.disc),
    ) as tf.Scalar;
    if (lipschitz === "clip") {
      const c = opts.clipValue;
      if (c === undefined) {
        throw new TypeError(`Cannot train with ${opts.loss.name}: expected clipValue`);
      }
      tf.tidy(() => {
        for (const v of trainable(nets.disc)) v.assign(tf.clipByValue(v, -c, c));
      });
    }
    return dLoss;
  };

  // ---- G: make D call G(z) real (+ ACGAN: of the requested class; + pix2pix: L1 to target) ----
  const gObjective = (fakeImages: tf.Tensor): tf.Scalar => {
    const fake = heads(D(fakeImages, fakeLabels), aux);
    const terms = [opts.loss.g(fake.source)];
    if (fake.classes !== null) terms.push(classLoss(fake.classes, fakeLabels, "requested"));
    if (condition !== undefined && opts.lambdaL1) {
      terms.push(tf.mul(opts.lambdaL1, l1Loss(images, fakeImages)));
    }
    return total(terms);
  };
  const updateG = (objective: () => tf.Scalar): tf.Scalar =>
    optimizers.gen.minimize(objective, true, trainable(nets.gen)) as tf.Scalar;

  // A D step alone, or D's fakes drawn for other labels than G's (WGAN-GP): G runs for each.
  if (opts.updateGen === false || dFakeLabels !== fakeLabels) {
    const dLoss = tf.tidy(() => updateD(G(dFakeLabels)));
    if (opts.updateGen === false) return { dLoss };
    return { dLoss, gLoss: updateG(() => gObjective(G(fakeLabels))) };
  }
  // Otherwise G runs forward once, inside G's gradient tape: D's update scores its images as
  // constants (the tape's path from G's weights to G's loss does not pass through D's update,
  // whose new weights are written in place), then G's loss scores them with the updated D.
  // The same weights as running G twice on the same inputs (tested), without the second
  // forward; G's BatchNorm moving averages and spectral-norm power iterations now advance once
  // a step instead of twice. D's update runs untaped: G's tape does not record it, so its
  // backward runs the fused gradients and frees what it saved when it ends.
  let dLoss: tf.Scalar | undefined;
  const gLoss = updateG(() => {
    const fakeImages = G(fakeLabels);
    dLoss = tf.keep(untaped(() => updateD(fakeImages)));
    return gObjective(fakeImages);
  });
  return { dLoss: dLoss!, gLoss };
}
