import assert from "node:assert/strict";
import { sampleParabola, toyFit } from "../../src/data/toy.ts";

Deno.test("sampleParabola() draws x ~ N(0, 1) on y = 10 + x^2, repeatably", () => {
  const n = 20_000;
  const p = sampleParabola(n, 3);
  assert.deepEqual(p, sampleParabola(n, 3));
  assert.notDeepEqual(p.subarray(0, 10), sampleParabola(10, 4));
  let mean = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const x = p[2 * i]!;
    mean += x / n;
    sq += (x * x) / n;
    assert.ok(Math.abs(p[2 * i + 1]! - 10 - x * x) < 1e-4);
  }
  assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
  assert.ok(Math.abs(sq - 1) < 0.05, `E[x^2] ${sq}`);
  assert.throws(() => sampleParabola(0, 0), /expected a positive integer/);
});

Deno.test("toyFit() measures distance to the curve and of the x marginal", () => {
  const real = sampleParabola(2000, 1);
  const exact = toyFit(sampleParabola(2000, 2), real);
  assert.ok(exact.curveError < 1e-4 && exact.xWasserstein < 0.08, JSON.stringify(exact));
  // Lift every point by 1 and shift x by 0.5 (off the curve by |1 - x - 0.25| on average).
  const moved = sampleParabola(2000, 2).map((v, i) => v + (i % 2 === 0 ? 0.5 : 1));
  const off = toyFit(moved, real);
  assert.ok(Math.abs(off.xWasserstein - 0.5) < 0.08, `W1 ${off.xWasserstein}`);
  assert.ok(off.curveError > 0.5, `curve ${off.curveError}`);
  assert.throws(() => toyFit(new Float32Array(3), real), /expected \[n, 2\] points/);
});
