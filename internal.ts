/**
 * `@cgan/cgan/internal`: every building block of cgan, for code that goes beyond the main
 * entry point: each loss by name, the label-free and per-model builders, checkpoints and the
 * optimizer state, EMA, the IDX and folder readers' parts, the metric internals, resizing and
 * terminal rendering. These names may change between minor versions; `@cgan/cgan` is the
 * stable surface and re-exports what most programs need.
 *
 * @example Read a checkpoint's newest step folder and the BCE loss by name
 * ```ts
 * import assert from "node:assert/strict";
 * import { BCE_LOSS, latestCheckpoint } from "@cgan/cgan/internal";
 * assert.equal(BCE_LOSS.name, "bce");
 * assert.equal(await latestCheckpoint("/nonexistent-run"), null);
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
