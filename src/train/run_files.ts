/**
 * The files a training run writes besides checkpoints: sample grids (`samples/<name>.png`) and
 * the loss files (`losses.csv`, `losses.json`, `losses.svg`), and the list of every output for
 * the listing at the run's end. The grid is drawn from fixed inputs, so grids of successive
 * epochs are comparable: for a class-conditional G one row per class and one column per fixed
 * noise vector, for an image-to-image G (pix2pix) one row per fixed pair.
 *
 * @module
 */
import type * as tf from "../_tf.ts";
import type { Dataset } from "../data/dataset.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { lossCurveSvg } from "../io/plot.ts";
import { deriveSeed, STREAM } from "../rng.ts";
import type { LossPoint } from "./checkpoint.ts";
import type { TrainConfig } from "./config.ts";
import {
  classGridPng,
  disposeGridInputs,
  GRID_COLUMNS,
  type GridInputs,
  gridInputs,
  pairGridPng,
} from "./sample_grid.ts";

/** Rows (fixed pairs) of pix2pix's sample grid. */
const GRID_PAIRS = 6;

/** What the sample grid shows. */
export interface GridSpec {
  /** The run's noise (size and kind of z) and seed, from which the grid's inputs derive. */
  config: Pick<TrainConfig, "latentDim" | "noise" | "seed">;
  /**
   * The training data. Class-conditional: one row per class, the same noise in every row.
   * Paired (pix2pix): condition | output | target for the first pairs.
   */
  train: Dataset;
  /** Paired data's validation pairs: the grid's pairs when given. */
  validation?: Dataset | undefined;
}

/**
 * The run's grids and loss files, and the set of outputs written so far.
 *
 * @example Write a class grid and the loss files, then list them
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { RunFiles } from "./run_files.ts";
 * await tf.setBackend("cpu");
 * const z = tfl.input({ shape: [4] });
 * const labels = tfl.input({ shape: [1] });
 * const image = tfl.layers.reshape({ targetShape: [2, 2, 1] }).apply(
 *   tfl.layers.dense({ units: 4 }).apply(tfl.layers.concatenate().apply([z, labels])),
 * ) as tfl.SymbolicTensor;
 * const gen = tfl.model({ inputs: [z, labels], outputs: image });
 * const runDir = await Deno.makeTempDir();
 * const files = new RunFiles(runDir, gen, {
 *   config: { latentDim: 4, noise: "normal", seed: 0 },
 *   train: { name: "toy", images: new Uint8Array(8), labels: new Uint8Array([0, 1]),
 *     shape: [2, 2, 1], classNames: ["a", "b"], source: "memory" },
 * });
 * await files.writeGrid("epoch-000");
 * await files.writeLosses([{ step: 1, epoch: 0, dLoss: 1.4, gLoss: 0.7 }]);
 * assert.deepEqual(files.list(null).map((f) => f.slice(runDir.length + 1)), [
 *   "samples/epoch-000.png", "losses.svg", "losses.csv", "losses.json",
 * ]);
 * files.dispose();
 * gen.dispose();
 * await Deno.remove(runDir, { recursive: true });
 * ```
 */
export class RunFiles {
  readonly #runDir: string;
  readonly #sampler: tf.LayersModel;
  readonly #grid: { inputs: GridInputs } | { pairs: Dataset; seed: number };
  readonly #outputs = new Set<string>();

  /**
   * Makes the grid's fixed inputs (the noise of a class grid is drawn here, from the seed).
   *
   * @param runDir The run directory.
   * @param sampler The G the grids show (G's average when there is one).
   * @param grid What the grid shows.
   */
  constructor(runDir: string, sampler: tf.LayersModel, grid: GridSpec) {
    this.#runDir = runDir;
    this.#sampler = sampler;
    const { latentDim, noise, seed } = grid.config;
    const { train } = grid;
    this.#grid = train.conditions !== undefined
      ? { pairs: grid.validation ?? train, seed: deriveSeed(seed, STREAM.gridNoise) }
      : { inputs: gridInputs(train.classNames.length, GRID_COLUMNS, latentDim, seed, noise) };
  }

  /**
   * Writes the sample grid `samples/<name>.png`.
   *
   * @param name The file's name without `.png` (e.g. `epoch-003`, `final`).
   */
  async writeGrid(name: string): Promise<void> {
    const file = `${this.#runDir}/samples/${name}.png`;
    await Deno.mkdir(`${this.#runDir}/samples`, { recursive: true });
    const grid = this.#grid;
    const png = "pairs" in grid
      ? await pairGridPng(this.#sampler, grid.pairs, { rows: GRID_PAIRS, seed: grid.seed })
      : await classGridPng(this.#sampler, grid.inputs);
    await writeFileAtomic(file, png);
    this.#outputs.add(file);
  }

  /**
   * Writes `losses.csv`, `losses.json` and the plot `losses.svg` of the loss history.
   *
   * @param history The run's loss history.
   */
  async writeLosses(history: LossPoint[]): Promise<void> {
    const dir = this.#runDir;
    const csv = [
      "step,epoch,d_loss,g_loss",
      ...history.map((p) => `${p.step},${p.epoch},${p.dLoss},${p.gLoss}`),
    ];
    await writeFileAtomic(`${dir}/losses.csv`, csv.join("\n") + "\n");
    await writeFileAtomic(`${dir}/losses.json`, JSON.stringify(history));
    const svg = await lossCurveSvg([
      { name: "D loss", points: history.map((p) => ({ step: p.step, value: p.dLoss })) },
      { name: "G loss", points: history.map((p) => ({ step: p.step, value: p.gLoss })) },
    ], { title: "Training losses", xLabel: "step", yLabel: "loss" });
    await writeFileAtomic(`${dir}/losses.svg`, svg);
    for (const name of ["losses.svg", "losses.csv", "losses.json"]) {
      this.#outputs.add(`${dir}/${name}`);
    }
  }

  /**
   * Adds a file written elsewhere (e.g. `eval.csv`) to the outputs.
   *
   * @param file Its path.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import * as tf from "@tensorflow/tfjs-core";
   * import * as tfl from "@tensorflow/tfjs-layers";
   * import { RunFiles } from "./run_files.ts";
   * const gen = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [1] })] });
   * const train = { name: "toy", images: new Uint8Array(1), conditions: new Uint8Array(1),
   *   labels: new Uint8Array(1), shape: [1, 1, 1] as [number, number, number], classNames: [],
   *   source: "memory" };
   * const config = { latentDim: 1, noise: "normal", seed: 0 } as const;
   * const files = new RunFiles("runs/a", gen, { config, train });
   * files.add("runs/a/eval.csv");
   * files.add("runs/a/eval.csv");
   * assert.deepEqual(files.list("runs/a/checkpoints/step-00000004"), [
   *   "runs/a/eval.csv", "runs/a/checkpoints/step-00000004",
   * ]);
   * gen.dispose();
   * ```
   */
  add(file: string): void {
    this.#outputs.add(file);
  }

  /**
   * Every output, in the order first written, then the newest checkpoint.
   *
   * @param checkpoint The newest checkpoint, or null if none was written.
   * @returns Paths for the listing at the run's end.
   */
  list(checkpoint: string | null): string[] {
    return [...this.#outputs, ...(checkpoint === null ? [] : [checkpoint])];
  }

  /**
   * Releases the class grid's fixed inputs.
   */
  dispose(): void {
    if ("inputs" in this.#grid) disposeGridInputs(this.#grid.inputs);
  }
}
