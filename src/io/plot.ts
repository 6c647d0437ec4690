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
 * import { lossCurveSvg } from "./plot.ts";
 * const svg = await lossCurveSvg([
 *   { name: "D loss", points: [{ step: 1, value: 1.4 }, { step: 2, value: 1.2 }] },
 *   { name: "G loss", points: [{ step: 1, value: 0.7 }, { step: 2, value: 0.9 }] },
 * ], { title: "Losses", xLabel: "step", yLabel: "loss" });
 * console.log(svg.startsWith("<svg")); // true
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
  const [{ compile }, { parse, View }] = await Promise.all([import("vega-lite"), import("vega")]);
  const view = new View(parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
