/**
 * `@cgan/cgan/generator`: use a trained conditional generator, and nothing else of cgan. Pick
 * the backend, load a generator (a model folder, a run directory, a checkpoint or a model.json
 * URL; SAGAN's custom layers included), draw seeded samples of the classes you ask for, and turn
 * them into a PNG grid or terminal art. It loads tfjs-core, tfjs-layers, their wasm, cpu and
 * WebGPU backends and a PNG encoder; the training, evaluation, data readers and plots of
 * `@cgan/cgan` stay out, so a sampler starts fast and downloads little.
 *
 * @example Draw a 0, a 1 and a 2 from the shipped MNIST generator and save them as one PNG
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   encodePng,
 *   generatorInfo,
 *   imageGrid,
 *   initBackend,
 *   loadGenerator,
 *   sampleImages,
 * } from "@cgan/cgan/generator";
 * await initBackend({ requested: "cpu" });
 * // In a checkout; elsewhere `loadPretrained("mnist")` from `@cgan/sample/pretrained`.
 * const gen = await loadGenerator("packages/sample/generators/mnist-acgan");
 * assert.deepEqual(generatorInfo(gen), { latentDim: 100, numClasses: 10, imageShape: [28, 28, 1] });
 * const images = await sampleImages(gen, [0, 1, 2], 7); // [3, 28, 28, 1] in [-1, 1]
 * const grid = imageGrid(images, 3, [28, 28, 1], { cols: 3, pad: 0, scale: 2 });
 * const png = encodePng(grid.pixels, grid.width, grid.height, grid.channels);
 * const file = await Deno.makeTempFile({ suffix: ".png" });
 * await Deno.writeFile(file, png);
 * assert.equal(grid.width, 2 * 3 * 28);
 * gen.dispose();
 * await Deno.remove(file);
 * ```
 *
 * @module
 */
export {
  BACKEND_NAMES,
  type BackendInfo,
  type BackendName,
  describeBackend,
  initBackend,
  type InitBackendOptions,
  parseBackendName,
} from "./src/backend/select.ts";
export {
  generate,
  type GeneratorInfo,
  generatorInfo,
  generatorNoise,
  latentNoise,
  loadGenerator,
  NOISE_KINDS,
  type NoiseKind,
  sampleImages,
} from "./src/models/generator.ts";
export {
  DATASET_CLASSES,
  DATASET_NAMES,
  type DatasetName,
  isDatasetName,
} from "./src/data/class_names.ts";
export { type GridImage, type GridOptions, imageGrid, toUint8Pixels } from "./src/io/grid.ts";
export { type DecodedImage, decodePng, encodePng } from "./src/io/png.ts";
export { renderImage, type TerminalMode, terminalMode } from "./src/io/terminal.ts";
export { writeFileAtomic } from "./src/io/atomic.ts";
