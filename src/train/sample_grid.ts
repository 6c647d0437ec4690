/**
 * The class grid written during training: row r holds class r, each column one fixed noise
 * vector, so grids of successive epochs are directly comparable.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { latentNoise, type NoiseKind } from "../models/generator.ts";
import { imageGrid } from "../io/grid.ts";
import { encodePng } from "../io/png.ts";
import { generate } from "../models/generator.ts";
import { deriveSeed, STREAM } from "../rng.ts";

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
 * import { disposeGridInputs, gridInputs } from "./sample_grid.ts";
 * const g = gridInputs(10, 10, 100, 0);
 * console.log(g.z.shape, g.labels.shape); // [100, 100] [100, 1]
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
 * import { disposeGridInputs, gridInputs } from "./sample_grid.ts";
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
 * ```ts ignore
 * await Deno.writeFile("grid.png", await classGridPng(gen, inputs, 2));
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
