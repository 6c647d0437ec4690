/**
 * `@cgan/sample` stays light: its module graph (what `deno run jsr:@cgan/sample` downloads and
 * loads) holds `@cgan/cgan/generator` and `@cgan/cgan/task`, tfjs core and layers with their
 * backends, and a PNG encoder; none of the toolkit's training, evaluation, data readers or plots,
 * and not the tfjs union package (whose converter, WebGL backend and core-js come with it).
 */
import assert from "node:assert/strict";
import { HEAVY_NPM, moduleGraph } from "../_module_graph.ts";

Deno.test("the sampler's module graph holds tfjs core, layers, backends and a PNG encoder, none of the training, eval, data or plot code", async () => {
  const { local, direct, all: names } = await moduleGraph("packages/sample/main.ts");
  const heavy = local.filter((p) =>
    /^(mod\.ts|src\/(train|eval)\/|src\/io\/plot\.ts|src\/models\/registry\.ts)/.test(p) ||
    (p.startsWith("src/data/") && p !== "src/data/class_names.ts")
  );
  assert.deepEqual(heavy, [], "modules only training, evaluation or data reading need");

  assert.deepEqual([...direct].sort(), [
    "@tensorflow/tfjs-backend-cpu",
    "@tensorflow/tfjs-backend-wasm",
    "@tensorflow/tfjs-backend-webgpu",
    "@tensorflow/tfjs-core",
    "@tensorflow/tfjs-layers",
    "fast-png",
  ]);
  const unwanted = names.filter((n) => HEAVY_NPM.test(n));
  assert.deepEqual(unwanted, [], `npm packages in the sampler's graph: ${names.sort().join(", ")}`);
});
