/**
 * Doc examples a user can copy: every code block in a JSDoc comment of `src/`, the entry points
 * and `@cgan/sample` imports cgan by its package names (`@cgan/cgan`, `@cgan/cgan/generator`,
 * `@cgan/cgan/internal`, ...), never by a relative path that a JSR user cannot resolve, imports
 * tfjs as `@tensorflow/tfjs-core` (and `-layers`), never the union package `@tensorflow/tfjs`
 * that cgan no longer depends on, and asserts its results instead of printing them beside a
 * `// value` comment that `deno test --doc` never checks.
 *
 * @module
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

/**
 * Files (or folders, ending in "/") whose examples may import relative paths, and why. Their
 * names are in no entry point, so JSR shows no page of them to copy from.
 */
const RELATIVE_IMPORTS_ALLOWED: Readonly<Record<string, string>> = {
  "src/backend/openblas.ts": "the OpenBLAS FFI loader of the wasm backend's kernels",
  "src/backend/wasm/": "kernel fixes that initBackend registers; no user calls them",
  "src/backend/webgpu_adapter.ts": "the adapter probe behind initBackend",
  "src/data/_tar.ts": "an internal module (leading _): the CIFAR-10 archive reader",
  "src/eval/linalg.ts": "the float64 host linear algebra behind FID, not an API",
  "src/io/gzip.ts": "a wrapper of DecompressionStream; use that directly",
  "src/io/hash.ts": "a wrapper of crypto.subtle.digest; use that directly",
  "src/io/run_lock.ts": "the lock file that train() takes on a run folder",
  // The split of src/train/loop.ts under way (issue 16): its author converts these examples.
  "src/train/checkpoint_policy.ts": "loop.ts split in progress",
  "src/train/epoch_eval.ts": "loop.ts split in progress",
  "src/train/loss_log.ts": "loop.ts split in progress",
  "src/train/run_files.ts": "loop.ts split in progress",
  "src/train/start_or_resume.ts": "loop.ts split in progress",
};

/** One line of a code block in a JSDoc comment. */
interface ExampleLine {
  /** Path from the repository root. */
  file: string;
  /** 1-based line number in the file. */
  line: number;
  /** The code, without the comment's leading `*`. */
  text: string;
}

/** The lines of every fenced code block inside a JSDoc comment of `source`. */
function exampleLines(file: string, source: string): ExampleLine[] {
  const out: ExampleLine[] = [];
  let inDoc = false;
  let inBlock = false;
  source.split("\n").forEach((raw, i) => {
    if (!inDoc && raw.includes("/**")) inDoc = true;
    if (inDoc) {
      const text = raw.replace(/^\s*\*? ?/, "");
      if (text.trimStart().startsWith("```")) inBlock = !inBlock;
      else if (inBlock) out.push({ file, line: i + 1, text });
    }
    if (raw.includes("*/")) inDoc = inBlock = false;
  });
  return out;
}

const RELATIVE_IMPORT = /(\bfrom\s*|\bimport\s*\(?\s*)["']\.\.?\//;
/** An import of `@tensorflow/tfjs` itself (not `-core`, `-layers`, ...), by name or `npm:`. */
const UNION_IMPORT = /["'](?:npm:)?@tensorflow\/tfjs(?:@[^"'/]*)?(?:\/[^"']*)?["']/;
const PRINTED_VALUE = /console\.log\(.*\/\/\s*\S/;

/** What is wrong with one example line, if anything. */
function problemOf(l: ExampleLine): string | undefined {
  if (RELATIVE_IMPORT.test(l.text)) {
    return "imports a relative path; import from @cgan/cgan, @cgan/cgan/generator or " +
      "@cgan/cgan/internal";
  }
  if (UNION_IMPORT.test(l.text)) {
    return "imports the tfjs union package; import @tensorflow/tfjs-core (and " +
      "@tensorflow/tfjs-layers for layers and models) and call ops as functions";
  }
  if (PRINTED_VALUE.test(l.text)) {
    return 'prints a value beside a comment; assert it (import assert from "node:assert/strict")';
  }
  return undefined;
}

function allowedRelative(file: string): boolean {
  return Object.keys(RELATIVE_IMPORTS_ALLOWED).some((p) =>
    p.endsWith("/") ? file.startsWith(p) : file === p
  );
}

async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...await tsFiles(path));
    else if (entry.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** Every example line of src/, the entry points and packages/sample/. */
async function allExampleLines(): Promise<ExampleLine[]> {
  const files = [
    ...await tsFiles("src"),
    "mod.ts",
    "generator.ts",
    "internal.ts",
    ...(await tsFiles("packages/sample")).filter((f) => !f.includes("/generators/")),
  ].sort();
  const lines = await Promise.all(
    files.map(async (f) => exampleLines(f, await Deno.readTextFile(new URL(f, ROOT)))),
  );
  return lines.flat();
}

Deno.test("exampleLines() finds the code of fenced blocks in JSDoc only, with line numbers", () => {
  const source = [
    "/**", //                                  1
    " * @example", //                          2
    " * ```ts", //                             3
    ' * import { x } from "./x.ts";', //       4
    " * ```", //                               5
    " */", //                                  6
    "// ```ts", //                             7
    'import { y } from "./y.ts";', //          8
    "  /**", //                                9
    "   * ```ts ignore", //                    10
    "   * console.log(x); // 3", //            11
    "   * ```", //                             12
    "   */", //                                13
  ].join("\n");
  assert.deepEqual(exampleLines("a.ts", source), [
    { file: "a.ts", line: 4, text: 'import { x } from "./x.ts";' },
    { file: "a.ts", line: 11, text: "console.log(x); // 3" },
  ]);
});

Deno.test("problemOf() flags relative imports, the tfjs union and printed values, not other package imports", () => {
  const at = (text: string) => problemOf({ file: "a.ts", line: 1, text });
  assert.match(at('import { x } from "./x.ts";') ?? "", /relative path/);
  assert.match(at('import { x } from "../models/x.ts";') ?? "", /relative path/);
  assert.match(at('const m = await import("./x.ts");') ?? "", /relative path/);
  assert.match(at("console.log(x.shape); // [2, 3]") ?? "", /assert it/);
  assert.equal(at('import { x } from "@cgan/cgan/internal";'), undefined);
  assert.match(at('import * as tf from "@tensorflow/tfjs";') ?? "", /tfjs union/);
  assert.match(at('import * as tf from "npm:@tensorflow/tfjs@4.22.0";') ?? "", /tfjs union/);
  assert.equal(at('import * as tf from "@tensorflow/tfjs-core";'), undefined);
  assert.equal(at('import * as tfl from "@tensorflow/tfjs-layers";'), undefined);
  assert.equal(at("assert.equal(x, 3); // the mean"), undefined);
  assert.equal(at("console.log(report.accuracy);"), undefined);
});

Deno.test("doc examples import package names and assert their values", async () => {
  const problems = (await allExampleLines())
    .map((l) => ({ l, problem: problemOf(l) }))
    .filter(({ l, problem }) =>
      problem !== undefined && !(problem.includes("relative path") && allowedRelative(l.file))
    )
    .map(({ l, problem }) => `${l.file}:${l.line}: ${problem}`);
  assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
});

Deno.test("each file allowed relative imports in its examples still has one", async () => {
  const relative = (await allExampleLines()).filter((l) => RELATIVE_IMPORT.test(l.text));
  const unused = Object.keys(RELATIVE_IMPORTS_ALLOWED).filter((p) =>
    !relative.some((l) => p.endsWith("/") ? l.file.startsWith(p) : l.file === p)
  );
  assert.deepEqual(unused, [], "Remove these from RELATIVE_IMPORTS_ALLOWED");
});
