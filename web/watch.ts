/// <reference lib="dom" />
/**
 * The page's run panel, shown when `deno task serve --run DIR` watches a CLI training run: the
 * run's newest sample grid (`samples/*.png`), its loss curves (`losses.csv`) and scores
 * (`eval.csv`) as plots, its `config.json`, and a sample panel that draws every class from its
 * latest checkpoint's generator (G's average where the run keeps one, as `sample --weights`
 * picks it). It asks the server for the run's state every {@linkcode POLL_MS} ms and redraws
 * what changed, so it follows the run as it writes.
 *
 * For tests it marks the panel: `data-updates` (states shown), `data-grid` (the sample file
 * shown) and `data-grids` (grid images loaded), `data-losses` and `data-evals` (rows plotted),
 * `data-checkpoint` (the checkpoint drawn), `data-samples` (drawings made), `data-error`.
 *
 * @module
 */
import type { LayersModel } from "../src/_tf.ts";
import { loadGenerator } from "../generator.ts";
import { allClasses } from "./explore.ts";
import { linePlotSvg } from "./line_plot.ts";
import { paintDrawing } from "./paint.ts";

/** How often the panel asks for the run's state, in milliseconds. */
export const POLL_MS = 2000;

/** A CSV file of numbers as the server sends it. */
interface Table {
  columns: string[];
  rows: number[][];
}

/** What the server's `run/status.json` says of the run (`RunWatch.status()` and its folder). */
export interface RunStatusJson {
  /** The run directory, as `--run` named it. */
  dir: string;
  /** Its config.json. */
  config: Record<string, unknown>;
  /** losses.csv, or null before the first epoch ends. */
  losses: Table | null;
  /** eval.csv, or null. */
  evals: Table | null;
  /** The newest sample grid under samples/, or null. */
  grid: { name: string; mtime: number } | null;
  /** The latest checkpoint and its sampling generator's folder in the run, or null. */
  checkpoint: { name: string; step: number; generator: string } | null;
}

/** One column of a table against another, as plot points. */
function series(table: Table, x: string, y: string, name = y): {
  name: string;
  points: [number, number][];
} {
  const [i, j] = [table.columns.indexOf(x), table.columns.indexOf(y)];
  return { name, points: table.rows.map((r) => [r[i] ?? NaN, r[j] ?? NaN]) };
}

/**
 * Starts following the server's run, if it has one (the panel stays hidden otherwise).
 *
 * @param opts The panel's element (index.html's `#run-panel`) and the backend's readiness.
 *
 * @example
 * ```ts ignore
 * mountRunPanel({ root: document.getElementById("run-panel")!, backend: ready });
 * ```
 */
export function mountRunPanel(opts: { root: HTMLElement; backend: Promise<string> }): void {
  const { root } = opts;
  const $ = <T extends HTMLElement>(id: string): T => {
    const el = root.querySelector<T>(`#${id}`);
    if (el === null) throw new Error(`Cannot find #${id} in the run panel`);
    return el;
  };
  const bump = (key: string) => root.dataset[key] = `${Number(root.dataset[key] ?? 0) + 1}`;
  const status = (text: string) => $("run-status").textContent = text;
  let shown = "";
  let gen: { checkpoint: string; model: LayersModel; generator: string } | undefined;

  const drawSample = async () => {
    if (gen === undefined) return;
    const seed = Math.max(0, Math.floor(Number($<HTMLInputElement>("run-seed").value) || 0));
    const drawing = await allClasses(gen.model, { seed, n: 8 });
    paintDrawing($<HTMLCanvasElement>("run-sample"), drawing, 360);
    const which = gen.generator.endsWith("gen_ema") ? "G's average" : "G";
    $("run-sample-caption").textContent = `${gen.checkpoint}, ${which} (${gen.generator}): ` +
      `every class, a row each; column j shares one z of seed ${seed}`;
    root.dataset.checkpoint = gen.checkpoint;
    bump("samples");
  };

  /** Loads the latest checkpoint's generator when it changed, then draws from it. */
  const useCheckpoint = async (c: NonNullable<RunStatusJson["checkpoint"]>) => {
    if (gen?.checkpoint === c.name) return;
    await opts.backend;
    const model = await loadGenerator(
      new URL(`run/files/${c.generator}/model.json`, location.href),
    );
    gen?.model.dispose();
    gen = { checkpoint: c.name, model, generator: c.generator };
    await drawSample();
  };

  const show = async (s: RunStatusJson) => {
    $("run-dir").textContent = s.dir;
    $("run-config").textContent = JSON.stringify(s.config, null, 2);
    if (s.grid !== null) {
      const img = $<HTMLImageElement>("run-grid");
      const src = `run/files/samples/${encodeURIComponent(s.grid.name)}?v=${s.grid.mtime}`;
      if (img.getAttribute("src") !== src) {
        await new Promise((resolve, reject) => {
          img.onload = resolve;
          img.onerror = () => reject(new Error(`Cannot load the run's samples/${s.grid!.name}`));
          img.src = src;
        });
        $("run-grid-caption").textContent = `samples/${s.grid.name}: a row per class, each ` +
          `column one fixed z (the run's own grid)`;
        root.dataset.grid = s.grid.name;
        bump("grids");
      }
    }
    const losses = s.losses;
    $("run-losses").innerHTML = linePlotSvg(
      losses === null ? [] : [
        series(losses, "step", "d_loss", "D loss"),
        series(losses, "step", "g_loss", "G loss"),
      ],
      { title: "losses.csv (mean over each logging interval)", xLabel: "step" },
    );
    root.dataset.losses = `${losses?.rows.length ?? 0}`;
    const evals = s.evals;
    const metrics = evals?.columns.filter((c) => c !== "epoch" && c !== "step") ?? [];
    $("run-evals").innerHTML = evals === null
      ? "<p>no eval.csv: the run scores nothing (--eval-every 0)</p>"
      : metrics.map((m) =>
        linePlotSvg([series(evals, "step", m)], {
          title: `eval.csv: ${m}`,
          xLabel: "step",
          width: 300,
          height: 180,
        })
      ).join("");
    root.dataset.evals = `${evals?.rows.length ?? 0}`;
    const c = s.checkpoint;
    status(
      c === null
        ? "no checkpoint yet: the sample panel draws once the run saves one"
        : `latest checkpoint ${c.name} (step ${c.step}); checking for changes every ${
          POLL_MS / 1000
        } s`,
    );
    if (c !== null) await useCheckpoint(c);
  };

  const poll = async () => {
    try {
      const response = await fetch("run/status.json", { cache: "no-store" });
      if (response.status === 404 && shown === "") return; // no --run: the panel stays hidden
      if (!response.ok) throw new Error(await response.text());
      root.hidden = false;
      const text = await response.text();
      if (text !== shown) {
        await show(JSON.parse(text) as RunStatusJson);
        shown = text;
        bump("updates");
      }
      delete root.dataset.error;
    } catch (err) {
      // A checkpoint can be pruned between the state and its files: the next poll retries.
      const message = err instanceof Error ? err.message : String(err);
      root.dataset.error = message;
      status(`error: ${message} (trying again in ${POLL_MS / 1000} s)`);
    }
    setTimeout(poll, POLL_MS);
  };

  $("run-seed").addEventListener("change", () => drawSample().catch((err) => status(`${err}`)));
  poll();
}
