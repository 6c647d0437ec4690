/**
 * Label conditioning by a learned embedding, shared by every conditional model.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
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
 * import * as tf from "@tensorflow/tfjs";
 * import { embedLabels } from "./label_embedding.ts";
 * import { InitSeeds } from "./seeds.ts";
 * const labels = tf.input({ shape: [1], dtype: "int32" });
 * const e = embedLabels(labels, 10, 100, new InitSeeds(0), "gen");
 * console.log(e.shape); // [null, 100]
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
