/**
 * Label conditioning by a learned embedding, shared by every conditional model.
 *
 * @module
 */
import * as tf from "../../_tf.ts";
import type { InitSeeds } from "./seeds.ts";

/**
 * Embeds integer class labels `[N, 1]` into dense vectors `[N, dim]` (Embedding + Flatten).
 *
 * @param labels Symbolic int32 labels of shape `[N, 1]`.
 * @param numClasses Number of classes (embedding rows).
 * @param dim Size of each embedding vector.
 * @param seeds Seed source for the embedding initializer.
 * @param name Prefix for the layer names, e.g. "gen".
 * @returns A symbolic tensor of shape `[N, dim]`.
 *
 * @example Embed labels for a 100-dimensional latent code
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { embedLabels, InitSeeds } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const labels = tfl.input({ shape: [1], dtype: "int32" });
 * const e = embedLabels(labels, 10, 100, new InitSeeds(0), "gen");
 * assert.deepEqual(e.shape, [null, 100]);
 * ```
 */
export function embedLabels(
  labels: tf.SymbolicTensor,
  numClasses: number,
  dim: number,
  seeds: InitSeeds,
  name: string,
): tf.SymbolicTensor {
  const embedded = tf.layers.embedding({
    inputDim: numClasses,
    outputDim: dim,
    embeddingsInitializer: seeds.uniform(0.05),
    name: `${name}_label_embedding`,
  }).apply(labels) as tf.SymbolicTensor; // [N, 1, dim]
  return tf.layers.flatten({ name: `${name}_label_flatten` }).apply(embedded) as tf.SymbolicTensor;
}

/** Labels -> embedding (`dim`) -> dense `h * w` -> one `[N, h, w, 1]` feature map. */
function labelMap(
  labels: tf.SymbolicTensor,
  numClasses: number,
  dim: number,
  [h, w]: [number, number],
  seeds: InitSeeds,
  name: string,
): tf.SymbolicTensor {
  const embedded = embedLabels(labels, numClasses, dim, seeds, name); // [N, dim]
  const x = tf.layers.dense({
    units: h * w,
    kernelInitializer: seeds.glorotUniform(),
    name: `${name}_label_dense`,
  }).apply(embedded) as tf.SymbolicTensor; // [N, h*w]
  return tf.layers.reshape({ targetShape: [h, w, 1], name: `${name}_label_map` })
    .apply(x) as tf.SymbolicTensor;
}

/**
 * Conditions a conv net on the label the way paper 001 does: the label is embedded (`dim`),
 * projected by a dense layer to one `[h, w]` feature map and concatenated to `x` as an extra
 * channel (layer `<name>_condition`).
 *
 * @param x Symbolic images or feature maps `[N, h, w, C]`.
 * @param labels Symbolic int32 labels `[N, 1]`.
 * @param numClasses Number of classes.
 * @param dim Embedding size (paper 001: 50).
 * @param seeds Seed source for the initializers.
 * @param name Prefix for the layer names, e.g. "disc".
 * @returns A symbolic tensor `[N, h, w, C + 1]`.
 *
 * @example A label channel beside a 28x28 image
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { concatLabelChannel, InitSeeds } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const image = tfl.input({ shape: [28, 28, 1] });
 * const labels = tfl.input({ shape: [1], dtype: "int32" });
 * const x = concatLabelChannel(image, labels, 10, 50, new InitSeeds(0), "disc");
 * assert.deepEqual(x.shape, [null, 28, 28, 2]); // the image and one label channel
 * ```
 */
export function concatLabelChannel(
  x: tf.SymbolicTensor,
  labels: tf.SymbolicTensor,
  numClasses: number,
  dim: number,
  seeds: InitSeeds,
  name: string,
): tf.SymbolicTensor {
  const [, h, w] = x.shape;
  const label = labelMap(labels, numClasses, dim, [h!, w!], seeds, name); // [N, h, w, 1]
  return tf.layers.concatenate({ name: `${name}_condition` }).apply([
    x,
    label,
  ]) as tf.SymbolicTensor;
}

/**
 * One-hot labels as a layer (paper 002's G input `concat(z, one-hot)`): a frozen Embedding
 * whose table is the identity, so the model stays in the plain Layers format.
 *
 * @param labels Symbolic int32 labels `[N, 1]`.
 * @param numClasses Number of classes.
 * @param name Prefix for the layer names.
 * @returns A symbolic tensor `[N, numClasses]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { oneHotLabels } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const labels = tfl.input({ shape: [1], dtype: "int32" });
 * const m = tfl.model({ inputs: labels, outputs: oneHotLabels(labels, 3, "gen") });
 * const oneHot = m.predict(tf.tensor2d([[2]], [1, 1], "int32")) as tf.Tensor;
 * assert.deepEqual(oneHot.arraySync(), [[0, 0, 1]]);
 * ```
 */
export function oneHotLabels(
  labels: tf.SymbolicTensor,
  numClasses: number,
  name: string,
): tf.SymbolicTensor {
  const table = tf.layers.embedding({
    inputDim: numClasses,
    outputDim: numClasses,
    embeddingsInitializer: "identity",
    trainable: false,
    name: `${name}_label_onehot`,
  }).apply(labels) as tf.SymbolicTensor; // [N, 1, classes]
  return tf.layers.flatten({ name: `${name}_label_flatten` }).apply(table) as tf.SymbolicTensor;
}
