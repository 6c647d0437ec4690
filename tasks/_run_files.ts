/**
 * Finding a run's files from a task's flags: the run directory and checkpoint behind a path,
 * JSON files with errors that name them, and repo-relative paths for printing.
 *
 * @module
 */
import process from "node:process";
import cliProgress from "cli-progress";
import { cifar10CacheDir } from "../src/data/cifar10.ts";
import type { Dataset } from "../src/data/dataset.ts";
import { FOLDER_DATASET, loadDataset } from "../src/data/datasets.ts";
import { type FolderLoad, type FolderOptions, holdOut, loadFolder } from "../src/data/folder.ts";
import { latestCheckpoint } from "../src/train/checkpoint.ts";
import type { TrainConfig } from "../src/train/config.ts";

/** `path` relative to the working directory when it lies inside it. */
export function relative(path: string): string {
  const cwd = Deno.cwd() + "/";
  return path.startsWith(cwd) ? path.slice(cwd.length) : path;
}

/** The evaluator's short name from its recorded architecture ("LeNet-5 style: ..." -> "LeNet-5 style"). */
export function evaluatorName(architecture: string | undefined): string {
  return architecture?.split(":")[0]?.trim() || "evaluator";
}

/** Reads and parses a JSON file; the error names the file and what it should hold. */
export async function readJson<T>(file: string, what: string): Promise<T> {
  try {
    return JSON.parse(await Deno.readTextFile(file)) as T;
  } catch (err) {
    throw new Error(`Cannot read ${what} "${file}": ${(err as Error).message}`);
  }
}

/** Finds the run directory and checkpoint of a run directory or a `checkpoints/step-*` path. */
export async function resolveCheckpoint(
  path: string,
  flag: string,
): Promise<{ runDir: string; checkpoint: string }> {
  const trimmed = path.replace(/\/+$/, "");
  const m = trimmed.match(/^(.*)\/checkpoints\/step-\d{8}$/);
  if (m) return { runDir: m[1] === "" ? "." : m[1]!, checkpoint: trimmed };
  const checkpoint = await latestCheckpoint(trimmed);
  if (checkpoint === null) {
    throw new Error(
      `Invalid ${flag} "${path}": expected a run directory with checkpoints/latest.json or a ` +
        `checkpoints/step-XXXXXXXX folder`,
    );
  }
  return { runDir: trimmed, checkpoint };
}

/**
 * Where a task reads data from: `--data-dir` when given, and always the download cache (used by
 * datasets that are downloaded, i.e. CIFAR-10, when no folder is given).
 */
export function dataSource(dataDir: string | undefined): { dataDir?: string; cacheDir?: string } {
  const cacheDir = cifar10CacheDir(Deno.env.toObject());
  return {
    ...(dataDir !== undefined && dataDir !== "" ? { dataDir } : {}),
    ...(cacheDir !== undefined ? { cacheDir } : {}),
  };
}

/** Skipped images listed one per line before the rest are counted. */
const LISTED = 10;

/** The lines a task prints about a folder it read: cache, ignored, converted, skipped files. */
export function folderReportLines(loaded: FolderLoad, seconds: number): string[] {
  const { dataset: ds, report: { cache, ignored, converted, skipped } } = loaded;
  const [h, w, c] = ds.shape;
  const files = (n: number) => `${n} file${n === 1 ? "" : "s"}`;
  const lines = [
    `folder: ${ds.labels.length} images, ${h}x${w}x${c}, ${ds.classNames.length} ` +
    `class${ds.classNames.length === 1 ? "" : "es"} ` +
    `(${ds.classNames.join(", ")}) in ${seconds.toFixed(1)} s; cache ${cache.file} ${cache.note}`,
  ];
  if (ignored.length > 0) {
    lines.push(
      `warning: ignored ${files(ignored.length)} (not PNG/JPEG images in a class folder), ` +
        `e.g. "${ignored[0]}"`,
    );
  }
  if (converted > 0) {
    lines.push(
      `note: converted ${converted} ${c === 3 ? "gray images to RGB" : "colour images to gray"}`,
    );
  }
  for (const bad of skipped.slice(0, LISTED)) {
    lines.push(`warning: skipped (--skip-bad): ${bad.reason}`);
  }
  if (skipped.length > LISTED) {
    lines.push(`warning: skipped ${skipped.length - LISTED} more unreadable images (--skip-bad)`);
  }
  return lines;
}

/**
 * Reads `--dataset folder` for a task: a progress bar on a terminal while images are decoded
 * (a line per quarter otherwise), then what was cached, ignored, converted and skipped.
 */
export async function loadFolderData(opts: Omit<FolderOptions, "onProgress">): Promise<Dataset> {
  const terminal = Deno.stderr.isTerminal() && !Deno.env.get("CI");
  const bar = terminal
    ? new cliProgress.SingleBar({
      stream: process.stderr,
      format: "decoding {bar} {value}/{total} images | ETA {eta}s",
      hideCursor: true,
    }, cliProgress.Presets.shades_classic)
    : null;
  let [started, quarter] = [false, 0];
  const onProgress = (done: number, total: number) => {
    if (bar !== null) {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    } else if (done * 4 >= (quarter + 1) * total) {
      quarter = Math.floor((done * 4) / total);
      console.log(`decoding: ${done}/${total} images`);
    }
  };
  const t0 = performance.now();
  let loaded;
  try {
    loaded = await loadFolder({ ...opts, onProgress });
  } finally {
    if (started) bar?.stop();
  }
  const seconds = (performance.now() - t0) / 1000;
  for (const line of folderReportLines(loaded, seconds)) console.log(line);
  return loaded.dataset;
}

/** What a run's config asks of its folder, as {@linkcode loadFolder} options. */
export function folderOptions(
  config: Pick<
    TrainConfig,
    "dataDir" | "size" | "channels" | "skipBad" | "maxDataMb" | "conditioning"
  >,
): Omit<FolderOptions, "onProgress"> {
  return {
    dataDir: config.dataDir,
    size: config.size,
    channels: config.channels,
    skipBad: config.skipBad,
    flat: config.conditioning === "none",
    maxBytes: config.maxDataMb * 2 ** 20,
  };
}

/** A folder dataset's test split: one image in this many of each class. */
export const HOLD_OUT_EVERY = 10;

/** Where `train-evaluator --dataset folder` puts the folder's evaluator, and `eval` finds it. */
export function folderEvaluatorDir(dataDir: string): string {
  return `${dataDir.replace(/(.)\/+$/, "$1")}/.cgan-evaluator`;
}

/**
 * The train and test splits of a run's data: a built-in dataset's own, or for a folder its
 * held-out tenth of each class as the test split and the rest as the training split.
 */
export async function loadSplits(
  config: Pick<
    TrainConfig,
    "dataset" | "dataDir" | "size" | "channels" | "skipBad" | "maxDataMb" | "conditioning"
  >,
): Promise<{ train: Dataset; test: Dataset }> {
  if (config.dataset === FOLDER_DATASET) {
    const splits = holdOut(await loadFolderData(folderOptions(config)), HOLD_OUT_EVERY);
    console.log(
      `folder splits: test = every ${HOLD_OUT_EVERY}th image of each class ` +
        `(${splits.test.labels.length}), train = the rest (${splits.train.labels.length})`,
    );
    return splits;
  }
  const dir = dataSource(config.dataDir);
  return {
    train: await loadDataset(config.dataset, { split: "train", ...dir }),
    test: await loadDataset(config.dataset, { split: "test", ...dir }),
  };
}
