/**
 * Checkpoints: G, D (standard tfjs Layers format), both optimizers and the run state, written
 * atomically. A checkpoint is a directory `checkpoints/step-XXXXXXXX/` that appears in one
 * rename, and `checkpoints/latest.json` (also replaced in one rename) names the newest one, so
 * a crash at any moment leaves the previous checkpoint intact and findable. Each checkpoint
 * records the SHA-256 of every file in it (`checksums.json`); loading checks them, so a file
 * changed on disk is named, with the newest intact checkpoint to go back to. Checkpoints
 * written before checksums were kept load unchecked.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { writeChecksums } from "../io/checksums.ts";
import { loadLayersModel, loadWeights, saveLayersModel, saveWeights } from "../io/layers_io.ts";
import { adamState, createAdam, restoreAdam } from "../backend/optimizer.ts";
import type { GanTrainables } from "./trainables.ts";
import type { AdamConfig } from "../backend/optimizer.ts";
import {
  checkpointsDir,
  EMA_DIR,
  emaDir,
  exists,
  LATEST_FILE,
  latestCheckpoint,
  samplingGeneratorDir,
  STEP_DIR,
  verifyCheckpoint,
} from "../io/run_dir.ts";

export { checkpointsDir, latestCheckpoint, samplingGeneratorDir };
export type { GanTrainables };

/** Loss means over one logging interval. */
export interface LossPoint {
  /** Steps completed at the end of the interval. */
  step: number;
  /** Epoch (0-based) the interval ended in. */
  epoch: number;
  /** Mean D loss over the interval. */
  dLoss: number;
  /** Mean G loss over the interval. */
  gLoss: number;
}

/** Evaluator scores logged during training (`--eval-every`). */
export interface EvalPoint {
  /** Epoch (1-based) at whose end the scores were taken. */
  epoch: number;
  /** Steps completed. */
  step: number;
  /** FID of generated vs real test images (evaluator features). */
  fid: number;
  /** FID of a real train subset vs test: the floor. */
  fidReal: number;
  /** Share of generated images classified as the requested class. */
  accuracy: number;
  /** Inception Score (evaluator) of generated images. */
  is: number;
}

/** Validation scores of an image-to-image run (pix2pix), logged at epoch ends. */
export interface TranslationPoint {
  /** Epoch (1-based) at whose end the scores were taken. */
  epoch: number;
  /** Steps completed. */
  step: number;
  /** Validation pairs scored. */
  n: number;
  /** Mean PSNR (dB) of G's outputs against the targets, on [0, 1]. */
  psnr: number;
  /** Mean SSIM (Gaussian 11x11, sigma 1.5). */
  ssim: number;
  /** Mean absolute error on [0, 1]. */
  l1: number;
}

/** Everything besides weights needed to continue a run exactly. */
export interface RunState {
  /** Steps completed. All randomness derives from (seed, step), so this is the RNG state. */
  step: number;
  /** Loss history so far. */
  history: LossPoint[];
  /** Evaluator scores so far (empty unless `--eval-every` is set). */
  evals?: EvalPoint[];
  /** pix2pix: validation scores so far. */
  translationEvals?: TranslationPoint[];
}

const STATE_FILE = "state.json";

function stepName(step: number): string {
  return `step-${String(step).padStart(8, "0")}`;
}

/**
 * Saves a checkpoint of step `state.step` and points `latest.json` at it; keeps the newest
 * `keep` checkpoints. Saving the same step twice is a no-op.
 *
 * @param runDir The run directory.
 * @param trainables Networks and optimizers.
 * @param state Step and history.
 * @param keep How many checkpoints to keep.
 * @returns The checkpoint's directory.
 *
 * @example
 * ```ts ignore
 * const dir = await saveCheckpoint("runs/a", { nets, optimizers }, { step: 100, history: [] }, 2);
 * ```
 */
export async function saveCheckpoint(
  runDir: string,
  trainables: GanTrainables,
  state: RunState,
  keep: number,
): Promise<string> {
  const root = checkpointsDir(runDir);
  const name = stepName(state.step);
  const dir = `${root}/${name}`;
  if (await exists(dir)) return dir;
  await Deno.mkdir(root, { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: root, prefix: `.${name}.tmp-` });
  try {
    await saveLayersModel(trainables.nets.gen, `${tmp}/gen`);
    await saveLayersModel(trainables.nets.disc, `${tmp}/disc`);
    if (trainables.ema !== undefined) await saveLayersModel(trainables.ema, `${tmp}/${EMA_DIR}`);
    for (const key of ["gen", "disc"] as const) {
      const { tensors, owned } = await adamState(trainables.optimizers[key]);
      try {
        await saveWeights(tmp, `${key}_optimizer`, tensors);
      } finally {
        tf.dispose(owned);
      }
    }
    await Deno.writeTextFile(`${tmp}/${STATE_FILE}`, JSON.stringify(state));
    await writeChecksums(tmp);
    await Deno.rename(tmp, dir);
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
  await writeFileAtomic(
    `${root}/${LATEST_FILE}`,
    JSON.stringify({ checkpoint: name, step: state.step }),
  );
  await prune(root, keep);
  return dir;
}

async function prune(root: string, keep: number): Promise<void> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(root)) {
    if (entry.isDirectory && /^step-\d{8}$/.test(entry.name)) names.push(entry.name);
  }
  names.sort();
  for (const name of names.slice(0, Math.max(0, names.length - keep))) {
    await Deno.remove(`${root}/${name}`, { recursive: true });
  }
}

/**
 * Loads a checkpoint: networks, optimizers with their full state, and the run state. Its files
 * are first checked against the SHA-256s it recorded.
 *
 * @param dir A checkpoint directory (from {@linkcode latestCheckpoint}).
 * @param adam Adam hyperparameters (from the run's config).
 * @param discAdam D's, where they differ (a run with its own `lrD`); default `adam`.
 * @returns Trainables and state, ready to continue.
 * @throws {Error} If a file does not match its checksum, naming it and the newest intact
 *   checkpoint.
 *
 * @example
 * ```ts ignore
 * const { trainables, state } = await loadCheckpoint(dir, { lr: 2e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 });
 * ```
 */
export async function loadCheckpoint(
  dir: string,
  adam: AdamConfig,
  discAdam: AdamConfig = adam,
): Promise<{ trainables: GanTrainables; state: RunState }> {
  await verifyCheckpoint(dir);
  const stateFile = `${dir}/${STATE_FILE}`;
  let state: RunState;
  try {
    state = JSON.parse(await Deno.readTextFile(stateFile));
  } catch (err) {
    throw new Error(`Cannot load checkpoint state "${stateFile}": ${(err as Error).message}`);
  }
  if (!Number.isInteger(state.step) || state.step < 0 || !Array.isArray(state.history)) {
    throw new TypeError(`Cannot load checkpoint state "${stateFile}": expected {step, history}`);
  }
  const gen = await loadLayersModel(`${dir}/gen`);
  const disc = await loadLayersModel(`${dir}/disc`);
  const optimizers = { gen: createAdam(adam), disc: createAdam(discAdam) };
  for (const key of ["gen", "disc"] as const) {
    await restoreAdam(optimizers[key], await loadWeights(dir, `${key}_optimizer`));
  }
  const averaged = await emaDir(dir);
  const ema = averaged === null ? undefined : await loadLayersModel(averaged);
  return { trainables: { nets: { gen, disc }, optimizers, ...(ema ? { ema } : {}) }, state };
}

/**
 * Makes an older checkpoint of a run its latest, so `--resume` continues from it: the newer
 * checkpoints are renamed aside (`set-aside-step-XXXXXXXX`, kept for you to inspect or delete;
 * the run no longer lists or prunes them) and `latest.json` names the chosen one.
 *
 * @param checkpoint A checkpoint directory, `<run>/checkpoints/step-XXXXXXXX`.
 * @returns The run directory and the checkpoints set aside.
 *
 * @example
 * ```ts ignore
 * const { runDir, setAside } = await rewindToCheckpoint("runs/a/checkpoints/step-00000100");
 * ```
 */
export async function rewindToCheckpoint(
  checkpoint: string,
): Promise<{ runDir: string; setAside: string[] }> {
  const trimmed = checkpoint.replace(/\/+$/, "");
  const m = trimmed.match(/^(?:(.*)\/)?checkpoints\/(step-(\d{8}))$/);
  if (m === null || !await exists(`${trimmed}/${STATE_FILE}`)) {
    throw new TypeError(
      `Cannot resume from "${checkpoint}": expected a run's checkpoints/step-XXXXXXXX folder ` +
        `with ${STATE_FILE}`,
    );
  }
  const runDir = m[1] ?? ".";
  const root = checkpointsDir(runDir);
  const step = Number(m[3]);
  const setAside: string[] = [];
  for await (const entry of Deno.readDir(root)) {
    if (entry.isDirectory && STEP_DIR.test(entry.name) && Number(entry.name.slice(5)) > step) {
      let aside = `${root}/set-aside-${entry.name}`;
      for (let n = 2; await exists(aside); n++) aside = `${root}/set-aside-${entry.name}-${n}`;
      await Deno.rename(`${root}/${entry.name}`, aside);
      setAside.push(aside);
    }
  }
  await writeFileAtomic(`${root}/${LATEST_FILE}`, JSON.stringify({ checkpoint: m[2], step }));
  return { runDir, setAside: setAside.sort() };
}
