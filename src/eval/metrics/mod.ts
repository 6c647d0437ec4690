/**
 * Sample-quality metrics on host arrays, computed in the feature space of cgan's own
 * evaluator classifier (there are no Inception weights offline, so the numbers are
 * comparable between cgan runs only, not with published Inception-based values), one file
 * per metric family:
 *
 * - `inception_score.ts`: Inception Score (Salimans et al. 2016), over the evaluator's class
 *   probabilities;
 * - `frechet.ts`: Fréchet distance (FID, Heusel et al. 2017) and intra-FID (per class,
 *   Miyato & Koyama 2018), over its penultimate-layer features;
 * - `class_metrics.ts`: conditional accuracy (how often the evaluator agrees with the
 *   requested label) and class coverage;
 * - `precision_recall.ts`: precision and recall of k-NN manifolds (Kynkäänniemi et al. 2019).
 *
 * All inputs are row-major `[N, D]` arrays; all arithmetic is float64. Each function takes
 * its data positionally and its sizes and settings in an options object.
 *
 * @module
 */
export type { HostArray, Labels } from "./_types.ts";
export { inceptionScore, type InceptionScoreOptions, type SplitScore } from "./inception_score.ts";
export {
  DEFAULT_FID_EPS,
  type FeatureStats,
  featureStats,
  type FeatureStatsOptions,
  fid,
  type FidOptions,
  frechetDistance,
  type FrechetOptions,
  type FrechetResult,
  intraFid,
  type IntraFidOptions,
  type IntraFidResult,
  type LabelledFeatures,
} from "./frechet.ts";
export {
  type ClassCoverage,
  classCoverage,
  type ClassMetricOptions,
  conditionalAccuracy,
} from "./class_metrics.ts";
export {
  type PrecisionRecall,
  precisionRecall,
  type PrecisionRecallOptions,
} from "./precision_recall.ts";
