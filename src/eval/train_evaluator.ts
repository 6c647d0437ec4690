/**
 * Training and testing the evaluator classifier: Adam on softmax cross-entropy over seeded
 * batches, so the same seed and backend give the same weights.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { BatchSource } from "../data/batches.ts";
import type { Dataset } from "../data/dataset.ts";
import { deriveSeed } from "../rng.ts";
import { createAdam } from "../backend/optimizer.ts";
import { type AugmentOptions, randomCropFlip } from "./augment.ts";
import { evaluate } from "./evaluator.ts";

/** Stream of {@linkcode deriveSeed} for the augmentation of each step. */
const AUGMENT_STREAM = 101;

/** Settings of {@linkcode trainEvaluator}. */
export interface EvaluatorTraining {
  /** Passes over the training set. */
  epochs: number;
  /** Images per step. */
  batchSize: number;
  /** Adam learning rate. */
  lr: number;
  /** Seed of the batch order. */
  seed: number;
  /** Random shifts and mirroring of each batch (default: none). */
  augment?: AugmentOptions;
  /** Learning rate over the run: constant, or cosine decay from `lr` to 0 (default: constant). */
  schedule?: "constant" | "cosine";
  /** Called after each epoch with its 1-based number and mean loss. */
  onEpoch?: (epoch: number, loss: number) => void;
}

/**
 * Trains `net` on `data` in place. Batches, augmentation and weights depend only on the seed,
 * so a run is repeatable on a given backend.
 *
 * @param net A model from `buildEvaluator`.
 * @param data Training images and labels.
 * @param opts Schedule and seed.
 * @returns The mean loss of the last epoch.
 *
 * @example
 * ```ts ignore
 * import { loadMnist, trainEvaluator } from "@cgan/cgan";
 * import { buildEvaluator } from "@cgan/cgan/internal";
 * const net = buildEvaluator({ imageShape: [28, 28, 1], numClasses: 10, seed: 0 });
 * await trainEvaluator(net, await loadMnist({ split: "train" }), { epochs: 3, batchSize: 128, lr: 1e-3, seed: 0 });
 * ```
 */
export async function trainEvaluator(
  net: tf.LayersModel,
  data: Dataset,
  opts: EvaluatorTraining,
): Promise<number> {
  const source = new BatchSource(data, opts.batchSize, opts.seed);
  // tfjs's Adam defaults (beta 0.9 / 0.999, epsilon 1e-7), with the fused update on wasm.
  const optimizer = createAdam({ lr: opts.lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
  const vars = net.trainableWeights.map((w) => w.read() as tf.Variable);
  const classes = data.classNames.length;
  let last = NaN;
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const losses: tf.Scalar[] = [];
      for (let s = 0; s < source.stepsPerEpoch; s++) {
        const step = epoch * source.stepsPerEpoch + s;
        if (opts.schedule === "cosine") {
          const progress = step / (opts.epochs * source.stepsPerEpoch);
          // Adam reads its rate at every update; tfjs has no public setter for it.
          (optimizer as unknown as { learningRate: number }).learningRate = 0.5 * opts.lr *
            (1 + Math.cos(Math.PI * progress));
        }
        const batch = source.batch(step);
        const labels = batch.labels;
        const images = opts.augment === undefined
          ? batch.images
          : randomCropFlip(batch.images, opts.augment, deriveSeed(opts.seed, step, AUGMENT_STREAM));
        if (images !== batch.images) batch.images.dispose();
        const loss = optimizer.minimize(
          () => {
            const target = tf.oneHot(tf.reshape(labels, [-1]) as tf.Tensor1D, classes);
            const logits = net.apply(images, { training: true }) as tf.Tensor;
            return tf.losses.softmaxCrossEntropy(target, logits) as tf.Scalar;
          },
          true,
          vars,
        ) as tf.Scalar;
        losses.push(loss);
        tf.dispose([images, labels]);
      }
      const mean = tf.tidy(() => tf.mean(tf.stack(losses)));
      last = (await mean.data())[0]!;
      tf.dispose([mean, ...losses]);
      opts.onEpoch?.(epoch + 1, last);
    }
  } finally {
    optimizer.dispose();
    source.dispose();
  }
  return last;
}

/**
 * Top-1 accuracy of the evaluator on a labelled dataset.
 *
 * @param net The evaluator.
 * @param data Images and labels.
 * @returns The fraction classified correctly.
 *
 * @example
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { loadLayersModel, loadMnist } from "@cgan/cgan";
 * import { evaluatorAccuracy } from "@cgan/cgan/internal";
 * const net = await loadLayersModel("fixtures/evaluators/mnist"); // in a checkout
 * const accuracy = await evaluatorAccuracy(net, await loadMnist({ split: "test" }));
 * assert.ok(accuracy > 0.99); // 0.9906 by fixtures/evaluators/mnist/evaluator.json
 * ```
 */
export async function evaluatorAccuracy(net: tf.LayersModel, data: Dataset): Promise<number> {
  const [h, w, c] = data.shape;
  const n = data.labels.length;
  const scaled = new Float32Array(data.images.length);
  for (let i = 0; i < scaled.length; i++) scaled[i] = data.images[i]! / 127.5 - 1;
  const images = tf.tensor4d(scaled, [n, h, w, c]);
  const { probs } = await evaluate(net, images);
  images.dispose();
  const classes = data.classNames.length;
  let right = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) {
      if (probs[i * classes + k]! > probs[i * classes + best]!) best = k;
    }
    if (best === data.labels[i]) right++;
  }
  return right / n;
}
