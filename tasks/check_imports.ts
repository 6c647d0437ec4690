/**
 * Checks that imports flow one way through cgan's folders (docs: DESIGN "Imports flow one way"):
 *
 *     tasks → cli → train → eval → models | data → io | backend
 *
 * A layer imports itself and the layers after it; `models` and `data` do not import each other,
 * nor do `io` and `backend`. The leaf modules `src/_tf.ts` and `src/rng.ts` import no other
 * layer and may be imported by all. The entry points (the `.ts` files at the root: `mod.ts`,
 * `generator.ts`, ...; and `packages/`) may import anything in `src/`, and only `tasks/` and
 * other entry points may import them. Type-only imports follow the same rule: a shared
 * interface belongs in the lower module (or a leaf). Every file under `src/` must sit in a
 * layer, so a new folder cannot slip past the check.
 *
 * It also names every import of a package that cgan keeps out ({@linkcode BANNED_PACKAGES}):
 * the tfjs union package `@tensorflow/tfjs`, whose core-js dependency makes Deno print an
 * "Ignored build scripts" box on install and whose chained ops (`x.reshape(s)`) tfjs-core
 * lacks; modules import `src/_tf.ts` or the tfjs packages themselves.
 *
 * The imports are read by `deno info --json` (Deno's own parser: static, `export ... from`,
 * type-only and dynamic imports, none of the ones in doc comments) over every module under
 * `src/`, `tasks/`, `packages/` and the entry points. The check prints one line per offending
 * import, e.g. `src/models/x.ts imports src/train/y.ts: models may not import train`, one
 * per cycle between folders, one per import of a banned package, and a summary; it exits with
 * 1 when it found any.
 *
 * Usage: `deno run --allow-run=deno --allow-read tasks/check_imports.ts` (part of
 * `deno task check`; `tests/tasks/check_imports_test.ts` runs it too).
 *
 * @module
 */

/** The folders imports flow through, highest first. */
export const LAYERS = [
  "entry",
  "tasks",
  "cli",
  "train",
  "eval",
  "models",
  "data",
  "io",
  "backend",
  "leaf",
] as const;
/** One of {@linkcode LAYERS}. */
export type Layer = typeof LAYERS[number];

/** The layers each layer may import besides itself (and the leaf modules, which all may). */
export const MAY_IMPORT: Readonly<Record<Layer, readonly Layer[]>> = {
  entry: ["cli", "train", "eval", "models", "data", "io", "backend"],
  tasks: ["entry", "cli", "train", "eval", "models", "data", "io", "backend"],
  cli: ["train", "eval", "models", "data", "io", "backend"],
  train: ["eval", "models", "data", "io", "backend"],
  eval: ["models", "data", "io", "backend"],
  models: ["io", "backend"],
  data: ["io", "backend"],
  io: [],
  backend: [],
  leaf: [],
};

/** npm packages no module may import, and what to import instead. */
export const BANNED_PACKAGES: Readonly<Record<string, string>> = {
  "@tensorflow/tfjs": "the tfjs union package pulls core-js, whose build script makes Deno " +
    'print an "Ignored build scripts" box; import src/_tf.ts (or @tensorflow/tfjs-core, ' +
    "-layers, -backend-*) and call ops as functions (tf.reshape(x, s), not x.reshape(s))",
};

/** Leaf modules: shared by every layer, importing none. */
const LEAVES = ["src/_tf.ts", "src/rng.ts"];

/** The layers that are a folder `src/<layer>/`. */
const SRC_FOLDERS = ["cli", "train", "eval", "models", "data", "io", "backend"] as const;

/**
 * The layer of a repository path, or undefined for paths outside the checked folders (`tests/`,
 * `web/`, ...) and files under `src/` that no layer claims.
 *
 * @param path A path relative to the repository root, with `/` separators.
 * @returns The path's layer, or undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { layerOf } from "./check_imports.ts";
 * assert.equal(layerOf("src/models/sagan.ts"), "models");
 * assert.equal(layerOf("src/cli.ts"), "cli");
 * assert.equal(layerOf("tests/rng_test.ts"), undefined);
 * ```
 */
export function layerOf(path: string): Layer | undefined {
  if (LEAVES.includes(path)) return "leaf";
  if (!path.includes("/") || path.startsWith("packages/")) return "entry";
  if (path.startsWith("tasks/")) return "tasks";
  if (path === "src/cli.ts") return "cli";
  const folder = /^src\/([^/]+)\//.exec(path)?.[1];
  return SRC_FOLDERS.find((layer) => layer === folder);
}

/** One import between two repository files. */
export interface Edge {
  /** The importing file, relative to the repository root. */
  from: string;
  /** The imported file, relative to the repository root. */
  to: string;
  /** True for `import type` / `export type ... from`, which load nothing at run time. */
  typeOnly: boolean;
}

/** One import of an npm package by a repository file. */
export interface PackageImport {
  /** The importing file, relative to the repository root. */
  from: string;
  /** The specifier as written (`@tensorflow/tfjs-core`) or resolved (`npm:...@4.22.0`). */
  specifier: string;
}

/**
 * The npm package a bare or `npm:` import specifier names, without version or subpath.
 *
 * @param specifier An import specifier.
 * @returns The package name, or undefined for relative, URL, `jsr:` and `node:` specifiers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { npmPackageOf } from "./check_imports.ts";
 * assert.equal(npmPackageOf("npm:@tensorflow/tfjs@4.22.0"), "@tensorflow/tfjs");
 * assert.equal(npmPackageOf("@tensorflow/tfjs-core"), "@tensorflow/tfjs-core");
 * assert.equal(npmPackageOf("npm:/fast-png@8.0.0/lib/index.js"), "fast-png");
 * assert.equal(npmPackageOf("./x.ts"), undefined);
 * assert.equal(npmPackageOf("node:fs"), undefined);
 * ```
 */
export function npmPackageOf(specifier: string): string | undefined {
  const bare = specifier.replace(/^npm:\/?/, "");
  if (/^[./]/.test(bare) || bare.includes(":")) return undefined;
  return /^(?:@[^/@]+\/)?[^/@]+/.exec(bare)?.[0];
}

/**
 * One line per import of a package in {@linkcode BANNED_PACKAGES} by a checked file.
 *
 * @param imports The npm imports of repository files.
 * @returns The problems, empty when no checked file imports a banned package.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packageProblems } from "./check_imports.ts";
 * const imports = [
 *   { from: "src/io/x.ts", specifier: "npm:@tensorflow/tfjs@4.22.0" },
 *   { from: "src/io/y.ts", specifier: "npm:@tensorflow/tfjs-core@4.22.0" },
 * ];
 * assert.equal(packageProblems(imports).length, 1);
 * assert.match(packageProblems(imports)[0]!, /^src\/io\/x.ts imports @tensorflow\/tfjs: /);
 * ```
 */
export function packageProblems(imports: readonly PackageImport[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { from, specifier } of imports) {
    const pkg = npmPackageOf(specifier);
    if (!checked(from) || pkg === undefined || !Object.hasOwn(BANNED_PACKAGES, pkg)) continue;
    const line = `${from} imports ${pkg}: ${BANNED_PACKAGES[pkg]}`;
    if (!seen.has(line)) problems.push(line);
    seen.add(line);
  }
  return problems;
}

/** Whether files under `path` are held to the rule (the rest only as import targets). */
function checked(path: string): boolean {
  return path.startsWith("src/") || layerOf(path) !== undefined;
}

/**
 * The imports that break the rule, one line each, then one line per cycle between layers.
 *
 * @param edges Every import between repository files.
 * @param files Every file checked, so that one under `src/` in no layer is named even when it
 *   imports nothing.
 * @returns The problems, empty when imports flow one way.
 *
 * @example An upward import
 * ```ts
 * import assert from "node:assert/strict";
 * import { importProblems } from "./check_imports.ts";
 * const edges = [{ from: "src/models/x.ts", to: "src/train/y.ts", typeOnly: false }];
 * assert.deepEqual(importProblems(edges), [
 *   "src/models/x.ts imports src/train/y.ts: models may not import train",
 * ]);
 * ```
 */
export function importProblems(edges: readonly Edge[], files: readonly string[] = []): string[] {
  const problems: string[] = [];
  const unclaimed = new Set(files.filter((f) => f.startsWith("src/") && !layerOf(f)));
  const between = new Map<string, Edge>(); // "a>b" -> the first edge from layer a to layer b
  for (const edge of edges) {
    if (!checked(edge.from)) continue;
    const [from, to] = [layerOf(edge.from), layerOf(edge.to)];
    for (const [path, layer] of [[edge.from, from], [edge.to, to]] as const) {
      if (layer === undefined && path.startsWith("src/")) unclaimed.add(path);
    }
    if (from === undefined || (to === undefined && edge.to.startsWith("src/"))) continue;
    const kind = edge.typeOnly ? " (type only)" : "";
    if (to === undefined) {
      problems.push(
        `${edge.from} imports ${edge.to}${kind}: ${from} may only import cgan's layers`,
      );
      continue;
    }
    if (to !== from && to !== "leaf" && !MAY_IMPORT[from].includes(to)) {
      problems.push(`${edge.from} imports ${edge.to}${kind}: ${from} may not import ${to}`);
    }
    if (to !== from && !between.has(`${from}>${to}`)) between.set(`${from}>${to}`, edge);
  }
  for (const path of [...unclaimed].sort()) {
    problems.push(
      `${path} is in no layer: add its folder to SRC_FOLDERS and MAY_IMPORT in tasks/check_imports.ts`,
    );
  }
  for (const cycle of layerCycles(between)) problems.push(cycle);
  return problems;
}

/**
 * One line per group of layers that import each other in a circle (a strongly connected
 * component, by Tarjan's algorithm), showing the shortest loop through its first layer.
 */
function layerCycles(between: ReadonlyMap<string, Edge>): string[] {
  const next = new Map<string, string[]>();
  for (const key of [...between.keys()].sort()) {
    const [a, b] = key.split(">") as [string, string];
    next.set(a, [...next.get(a) ?? [], b]);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const lines: string[] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const group = new Set<string>();
    for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) group.add(w);
    if (group.size > 1) lines.push(describeLoop(shortestLoop(v, group, next), between));
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return lines;
}

/** The shortest loop from `start` back to itself within `group` (breadth first). */
function shortestLoop(
  start: string,
  group: ReadonlySet<string>,
  next: ReadonlyMap<string, string[]>,
): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length && !cameFrom.has(start); i++) {
    const v = queue[i]!;
    for (const w of next.get(v) ?? []) {
      if (!group.has(w) || cameFrom.has(w)) continue;
      cameFrom.set(w, v);
      if (w === start) break;
      queue.push(w);
    }
  }
  const loop = [start];
  for (let v = cameFrom.get(start)!; v !== start; v = cameFrom.get(v)!) loop.unshift(v);
  return [start, ...loop];
}

/** `cycle between folders a → b → a: x imports y; y imports z`, one import per step. */
function describeLoop(loop: readonly string[], between: ReadonlyMap<string, Edge>): string {
  const steps = loop.slice(1).map((to, i) => between.get(`${loop[i]}>${to}`)!);
  const via = steps.map((e) => `${e.from} imports ${e.to}`).join("; ");
  return `cycle between folders ${loop.join(" → ")}: ${via}`;
}

/** The module graph `deno info --json` prints, as far as it is read here. */
interface DenoInfo {
  modules: {
    specifier: string;
    error?: string;
    dependencies?: {
      specifier: string;
      code?: { specifier?: string; error?: string };
      type?: { specifier?: string; error?: string };
    }[];
  }[];
}

/** Every `.ts` file under `dir` (relative to `root`), sorted. */
async function tsFiles(root: URL, dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(new URL(dir, root))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await tsFiles(root, path));
    else if (entry.isFile && path.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

/**
 * Reads every import between the repository's modules under `src/`, `tasks/`, `packages/` and
 * the entry points at the root, with `deno info --json`.
 *
 * @param root The repository root, as a `file:` URL ending in `/`.
 * @returns The edges, the files read, their npm imports, and what Deno could not read.
 */
export async function readEdges(
  root: URL,
): Promise<{ edges: Edge[]; files: string[]; packages: PackageImport[]; errors: string[] }> {
  const rootFiles: string[] = [];
  for await (const entry of Deno.readDir(root)) {
    if (entry.isFile && entry.name.endsWith(".ts")) rootFiles.push(entry.name);
  }
  const files = [
    ...rootFiles.sort(),
    ...await tsFiles(root, "src"),
    ...await tsFiles(root, "tasks"),
    ...await tsFiles(root, "packages"),
  ];
  // One graph for all of them: a data: module importing each file is the root.
  const entry = "data:application/typescript," +
    encodeURIComponent(files.map((f) => `import "${new URL(f, root).href}";`).join("\n"));
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: ["info", "--json", entry],
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`Cannot run deno info: ${new TextDecoder().decode(stderr).trim()}`);
  }
  const info: DenoInfo = JSON.parse(new TextDecoder().decode(stdout));
  const local = (specifier: string | undefined) =>
    specifier?.startsWith(root.href) ? specifier.slice(root.href.length) : undefined;
  const edges: Edge[] = [];
  const packages: PackageImport[] = [];
  const errors: string[] = [];
  for (const module of info.modules) {
    const from = local(module.specifier);
    if (from === undefined) continue;
    if (module.error !== undefined) errors.push(`Cannot read ${from}: ${module.error}`);
    for (const dep of module.dependencies ?? []) {
      const code = local(dep.code?.specifier);
      const type = local(dep.type?.specifier);
      const to = code ?? type;
      if (to !== undefined) edges.push({ from, to, typeOnly: code === undefined });
      // As written: an import the import map no longer maps still names its package.
      if (npmPackageOf(dep.specifier) !== undefined) {
        packages.push({ from, specifier: dep.code?.specifier ?? dep.specifier });
      }
      const error = dep.code?.error ?? dep.type?.error;
      if (error !== undefined) errors.push(`Cannot resolve an import of ${from}: ${error}`);
    }
  }
  return { edges, files, packages, errors };
}

if (import.meta.main) {
  if (Deno.args.length > 0) {
    const help = Deno.args.every((a) => a === "-h" || a === "--help");
    const usage = "Usage: deno run --allow-run=deno --allow-read tasks/check_imports.ts";
    if (help) console.log(`${usage}\nChecks that imports flow one way; takes no flags.`);
    else console.error(`Invalid arguments: ${Deno.args.join(" ")}: this check takes none`);
    Deno.exit(help ? 0 : 2);
  }
  const root = new URL("../", import.meta.url);
  const { edges, files, packages, errors } = await readEdges(root);
  const problems = [...errors, ...importProblems(edges, files), ...packageProblems(packages)];
  for (const line of problems) console.error(line);
  const crossing = edges.filter((e) => layerOf(e.from) !== layerOf(e.to)).length;
  console.log(
    `imports: ${problems.length} problem(s) in ${files.length} modules, ${edges.length} imports ` +
      `(${crossing} between layers); tasks → cli → train → eval → models | data → io | backend`,
  );
  Deno.exit(problems.length === 0 ? 0 : 1);
}
