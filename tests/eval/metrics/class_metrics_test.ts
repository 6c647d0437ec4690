import assert from "node:assert/strict";
import { classCoverage, conditionalAccuracy } from "../../../src/eval/metrics/class_metrics.ts";

// Conditional accuracy

Deno.test("conditionalAccuracy() counts rows whose argmax is the requested label", () => {
  const probs = new Float32Array([
    0.7,
    0.2,
    0.1, // argmax 0
    0.1,
    0.3,
    0.6, // argmax 2
    0.4,
    0.4,
    0.2, // tie: first (0)
    0.2,
    0.5,
    0.3, // argmax 1
  ]);
  const sizes = { n: 4, classes: 3 };
  assert.equal(conditionalAccuracy(probs, new Uint8Array([0, 2, 1, 1]), sizes), 0.75);
  assert.equal(conditionalAccuracy(probs, new Int32Array([0, 2, 0, 1]), sizes), 1);
  assert.equal(conditionalAccuracy(probs, new Int32Array([1, 1, 1, 0]), sizes), 0);
});

Deno.test("conditionalAccuracy() rejects a label count or value that does not fit", () => {
  const probs = new Float32Array(6).fill(0.5);
  assert.throws(
    () => conditionalAccuracy(probs, new Uint8Array(2), { n: 3, classes: 2 }),
    /Cannot compute conditional accuracy: expected 3 requested labels, found 2/,
  );
  assert.throws(
    () => conditionalAccuracy(probs, new Int32Array([0, -1, 0]), { n: 3, classes: 2 }),
    /expected requested labels in \[0, 2\), found -1 at index 1/,
  );
});

// Class coverage

Deno.test("classCoverage() counts the classes a collapsed generator still produces and scores each class", () => {
  // 10 classes requested 10 times each; the evaluator sees only classes 0, 1 and 2 (mode collapse).
  const n = 100;
  const probs = new Float32Array(n * 10);
  const requested = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    requested[i] = i % 10;
    probs[i * 10 + (i % 3)] = 1;
  }
  const collapsed = classCoverage(probs, requested, { n, classes: 10 });
  assert.equal(collapsed.produced, 3);
  assert.deepEqual(collapsed.shares.slice(3), new Array(7).fill(0));
  // Class 0 samples are i = 0, 10, ..., 90: seen as class i % 3, right for i = 0, 30, 60, 90.
  assert.equal(collapsed.perClassAccuracy[0], 0.4);
  assert.equal(collapsed.perClassAccuracy[9], 0);
  // A generator the evaluator always agrees with covers all ten.
  probs.fill(0);
  for (let i = 0; i < n; i++) probs[i * 10 + requested[i]!] = 1;
  const perfect = classCoverage(probs, requested, { n, classes: 10 });
  assert.equal(perfect.produced, 10);
  assert.deepEqual(perfect.perClassAccuracy, new Array(10).fill(1));
});
