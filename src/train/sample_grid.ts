/**
 * The sample grids written during training. The class grid: row r holds class r, each column
 * one fixed noise vector. The pair grid (pix2pix): one row per fixed pair, condition | output |
 * target. Either way grids of successive epochs are directly comparable.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import type { Dataset } from "../data/dataset.ts";
import { translatePairs } from "../eval/score_translation.ts";
import { latentNoise, type NoiseKind } from "../models/generator.ts";
import { imageGrid } from "../io/grid.ts";
import { encodePng } from "../io/png.ts";
import { generate } from "../models/generator.ts";
import { deriveSeed, STREAM } from "../rng.ts";

/** Columns (fixed noise vectors) of a run's class grid, one row per class. */
export const GRID_COLUMNS = 10;

/** Fixed inputs of a class grid; dispose with {@linkcode disposeGridInputs}. */
export interface GridInputs {
  /** Noise `[classes * perClass, latentDim]`, the same per row. */
  z: tf.Tensor2D;
  /** Labels `[classes * perClass, 1]`: row-major, class r in row r. */
  labels: tf.Tensor2D;
  /** Columns of the grid. */
  perClass: number;
}

/**
 * Makes the fixed noise and labels of a class grid.
 *
 * @param numClasses Rows.
 * @param perClass Columns.
 * @param latentDim Size of z.
 * @param seed The run seed.
 * @returns Tensors owned by the caller.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { disposeGridInputs, gridInputs } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const g = gridInputs(10, 10, 100, 0);
 * assert.deepEqual(g.z.shape, [100, 100]); // 10 classes x 10 columns, latentDim 100
 * assert.deepEqual(g.labels.shape, [100, 1]);
 * disposeGridInputs(g);
 * ```
 */
export function gridInputs(
  numClasses: number,
  perClass: number,
  latentDim: number,
  seed: number,
  noise: NoiseKind = "normal",
): GridInputs {
  return tf.tidy(() => {
    const column = latentNoise(perClass, latentDim, deriveSeed(seed, STREAM.gridNoise), noise);
    const z = tf.tile(column, [numClasses, 1]) as tf.Tensor2D;
    const rows = new Int32Array(numClasses * perClass).map((_, i) => Math.floor(i / perClass));
    return { z, labels: tf.tensor2d(rows, [rows.length, 1], "int32"), perClass };
  });
}

/**
 * Releases the tensors of {@linkcode gridInputs}.
 *
 * @param inputs What gridInputs returned.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { disposeGridInputs, gridInputs } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * disposeGridInputs(gridInputs(2, 2, 4, 0));
 * ```
 */
export function disposeGridInputs(inputs: GridInputs): void {
  tf.dispose([inputs.z, inputs.labels]);
}

/**
 * Runs G in inference mode on the grid inputs and encodes the grid as PNG.
 *
 * @param gen The generator.
 * @param inputs Fixed noise and labels.
 * @param scale Integer upscaling of each pixel.
 * @returns PNG bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildGan, decodePng, initBackend } from "@cgan/cgan";
 * import { classGridPng, disposeGridInputs, gridInputs } from "@cgan/cgan/internal";
 * await initBackend({ requested: "cpu" });
 * const { gen } = buildGan("mlp", {
 *   latentDim: 8, numClasses: 2, imageShape: [4, 4, 1], activation: "leaky", seed: 0,
 * });
 * const inputs = gridInputs(2, 3, 8, 0); // 2 classes x 3 columns
 * const png = decodePng(await classGridPng(gen, inputs, 2));
 * assert.deepEqual([png.width, png.height], [(3 * 4 + 2 * 2) * 2, (2 * 4 + 2) * 2]); // pad 2, scale 2
 * disposeGridInputs(inputs);
 * ```
 */
export async function classGridPng(
  gen: tf.LayersModel,
  inputs: GridInputs,
  scale = 2,
): Promise<Uint8Array> {
  const images = generate(gen, inputs.z, inputs.labels);
  const [count, h, w, c] = images.shape;
  const data = await images.data() as Float32Array;
  images.dispose();
  const grid = imageGrid(data, count, [h, w, c], { cols: inputs.perClass, pad: 2, scale });
  return encodePng(grid.pixels, grid.width, grid.height, grid.channels as 1 | 3 | 4);
}

/**
 * The pair grid of an image-to-image G (pix2pix): for each of the first `opts.rows` pairs, a
 * row of condition | G(condition) | target, G run as `translatePairs` runs it.
 *
 * @param gen The U-Net G.
 * @param pairs A paired dataset (its first pairs are used).
 * @param opts Rows, dropout seed, and integer upscaling of each pixel (default 2).
 * @returns PNG bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { decodePng } from "@cgan/cgan";
 * import { buildUnet, pairGridPng } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const gen = buildUnet({ size: 16, inChannels: 3, outChannels: 3, width: 0.125, seed: 0 });
 * const pairs = { name: "toy", images: new Uint8Array(2 * 768), conditions: new Uint8Array(2 * 768),
 *   labels: new Uint8Array(2), shape: [16, 16, 3] as [number, number, number], classNames: [], source: "memory" };
 * const png = decodePng(await pairGridPng(gen, pairs, { rows: 2, seed: 0, scale: 1 }));
 * assert.deepEqual([png.width, png.height], [3 * 16 + 2 * 2, 2 * 16 + 2]); // 3 columns, 2 rows, pad 2
 * ```
 */
export async function pairGridPng(
  gen: tf.LayersModel,
  pairs: Dataset,
  opts: { rows: number; seed: number; scale?: number },
): Promise<Uint8Array> {
  const rows = Math.min(opts.rows, pairs.labels.length);
  const [h, w, c] = pairs.shape;
  const size = h * w * c;
  const outputs = await translatePairs(gen, pairs, { count: rows, seed: opts.seed });
  const cells = new Float32Array(rows * 3 * size);
  const scaled = (pixels: Uint8Array) => Float32Array.from(pixels, (v) => v / 127.5 - 1);
  for (let i = 0; i < rows; i++) {
    const at = (k: number) => (i * 3 + k) * size;
    cells.set(scaled(pairs.conditions!.subarray(i * size, (i + 1) * size)), at(0));
    cells.set(outputs.subarray(i * size, (i + 1) * size), at(1));
    cells.set(scaled(pairs.images.subarray(i * size, (i + 1) * size)), at(2));
  }
  const grid = imageGrid(cells, rows * 3, [h, w, c], { cols: 3, pad: 2, scale: opts.scale ?? 2 });
  return encodePng(grid.pixels, grid.width, grid.height, grid.channels as 1 | 3 | 4);
}
