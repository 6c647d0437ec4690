/**
 * The pretrained generators that ship inside `@cgan/sample`: which exist, where their files
 * are, and loading them from a checkout or from JSR alike (the files are found relative to
 * this module, `file:` in a checkout, `https:` from the registry).
 *
 * @example Load the MNIST generator and draw a 5
 * ```ts ignore
 * import { loadPretrained } from "jsr:@cgan/sample/pretrained";
 * import { sampleImages } from "jsr:@cgan/cgan";
 * const gen = await loadPretrained("mnist");
 * const five = await sampleImages(gen, [5], 0); // Float32Array of 28 * 28 values in [-1, 1]
 * ```
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import { loadGenerator } from "@cgan/cgan";

/**
 * Shipped generators by dataset and model; the first model of a dataset is its default.
 * Each folder holds `model.json` (with the training command, evaluator scores and quality
 * gate in `userDefinedMetadata.cgan`), `weights.bin` and a README.
 */
export const PRETRAINED: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  mnist: { acgan: "./generators/mnist-acgan/model.json" },
  fashion: { acgan: "./generators/fashion-acgan/model.json" },
};

/**
 * The URL of a shipped generator's `model.json`.
 *
 * @param dataset A key of {@linkcode PRETRAINED}, e.g. "mnist".
 * @param model A model of that dataset; undefined takes the dataset's default.
 * @returns The URL, relative to this module.
 * @throws {RangeError} If no such generator ships; the message lists what does.
 *
 * @example
 * ```ts
 * import { pretrainedUrl } from "./pretrained.ts";
 * console.log(pretrainedUrl("mnist").pathname.endsWith("model.json")); // true
 * ```
 */
export function pretrainedUrl(dataset: string, model?: string): URL {
  const models = PRETRAINED[dataset];
  const name = model ?? Object.keys(models ?? {})[0];
  const path = name === undefined ? undefined : models?.[name];
  if (path === undefined) {
    const shipped = Object.entries(PRETRAINED).flatMap(([d, ms]) =>
      Object.keys(ms).map((m) => `--dataset ${d} --model ${m}`)
    );
    throw new RangeError(
      `No pretrained generator ships for --dataset ${dataset}${
        model === undefined ? "" : ` --model ${model}`
      }: expected one of ${shipped.join("; ")}, or pass --weights PATH|URL`,
    );
  }
  return new URL(path, import.meta.url);
}

/**
 * Loads a shipped generator.
 *
 * @param dataset A key of {@linkcode PRETRAINED}.
 * @param model A model of that dataset; undefined takes the dataset's default.
 * @returns The generator `(z, labels) -> images`.
 *
 * @example
 * ```ts ignore
 * const gen = await loadPretrained("mnist");
 * ```
 */
export async function loadPretrained(dataset: string, model?: string): Promise<tf.LayersModel> {
  return await loadGenerator(pretrainedUrl(dataset, model));
}
