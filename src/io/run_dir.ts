/**
 * The layout of a run directory on disk, and finding its checkpoints: `checkpoints/` holds
 * `step-XXXXXXXX/` folders and `latest.json` naming the newest; a checkpoint keeps G in `gen/`
 * and G's moving average, when the run kept one, in `gen_ema/`. Training writes this layout
 * (`train/checkpoint.ts`); loaders of generators and tasks read it from here, below both.
 *
 * @module
 */
import { basename, dirname } from "node:path";
import { CHECKSUMS_FILE, verifyChecksums } from "./checksums.ts";

/** A checkpoint's folder of G's moving average. */
export const EMA_DIR = "gen_ema";
/** A checkpoint's folder name: `step-` and the step, 8 digits. */
export const STEP_DIR = /^step-\d{8}$/;
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
 * import assert from "node:assert/strict";
 * import { checkpointsDir } from "@cgan/cgan/internal";
 * assert.equal(checkpointsDir("runs/a"), "runs/a/checkpoints");
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
 * import { latestCheckpoint } from "@cgan/cgan/internal";
 * const dir = await latestCheckpoint("runs/a"); // e.g. "runs/a/checkpoints/step-00000938"
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

/**
 * Checks a checkpoint's files against the SHA-256s it recorded when it was written
 * (`checksums.json`); a checkpoint written before checksums were kept passes unchecked.
 *
 * @param dir A checkpoint directory (`<run>/checkpoints/step-XXXXXXXX`).
 * @param opts `under`: check only the files under this folder of it (e.g. `"gen/"`).
 * @returns Resolves when the files match.
 * @throws {Error} Naming the first corrupted or missing file and the newest other checkpoint
 *   of the run whose files are intact, to resume from.
 *
 * @example
 * ```ts ignore
 * await verifyCheckpoint("runs/a/checkpoints/step-00000938");
 * ```
 */
export async function verifyCheckpoint(dir: string, opts: { under?: string } = {}): Promise<void> {
  const bad = await verifyChecksums(dir, opts);
  if (bad === null || bad.length === 0) return;
  const [first] = bad;
  const what = first!.found === "missing"
    ? `"${first!.path}" is missing`
    : `"${first!.path}" is corrupted (SHA-256 ${first!.found.slice(0, 12)}..., expected ` +
      `${first!.expected.slice(0, 12)}... from ${CHECKSUMS_FILE})`;
  const more = bad.length > 1 ? ` and ${bad.length - 1} more file(s)` : "";
  const intact = await newestIntactCheckpoint(dirname(dir), basename(dir));
  const advice = intact === null
    ? `no other intact checkpoint is left in "${dirname(dir)}"`
    : `newest intact checkpoint: "${intact}" (train --resume ${intact} continues from it)`;
  throw new Error(`Cannot load checkpoint "${dir}": ${what}${more}; ${advice}`);
}

/**
 * The newest checkpoint in a checkpoints folder whose files match their checksums (or that
 * predates checksums), other than `skip`.
 *
 * @param root A run's `checkpoints/` folder.
 * @param skip A checkpoint's folder name to leave out (the corrupted one).
 * @returns Its directory, or null when there is none.
 */
export async function newestIntactCheckpoint(root: string, skip = ""): Promise<string | null> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(root)) {
    if (entry.isDirectory && STEP_DIR.test(entry.name) && entry.name !== skip) {
      names.push(entry.name);
    }
  }
  for (const name of names.sort().reverse()) {
    // An unreadable manifest counts as corrupted.
    const bad = await verifyChecksums(`${root}/${name}`).catch(() => undefined);
    if (bad === null || bad?.length === 0) return `${root}/${name}`;
  }
  return null;
}
