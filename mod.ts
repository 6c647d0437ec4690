/**
 * cgan: conditional GANs for Deno on TensorFlow.js.
 *
 * Build the generators and discriminators of the conditional GAN family (and pix2pix's U-Net
 * and PatchGAN), train them with one loop (`trainOnDataset` also on data held in memory), read
 * MNIST-family, CIFAR-10, paired pix2pix data and folders of your own images (`loadFolder`),
 * score samples (IS, FID, ...) and translations (PSNR, SSIM, L1), save and load models in the
 * standard tfjs Layers format, and pick the fastest backend (WebGPU on a real GPU, else SIMD
 * WASM, else cpu). `@cgan/cgan/generator` is the light entry point for sampling only;
 * `@cgan/cgan/internal` has every building block.
 *
 * @example Build the MLP cGAN's generator and draw one image per class
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildGan, initBackend, latentNoise } from "@cgan/cgan";
 * import * as tf from "@tensorflow/tfjs-core";
 * await initBackend({ requested: "cpu" });
 * const { gen } = buildGan("mlp", {
 *   latentDim: 100, numClasses: 10, imageShape: [28, 28, 1], activation: "leaky", seed: 0,
 * });
 * const labels = tf.tensor2d([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 1], "int32");
 * const images = gen.predict([latentNoise(10, 100, 0), labels]) as tf.Tensor;
 * assert.deepEqual(images.shape, [10, 28, 28, 1]);
 * ```
 *
 * @module
 */
// Backend choice.
export {
  BACKEND_NAMES,
  type BackendInfo,
  type BackendName,
  describeBackend,
  initBackend,
  type InitBackendOptions,
} from "./src/backend/mod.ts";
// Models: the registry and its definitions.
export {
  buildGan,
  type Conditioning,
  type GanArchitecture,
  MODEL_NAMES,
  type ModelDef,
  modelDef,
  type ModelName,
  MODELS,
  type ModelSpec,
  type SettingsDiff,
} from "./src/models/registry.ts";
export { translate } from "./src/models/pix2pix.ts";
// Using a generator.
export {
  generate,
  type GeneratorInfo,
  generatorInfo,
  latentNoise,
  loadGenerator,
  NOISE_KINDS,
  type NoiseKind,
  sampleImages,
} from "./src/models/generator.ts";
// Training.
export {
  DEFAULTS,
  type PresetName,
  PRESETS,
  resolveConfig,
  type TrainConfig,
} from "./src/train/config.ts";
export { train, type TrainContext, type TrainResult } from "./src/train/loop.ts";
export { type RunRecord, trainOnDataset, type TrainOnDatasetOptions } from "./src/train/run.ts";
export {
  drawStepInputs,
  type GanNets,
  type GanOptimizers,
  type StepInputs,
  type StepLosses,
  type StepOptions,
  trainStep,
} from "./src/train/step.ts";
export { type DLossOptions, type GanLoss, LOSSES, type LossName } from "./src/train/losses.ts";
export { type LossPoint } from "./src/train/checkpoint.ts";
export { lineProgress, type ProgressInfo, type ProgressReporter } from "./src/train/progress.ts";
export { type AdamConfig, createAdam } from "./src/backend/optimizer.ts";
// Data.
export { type Dataset, limitDataset, type LoadOptions } from "./src/data/dataset.ts";
export {
  DATASET_NAMES,
  type DatasetName,
  type FolderDatasetName,
  loadDataset,
  loadPairedDataset,
  PAIRED_DATASET_NAMES,
  type PairedDatasetName,
  type PairedLoadOptions,
} from "./src/data/datasets.ts";
export {
  type BadImage,
  type FolderLoad,
  type FolderOptions,
  type FolderReport,
  loadFolder,
} from "./src/data/folder.ts";
export { type Direction } from "./src/data/paired.ts";
export {
  FASHION_CLASSES,
  loadMnist,
  MNIST_CLASSES,
  type MnistOptions,
  type Split,
} from "./src/data/mnist.ts";
export { CIFAR10_CLASSES } from "./src/data/cifar10.ts";
export { type Batch, BatchSource, type BatchSourceOptions } from "./src/data/batches.ts";
// Evaluation.
export { type EvaluatorTraining, trainEvaluator } from "./src/eval/train_evaluator.ts";
export {
  type GeneratorScores,
  scoreGenerator,
  type ScoreOptions,
} from "./src/eval/score_generator.ts";
export { scoreTranslation, type TranslationScores } from "./src/eval/score_translation.ts";
export {
  type ClassCoverage,
  classCoverage,
  type ClassMetricOptions,
  conditionalAccuracy,
  fid,
  type FidOptions,
  type FrechetResult,
  type HostArray,
  inceptionScore,
  type InceptionScoreOptions,
  intraFid,
  type IntraFidOptions,
  type IntraFidResult,
  type LabelledFeatures,
  type Labels,
  type PrecisionRecall,
  precisionRecall,
  type PrecisionRecallOptions,
  type SplitScore,
} from "./src/eval/metrics/mod.ts";
export {
  type HostImage,
  type ImageMetricOptions,
  meanAbsoluteError,
  psnr,
  ssim,
} from "./src/eval/image_metrics.ts";
export { type AugmentOptions } from "./src/eval/augment.ts";
// Model files and images.
export { loadLayersModel, saveLayersModel, type SaveModelOptions } from "./src/io/layers_io.ts";
export { type QuantizeDtype } from "./src/io/quantize.ts";
export { type GridImage, type GridOptions, imageGrid } from "./src/io/grid.ts";
export { type DecodedImage, decodePng, encodePng } from "./src/io/png.ts";
