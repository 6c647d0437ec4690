import assert from "node:assert/strict";
import { deriveSeed, mulberry32, permutation, randomInts } from "../src/rng.ts";

Deno.test("deriveSeed() is deterministic and separates positions", () => {
  assert.equal(deriveSeed(1, 2, 3), deriveSeed(1, 2, 3));
  const seen = new Set<number>();
  for (let step = 0; step < 1000; step++) {
    for (let stream = 0; stream < 4; stream++) seen.add(deriveSeed(0, step, stream));
  }
  assert.equal(seen.size, 4000);
  assert.notEqual(deriveSeed(1, 2), deriveSeed(1, 2, 0));
});

Deno.test("mulberry32() yields roughly uniform floats in [0, 1)", () => {
  const next = mulberry32(9);
  let sum = 0;
  for (let i = 0; i < 10000; i++) {
    const v = next();
    assert.ok(v >= 0 && v < 1);
    sum += v;
  }
  assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02);
});

Deno.test("permutation() is a seeded permutation", () => {
  const p = permutation(100, 5);
  assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(permutation(100, 5), p);
  assert.notDeepEqual(permutation(100, 6), p);
});

Deno.test("randomInts() covers 0..k-1 and nothing else", () => {
  const v = randomInts(1000, 10, 1);
  assert.deepEqual(new Set(v), new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
});
