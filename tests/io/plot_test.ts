import assert from "node:assert/strict";
import { lossCurveSvg } from "../../src/io/plot.ts";

const LINE_PATH = /<path[^>]*aria-roledescription="line mark"[^>]*>/g;

function points(values: number[]): { step: number; value: number }[] {
  return values.map((value, i) => ({ step: (i + 1) * 10, value }));
}

Deno.test("lossCurveSvg() draws one line per series with a legend of their names", async () => {
  const svg = await lossCurveSvg([
    { name: "D loss", points: points([1.4, 1.2, 1.3]) },
    { name: "G loss", points: points([0.7, 0.9, 1.1]) },
    { name: "GP <x&y>", points: points([0.1, 0.05, 0.02]) },
  ], { title: "Training losses", xLabel: "step", yLabel: "loss" });
  assert.ok(svg.startsWith("<svg"));
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  assert.equal(svg.match(LINE_PATH)?.length, 3);
  const legend = svg.slice(svg.indexOf("role-legend"));
  for (const name of ["D loss", "G loss", "GP &lt;x&amp;y&gt;"]) {
    assert.ok(legend.includes(`>${name}</text>`), name);
  }
  assert.ok(svg.includes(">Training losses</text>"));
  assert.ok(svg.includes(">loss</text>"));
  // Distinct colors for the lines.
  const strokes = [...svg.matchAll(LINE_PATH)].map((m) => /stroke="([^"]+)"/.exec(m[0])?.[1]);
  assert.equal(new Set(strokes).size, 3);
});

Deno.test("lossCurveSvg() keeps legend entries for series without points", async () => {
  const svg = await lossCurveSvg([{ name: "D loss", points: [] }, { name: "G loss", points: [] }]);
  assert.ok(svg.startsWith("<svg"));
  assert.equal(svg.match(LINE_PATH)?.length ?? 0, 0);
  assert.ok(svg.includes(">D loss</text>") && svg.includes(">G loss</text>"));
});

Deno.test("lossCurveSvg() breaks the line at non-finite values", async () => {
  const svg = await lossCurveSvg([{ name: "D loss", points: points([1, Infinity, NaN, 2]) }]);
  const d = /d="([^"]+)"/.exec(svg.match(LINE_PATH)?.[0] ?? "")?.[1] ?? "";
  // The line breaks at the gap: two segments, each a plain point, spanning the full plot.
  assert.equal(d.match(/M/g)?.length, 2, d);
  assert.ok(/^(M[\d.,-]+(L[\d.,-]+)*Z?)+$/.test(d), d);
  assert.ok(!d.includes("NaN") && !d.includes("Infinity"));
});

Deno.test("lossCurveSvg() rejects an empty series list and duplicate names", async () => {
  await assert.rejects(lossCurveSvg([]), {
    name: "RangeError",
    message: "Cannot plot a line chart: expected at least one series, found none",
  });
  await assert.rejects(
    lossCurveSvg([{ name: "a", points: [] }, { name: "a", points: [] }]),
    /expected unique series names, found "a" twice/,
  );
});
