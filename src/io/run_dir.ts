/**
 * The layout of a run directory on disk, and finding its checkpoints: `checkpoints/` holds
 * `step-XXXXXXXX/` folders and `latest.json` naming the newest; a checkpoint keeps G in `gen/`
 * and G's moving average, when the run kept one, in `gen_ema/`. Training writes this layout
 * (`train/checkpoint.ts`); loaders of generators and tasks read it from here, below both.
 *
 * @module
 */

/** A checkpoint's folder of G's moving average. */
export const EMA_DIR = "gen_ema";
/** The file in `checkpoints/` that names the newest checkpoint. */
export const LATEST_FILE = "latest.json";

/**
 * The checkpoints folder of a run directory.
 *
 * @param runDir The run directory.
 * @returns `<runDir>/checkpoints`.
 *
 * @example
 * ```ts
 * import { checkpointsDir } from "./run_dir.ts";
 * console.log(checkpointsDir("runs/a")); // "runs/a/checkpoints"
 * ```
 */
export function checkpointsDir(runDir: string): string {
  return `${runDir}/checkpoints`;
}

/** Whether a path exists (other errors than NotFound propagate). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}

/**
 * Finds the newest checkpoint of a run.
 *
 * @param runDir The run directory.
 * @returns The checkpoint directory, or null when the run has none yet.
 *
 * @example
 * ```ts ignore
 * console.log(await latestCheckpoint("runs/a")); // "runs/a/checkpoints/step-00000938"
 * ```
 */
export async function latestCheckpoint(runDir: string): Promise<string | null> {
  const file = `${checkpointsDir(runDir)}/${LATEST_FILE}`;
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  let latest: { checkpoint?: unknown };
  try {
    latest = JSON.parse(text);
  } catch (err) {
    throw new SyntaxError(`Cannot parse "${file}": ${(err as Error).message}`);
  }
  if (typeof latest.checkpoint !== "string" || !/^step-\d{8}$/.test(latest.checkpoint)) {
    throw new TypeError(`Cannot read "${file}": expected {"checkpoint": "step-XXXXXXXX"}`);
  }
  return `${checkpointsDir(runDir)}/${latest.checkpoint}`;
}

/**
 * The generator of a checkpoint that samples are drawn from: the moving average of G's weights
 * (`gen_ema/`) when the run kept one (`--ema-decay`), else G itself (`gen/`).
 *
 * @param dir A checkpoint directory.
 * @returns The folder holding that generator's `model.json`.
 *
 * @example
 * ```ts ignore
 * const gen = await loadLayersModel(await samplingGeneratorDir("runs/a/checkpoints/step-00000937"));
 * ```
 */
export async function samplingGeneratorDir(dir: string): Promise<string> {
  return await emaDir(dir) ?? `${dir}/gen`;
}

/** A checkpoint's `gen_ema/` (G's moving average), or null when the run kept none. */
export async function emaDir(dir: string): Promise<string | null> {
  const ema = `${dir}/${EMA_DIR}`;
  return await exists(`${ema}/model.json`) ? ema : null;
}
