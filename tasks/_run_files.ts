/**
 * Finding a run's files from a task's flags: the run directory and checkpoint behind a path,
 * JSON files with errors that name them, and repo-relative paths for printing.
 *
 * @module
 */
import { cifar10CacheDir } from "../src/data/cifar10.ts";
import { latestCheckpoint } from "../src/train/checkpoint.ts";

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
