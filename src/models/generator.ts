/**
 * Using a trained conditional generator: find and load it (a model folder, a run directory,
 * a checkpoint, or an http(s) URL of a model.json), read its sizes from the model itself, and
 * draw seeded samples of requested classes.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import * as tf from "../_tf.ts";
import { loadLayersModel } from "../io/layers_io.ts";
import { latestCheckpoint, samplingGeneratorDir, verifyCheckpoint } from "../io/run_dir.ts";
// The custom layers a saved G may hold (SAGAN's), registered with tfjs as these modules load,
// so that loadGenerator() reads every cgan generator without the model builders.
import "./blocks/conditional_batch_norm.ts";
import "./blocks/self_attention.ts";
import "./blocks/spectral_norm.ts";

/** Distributions of the latent code z (`--noise`). */
export const NOISE_KINDS = ["normal", "uniform"] as const;
/** One of {@linkcode NOISE_KINDS}: N(0, 1) or U[-1, 1]. */
export type NoiseKind = typeof NOISE_KINDS[number];

/**
 * Seeded latent noise `[n, dim]`: standard normal, or uniform on [-1, 1] (paper 002 compares
 * the two).
 *
 * @param n Rows.
 * @param dim Size of z.
 * @param seed Seed of the draw, an integer >= 0. Every seed, 0 included, gives the same
 *   draw each time (tfjs's normal draws take seed 0 for "no seed" and use `Math.random`, so 0
 *   is passed to tfjs as 2^32, a value no 32-bit seed has).
 * @param kind The distribution (default "normal").
 * @returns A tensor the caller owns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { latentNoise } from "@cgan/cgan/generator";
 * await tf.setBackend("cpu");
 * const z = latentNoise(100, 8, 0, "uniform");
 * assert.deepEqual(z.shape, [100, 8]);
 * assert.ok(tf.max(tf.abs(z)).dataSync()[0]! <= 1);
 * ```
 */
export function latentNoise(
  n: number,
  dim: number,
  seed: number,
  kind: NoiseKind = "normal",
): tf.Tensor2D {
  const s = seed === 0 ? 2 ** 32 : seed;
  return (kind === "uniform"
    ? tf.randomUniform([n, dim], -1, 1, "float32", s)
    : tf.randomNormal([n, dim], 0, 1, "float32", s)) as tf.Tensor2D;
}

/**
 * The noise a generator was trained with: `userDefinedMetadata.noise` of its model (the
 * training loop records it), "normal" when absent.
 *
 * @param gen A generator.
 * @returns Its noise distribution.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildGan, initBackend } from "@cgan/cgan";
 * import { generatorNoise } from "@cgan/cgan/generator";
 * await initBackend({ requested: "cpu" });
 * const { gen } = buildGan("mlp", {
 *   latentDim: 8, numClasses: 3, imageShape: [4, 4, 1], activation: "leaky", seed: 0,
 * });
 * assert.equal(generatorNoise(gen), "normal");
 * ```
 */
export function generatorNoise(gen: tf.LayersModel): NoiseKind {
  const noise = (gen.getUserDefinedMetadata() as { noise?: string } | undefined)?.noise;
  return noise === "uniform" ? "uniform" : "normal";
}

/** Sizes of a conditional generator, read from its layers. */
export interface GeneratorInfo {
  /** Size of z. */
  latentDim: number;
  /** Number of classes its label embedding knows. */
  numClasses: number;
  /** Output image shape `[height, width, channels]`. */
  imageShape: [number, number, number];
}

/** Whether `path` is a file; a missing permission (NotCapable) is thrown, not taken as "no". */
async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.NotADirectory) {
      return false;
    }
    throw err;
  }
}

/**
 * Runs G in inference mode: `(z, labels)` for a conditional generator, `z` alone for an
 * unconditional one (whose output ignores the labels).
 *
 * @param gen The generator.
 * @param z Latent noise `[N, latentDim]`.
 * @param labels Requested classes `[N, 1]` int32.
 * @returns Images `[N, H, W, C]` in [-1, 1].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { buildGan, generate } from "@cgan/cgan";
 * await tf.setBackend("cpu");
 * const spec = { latentDim: 8, numClasses: 3, imageShape: [4, 4, 1] as [number, number, number], activation: "leaky" as const, seed: 0 };
 * const { gen } = buildGan("gan", spec);
 * const images = generate(gen, tf.zeros([2, 8]) as tf.Tensor2D, tf.tensor2d([[0], [1]], [2, 1], "int32"));
 * assert.deepEqual(images.shape, [2, 4, 4, 1]);
 * ```
 */
export function generate(gen: tf.LayersModel, z: tf.Tensor2D, labels: tf.Tensor2D): tf.Tensor4D {
  return (gen.inputs.length > 1 ? gen.predict([z, labels]) : gen.predict(z)) as tf.Tensor4D;
}

/**
 * Loads a generator from a model folder (`model.json` + weights), a run directory (its
 * latest checkpoint's G), a checkpoint folder (its `gen/`, or `gen_ema/` when the run averaged
 * G's weights with `--ema-decay`), an http(s) URL of a model.json,
 * or a `file:` URL of any of these (what `new URL("./x/model.json", import.meta.url)` gives
 * in a checkout; from JSR the same expression gives an https URL).
 *
 * @param source Where the weights are.
 * @returns The generator.
 *
 * @example
 * ```ts ignore
 * import { loadGenerator } from "@cgan/cgan/generator";
 * const gen = await loadGenerator("runs/mlp-mnist-20261124-101500");
 * ```
 */
export async function loadGenerator(source: string | URL): Promise<tf.LayersModel> {
  const text = source instanceof URL ? source.href : source;
  if (/^https?:\/\//.test(text)) return await tf.loadLayersModel(text);
  return await loadLayersModel(await generatorDir(source));
}

/**
 * The folder of the generator {@linkcode loadGenerator} loads from a local source: a model
 * folder itself, a checkpoint's sampling G (`gen_ema/`, else `gen/`), or a run directory's
 * latest checkpoint's. A checkpoint's files are first checked against its checksums.
 *
 * @param source A model folder or its model.json, a checkpoint folder or a run directory, as a
 *   path or a `file:` URL.
 * @returns The folder holding the generator's `model.json` and weights.
 * @throws {Error} Naming what was expected when `source` is none of these, or the corrupted
 *   file of a checkpoint.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generatorDir } from "@cgan/cgan/internal";
 * assert.equal(
 *   await generatorDir("packages/sample/generators/mnist-acgan/model.json"),
 *   "packages/sample/generators/mnist-acgan",
 * );
 * ```
 */
export async function generatorDir(source: string | URL): Promise<string> {
  const text = source instanceof URL ? source.href : source;
  const path = text.startsWith("file:") ? fileURLToPath(text) : text;
  const dir = path.replace(/\/model\.json$/, "").replace(/\/+$/, "");
  if (await isFile(`${dir}/model.json`)) return dir;
  if (await isFile(`${dir}/gen/model.json`)) return await checkpointGeneratorDir(dir);
  const checkpoint = await latestCheckpoint(dir).catch(() => null);
  if (checkpoint !== null) return await checkpointGeneratorDir(checkpoint);
  throw new Error(
    `Cannot load a generator from "${text}": expected a model folder with model.json, ` +
      `a checkpoint folder with gen/, a run directory with checkpoints/, or an http(s) URL`,
  );
}

/** A checkpoint's sampling G's folder, its files first checked against the checkpoint's checksums. */
async function checkpointGeneratorDir(checkpoint: string): Promise<string> {
  const dir = await samplingGeneratorDir(checkpoint);
  await verifyCheckpoint(checkpoint, { under: `${dir.slice(checkpoint.length + 1)}/` });
  return dir;
}

/**
 * Reads a conditional generator's sizes from its inputs, output and label embedding.
 *
 * @param gen A generator `(z [N, latentDim], labels [N, 1]) -> images`.
 * @returns Its sizes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildGan, generatorInfo, initBackend } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const { gen } = buildGan("mlp", {
 *   latentDim: 8, numClasses: 3, imageShape: [4, 4, 1], activation: "leaky", seed: 0,
 * });
 * assert.deepEqual(generatorInfo(gen), { latentDim: 8, numClasses: 3, imageShape: [4, 4, 1] });
 * ```
 */
export function generatorInfo(gen: tf.LayersModel): GeneratorInfo {
  const [z, labels] = gen.inputs;
  const out = gen.outputs[0]?.shape;
  // The classes a G knows: its label Embedding's rows, or its conditional BN's tables (SAGAN).
  const table = gen.layers.find((l) =>
    ["Embedding", "ConditionalBatchNorm"].includes(l.getClassName())
  )?.getConfig();
  const latentDim = z?.shape[1];
  const numClasses = table?.inputDim ?? table?.numClasses;
  if (
    gen.inputs.length !== 2 || labels === undefined || typeof latentDim !== "number" ||
    typeof numClasses !== "number" || out === undefined || out.length !== 4
  ) {
    throw new TypeError(
      `Cannot use model "${gen.name}" as a conditional generator: expected inputs (z [N, d], labels [N, 1]), ` +
        `a label Embedding or conditional BatchNorm, and an image output [N, H, W, C]`,
    );
  }
  return {
    latentDim,
    numClasses,
    imageShape: [out[1]!, out[2]!, out[3]!] as [number, number, number],
  };
}

/**
 * Draws one sample per requested label, from seeded noise (of the kind G was trained with), with
 * G in inference mode.
 *
 * @param gen The generator.
 * @param labels The class of each sample.
 * @param seed Seed of the noise: the same seed and labels give the same images.
 * @returns Images `[labels.length, H, W, C]` in [-1, 1], row-major, on the host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildGan, initBackend, sampleImages } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const { gen } = buildGan("mlp", {
 *   latentDim: 8, numClasses: 3, imageShape: [4, 4, 1], activation: "leaky", seed: 0,
 * });
 * const images = await sampleImages(gen, [0, 2], 7);
 * assert.equal(images.length, 2 * 4 * 4); // two 4x4x1 images
 * ```
 */
export async function sampleImages(
  gen: tf.LayersModel,
  labels: number[],
  seed: number,
): Promise<Float32Array> {
  const { latentDim, numClasses } = generatorInfo(gen);
  const bad = labels.find((l) => !Number.isInteger(l) || l < 0 || l >= numClasses);
  if (bad !== undefined) {
    throw new RangeError(`Cannot sample class ${bad}: expected an integer in 0..${numClasses - 1}`);
  }
  const images = tf.tidy(() => {
    const z = latentNoise(labels.length, latentDim, seed, generatorNoise(gen));
    return gen.predict([z, tf.tensor2d(labels, [labels.length, 1], "int32")]) as tf.Tensor;
  });
  const data = await images.data() as Float32Array;
  images.dispose();
  return data;
}
