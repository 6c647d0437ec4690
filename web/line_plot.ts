/**
 * A small line plot as SVG text, for the page's loss and score curves: axes with round tick
 * values, one polyline per series, a legend. No DOM and no plotting library (the run's own
 * `losses.svg` comes from vega, which the page leaves out), so it runs and is tested in Deno.
 *
 * @module
 */

/** One curve: `[x, y]` points in x order; points with a non-finite value are left out. */
export interface PlotSeries {
  /** Its name in the legend. */
  name: string;
  /** The points. */
  points: [number, number][];
}

/** Size and labels of a plot. */
export interface LinePlotOptions {
  /** Width in pixels (default 480). */
  width?: number;
  /** Height in pixels (default 240). */
  height?: number;
  /** Title above the plot. */
  title?: string;
  /** Label of the x axis. */
  xLabel?: string;
}

/** Series colours, in order (the D loss, then the G loss, ...). */
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];
const MARGIN = { left: 52, right: 12, top: 28, bottom: 34 };

/** `text` safe inside SVG text and attributes. */
function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Round tick values covering `[min, max]`: multiples of 1, 2 or 5 times a power of ten, about
 * `count` of them.
 *
 * @param min The smallest value.
 * @param max The largest value.
 * @param count About how many ticks.
 * @returns The ticks, ascending, from at most `min` to at least `max`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { niceTicks } from "./line_plot.ts";
 * assert.deepEqual(niceTicks(0.3, 3.6, 4), [0, 1, 2, 3, 4]);
 * assert.deepEqual(niceTicks(5, 5, 4), [4.5, 5, 5.5]);
 * ```
 */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (max - min < 1e-12) {
    [min, max] = [min - Math.abs(min || 1) * 0.1, max + Math.abs(max || 1) * 0.1];
  }
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  // Rounded to the step's decimals, so 0.1 * 3 shows as 0.3.
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return Array.from(
    { length: last - first + 1 },
    (_, i) => Number(((first + i) * step).toFixed(digits)),
  );
}

/** A tick label: short, without float noise. */
function label(v: number): string {
  return Math.abs(v) >= 1e4 ? v.toExponential(1) : `${Number(v.toPrecision(4))}`;
}

/**
 * Draws series as lines in one plot.
 *
 * @param series The curves; each polyline carries `data-series` (its name) and `data-points`
 *   (how many points it drew).
 * @param opts Size, title and x label.
 * @returns The SVG element's text.
 *
 * @example Two curves
 * ```ts
 * import assert from "node:assert/strict";
 * import { linePlotSvg } from "./line_plot.ts";
 * const svg = linePlotSvg([
 *   { name: "D loss", points: [[20, 1.2], [40, 0.6], [60, 0.5]] },
 *   { name: "G loss", points: [[20, 0.8], [40, 2.1], [60, NaN]] },
 * ], { title: "losses", xLabel: "step" });
 * assert.match(svg, /^<svg /);
 * assert.match(svg, /data-series="D loss" data-points="3"/);
 * assert.match(svg, /data-series="G loss" data-points="2"/); // NaN is left out
 * ```
 */
export function linePlotSvg(series: PlotSeries[], opts: LinePlotOptions = {}): string {
  const width = opts.width ?? 480;
  const height = opts.height ?? 240;
  const clean = series.map((s) => ({
    name: s.name,
    points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)),
  }));
  const all = clean.flatMap((s) => s.points);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  ];
  if (opts.title !== undefined) {
    parts.push(`<text x="${MARGIN.left}" y="16" font-size="13">${escape(opts.title)}</text>`);
  }
  if (all.length === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle">no data yet</text>`);
    return parts.join("") + "</svg>";
  }
  const xTicks = niceTicks(Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0])), 6);
  const yTicks = niceTicks(Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1])), 5);
  const [x0, x1] = [xTicks[0]!, xTicks.at(-1)!];
  const [y0, y1] = [yTicks[0]!, yTicks.at(-1)!];
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => (MARGIN.left + (x - x0) / (x1 - x0) * plotW).toFixed(1);
  const py = (y: number) => (MARGIN.top + (1 - (y - y0) / (y1 - y0)) * plotH).toFixed(1);
  const bottom = MARGIN.top + plotH;
  for (const t of yTicks) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${py(t)}" y2="${py(t)}" ` +
        `stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 4}" y="${py(t)}" dy="0.35em" text-anchor="end">${label(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    parts.push(
      `<line x1="${px(t)}" x2="${px(t)}" y1="${bottom}" y2="${bottom + 4}" stroke="#555"/>`,
      `<text x="${px(t)}" y="${bottom + 15}" text-anchor="middle">${label(t)}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" ` +
      `fill="none" stroke="#555"/>`,
  );
  if (opts.xLabel !== undefined) {
    parts.push(
      `<text x="${MARGIN.left + plotW / 2}" y="${height - 4}" text-anchor="middle">` +
        `${escape(opts.xLabel)}</text>`,
    );
  }
  clean.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const points = s.points.map(([x, y]) => `${px(x)},${py(y)}`).join(" ");
    parts.push(
      `<polyline data-series="${escape(s.name)}" data-points="${s.points.length}" ` +
        `points="${points}" fill="none" stroke="${color}" stroke-width="1.5"/>`,
      `<text x="${width - MARGIN.right - 4}" y="${MARGIN.top + 14 + 14 * i}" ` +
        `text-anchor="end" fill="${color}">${escape(s.name)}</text>`,
    );
  });
  return parts.join("") + "</svg>";
}
