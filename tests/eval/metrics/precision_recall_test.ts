import assert from "node:assert/strict";
import { precisionRecall } from "../../../src/eval/metrics/precision_recall.ts";
import { gaussianFeatures } from "./_helpers.ts";

/** Reference implementation: all pairwise distances, no tiling. */
function naivePrecisionRecall(
  real: Float32Array,
  fake: Float32Array,
  dim: number,
  k: number,
): { precision: number; recall: number } {
  const nReal = real.length / dim;
  const nFake = fake.length / dim;
  const d2 = (x: Float32Array, i: number, y: Float32Array, j: number) => {
    let s = 0;
    for (let t = 0; t < dim; t++) s += (x[i * dim + t]! - y[j * dim + t]!) ** 2;
    return s;
  };
  const radii = (x: Float32Array, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const ds = Array.from({ length: n }, (_, j) => d2(x, i, x, j)).filter((_, j) => j !== i);
      return ds.sort((p, q) => p - q)[k - 1]!;
    });
  const rReal = radii(real, nReal);
  const rFake = radii(fake, nFake);
  let precision = 0;
  for (let j = 0; j < nFake; j++) {
    if (rReal.some((r, i) => d2(real, i, fake, j) <= r)) precision++;
  }
  let recall = 0;
  for (let i = 0; i < nReal; i++) {
    if (rFake.some((r, j) => d2(real, i, fake, j) <= r)) recall++;
  }
  return { precision: precision / nFake, recall: recall / nReal };
}

Deno.test("precisionRecall() is 1 for identical sets", () => {
  const x = gaussianFeatures(101, 6, 21);
  assert.deepEqual(precisionRecall(x, x, { nReal: 101, nFake: 101, dim: 6 }), {
    precision: 1,
    recall: 1,
  });
});

Deno.test("precisionRecall() is 0 for far-apart sets", () => {
  const x = gaussianFeatures(50, 6, 22);
  const y = gaussianFeatures(70, 6, 23, 100);
  assert.deepEqual(precisionRecall(x, y, { nReal: 50, nFake: 70, dim: 6 }), {
    precision: 0,
    recall: 0,
  });
});

Deno.test("precisionRecall() matches a hand-checked 2-D case, boundary inside", () => {
  // k = 1. Real x: 0, 1, 5, 7 (squared radii 1, 1, 4, 4). Fake x: 0.5, 3, 10, 2.5.
  // Precision: 0.5 (in ball of 0), 3 (on the boundary of 5's ball) -> 2/4.
  // Fake squared radii: 0.5 -> 4, 3 -> 0.25, 10 -> 49, 2.5 -> 0.25; every real point is
  // inside the ball of 0.5 or of 10 -> recall 1.
  const real = new Float32Array([0, 0, 1, 0, 5, 0, 7, 0]);
  const fake = new Float32Array([0.5, 0, 3, 0, 10, 0, 2.5, 0]);
  const sizes = { nReal: 4, nFake: 4, dim: 2, k: 1 };
  assert.deepEqual(precisionRecall(real, fake, sizes), { precision: 0.5, recall: 1 });
  // Swapping the roles swaps the scores' meaning: real points covered -> precision 1.
  assert.deepEqual(precisionRecall(fake, real, sizes), { precision: 1, recall: 0.5 });
});

Deno.test("precisionRecall() flags mode collapse as high precision, low recall", () => {
  const real = gaussianFeatures(200, 2, 31);
  // All generated samples within a small region near the real mean.
  const fake = gaussianFeatures(60, 2, 32).map((v) => v * 0.05);
  const { precision, recall } = precisionRecall(real, fake, { nReal: 200, nFake: 60, dim: 2 });
  assert.equal(precision, 1);
  assert.ok(recall < 0.2, `found recall ${recall}`);
});

Deno.test("precisionRecall() matches a brute-force reference on overlapping sets", () => {
  for (const [nReal, nFake, dim, k] of [[37, 41, 3, 3], [64, 30, 5, 2], [13, 9, 2, 4]]) {
    const real = gaussianFeatures(nReal!, dim!, 40 + nReal!);
    const fake = gaussianFeatures(nFake!, dim!, 50 + nFake!, 0.7);
    assert.deepEqual(
      precisionRecall(real, fake, { nReal: nReal!, nFake: nFake!, dim: dim!, k: k! }),
      naivePrecisionRecall(real, fake, dim!, k!),
      `nReal ${nReal}, nFake ${nFake}, dim ${dim}, k ${k}`,
    );
  }
});

Deno.test("precisionRecall() rejects too few samples for k and bad shapes", () => {
  const x = new Float32Array(3 * 2);
  assert.throws(
    () => precisionRecall(x, x, { nReal: 3, nFake: 3, dim: 2, k: 3 }),
    /Cannot compute precision\/recall: expected nReal to be an integer >= 4, found 3/,
  );
  assert.throws(
    () =>
      precisionRecall(new Float32Array(10), new Float32Array(11), {
        nReal: 5,
        nFake: 5,
        dim: 2,
        k: 1,
      }),
    /expected generated features to hold 5x2 = 10 values, found 11/,
  );
  assert.throws(
    () =>
      precisionRecall(new Float32Array([1, 2, NaN, 4]), x, { nReal: 2, nFake: 3, dim: 2, k: 1 }),
    /expected finite real features, found NaN/,
  );
});
