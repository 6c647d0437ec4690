import assert from "node:assert/strict";
import { defaultState, formatHash, parseHash, VIEWS } from "../../web/state.ts";

Deno.test("formatHash() and parseHash() round-trip every view, class, seed and size", () => {
  for (const view of VIEWS) {
    const state = { gen: "fashion-acgan", view, class: 9, seed: 2 ** 32 - 1, to: 0, n: 16 };
    assert.deepEqual(parseHash(formatHash(state), defaultState("mnist-acgan")), state);
  }
});

Deno.test("parseHash() takes the fallback's value for each missing or invalid field", () => {
  const fallback = { ...defaultState("mnist-acgan"), seed: 3 };
  assert.deepEqual(parseHash("", fallback), fallback);
  assert.deepEqual(
    parseHash("#view=warp&class=-1&seed=1.5&to=x&n=0&gen=", fallback),
    fallback,
  );
  assert.deepEqual(parseHash("n=17", fallback).n, 8);
  assert.deepEqual(parseHash("seed=4294967296", fallback).seed, 3);
  assert.deepEqual(parseHash("class=12&seed=7", fallback), { ...fallback, class: 12, seed: 7 });
});
