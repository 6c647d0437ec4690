/**
 * A training run in the page, with cgan's own pieces: the config resolved as `deno task train`
 * resolves its flags (`resolveConfig`), the networks and Adam optimizers of `newTrainables`,
 * the seeded batches of `BatchSource`, each step through `runStep` (the training loop's step:
 * `drawStepInputs`, `trainStep`, G's moving average), the losses read at logging points by the
 * loop's `LossLog`, and the grid of `gridInputs` (the one `deno task train` writes to
 * `samples/`). It holds no DOM, so it runs (and is tested) in Deno too; `train.ts` is its panel.
 *
 * The loop yields to the browser after every step (a message-channel turn: no timer clamping),
 * so Pause and the page stay responsive, and stops between steps when paused; time spent paused
 * is left out of the images/s.
 *
 * @module
 */
import * as tf from "../src/_tf.ts";
import { BatchSource } from "../src/data/batches.ts";
import type { Dataset } from "../src/data/dataset.ts";
import { generate } from "../src/models/generator.ts";
import type { LossPoint } from "../src/train/checkpoint.ts";
import { resolveConfig, type TrainConfig } from "../src/train/config.ts";
import { createEma } from "../src/train/ema.ts";
import { LossLog } from "../src/train/loss_log.ts";
import { runStep, type StepPlan, stepPlan } from "../src/train/run_step.ts";
import {
  disposeGridInputs,
  GRID_COLUMNS,
  type GridInputs,
  gridInputs,
} from "../src/train/sample_grid.ts";
import { disposeTrainables, type GanTrainables, newTrainables } from "../src/train/trainables.ts";
import type { Drawing } from "./explore.ts";

/** The settings the panel offers, each the `deno task train` flag of the same name. */
export type SessionSettings = Pick<TrainConfig, "epochs" | "batchSize" | "logEvery" | "seed">;

/** A logging point: the loss means of its interval and what the panel shows beside them. */
export interface LogPoint extends LossPoint {
  /** Training speed over the interval (time paused left out). */
  imagesPerSecond: number;
  /** `tf.memory().numTensors` at the logging point: flat while nothing leaks. */
  tensors: number;
}

/** Where a session is: training, paused between steps, finished, or stopped by a NaN/Inf loss. */
export type SessionState = "running" | "paused" | "done" | "diverged";

/** One message-channel turn of the event loop (timers would be clamped to 4 ms). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * The MLP cGAN of paper 000 (`deno task train`'s default model and settings) training on a
 * dataset in memory, step by step, until paused or done.
 *
 * @example Six steps on a tiny dataset
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "../generator.ts";
 * import { TrainSession } from "./train_session.ts";
 * await initBackend({ requested: "cpu" });
 * const dataset = { name: "toy", images: new Uint8Array(8 * 16).fill(200),
 *   labels: new Uint8Array([0, 1, 0, 1, 0, 1, 0, 1]), shape: [4, 4, 1] as [number, number, number],
 *   classNames: ["a", "b"], source: "memory" };
 * const settings = { epochs: 3, batchSize: 4, logEvery: 5, seed: 0 }; // 2 steps an epoch
 * const session = await TrainSession.start(dataset, settings, { latentDim: 8 });
 * assert.equal(await session.run(), "done");
 * assert.deepEqual(session.log.map((p) => p.step), [2, 4, 5, 6]); // epoch ends, every 5th step
 * const grid = await session.grid();
 * assert.deepEqual([grid.count, grid.cols], [2 * 10, 10]); // a row per class, 10 columns
 * session.dispose();
 * ```
 */
export class TrainSession {
  /** The resolved config, as `config.json` of a CLI run would record it. */
  readonly config: TrainConfig;
  /** Steps in one epoch. */
  readonly stepsPerEpoch: number;
  /** Steps in the session (`epochs` epochs). */
  readonly total: number;
  /** The logging points so far. */
  readonly log: LogPoint[] = [];
  readonly #dataset: Dataset;
  readonly #trainables: GanTrainables;
  readonly #source: BatchSource;
  readonly #plan: StepPlan;
  readonly #losses: LossLog;
  readonly #history: LossPoint[] = [];
  readonly #grid: GridInputs;
  #step = 0;
  #state: SessionState = "paused";
  #pausedAt: number;
  #pausedMs = 0;

  private constructor(dataset: Dataset, config: TrainConfig, trainables: GanTrainables) {
    this.#dataset = dataset;
    this.config = config;
    this.#trainables = trainables;
    this.#source = new BatchSource(dataset, config.batchSize, config.seed);
    this.stepsPerEpoch = this.#source.stepsPerEpoch;
    this.total = config.epochs * this.stepsPerEpoch;
    this.#plan = stepPlan(config, dataset);
    this.#grid = gridInputs(
      dataset.classNames.length,
      GRID_COLUMNS,
      config.latentDim,
      config.seed,
      config.noise,
    );
    this.#pausedAt = performance.now();
    this.#losses = new LossLog(this.#history, {
      stepsPerEpoch: this.stepsPerEpoch,
      total: this.total,
      batchSize: config.batchSize,
      now: () => this.#clock(),
      progress: {
        update: (info) => {
          const point = this.#history.at(-1)!;
          const tensors = tf.memory().numTensors;
          this.log.push({ ...point, imagesPerSecond: info.imagesPerSecond, tensors });
        },
        log: () => {},
        stop: () => {},
      },
      // The page's explorer loads and draws with the same tfjs engine meanwhile, so the count
      // is reported at each logging point (LogPoint.tensors) instead of checked here.
      countTensors: null,
    });
  }

  /**
   * Builds the networks (the MLP cGAN unless `given` says otherwise) and uploads the data.
   *
   * @param dataset The training images and labels.
   * @param settings Epochs, batch size, logging interval and seed.
   * @param given Further config fields, as flags would set them (tests use a small latentDim).
   * @returns A paused session at step 0: call {@linkcode TrainSession.run}.
   */
  static async start(
    dataset: Dataset,
    settings: SessionSettings,
    given: Partial<TrainConfig> = {},
  ): Promise<TrainSession> {
    const config = resolveConfig({
      model: "mlp",
      dataset: "memory",
      ...given,
      ...settings,
    });
    const trainables = newTrainables(config, dataset);
    if (config.emaDecay > 0) trainables.ema = await createEma(trainables.nets.gen);
    return new TrainSession(dataset, config, trainables);
  }

  /** Steps completed. */
  get step(): number {
    return this.#step;
  }

  /** Where the session is. */
  get state(): SessionState {
    return this.#state;
  }

  /** The generator grids and saves show: G's moving average when the config keeps one. */
  get sampler(): tf.LayersModel {
    return this.#trainables.ema ?? this.#trainables.nets.gen;
  }

  /** The dataset's class names. */
  get classNames(): string[] {
    return this.#dataset.classNames;
  }

  /** Milliseconds of training: the clock without the time spent paused. */
  #clock(): number {
    return performance.now() - this.#pausedMs;
  }

  /**
   * Trains until paused, done, or a loss is NaN/Inf, calling `onLog` at each logging point.
   *
   * @param onLog Told each logging point once its losses are read (the panel draws then).
   * @returns Why it stopped.
   */
  async run(onLog: (point: LogPoint) => Promise<void> | void = () => {}): Promise<SessionState> {
    if (this.#state !== "paused") return this.#state;
    this.#pausedMs += performance.now() - this.#pausedAt;
    this.#state = "running";
    const { logEvery } = this.config;
    while (this.#step < this.total && this.#state === "running") {
      this.#losses.push(runStep(this.#trainables, this.#source, this.#plan, this.#step));
      this.#step += 1;
      // The loop's logging points: every logEvery steps, each epoch's end, the last step.
      const logPoint = this.#step % logEvery === 0 || this.#step % this.stepsPerEpoch === 0 ||
        this.#step === this.total;
      if (logPoint) {
        if (!await this.#losses.flush(this.#step, null)) {
          this.#state = "diverged";
          break;
        }
        await onLog(this.log.at(-1)!);
      }
      await yieldToEventLoop();
    }
    if (this.#state === "running") {
      this.#state = this.#step >= this.total ? "done" : "paused";
    }
    if (this.#state === "paused") this.#pausedAt = performance.now();
    return this.#state;
  }

  /** Stops the loop after the step under way ({@linkcode TrainSession.run} then returns). */
  pause(): void {
    if (this.#state !== "running") return;
    this.#state = "paused";
    this.#pausedAt = performance.now();
  }

  /**
   * The run's sample grid now: a row per class, {@linkcode GRID_COLUMNS} columns that each
   * share one z (the grid `deno task train` writes to `samples/` for the same seed), drawn by
   * the sampler in inference mode.
   *
   * @returns The images, laid out row by row.
   */
  async grid(): Promise<Drawing> {
    const images = generate(this.sampler, this.#grid.z, this.#grid.labels);
    const [count, h, w, c] = images.shape;
    const data = await images.data() as Float32Array;
    images.dispose();
    return { images: data, count, cols: this.#grid.perClass, shape: [h, w, c] };
  }

  /** Frees the networks, optimizers, uploaded data and pending losses. */
  dispose(): void {
    this.pause();
    this.#losses.dispose();
    disposeGridInputs(this.#grid);
    this.#source.dispose();
    disposeTrainables(this.#trainables);
  }
}
