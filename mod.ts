/**
 * cgan: conditional GANs for Deno on TensorFlow.js.
 *
 * Build the generators and discriminators of the conditional GAN family (and pix2pix's U-Net
 * and PatchGAN), train them with one loop (`trainOnDataset` also on data held in memory), read
 * MNIST-family, CIFAR-10, paired pix2pix data and folders of your own images (`loadFolder`),
 * score samples (IS, FID, ...) and translations (PSNR, SSIM, L1), save and load models in the
 * standard tfjs Layers format, and pick the fastest backend (WebGPU on a real GPU, else SIMD
 * WASM, else cpu).
 *
 * @example Build the MLP cGAN's generator and draw one image per class
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { buildGan, initBackend } from "./mod.ts";
 * await initBackend({ requested: "cpu" });
 * const { gen } = buildGan("mlp", {
 *   latentDim: 100, numClasses: 10, imageShape: [28, 28, 1], activation: "leaky", seed: 0,
 * });
 * const images = gen.predict([tf.randomNormal([10, 100]), tf.range(0, 10, 1, "int32").reshape([10, 1])]);
 * console.log((images as tf.Tensor).shape); // [10, 28, 28, 1]
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
  registerGradientFixes,
} from "./src/backend/mod.ts";
export {
  buildGan,
  type Conditioning,
  type GanArchitecture,
  type ModelDef,
  modelDef,
  MODELS,
  type ModelSpec,
  type SettingsDiff,
} from "./src/models/registry.ts";
export {
  buildDiscriminator as buildMlpDiscriminator,
  buildGenerator as buildMlpGenerator,
  type MlpCganConfig,
} from "./src/models/mlp_cgan.ts";
export { buildPatchGan, buildUnet, type Pix2PixSpec, translate } from "./src/models/pix2pix.ts";
export {
  DEFAULTS,
  LOSS_DEFAULTS,
  MODEL_DEFAULTS,
  MODEL_NAMES,
  MODEL_PRESETS,
  type ModelName,
  type PresetName,
  PRESETS,
  resolveConfig,
  type TrainConfig,
} from "./src/train/config.ts";
export { train, type TrainContext, type TrainResult } from "./src/train/loop.ts";
export {
  type RunRecord,
  trainOnDataset,
  type TrainOnDatasetOptions,
  writeRunConfig,
} from "./src/train/run.ts";
export {
  drawStepInputs,
  type GanNets,
  type GanOptimizers,
  type StepInputs,
  type StepLosses,
  type StepOptions,
  trainStep,
} from "./src/train/step.ts";
export {
  BCE_LOSS,
  bceWithLogits,
  type DLossOptions,
  type GanLoss,
  HINGE_LOSS,
  l1Loss,
  LOSSES,
  type LossName,
  LSGAN_LOSS,
  WGAN_GP_LOSS,
  WGAN_LOSS,
} from "./src/train/losses.ts";
export { gradientPenalty } from "./src/train/gradient_penalty.ts";
export { createEma, emaDecayAt, updateEma } from "./src/train/ema.ts";
export {
  latestCheckpoint,
  loadCheckpoint,
  type LossPoint,
  type RunState,
  saveCheckpoint,
  type TranslationPoint,
} from "./src/train/checkpoint.ts";
export { lineProgress, type ProgressInfo, type ProgressReporter } from "./src/train/progress.ts";
export { type GanTrainables } from "./src/train/checkpoint.ts";
export {
  type AdamConfig,
  adamState,
  createAdam,
  type NamedTensor,
  restoreAdam,
} from "./src/backend/optimizer.ts";
export { type Dataset, datasetSize, limitDataset, type LoadOptions } from "./src/data/dataset.ts";
export {
  DATASET_CLASSES,
  DATASET_NAMES,
  type DatasetName,
  FOLDER_DATASET,
  type FolderDatasetName,
  isDatasetName,
  isPairedDatasetName,
  loadDataset,
  loadPairedDataset,
  PAIRED_DATASET_NAMES,
  type PairedDatasetName,
  type PairedLoadOptions,
} from "./src/data/datasets.ts";
export { type Direction, DIRECTIONS } from "./src/data/paired.ts";
export {
  type BadImage,
  type FolderLoad,
  type FolderOptions,
  type FolderReport,
  holdOut,
  loadFolder,
} from "./src/data/folder.ts";
export { centerCropResize, type HostPixels } from "./src/io/resize.ts";
export {
  FASHION_CLASSES,
  loadFashionMnist,
  loadMnist,
  MNIST_CLASSES,
  type MnistOptions,
  type Split,
} from "./src/data/mnist.ts";
export {
  encodeIdx,
  type IdxArray,
  type IdxPairOptions,
  idxToDataset,
  parseIdx,
  readIdxFile,
  readIdxPair,
} from "./src/data/idx.ts";
export { type Batch, BatchSource, type BatchSourceOptions } from "./src/data/batches.ts";
export { loadLayersModel, saveLayersModel, type SaveModelOptions } from "./src/io/layers_io.ts";
export { QUANTIZE_DTYPES, type QuantizeDtype } from "./src/io/quantize.ts";
export { type EvalPoint } from "./src/train/checkpoint.ts";
export {
  buildEvaluator,
  evaluate,
  type Evaluation,
  type EvaluatorArch,
  type EvaluatorConfig,
  FEATURE_LAYER,
} from "./src/eval/evaluator.ts";
export { type AugmentOptions } from "./src/eval/augment.ts";
export {
  evaluatorAccuracy,
  type EvaluatorTraining,
  trainEvaluator,
} from "./src/eval/train_evaluator.ts";
export * from "./src/eval/metrics/mod.ts";
export {
  type GeneratorScores,
  scoreGenerator,
  type ScoreOptions,
} from "./src/eval/score_generator.ts";
export {
  gaussianWindow,
  type HostImage,
  type ImageMetricOptions,
  meanAbsoluteError,
  psnr,
  ssim,
  SSIM_PARAMS,
} from "./src/eval/image_metrics.ts";
export {
  scoreTranslation,
  translatePairs,
  type TranslationScores,
} from "./src/eval/score_translation.ts";
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
export { renderImage, type TerminalMode, terminalMode } from "./src/io/terminal.ts";
export { type GridImage, type GridOptions, imageGrid, toUint8Pixels } from "./src/io/grid.ts";
export { type DecodedImage, decodePng, encodePng } from "./src/io/png.ts";
export { writeFileAtomic } from "./src/io/atomic.ts";
export { CIFAR10_CLASSES } from "./src/data/cifar10.ts";
