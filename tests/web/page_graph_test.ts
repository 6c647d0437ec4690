/**
 * The page's module graph (what `deno task serve` bundles for the browser) is cgan's light
 * generator API: `generator.ts` and what it imports, tfjs core, layers and backends, the PNG
 * encoder; none of the training, evaluation, data readers or plots, and neither the tfjs union
 * package nor core-js, the WebGL backend or the converter.
 */
import assert from "node:assert/strict";
import { HEAVY_NPM, moduleGraph } from "../_module_graph.ts";

Deno.test("the page's module graph is the light generator API and tfjs core, layers and backends", async () => {
  const { local, all: names } = await moduleGraph("web/main.ts");
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

  const unwanted = names.filter((n) => HEAVY_NPM.test(n));
  assert.deepEqual(unwanted, [], `npm packages in the page's graph: ${names.sort().join(", ")}`);
});
