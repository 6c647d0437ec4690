/**
 * The quality gate a generator must pass before it ships: draw the same number of samples of
 * every class, then check that the evaluator recognises the requested class, that it sees every
 * class (each in at least half its fair share of all samples), that no sample is blank, and that
 * each class's samples are as varied as the real images of that class (mean
 * pairwise pixel distance of samples / of real test images: a collapsed class scores near 0).
 *
 * @module
 */
import * as tf from "../_tf.ts";
import type { Dataset } from "../data/dataset.ts";
import { deriveSeed } from "../rng.ts";
import { generatorNoise, latentNoise } from "../models/generator.ts";
import { evaluate } from "./evaluator.ts";

/** Thresholds and sizes of {@linkcode qualityGate}. */
export interface GateOptions {
  /** Samples per class (and real test images per class for the diversity reference, or all of a class there are, at least 20). */
  perClass: number;
  /** Seed of the noise. */
  seed: number;
  /** Share of samples the evaluator must assign to the requested class. */
  minAccuracy: number;
  /** Lowest accepted per-class diversity ratio (samples vs real). */
  minDiversityRatio: number;
  /** A sample whose pixel standard deviation (on a 0..1 scale) is below this is blank. */
  blankStd: number;
  /**
   * Classes the evaluator must see in at least half their fair share of all samples (mode
   * coverage); more than the dataset has means all of them.
   */
  minClassesProduced: number;
}

/** Defaults: 100 per class (1,000 MNIST digits), 98% accuracy, diversity ratio 0.8. */
export const GATE_DEFAULTS: GateOptions = {
  perClass: 100,
  seed: 0,
  minAccuracy: 0.98,
  minDiversityRatio: 0.8,
  blankStd: 0.05,
  minClassesProduced: Number.POSITIVE_INFINITY,
};

/**
 * What a dataset's gate changes from {@linkcode GATE_DEFAULTS}. CIFAR-10's evaluator itself reads
 * 82.5% of real test images right (MNIST's 99.1%), so a CIFAR-10 generator passes at 50%
 * conditional accuracy (chance is 10%) with all ten classes produced.
 */
export const DATASET_GATES: Readonly<Record<string, Partial<GateOptions>>> = {
  cifar10: { minAccuracy: 0.5 },
};

/** The gate's measurements for one class. */
export interface ClassGate {
  /** Class index. */
  label: number;
  /** Share of its samples classified as it. */
  accuracy: number;
  /** Blank samples. */
  blank: number;
  /** Mean pairwise L2 pixel distance (0..1 scale) of its samples. */
  diversity: number;
  /** The same for real test images of the class. */
  realDiversity: number;
  /** `diversity / realDiversity`. */
  ratio: number;
}

/** What {@linkcode qualityGate} measured and whether the generator passed. */
export interface GateReport {
  /** Samples drawn in all. */
  n: number;
  /** Share of all samples classified as requested. */
  accuracy: number;
  /** Blank samples in all. */
  blank: number;
  /** Lowest per-class diversity ratio. */
  minRatio: number;
  /** Classes the evaluator sees in at least half their fair share of all samples. */
  produced: number;
  /** Per-class numbers. */
  perClass: ClassGate[];
  /** Thresholds used. */
  thresholds: {
    minAccuracy: number;
    minDiversityRatio: number;
    blankStd: number;
    minClassesProduced: number;
  };
  /** Accuracy, blank and diversity checks all passed. */
  passed: boolean;
}

/**
 * Mean Euclidean distance over all pairs of `n` vectors of size `dim`.
 *
 * @param x Row-major `[n, dim]`.
 * @param n Number of vectors (at least 2).
 * @param dim Vector size.
 * @returns The mean pairwise distance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { meanPairwiseDistance } from "@cgan/cgan/internal";
 * // Points (0, 0), (3, 4), (0, 0): distances 5, 0 and 5.
 * const d = meanPairwiseDistance(new Float32Array([0, 0, 3, 4, 0, 0]), 3, 2);
 * assert.ok(Math.abs(d - 10 / 3) < 1e-12);
 * ```
 */
export function meanPairwiseDistance(x: Float32Array, n: number, dim: number): number {
  if (n < 2 || x.length < n * dim) {
    throw new RangeError(
      `Cannot measure pairwise distance: expected at least 2 vectors of ${dim}, found ` +
        `${n} (${x.length} values)`,
    );
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let d = 0;
      for (let k = 0; k < dim; k++) {
        const t = x[i * dim + k]! - x[j * dim + k]!;
        d += t * t;
      }
      sum += Math.sqrt(d);
    }
  }
  return sum / (n * (n - 1) / 2);
}

function pixelStd(x: Float32Array): number {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let s = 0;
  for (const v of x) s += (v - mean) * (v - mean);
  return Math.sqrt(s / x.length);
}

/** Fewest real test images of a class the diversity reference is measured on. */
const MIN_REAL = 20;

/**
 * Real test images of class `c` (the first `count`, or all there are where the test split
 * holds fewer, e.g. the 1,000 CIFAR-10 test images we keep), scaled to 0..1, and how many.
 * The mean pairwise distance does not depend on how many images it averages over.
 */
function realOfClass(
  test: Dataset,
  c: number,
  count: number,
  size: number,
): { images: Float32Array; n: number } {
  const out = new Float32Array(count * size);
  let found = 0;
  for (let i = 0; i < test.labels.length && found < count; i++) {
    if (test.labels[i] !== c) continue;
    for (let k = 0; k < size; k++) out[found * size + k] = test.images[i * size + k]! / 255;
    found++;
  }
  if (found < Math.min(count, MIN_REAL)) {
    throw new RangeError(
      `Cannot measure the diversity of class ${c}: expected at least ${
        Math.min(count, MIN_REAL)
      } real test images of it, found ${found}`,
    );
  }
  return { images: out.subarray(0, found * size), n: found };
}

/**
 * Samples `perClass` images of every class from `gen` and checks them (see the module doc).
 *
 * @param gen A conditional generator `(z, labels) -> images in [-1, 1]`.
 * @param evaluator The trained evaluator classifier of the dataset.
 * @param test Real test images (at least `perClass` of every class).
 * @param options Sizes and thresholds, over {@linkcode GATE_DEFAULTS}.
 * @returns Every measurement and the verdict.
 *
 * @example
 * ```ts ignore
 * import { loadGenerator, loadLayersModel, loadMnist } from "@cgan/cgan";
 * import { qualityGate } from "@cgan/cgan/internal";
 * const gen = await loadGenerator("runs/a");
 * const evaluator = await loadLayersModel("fixtures/evaluators/mnist");
 * const mnistTest = await loadMnist({ split: "test" });
 * const report = await qualityGate(gen, evaluator, mnistTest, { perClass: 100 });
 * console.log(report.accuracy, report.minRatio, report.passed);
 * ```
 */
export async function qualityGate(
  gen: tf.LayersModel,
  evaluator: tf.LayersModel,
  test: Dataset,
  options: Partial<GateOptions> = {},
): Promise<GateReport> {
  const opts = { ...GATE_DEFAULTS, ...options };
  const classes = test.classNames.length;
  const [h, w, c] = test.shape;
  const size = h * w * c;
  const latentDim = gen.inputs[0]!.shape[1] as number;
  const noise = generatorNoise(gen);
  const perClass: ClassGate[] = [];
  const predicted = new Array<number>(classes).fill(0);
  for (let label = 0; label < classes; label++) {
    const images = tf.tidy(() => {
      const z = latentNoise(opts.perClass, latentDim, deriveSeed(opts.seed, label), noise);
      const labels = tf.fill([opts.perClass, 1], label, "int32");
      return gen.predict([z, labels]) as tf.Tensor4D;
    });
    const { probs } = await evaluate(evaluator, images);
    const pixels = Float32Array.from(await images.data(), (v) => (v + 1) / 2);
    images.dispose();
    let correct = 0;
    let blank = 0;
    for (let i = 0; i < opts.perClass; i++) {
      const row = probs.subarray(i * classes, (i + 1) * classes);
      const top = row.indexOf(Math.max(...row));
      predicted[top]!++;
      if (top === label) correct++;
      if (pixelStd(pixels.subarray(i * size, (i + 1) * size)) < opts.blankStd) blank++;
    }
    const diversity = meanPairwiseDistance(pixels, opts.perClass, size);
    const real = realOfClass(test, label, opts.perClass, size);
    const realDiversity = meanPairwiseDistance(real.images, real.n, size);
    perClass.push({
      label,
      accuracy: correct / opts.perClass,
      blank,
      diversity,
      realDiversity,
      ratio: diversity / realDiversity,
    });
  }
  const n = classes * opts.perClass;
  const accuracy = perClass.reduce((a, p) => a + p.accuracy * opts.perClass, 0) / n;
  const blank = perClass.reduce((a, p) => a + p.blank, 0);
  const minRatio = Math.min(...perClass.map((p) => p.ratio));
  const produced = predicted.filter((count) => count >= 0.5 * n / classes).length;
  const minClassesProduced = Math.min(opts.minClassesProduced, classes);
  return {
    n,
    accuracy,
    blank,
    minRatio,
    produced,
    perClass,
    thresholds: {
      minAccuracy: opts.minAccuracy,
      minDiversityRatio: opts.minDiversityRatio,
      blankStd: opts.blankStd,
      minClassesProduced,
    },
    passed: accuracy >= opts.minAccuracy && blank === 0 &&
      minRatio >= opts.minDiversityRatio && produced >= minClassesProduced,
  };
}
