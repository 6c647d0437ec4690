/**
 * The pretrained generators that ship inside `@cgan/sample`: which exist, where their files
 * are, and loading them from a checkout or from JSR alike (the files are found relative to
 * this module, `file:` in a checkout, `https:` from the registry).
 *
 * @example Load the MNIST generator and draw a 5
 * ```ts ignore
 * import { loadPretrained } from "jsr:@cgan/sample/pretrained";
 * import { sampleImages } from "jsr:@cgan/cgan/generator";
 * const gen = await loadPretrained("mnist");
 * const five = await sampleImages(gen, [5], 0); // Float32Array of 28 * 28 values in [-1, 1]
 * ```
 *
 * @module
 */
import type * as tf from "@tensorflow/tfjs-layers";
import { loadGenerator } from "@cgan/cgan/generator";

/** What a shipped generator's record says of it, for `--help` and the page. */
export interface ShippedGenerator {
  /** The dataset it draws, e.g. "mnist". */
  readonly dataset: string;
  /** The cgan model it was trained as, e.g. "acgan". */
  readonly model: string;
  /** Its `model.json`, relative to this module. */
  readonly path: string;
  /** The quality gate's conditional accuracy on its 1,000 samples (cgan's evaluator). */
  readonly gateAccuracy: number;
  /** Whether it passed the quality gate (accuracy, no blank sample, variety per class). */
  readonly gatePassed: boolean;
  /**
   * FID in cgan's evaluator features (not Inception): 10,000 samples vs 10,000 test images;
   * CIFAR-10, 1,000 vs the 1,000 test images kept.
   */
  readonly fid: number;
}

/**
 * Shipped generators by name (the folder under `generators/`); the first of a dataset is its
 * default. Each folder holds `model.json` (with the training command, evaluator scores and
 * quality gate in `userDefinedMetadata.cgan`), `weights.bin` and a README; the scores here are
 * copied from them when a generator ships (a test checks they agree).
 */
export const GENERATORS: Readonly<Record<string, ShippedGenerator>> = {
  "mnist-acgan": {
    dataset: "mnist",
    model: "acgan",
    path: "./generators/mnist-acgan/model.json",
    gateAccuracy: 0.998,
    gatePassed: true,
    fid: 5.81,
  },
  "mnist-acgan-conv": {
    dataset: "mnist",
    model: "acgan-conv",
    path: "./generators/mnist-acgan-conv/model.json",
    gateAccuracy: 0.996,
    gatePassed: true,
    fid: 10.71,
  },
  "fashion-acgan": {
    dataset: "fashion",
    model: "acgan",
    path: "./generators/fashion-acgan/model.json",
    gateAccuracy: 0.99,
    gatePassed: false,
    fid: 8.82,
  },
  "cifar10-wgan": {
    dataset: "cifar10",
    model: "dcgan",
    path: "./generators/cifar10-wgan/model.json",
    gateAccuracy: 0.083,
    gatePassed: false,
    fid: 300.94,
  },
};

/**
 * Shipped generators by dataset and model (a view of {@linkcode GENERATORS}); the first
 * model of a dataset is its default.
 */
export const PRETRAINED: Readonly<Record<string, Readonly<Record<string, string>>>> = (() => {
  const byDataset: Record<string, Record<string, string>> = {};
  for (const g of Object.values(GENERATORS)) {
    (byDataset[g.dataset] ??= {})[g.model] = g.path;
  }
  return byDataset;
})();

/**
 * One line per shipped generator with its recorded scores, as `sample --help` lists them.
 *
 * @returns The lines, e.g. `mnist-acgan  mnist  acgan  gate passed (99.8%)  FID 5.81`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeGenerators } from "@cgan/sample/pretrained";
 * assert.match(describeGenerators()[0]!, /^mnist-acgan +mnist +acgan +gate passed +\(99\.8%\) +FID 5\.81$/);
 * ```
 */
export function describeGenerators(): string[] {
  const entries = Object.entries(GENERATORS);
  const width = Math.max(...entries.map(([name]) => name.length));
  return entries.map(([name, g]) =>
    `${name.padEnd(width)}  ${g.dataset.padEnd(7)}  ${g.model.padEnd(10)}  gate ${
      g.gatePassed ? "passed " : "not met"
    } (${(100 * g.gateAccuracy).toFixed(1)}%)  FID ${g.fid.toFixed(2)}`
  );
}

/**
 * The URL of a shipped generator's `model.json`, by its name.
 *
 * @param name A key of {@linkcode GENERATORS}, e.g. "mnist-acgan".
 * @returns The URL, relative to this module.
 * @throws {RangeError} If no such generator ships; the message lists what does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generatorUrl } from "@cgan/sample/pretrained";
 * assert.ok(generatorUrl("mnist-acgan").pathname.endsWith("/mnist-acgan/model.json"));
 * ```
 */
export function generatorUrl(name: string): URL {
  const g = GENERATORS[name];
  if (g === undefined) {
    throw new RangeError(
      `Invalid --generator "${name}": expected one of ${
        Object.keys(GENERATORS).join(", ")
      } (see --help), or pass --weights PATH|URL`,
    );
  }
  return new URL(g.path, import.meta.url);
}

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
 * import assert from "node:assert/strict";
 * import { pretrainedUrl } from "@cgan/sample/pretrained";
 * assert.ok(pretrainedUrl("mnist").pathname.endsWith("/mnist-acgan/model.json")); // the default
 * ```
 */
export function pretrainedUrl(dataset: string, model?: string): URL {
  const models = PRETRAINED[dataset];
  const name = model ?? Object.keys(models ?? {})[0];
  const path = name === undefined ? undefined : models?.[name];
  if (path === undefined) {
    throw new RangeError(
      `No pretrained generator ships for --dataset ${dataset}${
        model === undefined ? "" : ` (model ${model})`
      }: expected --generator ${
        Object.keys(GENERATORS).join(" | ")
      } (see --help), or pass --weights PATH|URL`,
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
 * ```ts
 * import assert from "node:assert/strict";
 * import { generatorInfo, initBackend } from "@cgan/cgan/generator";
 * import { loadPretrained } from "@cgan/sample/pretrained";
 * await initBackend({ requested: "cpu" });
 * const gen = await loadPretrained("mnist");
 * assert.deepEqual(generatorInfo(gen), { latentDim: 100, numClasses: 10, imageShape: [28, 28, 1] });
 * gen.dispose();
 * ```
 */
export async function loadPretrained(dataset: string, model?: string): Promise<tf.LayersModel> {
  return await loadGenerator(pretrainedUrl(dataset, model));
}
