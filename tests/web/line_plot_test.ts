/**
 * The page's line plots (losses, scores): round ticks that cover the data, points inside the
 * plot box, x increasing left to right and y upwards, names escaped, an empty plot says so.
 */
import assert from "node:assert/strict";
import { linePlotSvg, niceTicks } from "../../web/line_plot.ts";

Deno.test("niceTicks() covers the range with round steps", () => {
  for (const [min, max] of [[0.27, 3.64], [12, 4685], [-2.5, 0.1], [0.6931, 0.6932], [7, 7]]) {
    const ticks = niceTicks(min!, max!, 5);
    assert.ok(ticks[0]! <= min! && ticks.at(-1)! >= max!, `${ticks} covers [${min}, ${max}]`);
    assert.ok(ticks.length >= 2 && ticks.length <= 12, `${ticks}`);
    const step = ticks[1]! - ticks[0]!;
    const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
    assert.ok([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6), `step ${step}`);
  }
});

Deno.test("linePlotSvg() maps x to the right and y upwards, inside the plot box", () => {
  const svg = linePlotSvg([
    { name: "D loss", points: [[20, 1.4], [40, 0.6], [60, 0.5]] },
    { name: "G <loss> & co", points: [[20, 0.7], [40, 3.5], [60, 2.4]] },
  ], { width: 400, height: 200, title: "losses", xLabel: "step" });
  const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) =>
    m[1]!.split(" ").map((p) => p.split(",").map(Number))
  );
  assert.equal(lines.length, 2);
  for (const points of lines) {
    for (const [x, y] of points) assert.ok(x! > 0 && x! < 400 && y! > 0 && y! < 200);
    assert.ok(points[0]![0]! < points[1]![0]! && points[1]![0]! < points[2]![0]!);
  }
  // D falls (y grows downwards on screen), G rises then falls.
  assert.ok(lines[0]![0]![1]! < lines[0]![2]![1]!);
  assert.ok(lines[1]![1]![1]! < lines[1]![2]![1]!);
  assert.match(svg, /G &#60;loss&#62; &#38; co/);
  assert.doesNotMatch(svg, /<loss>/);
});

Deno.test("linePlotSvg() of no finite point says there is no data yet", () => {
  const svg = linePlotSvg([{ name: "fid", points: [[1, NaN]] }], { title: "eval.csv: fid" });
  assert.match(svg, /no data yet/);
  assert.doesNotMatch(svg, /<polyline/);
});
