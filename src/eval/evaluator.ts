/**
 * The evaluator classifier whose feature space the metrics use. Inception weights cannot be
 * fetched offline, so, as TF-GAN does for MNIST, cgan trains and ships its own classifier and
 * reports "IS/FID (LeNet features)", never comparable with Inception numbers.
 *
 * Two architectures, both ending in a 128-unit feature layer and a logits layer:
 * - `lenet` (grayscale 28x28, MNIST and Fashion-MNIST): LeNet-5 style (LeCun et al. 1998,
 *   modernised with ReLU and max-pooling): conv 5x5x16 -> pool -> conv 5x5x32 -> pool ->
 *   dense 128 (the features) -> dense C.
 * - `vgg` (colour 32x32, CIFAR-10): a small VGG-style net (Simonyan & Zisserman 2015) sized for
 *   2 CPU cores: conv 3x3x32, BN, ReLU -> pool -> [conv 3x3x64, BN, ReLU] x2 -> pool ->
 *   conv 3x3x128, BN, ReLU -> pool -> dense 128 (the features) -> dense C. No dropout (a
 *   seeded tfjs dropout layer draws the same mask every step); random crops and mirroring
 *   regularise it instead.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { InitSeeds } from "../models/blocks/seeds.ts";

/** Name of the feature layer (penultimate activations used by FID and precision/recall). */
export const FEATURE_LAYER = "eval_features";

/** Evaluator hyperparameters. */
export interface EvaluatorConfig {
  /** Image shape `[height, width, channels]`. */
  imageShape: [number, number, number];
  /** Number of classes. */
  numClasses: number;
  /** Weight initialisation seed. */
  seed: number;
  /** Architecture (default: `lenet` for one channel, `vgg` for three). */
  arch?: EvaluatorArch;
}

/** The evaluator architectures, with the one-line description recorded beside shipped weights. */
export const EVALUATOR_ARCHS = {
  lenet: "LeNet-5 style: conv5x5x16-pool-conv5x5x32-pool-dense128(features)-dense",
  vgg:
    "small VGG: conv3x3x32-BN-relu-pool-(conv3x3x64-BN-relu)x2-pool-conv3x3x128-BN-relu-pool-dense128(features)-dense",
} as const;
/** A key of {@linkcode EVALUATOR_ARCHS}. */
export type EvaluatorArch = keyof typeof EVALUATOR_ARCHS;

/**
 * The architecture {@linkcode buildEvaluator} uses for `cfg`.
 *
 * @param cfg The evaluator config.
 * @returns `cfg.arch`, else `vgg` for colour images and `lenet` otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluatorArch } from "@cgan/cgan/internal";
 * assert.equal(evaluatorArch({ imageShape: [32, 32, 3], numClasses: 10, seed: 0 }), "vgg");
 * ```
 */
export function evaluatorArch(cfg: EvaluatorConfig): EvaluatorArch {
  return cfg.arch ?? (cfg.imageShape[2] === 3 ? "vgg" : "lenet");
}

/**
 * Builds the evaluator: `images [N, H, W, C] in [-1, 1] -> logits [N, classes]`, with the
 * 128-d feature layer named {@linkcode FEATURE_LAYER}.
 *
 * @param cfg Input shape, classes, seed and (optionally) architecture.
 * @returns The classifier.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "@cgan/cgan";
 * import { buildEvaluator } from "@cgan/cgan/internal";
 * await initBackend({ requested: "cpu" });
 * const net = buildEvaluator({ imageShape: [28, 28, 1], numClasses: 10, seed: 0 });
 * assert.deepEqual(net.outputs[0]!.shape, [null, 10]);
 * ```
 */
export function buildEvaluator(cfg: EvaluatorConfig): tf.LayersModel {
  return evaluatorArch(cfg) === "vgg" ? buildVgg(cfg) : buildLenet(cfg);
}

function buildLenet(cfg: EvaluatorConfig): tf.LayersModel {
  const seeds = new InitSeeds(cfg.seed);
  const image = tf.input({ shape: cfg.imageShape, name: "image" });
  const conv = (filters: number, name: string) =>
    tf.layers.conv2d({
      filters,
      kernelSize: 5,
      padding: "same",
      activation: "relu",
      kernelInitializer: seeds.glorotUniform(),
      name,
    });
  let x = conv(16, "eval_conv1").apply(image) as tf.SymbolicTensor; // [N, 28, 28, 16]
  x = tf.layers.maxPooling2d({ poolSize: 2, name: "eval_pool1" }).apply(x) as tf.SymbolicTensor; // [N, 14, 14, 16]
  x = conv(32, "eval_conv2").apply(x) as tf.SymbolicTensor; // [N, 14, 14, 32]
  x = tf.layers.maxPooling2d({ poolSize: 2, name: "eval_pool2" }).apply(x) as tf.SymbolicTensor; // [N, 7, 7, 32]
  x = tf.layers.flatten({ name: "eval_flatten" }).apply(x) as tf.SymbolicTensor; // [N, 1568]
  x = tf.layers.dense({
    units: 128,
    activation: "relu",
    kernelInitializer: seeds.glorotUniform(),
    name: FEATURE_LAYER,
  }).apply(x) as tf.SymbolicTensor; // [N, 128]
  const logits = tf.layers.dense({
    units: cfg.numClasses,
    kernelInitializer: seeds.glorotUniform(),
    name: "eval_logits",
  }).apply(x) as tf.SymbolicTensor; // [N, classes]
  return tf.model({ inputs: image, outputs: logits, name: "lenet_evaluator" });
}

function buildVgg(cfg: EvaluatorConfig): tf.LayersModel {
  const seeds = new InitSeeds(cfg.seed);
  const image = tf.input({ shape: cfg.imageShape, name: "image" });
  let x: tf.SymbolicTensor = image;
  const block = (filters: number, name: string) => {
    x = tf.layers.conv2d({
      filters,
      kernelSize: 3,
      padding: "same",
      useBias: false,
      kernelInitializer: seeds.glorotUniform(),
      name: `${name}_conv`,
    }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ momentum: 0.9, name: `${name}_bn` }).apply(
      x,
    ) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `${name}_relu` }).apply(x) as tf.SymbolicTensor;
  };
  const pool = (name: string) => {
    x = tf.layers.maxPooling2d({ poolSize: 2, name }).apply(x) as tf.SymbolicTensor;
  };
  block(32, "eval_b1");
  pool("eval_pool1"); // [N, 16, 16, 32]
  block(64, "eval_b2a");
  block(64, "eval_b2b");
  pool("eval_pool2"); // [N, 8, 8, 64]
  block(128, "eval_b3");
  pool("eval_pool3"); // [N, 4, 4, 128]
  x = tf.layers.flatten({ name: "eval_flatten" }).apply(x) as tf.SymbolicTensor; // [N, 2048]
  x = tf.layers.dense({
    units: 128,
    activation: "relu",
    kernelInitializer: seeds.glorotUniform(),
    name: FEATURE_LAYER,
  }).apply(x) as tf.SymbolicTensor; // [N, 128]
  const logits = tf.layers.dense({
    units: cfg.numClasses,
    kernelInitializer: seeds.glorotUniform(),
    name: "eval_logits",
  }).apply(x) as tf.SymbolicTensor; // [N, classes]
  return tf.model({ inputs: image, outputs: logits, name: "vgg_evaluator" });
}

/** Class probabilities and features of a batch of images, on the host. */
export interface Evaluation {
  /** Softmax probabilities `[N, classes]`, row-major. */
  probs: Float32Array;
  /** Penultimate-layer features `[N, dim]`, row-major. */
  features: Float32Array;
  /** Feature size. */
  dim: number;
}

/**
 * Runs the evaluator over `images` in batches, returning probabilities and features.
 *
 * @param net A model from {@linkcode buildEvaluator} (trained).
 * @param images Images `[N, H, W, C]` in [-1, 1].
 * @param batchSize Images per forward pass.
 * @returns Probabilities and features on the host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { buildEvaluator, evaluate } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const net = buildEvaluator({ imageShape: [28, 28, 1], numClasses: 10, seed: 0 });
 * const images = tf.zeros([3, 28, 28, 1]) as tf.Tensor4D;
 * const { probs, dim } = await evaluate(net, images, 2);
 * assert.equal(probs.length, 30); // 3 images x 10 classes
 * assert.equal(dim, 128); // feature width
 * ```
 */
export async function evaluate(
  net: tf.LayersModel,
  images: tf.Tensor4D,
  batchSize = 500,
): Promise<Evaluation> {
  const features = featureModel(net);
  const n = images.shape[0];
  const classes = net.outputs[0]!.shape[1] as number;
  const dim = features.outputs[1]!.shape[1] as number;
  const probs = new Float32Array(n * classes);
  const feats = new Float32Array(n * dim);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const [p, f] = tf.tidy(() => {
      const x = tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]);
      const [logits, h] = features.predict(x) as tf.Tensor[];
      return [tf.softmax(logits!), h!];
    });
    probs.set(await p!.data() as Float32Array, start * classes);
    feats.set(await f!.data() as Float32Array, start * dim);
    tf.dispose([p!, f!]);
  }
  return { probs, features: feats, dim };
}

const featureModels = new WeakMap<tf.LayersModel, tf.LayersModel>();

/** A model sharing `net`'s layers that outputs `[logits, features]`. */
function featureModel(net: tf.LayersModel): tf.LayersModel {
  let model = featureModels.get(net);
  if (model === undefined) {
    model = tf.model({
      inputs: net.inputs,
      outputs: [net.outputs[0]!, net.getLayer(FEATURE_LAYER).output as tf.SymbolicTensor],
    });
    featureModels.set(net, model);
  }
  return model;
}
