/**
 * Paper 004's unconditional GAN baseline (Roy & Gangopadhyay; Goodfellow et al. 2014): the MLP
 * cGAN's nets without the label, G taking z alone and D the image alone.
 *
 * @module
 */
import { buildDiscriminator, buildGenerator } from "./mlp_cgan.ts";
import type { ModelDef } from "./model_def.ts";

/**
 * `--model gan`: the unconditional MLP GAN; it is never told the class.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend, modelDef } from "@cgan/cgan";
 * await initBackend({ requested: "cpu" });
 * const GAN = modelDef("gan"); // this definition
 * const gen = GAN.buildGenerator({ latentDim: 8, numClasses: 10, imageShape: [4, 4, 1], activation: "leaky", seed: 0 });
 * assert.equal(GAN.conditioning, "none");
 * assert.equal(gen.inputs.length, 1); // z only
 * ```
 */
export const GAN: ModelDef = {
  about: "unconditional MLP GAN, the baseline (Goodfellow et al. 2014; Roy & Gangopadhyay)",
  conditioning: "none",
  auxClassifier: false,
  buildGenerator: (spec) => buildGenerator({ ...spec, conditional: false }),
  buildDiscriminator: (spec) => buildDiscriminator({ ...spec, conditional: false }),
};
