/**
 * The page's state and its URL hash: `#gen=mnist-acgan&seed=7&class=3&view=interp&to=8&n=8`.
 * The hash is the page's only state, so a shared link or a reload shows the same view; parsing
 * is forgiving (a missing or bad value takes the default) because a user may type it.
 *
 * @module
 */

/** The page's views: a grid of one class, every class with shared z, a morph between seeds. */
export const VIEWS = ["grid", "classes", "interp"] as const;
/** One of {@linkcode VIEWS}. */
export type View = typeof VIEWS[number];

/** Everything the page draws from. */
export interface PageState {
  /** The generator's id (`/generators/<id>/model.json`). */
  gen: string;
  /** The view. */
  view: View;
  /** The class drawn by the grid and interpolation views. */
  class: number;
  /** Seed of the noise (the interpolation's start). */
  seed: number;
  /** The interpolation's end seed. */
  to: number;
  /**
   * Size: the grid is n x n samples, the classes view n columns (one z each), the
   * interpolation n steps from `seed` to `to`.
   */
  n: number;
}

/** The largest `n` the page draws (a 16 x 16 grid). */
export const MAX_N = 16;

/**
 * The state a page starts from, for a generator.
 *
 * @param gen The generator's id.
 * @returns Class 0 at seed 0, a grid of 8 x 8, interpolating to seed 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultState } from "./state.ts";
 * assert.deepEqual(defaultState("mnist-acgan"), {
 *   gen: "mnist-acgan", view: "grid", class: 0, seed: 0, to: 1, n: 8,
 * });
 * ```
 */
export function defaultState(gen: string): PageState {
  return { gen, view: "grid", class: 0, seed: 0, to: 1, n: 8 };
}

/** A non-negative integer below `limit` from text, or undefined. */
function integer(text: string | null, min: number, limit: number): number | undefined {
  if (text === null || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n < limit ? n : undefined;
}

/**
 * Reads the state from a URL hash; each missing or invalid value is the fallback's.
 *
 * @param hash `location.hash`, with or without its leading `#`.
 * @param fallback The state for what the hash leaves out.
 * @returns The state.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultState, parseHash } from "./state.ts";
 * const state = parseHash("#gen=fashion-acgan&seed=7&class=3&view=interp&n=99", defaultState("x"));
 * assert.deepEqual(state, { gen: "fashion-acgan", view: "interp", class: 3, seed: 7, to: 1, n: 8 });
 * ```
 */
export function parseHash(hash: string, fallback: PageState): PageState {
  const p = new URLSearchParams(hash.replace(/^#/, ""));
  const view = p.get("view");
  return {
    gen: p.get("gen") || fallback.gen,
    view: (VIEWS as readonly string[]).includes(view ?? "") ? view as View : fallback.view,
    class: integer(p.get("class"), 0, 2 ** 31) ?? fallback.class,
    seed: integer(p.get("seed"), 0, 2 ** 32) ?? fallback.seed,
    to: integer(p.get("to"), 0, 2 ** 32) ?? fallback.to,
    n: integer(p.get("n"), 1, MAX_N + 1) ?? fallback.n,
  };
}

/**
 * Writes the state as a URL hash that {@linkcode parseHash} reads back.
 *
 * @param state The state.
 * @returns The hash, with its leading `#`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultState, formatHash, parseHash } from "./state.ts";
 * const state = { ...defaultState("mnist-acgan"), seed: 42, view: "classes" as const };
 * assert.equal(formatHash(state), "#gen=mnist-acgan&seed=42&class=0&view=classes&to=1&n=8");
 * assert.deepEqual(parseHash(formatHash(state), defaultState("other")), state);
 * ```
 */
export function formatHash(state: PageState): string {
  const { gen, seed, view, to, n } = state;
  return `#${new URLSearchParams({
    gen,
    seed: `${seed}`,
    class: `${state.class}`,
    view,
    to: `${to}`,
    n: `${n}`,
  })}`;
}
