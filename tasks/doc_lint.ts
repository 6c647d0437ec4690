/**
 * `deno doc --lint` for the public entry points, minus one known false positive: Deno 2.9
 * reports `private-type-ref` for types that come from npm packages (here tfjs's `Tensor`,
 * `LayersModel`, ...), which are public in their own package (denoland/deno#27364). A
 * private-type-ref is ignored only when no file under `src/` or the entry points declares a
 * type of that name, so private-type-ref to our own types still fails the check.
 *
 * Usage: `deno run --allow-run=deno tasks/doc_lint.ts mod.ts [more entry points]`
 *
 * @module
 */
const entries = Deno.args.length > 0 ? Deno.args : ["mod.ts"];
const { stderr, stdout } = await new Deno.Command("deno", {
  args: ["doc", "--lint", ...entries],
  env: { NO_COLOR: "1" },
  stdout: "piped",
  stderr: "piped",
}).output();
const text = new TextDecoder().decode(stderr) + new TextDecoder().decode(stdout);
const blocks = text.split(/\n(?=error\[)/).filter((b) => b.startsWith("error["));

/** Type names declared in our own code. */
const ours = new Set<string>();
async function collect(path: string): Promise<void> {
  const info = await Deno.stat(path);
  if (info.isDirectory) {
    for await (const entry of Deno.readDir(path)) await collect(`${path}/${entry.name}`);
  } else if (path.endsWith(".ts")) {
    const source = await Deno.readTextFile(path);
    for (const m of source.matchAll(/\b(?:interface|type|class|enum)\s+([A-Za-z_$][\w$]*)/g)) {
      ours.add(m[1]!);
    }
  }
}
for (const root of ["src", ...entries]) await collect(root);

const kept = blocks.filter((block) => {
  const m = block.match(/^error\[private-type-ref\]: .* references private type '([^']+)'/);
  return m === null || ours.has(m[1]!);
});
for (const block of kept) console.error(block.trimEnd() + "\n");
console.log(
  `doc lint: ${kept.length} problem(s); ${
    blocks.length - kept.length
  } npm-type private-type-ref ignored`,
);
Deno.exit(kept.length === 0 ? 0 : 1);
