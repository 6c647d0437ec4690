/**
 * `@cgan/cgan/internal`: every building block of cgan, for code that goes beyond the main
 * entry point: each loss by name, the label-free and per-model builders and the model blocks
 * (seeded initializers, label embeddings, spectral norm, ACGAN heads), the seeded RNG,
 * checkpoints, weight files and the optimizer state, EMA, sample grids, the IDX, CIFAR-10,
 * paired and folder readers' parts, image files, the metric internals and the quality gate,
 * resizing, plots, terminal rendering and the 2-D toy of `deno task toy`. These names may
 * change between minor versions; `@cgan/cgan` is the stable surface and re-exports what most
 * programs need.
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
export * from "./mod.ts";
export {
  type AdapterProbe,
  type BackendPlan,
  parseBackendName,
  planBackends,
  registerGradientFixes,
} from "./src/backend/mod.ts";
export { type SgemmTiming, startSgemmTiming, stopSgemmTiming } from "./src/backend/openblas.ts";
export { deriveSeed, mulberry32, permutation, randomInts } from "./src/rng.ts";

export {
  buildDiscriminator as buildMlpDiscriminator,
  buildGenerator as buildMlpGenerator,
  type MlpCganConfig,
} from "./src/models/mlp_cgan.ts";
export { buildPatchGan, buildUnet, type Pix2PixSpec } from "./src/models/pix2pix.ts";
export { acganHeads } from "./src/models/acgan_mlp.ts";
export { discriminatorTrunk } from "./src/models/dcgan_mnist.ts";
export { type Initializer, InitSeeds, seedDropout } from "./src/models/blocks/seeds.ts";
export {
  concatLabelChannel,
  embedLabels,
  oneHotLabels,
} from "./src/models/blocks/label_embedding.ts";
export { spectralNormalize } from "./src/models/blocks/spectral_norm.ts";
export {
  buildToyDiscriminator,
  buildToyGenerator,
  TOY_DEFAULTS,
  type ToyGanConfig,
} from "./src/models/toy_mlp.ts";
export { LOSS_DEFAULTS, MODEL_DEFAULTS, MODEL_PRESETS } from "./src/train/config.ts";

export { writeRunConfig } from "./src/train/run.ts";

export {
  BCE_LOSS,
  bceWithLogits,
  HINGE_LOSS,
  l1Loss,
  LSGAN_LOSS,
  WGAN_GP_LOSS,
  WGAN_LOSS,
} from "./src/train/losses.ts";
export { gradientPenalty } from "./src/train/gradient_penalty.ts";
export { createEma, emaDecayAt, updateEma } from "./src/train/ema.ts";
export {
  classGridPng,
  disposeGridInputs,
  GRID_COLUMNS,
  type GridInputs,
  gridInputs,
  pairGridPng,
} from "./src/train/sample_grid.ts";
export {
  TOY_TRAINING,
  type ToyEpoch,
  type ToyHooks,
  type ToyState,
  type ToyTraining,
  trainToy,
} from "./src/train/toy.ts";
export {
  latestCheckpoint,
  loadCheckpoint,
  type RunState,
  saveCheckpoint,
  type TranslationPoint,
} from "./src/train/checkpoint.ts";

export {
  adamConfigs,
  disposeTrainables,
  type GanTrainables,
  labelGenerator,
  newTrainables,
} from "./src/train/trainables.ts";
export { runStep, type StepPlan, stepPlan } from "./src/train/run_step.ts";
export {
  type NumberTable,
  parseNumberCsv,
  type RunStatus,
  RunWatch,
} from "./src/train/run_status.ts";
export { adamState, type NamedTensor, restoreAdam } from "./src/backend/optimizer.ts";
export {
  countKernels,
  formatKernelCount,
  type KernelCount,
  type KernelPhase,
} from "./src/backend/kernel_count.ts";
export { saveWithoutKernels } from "./src/backend/saved_tensors.ts";
export { untaped } from "./src/backend/untaped.ts";
export { fuseDenseLayers } from "./src/backend/fused_dense.ts";
export { fuseBatchNormLayers } from "./src/backend/fused_batch_norm.ts";
export { canFuseBce, fusedBceWithLogits } from "./src/backend/fused_loss.ts";
export { fuseLeakyReluGradient } from "./src/backend/fused_activation.ts";
export { datasetSize } from "./src/data/dataset.ts";
export {
  DATASET_CLASSES,
  FOLDER_DATASET,
  isDatasetName,
  isPairedDatasetName,
} from "./src/data/datasets.ts";
export { DIRECTIONS, jitterPairs, resizeRgb } from "./src/data/paired.ts";
export { holdOut } from "./src/data/folder.ts";
export { centerCropResize, type HostPixels } from "./src/io/resize.ts";
export {
  loadFashionMnist,
  type MnistFiles,
  readMnistFiles,
  verifySha256,
} from "./src/data/mnist.ts";
export {
  encodeIdx,
  type IdxArray,
  type IdxPairOptions,
  idxToDataset,
  parseIdx,
  readIdxBytes,
  readIdxFile,
  readIdxPair,
} from "./src/data/idx.ts";
export {
  cifar10CacheDir,
  type Cifar10Options,
  type CifarBatch,
  downloadCifar10,
  type DownloadCifar10Options,
  loadCifar10,
  parseCifarBatch,
} from "./src/data/cifar10.ts";
export { sampleParabola, type ToyFit, toyFit } from "./src/data/toy.ts";

export {
  fileSystemHandler,
  loadWeights,
  type NamedWeight,
  saveWeights,
} from "./src/io/layers_io.ts";
export {
  float16Bits,
  QUANTIZE_DTYPES,
  quantizeWeights,
  type WeightData,
} from "./src/io/quantize.ts";
export { type EvalPoint } from "./src/train/checkpoint.ts";
export {
  buildEvaluator,
  evaluate,
  type Evaluation,
  type EvaluatorArch,
  evaluatorArch,
  type EvaluatorConfig,
  FEATURE_LAYER,
} from "./src/eval/evaluator.ts";
export { randomCropFlip } from "./src/eval/augment.ts";
export { evaluatorAccuracy } from "./src/eval/train_evaluator.ts";
export * from "./src/eval/metrics/mod.ts";

export { gaussianWindow, SSIM_PARAMS } from "./src/eval/image_metrics.ts";
export { scoreMeanImage, translatePairs } from "./src/eval/score_translation.ts";
export {
  type ClassGate,
  DATASET_GATES,
  GATE_DEFAULTS,
  type GateOptions,
  type GateReport,
  meanPairwiseDistance,
  qualityGate,
} from "./src/eval/quality_gate.ts";
export { generatorDir, generatorNoise } from "./src/models/generator.ts";
export { renderImage, type TerminalMode, terminalMode } from "./src/io/terminal.ts";
export { toUint8Pixels } from "./src/io/grid.ts";
export { pngHeader } from "./src/io/png.ts";
export { decodeJpeg, jpegHeader } from "./src/io/jpeg.ts";
export {
  convertChannels,
  decodeImageFile,
  type ImageFileInfo,
  imageFileInfo,
  type ImagePixels,
} from "./src/io/image_file.ts";
export { writeDirAtomic, type WriteDirOptions, writeFileAtomic } from "./src/io/atomic.ts";
export {
  type ChecksumMismatch,
  type Checksums,
  verifyChecksums,
  writeChecksums,
} from "./src/io/checksums.ts";
export {
  lossCurveSvg,
  type PlotOptions,
  type Series,
  type ToyPlot,
  toyPlotSvg,
} from "./src/io/plot.ts";
export { checkpointsDir } from "./src/io/run_dir.ts";
