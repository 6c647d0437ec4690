/**
 * The loss log of a training run. Each step's D and G losses stay on the device as pending
 * scalars; at a logging point they are read in one transfer, checked for NaN/Inf, averaged
 * into one history point and reported with the throughput; at an epoch's end the epoch's mean
 * losses are logged. The tensor count is checked across logging points: every tensor of a step
 * is disposed, so it must not grow.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import type { LossPoint } from "./checkpoint.ts";
import type { ProgressReporter } from "./progress.ts";
import type { StepLosses } from "./step.ts";

/** What a {@linkcode LossLog} needs besides the history it appends to. */
export interface LossLogOptions {
  /** Steps in one epoch (a history point's epoch is that of its last step). */
  stepsPerEpoch: number;
  /** Total steps of the run, for progress. */
  total: number;
  /** Images per step, for images/s. */
  batchSize: number;
  /** Monotonic clock in milliseconds (e.g. `performance.now`). */
  now: () => number;
  /** Where logging points and the stop line go. */
  progress: ProgressReporter;
  /**
   * Counts the live tensors for the leak check (default: `tf.memory().numTensors`); null turns
   * the check off, for a loop that shares tfjs with other work whose tensors come and go (the
   * page's Train panel beside its explorer, which reports the count instead).
   */
  countTensors?: (() => number) | null;
}

/**
 * The pending losses of the steps since the last logging point, and what a logging point does
 * with them.
 *
 * @example Two steps, one logging point: the history point is their mean
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import { LossLog } from "./loss_log.ts";
 * await tf.setBackend("cpu");
 * const history: { step: number; epoch: number; dLoss: number; gLoss: number }[] = [];
 * const progress = { update: () => {}, log: () => {}, stop: () => {} };
 * const opts = { stepsPerEpoch: 4, total: 8, batchSize: 2, now: () => 0, progress };
 * const log = new LossLog(history, opts);
 * log.push({ dLoss: tf.scalar(1), gLoss: tf.scalar(3) });
 * log.push({ dLoss: tf.scalar(2), gLoss: tf.scalar(5) });
 * if (!await log.flush(2, null)) throw new Error("the losses are finite");
 * if (JSON.stringify(history) !== '[{"step":2,"epoch":0,"dLoss":1.5,"gLoss":4}]') {
 *   throw new Error(`history ${JSON.stringify(history)}`);
 * }
 * ```
 */
export class LossLog {
  readonly #history: LossPoint[];
  readonly #opts: LossLogOptions;
  #pending: StepLosses[] = [];
  #intervalStart: number;
  #baselineTensors = -1;
  #timedImages = 0;
  #timedMs = 0;

  /**
   * Starts the first interval (reads the clock once).
   *
   * @param history The run's loss history, appended to at each logging point.
   * @param opts Epoch length, run length, batch size, clock and progress.
   */
  constructor(history: LossPoint[], opts: LossLogOptions) {
    this.#history = history;
    this.#opts = opts;
    this.#intervalStart = opts.now();
  }

  /**
   * Keeps one step's losses until the next logging point; the log owns their tensors.
   *
   * @param losses The scalars {@linkcode trainStep} returned.
   *
   * @example
   * ```ts
   * import * as tf from "@tensorflow/tfjs-core";
   * import { LossLog } from "./loss_log.ts";
   * await tf.setBackend("cpu");
   * const progress = { update: () => {}, log: () => {}, stop: () => {} };
   * const opts = { stepsPerEpoch: 1, total: 1, batchSize: 1, now: () => 0, progress };
   * const log = new LossLog([], opts);
   * log.push({ dLoss: tf.scalar(0.7) }); // a critic-only step has no G loss
   * log.dispose();
   * ```
   */
  push(losses: StepLosses): void {
    this.#pending.push(losses);
  }

  /**
   * A logging point: reads the pending losses in one transfer, appends their mean to the
   * history and reports progress. Steps that only trained the critic (nCritic > 1) have no G
   * loss; an interval without any G update repeats the last G loss in the history. Then lets
   * signal handlers (Ctrl-C) and timers run.
   *
   * @param step Steps completed (the last pending step's number).
   * @param lastGood The newest checkpoint, named in the stop line.
   * @returns False if a loss is NaN/Inf: the stop line names its step and `lastGood`.
   * @throws {Error} If the tensor count grew since the first logging point (a leak).
   *
   * @example A NaN loss names its step
   * ```ts
   * import * as tf from "@tensorflow/tfjs-core";
   * import { LossLog } from "./loss_log.ts";
   * await tf.setBackend("cpu");
   * const lines: string[] = [];
   * const progress = { update: () => {}, log: (l: string) => lines.push(l), stop: () => {} };
   * const opts = { stepsPerEpoch: 4, total: 4, batchSize: 1, now: () => 0, progress };
   * const log = new LossLog([], opts);
   * log.push({ dLoss: tf.scalar(0.5), gLoss: tf.scalar(0.5) });
   * log.push({ dLoss: tf.scalar(NaN), gLoss: tf.scalar(0.5) });
   * if (await log.flush(2, null)) throw new Error("NaN passed");
   * if (lines[0] !== "Stopping: non-finite D loss (NaN) at step 2; last good checkpoint: none") {
   *   throw new Error(lines[0]);
   * }
   * ```
   */
  async flush(step: number, lastGood: string | null): Promise<boolean> {
    if (this.#pending.length === 0) return true;
    const steps = this.#pending;
    this.#pending = [];
    const scalars = lossScalars(steps);
    const stacked = tf.tidy(() => tf.stack(scalars));
    const values = await stacked.data();
    stacked.dispose();
    tf.dispose(scalars);
    const count = steps.length;
    const firstStep = step - count + 1;
    let [d, g, gCount, at] = [0, 0, 0, 0];
    for (let i = 0; i < count; i++) {
      const dv = values[at++]!;
      const gv = steps[i]!.gLoss === undefined ? undefined : values[at++]!;
      const bad = !Number.isFinite(dv)
        ? `D loss (${dv})`
        : gv !== undefined && !Number.isFinite(gv)
        ? `G loss (${gv})`
        : null;
      if (bad !== null) {
        this.#opts.progress.log(
          `Stopping: non-finite ${bad} at step ${firstStep + i}; ` +
            `last good checkpoint: ${lastGood ?? "none"}`,
        );
        return false;
      }
      d += dv;
      if (gv !== undefined) [g, gCount] = [g + gv, gCount + 1];
    }
    g = gCount > 0 ? g / gCount : this.#history.at(-1)?.gLoss ?? 0;
    d /= count;
    const { stepsPerEpoch, total, batchSize, now, progress } = this.#opts;
    const epoch = Math.floor((step - 1) / stepsPerEpoch);
    this.#history.push({ step, epoch, dLoss: d, gLoss: g });
    const elapsed = now() - this.#intervalStart;
    const ips = (count * batchSize) / Math.max(elapsed, 1e-6) * 1000;
    if (this.#baselineTensors >= 0) {
      this.#timedImages += count * batchSize;
      this.#timedMs += elapsed;
    }
    progress.update({
      step,
      total,
      epoch: epoch + 1,
      epochs: Math.ceil(total / stepsPerEpoch),
      imagesPerSecond: ips,
      dLoss: d,
      gLoss: g,
    });
    // Every tensor of a step is disposed: the count must not grow across logging points.
    const { countTensors = () => tf.memory().numTensors } = this.#opts;
    const tensors = countTensors === null ? 0 : countTensors();
    if (this.#baselineTensors < 0) {
      this.#baselineTensors = tensors;
    } else if (tensors !== this.#baselineTensors) {
      throw new Error(
        `Tensor leak at step ${step}: ${tensors} tensors alive, ` +
          `${this.#baselineTensors} after warm-up`,
      );
    }
    // Let signal handlers (Ctrl-C) and timers run.
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.#intervalStart = now();
    return true;
  }

  /**
   * Logs the mean D and G losses of an epoch's history points (nothing if it has none).
   *
   * @param epoch The epoch (1-based) that just ended.
   *
   * @example
   * ```ts
   * import { LossLog } from "./loss_log.ts";
   * const lines: string[] = [];
   * const progress = { update: () => {}, log: (l: string) => lines.push(l), stop: () => {} };
   * const history = [
   *   { step: 2, epoch: 0, dLoss: 1, gLoss: 2 },
   *   { step: 4, epoch: 0, dLoss: 2, gLoss: 3 },
   * ];
   * const opts = { stepsPerEpoch: 4, total: 8, batchSize: 1, now: () => 0, progress };
   * new LossLog(history, opts).logEpoch(1);
   * if (lines[0] !== "epoch 1: mean D loss 1.5000, G loss 2.5000") throw new Error(lines[0]);
   * ```
   */
  logEpoch(epoch: number): void {
    const points = this.#history.filter((p) => p.epoch === epoch - 1);
    if (points.length === 0) return;
    const mean = (f: (p: LossPoint) => number) =>
      points.reduce((a, p) => a + f(p), 0) / points.length;
    this.#opts.progress.log(
      `epoch ${epoch}: mean D loss ${mean((p) => p.dLoss).toFixed(4)}, G loss ${
        mean((p) => p.gLoss).toFixed(4)
      }`,
    );
  }

  /**
   * Mean images/s over the intervals after the first (which includes warm-up); 0 before.
   *
   * @returns Images per second.
   *
   * @example
   * ```ts
   * import { LossLog } from "./loss_log.ts";
   * const progress = { update: () => {}, log: () => {}, stop: () => {} };
   * const opts = { stepsPerEpoch: 1, total: 1, batchSize: 1, now: () => 0, progress };
   * const log = new LossLog([], opts);
   * if (log.imagesPerSecond() !== 0) throw new Error("no interval was timed yet");
   * ```
   */
  imagesPerSecond(): number {
    return this.#timedMs > 0 ? (this.#timedImages / this.#timedMs) * 1000 : 0;
  }

  /**
   * Disposes the losses still pending (a run that stopped between logging points).
   *
   * @example
   * ```ts
   * import * as tf from "@tensorflow/tfjs-core";
   * import { LossLog } from "./loss_log.ts";
   * await tf.setBackend("cpu");
   * const progress = { update: () => {}, log: () => {}, stop: () => {} };
   * const opts = { stepsPerEpoch: 1, total: 1, batchSize: 1, now: () => 0, progress };
   * const log = new LossLog([], opts);
   * const before = tf.memory().numTensors;
   * log.push({ dLoss: tf.scalar(1), gLoss: tf.scalar(1) });
   * log.dispose();
   * if (tf.memory().numTensors !== before) throw new Error("pending losses leaked");
   * ```
   */
  dispose(): void {
    tf.dispose(lossScalars(this.#pending));
  }
}

function lossScalars(steps: StepLosses[]): tf.Scalar[] {
  return steps.flatMap((l) => l.gLoss === undefined ? [l.dLoss] : [l.dLoss, l.gLoss]);
}
