/**
 * `--model dcgan`: the conditional DCGAN of the dataset's paper. Colour images with sides
 * divisible by 8 (CIFAR-10's 32x32; 64x64 adds nothing but a larger projection) get paper 002's
 * (`dcgan_cifar.ts`), gray ones paper 001's (`dcgan_mnist.ts`).
 *
 * @module
 */
import * as dcganCifar from "./dcgan_cifar.ts";
import * as dcganMnist from "./dcgan_mnist.ts";
import type { GanArchitecture, ModelDef, ModelSpec } from "./model_def.ts";

function dcganFor(spec: ModelSpec): GanArchitecture {
  const [h, w, c] = spec.imageShape;
  return c === 3 && h % 8 === 0 && w % 8 === 0 ? dcganCifar : dcganMnist;
}

/**
 * `--model dcgan`: paper 001's conditional DCGAN on MNIST (and gray images), paper 002's on
 * CIFAR-10 (and colour images of 32x32, 64x64, ...); `--unconditional` drops the label.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend, modelDef } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const DCGAN = modelDef("dcgan"); // this definition
 * const spec = { latentDim: 8, numClasses: 10, activation: "leaky" as const, seed: 0, width: 0.25 };
 * const gray = DCGAN.buildGenerator({ ...spec, imageShape: [28, 28, 1] });
 * const colour = DCGAN.buildGenerator({ ...spec, imageShape: [32, 32, 3] });
 * assert.deepEqual(gray.outputs[0]!.shape, [null, 28, 28, 1]);
 * assert.deepEqual(colour.outputs[0]!.shape, [null, 32, 32, 3]);
 * ```
 */
export const DCGAN: ModelDef = {
  about: "conditional DCGAN: Gazali's for MNIST, Bhandari, Gordon & Juneja's for CIFAR-10",
  conditioning: "optional",
  auxClassifier: false,
  buildGenerator: (spec) => dcganFor(spec).buildGenerator(spec),
  buildDiscriminator: (spec) => dcganFor(spec).buildDiscriminator(spec),
};
