import assert from "node:assert/strict";
import { inceptionScore } from "../../../src/eval/metrics/inception_score.ts";
import { close } from "./_helpers.ts";

Deno.test("inceptionScore() of confident, balanced predictions equals the number of classes", () => {
  const classes = 10;
  const n = 1000;
  const probs = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) probs[i * classes + (i % classes)] = 1;
  const { mean, std } = inceptionScore(probs, { n, classes, splits: 10 });
  close(mean, classes, 1e-6);
  close(std, 0, 1e-9);
});

Deno.test("inceptionScore() of uniform predictions is 1", () => {
  const probs = new Float64Array(200 * 4).fill(0.25);
  const { mean, std } = inceptionScore(probs, { n: 200, classes: 4 });
  close(mean, 1, 1e-12);
  close(std, 0, 1e-12);
});

Deno.test("inceptionScore() matches a hand-computed value", () => {
  // Rows [1, 0] and [0.5, 0.5]: p(y) = [0.75, 0.25].
  const kl1 = Math.log(1 / 0.75);
  const kl2 = 0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25);
  const { mean } = inceptionScore(new Float32Array([1, 0, 0.5, 0.5]), {
    n: 2,
    classes: 2,
    splits: 1,
  });
  close(mean, Math.exp((kl1 + kl2) / 2), 1e-12);
});

Deno.test("inceptionScore() reports the population std over consecutive splits", () => {
  // Split 1: confident and balanced (score 2); split 2: uniform (score 1).
  const probs = new Float32Array([1, 0, 0, 1, 0.5, 0.5, 0.5, 0.5]);
  const { mean, std } = inceptionScore(probs, { n: 4, classes: 2, splits: 2 });
  close(mean, 1.5, 1e-12);
  close(std, 0.5, 1e-12);
});

Deno.test("inceptionScore() rejects too few rows, bad rows and bad shapes", () => {
  const probs = new Float32Array(5 * 2).fill(0.5);
  assert.throws(
    () => inceptionScore(probs, { n: 5, classes: 2, splits: 10 }),
    /Cannot compute the Inception Score: expected at least 10 rows \(one per split\), found 5/,
  );
  assert.throws(
    () => inceptionScore(new Float32Array([0.5, 0.5, 0.9, 0.3]), { n: 2, classes: 2, splits: 1 }),
    /expected rows summing to 1, found 1\.\d+ in row 1/,
  );
  assert.throws(
    () => inceptionScore(new Float32Array([1.5, -0.5]), { n: 1, classes: 2, splits: 1 }),
    /expected probabilities >= 0, found -0.5 in row 0/,
  );
  assert.throws(
    () => inceptionScore(probs, { n: 4, classes: 2, splits: 2 }),
    /expected probs to hold 4x2 = 8 values, found 10/,
  );
});
