/**
 * When a run saves a checkpoint, and what it refuses to save: a checkpoint is due at each
 * epoch's end and every `saveEvery` steps, and is written only if every weight of G, D and G's
 * average is finite, so a diverged run's latest checkpoint stays its last good one.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { type GanTrainables, type RunState, saveCheckpoint } from "./checkpoint.ts";
import type { TrainConfig } from "./config.ts";
import type { ProgressReporter } from "./progress.ts";

/** What a {@linkcode CheckpointPolicy} saves, where, and how often. */
export interface CheckpointPolicyOptions {
  /** The run directory. */
  runDir: string;
  /** Networks, optimizers and G's average, saved as they are at each save. */
  trainables: GanTrainables;
  /** The run state (its `step` names the checkpoint). */
  state: RunState;
  /** Steps in one epoch: a checkpoint is due at each epoch's end. */
  stepsPerEpoch: number;
  /**
   * `saveEvery`: a checkpoint is also due every this many steps (0: at epoch ends only);
   * `keepCheckpoints`: how many checkpoints to keep.
   */
  config: Pick<TrainConfig, "saveEvery" | "keepCheckpoints">;
  /** Where the stop line goes when the weights are not finite. */
  progress: ProgressReporter;
  /** The newest checkpoint on disk already (a resumed run's), or null. */
  latest: string | null;
}

/**
 * The run's checkpoints: when one is due, saving it unless a weight is NaN/Inf, and the newest
 * one on disk.
 *
 * @example Weights with a NaN are not saved
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { CheckpointPolicy } from "./checkpoint_policy.ts";
 * await tf.setBackend("cpu");
 * const net = () => tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [1] })] });
 * const [gen, disc] = [net(), net()];
 * gen.layers[0]!.setWeights([tf.tensor2d([[NaN]]), tf.zeros([1])]);
 * const optimizers = { gen: tf.train.adam(), disc: tf.train.adam() };
 * const runDir = await Deno.makeTempDir();
 * const policy = new CheckpointPolicy({
 *   runDir, trainables: { nets: { gen, disc }, optimizers }, state: { step: 1, history: [] },
 *   stepsPerEpoch: 1, config: { saveEvery: 0, keepCheckpoints: 1 },
 *   progress: { update() {}, log() {}, stop() {} },
 *   latest: null,
 * });
 * if (await policy.save() || policy.latest !== null) throw new Error("saved NaN weights");
 * await Deno.remove(runDir, { recursive: true });
 * ```
 */
export class CheckpointPolicy {
  readonly #opts: CheckpointPolicyOptions;
  #latest: string | null;

  /**
   * @param opts What to save, where, how often, and the newest checkpoint already on disk.
   */
  constructor(opts: CheckpointPolicyOptions) {
    this.#opts = opts;
    this.#latest = opts.latest;
  }

  /**
   * The newest checkpoint on disk (null if none was written or found).
   *
   * @returns Its directory, or null.
   */
  get latest(): string | null {
    return this.#latest;
  }

  /**
   * Whether a checkpoint is due after a step: at an epoch's end or every `saveEvery` steps.
   *
   * @param step Steps completed.
   * @returns True if the loop should save now.
   *
   * @example
   * ```ts
   * import * as tf from "@tensorflow/tfjs-core";
   * import * as tfl from "@tensorflow/tfjs-layers";
   * import { CheckpointPolicy } from "./checkpoint_policy.ts";
   * const net = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [1] })] });
   * const adam = tf.train.adam();
   * const policy = new CheckpointPolicy({
   *   runDir: "runs/a",
   *   trainables: { nets: { gen: net, disc: net }, optimizers: { gen: adam, disc: adam } },
   *   state: { step: 0, history: [] },
   *   stepsPerEpoch: 10,
   *   config: { saveEvery: 4, keepCheckpoints: 1 },
   *   progress: { update() {}, log() {}, stop() {} }, latest: null,
   * });
   * if ([3, 4, 8, 10, 11].map((s) => policy.due(s)).join() !== "false,true,true,true,false") {
   *   throw new Error("due at the wrong steps");
   * }
   * net.dispose();
   * adam.dispose();
   * ```
   */
  due(step: number): boolean {
    const { stepsPerEpoch, config: { saveEvery } } = this.#opts;
    return step % stepsPerEpoch === 0 || (saveEvery > 0 && step % saveEvery === 0);
  }

  /**
   * Saves a checkpoint of the current step unless a weight of G, D or G's average is NaN/Inf;
   * then it logs the stop line with the step and the last good checkpoint, which stays the
   * latest.
   *
   * @returns False if the weights were not finite (nothing was written).
   */
  async save(): Promise<boolean> {
    const { runDir, trainables, state, config, progress } = this.#opts;
    const { nets, ema } = trainables;
    const weights = [...nets.gen.weights, ...nets.disc.weights, ...(ema?.weights ?? [])];
    if (!await allFinite(weights.map((w) => w.read()))) {
      progress.log(
        `Stopping: non-finite weights at step ${state.step}; last good checkpoint: ${
          this.#latest ?? "none"
        }`,
      );
      return false;
    }
    this.#latest = await saveCheckpoint(runDir, trainables, state, config.keepCheckpoints);
    return true;
  }
}

async function allFinite(tensors: tf.Tensor[]): Promise<boolean> {
  const ok = tf.tidy(() => tf.all(tf.stack(tensors.map((t) => tf.all(tf.isFinite(t))))));
  const value = (await ok.data())[0];
  ok.dispose();
  return value === 1;
}
