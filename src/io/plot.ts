/**
 * Line charts as standalone SVG (loss curves), compiled with Vega-Lite and rendered headless
 * by Vega. Both are loaded on the first call (about 0.15 s), not when this module is imported.
 *
 * @module
 */
import type { TopLevelSpec } from "vega-lite";

/** One named line of a chart. */
export interface Series {
  /** Name shown in the legend; unique within a chart. */
  name: string;
  /** Points in any order; a non-finite value (a diverged loss) leaves a gap in the line. */
  points: { step: number; value: number }[];
}

/** Labels of a chart. */
export interface PlotOptions {
  /** Chart title (default none). */
  title?: string;
  /** X axis title (default "step"). */
  xLabel?: string;
  /** Y axis title (default "value"). */
  yLabel?: string;
}

/**
 * Renders series as a line chart in SVG: one colored line per series and a legend naming
 * them. A series without points keeps its legend entry and draws no line.
 *
 * @param series The lines, at least one.
 * @param opts Title and axis labels.
 * @returns The SVG document.
 *
 * @example Plot two loss curves
 * ```ts
 * import assert from "node:assert/strict";
 * import { lossCurveSvg } from "@cgan/cgan/internal";
 * const svg = await lossCurveSvg([
 *   { name: "D loss", points: [{ step: 1, value: 1.4 }, { step: 2, value: 1.2 }] },
 *   { name: "G loss", points: [{ step: 1, value: 0.7 }, { step: 2, value: 0.9 }] },
 * ], { title: "Losses", xLabel: "step", yLabel: "loss" });
 * assert.ok(svg.startsWith("<svg"));
 * ```
 */
export async function lossCurveSvg(series: Series[], opts: PlotOptions = {}): Promise<string> {
  if (series.length === 0) {
    throw new RangeError("Cannot plot a line chart: expected at least one series, found none");
  }
  const names = series.map((s) => s.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) {
    throw new RangeError(
      `Cannot plot a line chart: expected unique series names, found "${duplicate}" twice`,
    );
  }
  const values = series.flatMap((s) =>
    s.points.map((p) => ({
      series: s.name,
      step: p.step,
      value: Number.isFinite(p.value) ? p.value : null,
    }))
  );
  const spec: TopLevelSpec = {
    width: 560,
    height: 300,
    background: "white",
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    data: { values },
    mark: { type: "line", strokeWidth: 1.5 },
    encoding: {
      x: { field: "step", type: "quantitative", title: opts.xLabel ?? "step" },
      y: {
        field: "value",
        type: "quantitative",
        title: opts.yLabel ?? "value",
        scale: { zero: false },
      },
      color: {
        field: "series",
        type: "nominal",
        scale: { domain: names },
        legend: { title: null },
      },
    },
  };
  return await renderSvg(spec);
}

/** Input of {@linkcode toyPlotSvg}. */
export interface ToyPlot {
  /** Real points, row-major `[n, 2]`. */
  real: Float32Array;
  /** Generated points, row-major `[m, 2]`. */
  fake: Float32Array;
  /** D's probability "real" on a grid: `probs[j * xs.length + i]` is at `(xs[i], ys[j])`. */
  field: { xs: number[]; ys: number[]; probs: Float32Array };
}

/**
 * Renders the 1-D toy's state as an SVG: D's probability of "real" as a heatmap over the plane,
 * with real points (grey) and generated points (orange) on top.
 *
 * @param plot Points and D's field.
 * @param opts Chart title.
 * @returns The SVG document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toyPlotSvg } from "@cgan/cgan/internal";
 * const svg = await toyPlotSvg({
 *   real: new Float32Array([0, 10, 1, 11]),
 *   fake: new Float32Array([0.5, 12]),
 *   field: { xs: [0, 1], ys: [10, 12], probs: new Float32Array([0.9, 0.1, 0.5, 0.5]) },
 * }, { title: "epoch 1" });
 * assert.ok(svg.startsWith("<svg"));
 * ```
 */
export async function toyPlotSvg(plot: ToyPlot, opts: { title?: string } = {}): Promise<string> {
  const { xs, ys, probs } = plot.field;
  if (probs.length !== xs.length * ys.length || xs.length < 2 || ys.length < 2) {
    throw new RangeError(
      `Cannot plot the toy field: expected ${xs.length} x ${ys.length} (at least 2 x 2) ` +
        `probabilities, found ${probs.length}`,
    );
  }
  const dx = (xs[1]! - xs[0]!) / 2;
  const dy = (ys[1]! - ys[0]!) / 2;
  const cells = ys.flatMap((y, j) =>
    xs.map((x, i) => ({
      x0: x - dx,
      x1: x + dx,
      y0: y - dy,
      y1: y + dy,
      p: probs[j * xs.length + i],
    }))
  );
  const points = (data: Float32Array, kind: string) =>
    Array.from(
      { length: data.length / 2 },
      (_, i) => ({ x: data[2 * i], y: data[2 * i + 1], kind }),
    );
  const xDomain = [xs[0]! - dx, xs.at(-1)! + dx];
  const yDomain = [ys[0]! - dy, ys.at(-1)! + dy];
  const spec: TopLevelSpec = {
    width: 420,
    height: 320,
    background: "white",
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    layer: [
      {
        data: { values: cells },
        mark: { type: "rect" },
        encoding: {
          x: { field: "x0", type: "quantitative", scale: { domain: xDomain }, title: "x" },
          x2: { field: "x1" },
          y: { field: "y0", type: "quantitative", scale: { domain: yDomain }, title: "y" },
          y2: { field: "y1" },
          color: {
            field: "p",
            type: "quantitative",
            scale: { domain: [0, 1], scheme: "blues" },
            title: "D(real)",
          },
        },
      },
      {
        data: { values: [...points(plot.real, "real"), ...points(plot.fake, "generated")] },
        mark: { type: "circle", size: 8, clip: true },
        encoding: {
          x: { field: "x", type: "quantitative" },
          y: { field: "y", type: "quantitative" },
          fill: {
            field: "kind",
            type: "nominal",
            scale: { domain: ["real", "generated"], range: ["#444444", "#ff7f0e"] },
            legend: { title: null },
          },
          opacity: { value: 0.6 },
        },
      },
    ],
  };
  return await renderSvg(spec);
}

/** Compiles a Vega-Lite spec and renders it headless to an SVG document. */
async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [{ compile }, { parse, View }] = await Promise.all([import("vega-lite"), import("vega")]);
  const view = new View(parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
