/**
 * Scores a conditional generator in the evaluator's feature space: Inception Score, FID,
 * intra-FID, conditional accuracy and precision/recall, each beside its real-data reference
 * (IS of real test images as the ceiling, FID of a real train subset vs the test set as the
 * floor), all with the same number of images.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import type { Dataset } from "../data/dataset.ts";
import { generate, generatorNoise, latentNoise } from "../models/generator.ts";
import { deriveSeed } from "../rng.ts";
import { evaluate, type Evaluation } from "./evaluator.ts";
import {
  type ClassCoverage,
  classCoverage,
  conditionalAccuracy,
  featureStats,
  frechetDistance,
  inceptionScore,
  intraFid,
  precisionRecall,
} from "./metrics/mod.ts";

/** Options of {@linkcode scoreGenerator}. */
export interface ScoreOptions {
  /** Generated images (balanced over classes) and real images per side. */
  n: number;
  /** Size of z. */
  latentDim: number;
  /** Seed of the generated samples. */
  seed: number;
  /** Splits of the Inception Score. */
  splits: number;
  /** Neighbourhood size of precision/recall. */
  k: number;
}

/** Scores of generated images and the real-data references. */
export interface GeneratorScores {
  /** Images per side. */
  n: number;
  /** Inception Score of generated images (mean, std over splits). */
  is: { mean: number; std: number };
  /** Inception Score of real test images: the ceiling. */
  isReal: { mean: number; std: number };
  /** FID of generated vs real test images. */
  fid: number;
  /** FID of a real train subset vs real test images: the floor. */
  fidReal: number;
  /** Regulariser added to singular covariances (0 when none was needed). */
  fidEps: number;
  /** FID per class and their mean (NaN for an unconditional generator). */
  intraFid: { perClass: number[]; mean: number };
  /** The same for the real train subset vs test. */
  intraFidReal: { perClass: number[]; mean: number };
  /** Share of generated images the evaluator assigns to the requested class (NaN if unconditional). */
  accuracy: number;
  /** The evaluator's accuracy on the real test images. */
  accuracyReal: number;
  /**
   * Per-class accuracy (NaN for an unconditional generator), predicted-class shares and the
   * classes produced: the mode coverage, for conditional and unconditional generators alike.
   */
  coverage: ClassCoverage;
  /** Precision/recall of generated vs real test features. */
  precisionRecall: { precision: number; recall: number };
  /** The same for the real train subset vs test. */
  precisionRecallReal: { precision: number; recall: number };
}

function toImages(ds: Dataset, start: number, count: number): tf.Tensor4D {
  const [h, w, c] = ds.shape;
  const size = h * w * c;
  const scaled = new Float32Array(count * size);
  for (let i = 0; i < scaled.length; i++) scaled[i] = ds.images[start * size + i]! / 127.5 - 1;
  return tf.tensor4d(scaled, [count, h, w, c]);
}

async function evaluateDataset(
  evaluator: tf.LayersModel,
  ds: Dataset,
  count: number,
): Promise<Evaluation> {
  const images = toImages(ds, 0, count);
  try {
    return await evaluate(evaluator, images);
  } finally {
    images.dispose();
  }
}

/**
 * Generates `n` images (class `i % classes` for image i) and scores them.
 *
 * @param gen The generator `(z, labels) -> images`.
 * @param evaluator The trained evaluator classifier.
 * @param test Real test images (at least `n`).
 * @param train Real training images (at least `n`), for the floor.
 * @param opts Sizes and seed.
 * @returns Every score and its real-data reference.
 *
 * @example
 * ```ts ignore
 * import { loadGenerator, loadLayersModel, loadMnist, scoreGenerator } from "@cgan/cgan";
 * const gen = await loadGenerator("runs/a");
 * const evaluator = await loadLayersModel("fixtures/evaluators/mnist");
 * const [test, train] = await Promise.all([loadMnist({ split: "test" }), loadMnist({ split: "train" })]);
 * const scores = await scoreGenerator(gen, evaluator, test, train, { n: 10000, latentDim: 100, seed: 0, splits: 10, k: 3 });
 * ```
 */
export async function scoreGenerator(
  gen: tf.LayersModel,
  evaluator: tf.LayersModel,
  test: Dataset,
  train: Dataset,
  opts: ScoreOptions,
): Promise<GeneratorScores> {
  const classes = test.classNames.length;
  const n = opts.n;
  for (const [ds, what] of [[test, "test"], [train, "train"]] as const) {
    if (ds.labels.length < n) {
      throw new RangeError(
        `Cannot score with n = ${n}: the ${what} split has only ${ds.labels.length} images`,
      );
    }
  }
  const requested = Uint8Array.from({ length: n }, (_, i) => i % classes);
  const conditional = gen.inputs.length > 1;
  const noise = generatorNoise(gen);
  // Generate in chunks so that memory stays bounded for large n.
  const chunk = 1000;
  const parts: Evaluation[] = [];
  for (let start = 0; start < n; start += chunk) {
    const size = Math.min(chunk, n - start);
    const images = tf.tidy(() => {
      const z = latentNoise(size, opts.latentDim, deriveSeed(opts.seed, start), noise);
      const labels = tf.tensor2d(Int32Array.from(requested.subarray(start, start + size)), [
        size,
        1,
      ], "int32");
      return generate(gen, z, labels);
    });
    parts.push(await evaluate(evaluator, images));
    images.dispose();
  }
  const dim = parts[0]!.dim;
  const fake: Evaluation = {
    dim,
    probs: concat(parts.map((p) => p.probs)),
    features: concat(parts.map((p) => p.features)),
  };
  const real = await evaluateDataset(evaluator, test, n);
  const floor = await evaluateDataset(evaluator, train, n);
  const testLabels = test.labels.subarray(0, n);
  const trainLabels = train.labels.subarray(0, n);

  const realStats = featureStats(real.features, { n, dim });
  const fakeFid = frechetDistance(featureStats(fake.features, { n, dim }), realStats);
  const floorFid = frechetDistance(featureStats(floor.features, { n, dim }), realStats);
  const isOpts = { n, classes, splits: opts.splits };
  const classOpts = { n, classes };
  const intraOpts = { dim, classes };
  const prOpts = { nReal: n, nFake: n, dim, k: opts.k };
  const testSet = { features: real.features, labels: testLabels };
  return {
    n,
    is: inceptionScore(fake.probs, isOpts),
    isReal: inceptionScore(real.probs, isOpts),
    fid: fakeFid.fid,
    fidReal: floorFid.fid,
    fidEps: Math.max(fakeFid.eps, floorFid.eps),
    // An unconditional G ignores the requested classes: no per-class numbers for it.
    intraFid: conditional
      ? intraFid({ features: fake.features, labels: requested }, testSet, intraOpts)
      : { perClass: new Array<number>(classes).fill(NaN), mean: NaN },
    intraFidReal: intraFid({ features: floor.features, labels: trainLabels }, testSet, intraOpts),
    accuracy: conditional ? conditionalAccuracy(fake.probs, requested, classOpts) : NaN,
    accuracyReal: conditionalAccuracy(real.probs, testLabels, classOpts),
    coverage: unconditionalAware(classCoverage(fake.probs, requested, classOpts), conditional),
    precisionRecall: precisionRecall(real.features, fake.features, prOpts),
    precisionRecallReal: precisionRecall(real.features, floor.features, prOpts),
  };
}

/** An unconditional G was asked for no class: its shares and classes produced stand, its per-class accuracy does not. */
function unconditionalAware(c: ClassCoverage, conditional: boolean): ClassCoverage {
  return conditional ? c : { ...c, perClassAccuracy: c.perClassAccuracy.map(() => NaN) };
}

function concat(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((a, b) => a + b.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}
