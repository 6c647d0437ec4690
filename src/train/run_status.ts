/**
 * What a training run shows now, read from its directory while it trains (`deno task serve
 * --run`): its `config.json`, `losses.csv` and `eval.csv` as tables, its newest sample grid
 * (`samples/*.png`, by modification time) and its latest checkpoint with the generator a
 * sampler would load from it (G's average, `gen_ema/`, where the run keeps one, else `gen/`;
 * checked against the checkpoint's checksums once, as `sample --weights` checks them).
 *
 * @module
 */
import { generatorDir } from "../models/generator.ts";
import { latestCheckpoint } from "./checkpoint.ts";

/** A CSV file of numbers: its header and its rows. */
export interface NumberTable {
  /** Column names, from the header line. */
  columns: string[];
  /** One array of numbers per line (NaN where a cell is not a number). */
  rows: number[][];
}

/** A run's state, as {@linkcode RunWatch.status} reads it. */
export interface RunStatus {
  /** The run's `config.json`. */
  config: Record<string, unknown>;
  /** `losses.csv` (step, epoch, d_loss, g_loss), or null before the first epoch ends. */
  losses: NumberTable | null;
  /** `eval.csv` (the scores of `--eval-every`), or null when the run has none. */
  evals: NumberTable | null;
  /** The newest sample grid: its name under `samples/` and its modification time. */
  grid: { name: string; mtime: number } | null;
  /** The latest checkpoint and its sampling generator's folder, relative to the run. */
  checkpoint: { name: string; step: number; generator: string } | null;
}

/**
 * Parses a CSV file of numbers with a header line (what a run writes: `losses.csv`,
 * `eval.csv`).
 *
 * @param text The file's text.
 * @returns Its columns and rows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNumberCsv } from "@cgan/cgan/internal";
 * const table = parseNumberCsv("step,epoch,d_loss,g_loss\n50,0,0.49,1.13\n100,0,0.27,3.2\n");
 * assert.deepEqual(table.columns, ["step", "epoch", "d_loss", "g_loss"]);
 * assert.deepEqual(table.rows[1], [100, 0, 0.27, 3.2]);
 * ```
 */
export function parseNumberCsv(text: string): NumberTable {
  const [header = "", ...lines] = text.split("\n").filter((line) => line.trim() !== "");
  return {
    columns: header.split(",").map((c) => c.trim()),
    rows: lines.map((line) => line.split(",").map((cell) => Number(cell))),
  };
}

/** A file's text, or null when it does not exist (yet). */
async function readIfThere(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/**
 * Reads a training run's directory as it changes, remembering which checkpoint's generator it
 * checked so a poll reads checksums only when a new checkpoint appears.
 *
 * @example A run with its config only, before any epoch ended
 * ```ts
 * import assert from "node:assert/strict";
 * import { RunWatch } from "@cgan/cgan/internal";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ model: "mlp" }));
 * const status = await new RunWatch(dir).status();
 * assert.deepEqual(status, { config: { model: "mlp" }, losses: null, evals: null, grid: null, checkpoint: null });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class RunWatch {
  /** The run directory, without a trailing slash. */
  readonly runDir: string;
  #checked: { checkpoint: string; generator: string } | null = null;

  /**
   * Watches `runDir`.
   *
   * @param runDir A run directory (holding `config.json`).
   */
  constructor(runDir: string) {
    this.runDir = runDir.replace(/\/+$/, "");
  }

  /**
   * Reads the run's files now.
   *
   * @returns Its config, tables, newest grid and latest checkpoint.
   * @throws {Error} When `config.json` cannot be read or parsed, or the latest checkpoint's
   *   generator does not match its checksums.
   */
  async status(): Promise<RunStatus> {
    const dir = this.runDir;
    const configText = await readIfThere(`${dir}/config.json`);
    if (configText === null) {
      throw new Error(`Cannot watch run "${dir}": expected ${dir}/config.json, found none`);
    }
    const [losses, evals] = await Promise.all(
      ["losses.csv", "eval.csv"].map(async (name) => {
        const text = await readIfThere(`${dir}/${name}`);
        return text === null ? null : parseNumberCsv(text);
      }),
    );
    return {
      config: JSON.parse(configText),
      losses: losses!,
      evals: evals!,
      grid: await this.#newestGrid(),
      checkpoint: await this.#checkpoint(),
    };
  }

  async #newestGrid(): Promise<RunStatus["grid"]> {
    let newest: RunStatus["grid"] = null;
    try {
      for await (const entry of Deno.readDir(`${this.runDir}/samples`)) {
        // Atomic writes go through hidden temporary files first.
        if (!entry.isFile || entry.name.startsWith(".") || !entry.name.endsWith(".png")) continue;
        const stat = await Deno.stat(`${this.runDir}/samples/${entry.name}`).catch(() => null);
        const mtime = stat?.mtime?.getTime() ?? 0;
        // Grids written within one millisecond: the later name (epoch-002 < final).
        if (
          newest === null || mtime > newest.mtime ||
          (mtime === newest.mtime && entry.name > newest.name)
        ) newest = { name: entry.name, mtime };
      }
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    return newest;
  }

  async #checkpoint(): Promise<RunStatus["checkpoint"]> {
    const checkpoint = await latestCheckpoint(this.runDir);
    if (checkpoint === null) return null;
    if (this.#checked?.checkpoint !== checkpoint) {
      this.#checked = { checkpoint, generator: await generatorDir(checkpoint) };
    }
    const name = checkpoint.slice(checkpoint.lastIndexOf("/") + 1);
    return {
      name,
      step: Number(name.slice("step-".length)),
      generator: this.#checked.generator.slice(this.runDir.length + 1),
    };
  }
}
