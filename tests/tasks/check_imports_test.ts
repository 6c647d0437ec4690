import assert from "node:assert/strict";
import {
  type Edge,
  importProblems,
  layerOf,
  npmPackageOf,
  packageProblems,
  readEdges,
} from "../../tasks/check_imports.ts";

const edge = (from: string, to: string, typeOnly = false): Edge => ({ from, to, typeOnly });

Deno.test("layerOf() puts each folder, leaf module and entry point in its layer", () => {
  assert.equal(layerOf("tasks/train.ts"), "tasks");
  assert.equal(layerOf("src/cli.ts"), "cli");
  assert.equal(layerOf("src/cli/flags.ts"), "cli");
  assert.equal(layerOf("src/models/blocks/seeds.ts"), "models");
  assert.equal(layerOf("src/backend/wasm/blas/conv.ts"), "backend");
  assert.equal(layerOf("src/_tf.ts"), "leaf");
  assert.equal(layerOf("src/rng.ts"), "leaf");
  assert.equal(layerOf("mod.ts"), "entry");
  assert.equal(layerOf("generator.ts"), "entry");
  assert.equal(layerOf("internal.ts"), "entry");
  assert.equal(layerOf("packages/sample/main.ts"), "entry");
  assert.equal(layerOf("src/leaf/x.ts"), undefined);
  assert.equal(layerOf("src/other.ts"), undefined);
  assert.equal(layerOf("tests/rng_test.ts"), undefined);
});

Deno.test("importProblems() accepts downward, same-layer, leaf and type-only downward imports", () => {
  assert.deepEqual(
    importProblems([
      edge("tasks/train.ts", "src/cli/flags.ts"),
      edge("tasks/serve.ts", "packages/sample/pretrained.ts"),
      edge("src/cli/flags.ts", "src/train/config.ts"),
      edge("src/train/loop.ts", "src/eval/score_generator.ts"),
      edge("src/eval/evaluator.ts", "src/models/blocks/seeds.ts"),
      edge("src/eval/quality_gate.ts", "src/data/dataset.ts", true),
      edge("src/models/generator.ts", "src/io/layers_io.ts"),
      edge("src/data/idx.ts", "src/io/gzip.ts"),
      edge("src/models/x.ts", "src/models/blocks/y.ts"),
      edge("src/io/png.ts", "src/_tf.ts"),
      edge("src/backend/select.ts", "src/_tf.ts"),
      edge("mod.ts", "src/train/loop.ts"),
      edge("packages/sample/main.ts", "src/cli/task.ts"),
      edge("tests/x_test.ts", "tasks/train.ts"),
    ]),
    [],
  );
});

Deno.test("importProblems() names each upward or sideways import with both files and layers", () => {
  assert.deepEqual(
    importProblems([
      edge("src/models/x.ts", "src/train/y.ts"),
      edge("src/data/x.ts", "src/models/y.ts"),
      edge("src/models/x.ts", "src/eval/y.ts", true),
      edge("src/io/x.ts", "src/backend/y.ts"),
      edge("src/rng.ts", "src/io/y.ts"),
      edge("src/cli/x.ts", "tasks/y.ts"),
      edge("packages/sample/main.ts", "tasks/y.ts"),
      edge("src/train/x.ts", "tests/y_test.ts"),
    ]),
    [
      "src/models/x.ts imports src/train/y.ts: models may not import train",
      "src/data/x.ts imports src/models/y.ts: data may not import models",
      "src/models/x.ts imports src/eval/y.ts (type only): models may not import eval",
      "src/io/x.ts imports src/backend/y.ts: io may not import backend",
      "src/rng.ts imports src/io/y.ts: leaf may not import io",
      "src/cli/x.ts imports tasks/y.ts: cli may not import tasks",
      "packages/sample/main.ts imports tasks/y.ts: entry may not import tasks",
      "src/train/x.ts imports tests/y_test.ts: train may only import cgan's layers",
    ],
  );
});

Deno.test("importProblems() names each file under src/ that no layer claims", () => {
  assert.deepEqual(
    importProblems(
      [edge("src/train/x.ts", "src/extra/y.ts"), edge("src/extra/y.ts", "src/rng.ts")],
      ["src/train/x.ts", "src/extra/y.ts", "src/lone.ts", "src/rng.ts", "tests/rng_test.ts"],
    ),
    [
      "src/extra/y.ts is in no layer: add its folder to SRC_FOLDERS and MAY_IMPORT in tasks/check_imports.ts",
      "src/lone.ts is in no layer: add its folder to SRC_FOLDERS and MAY_IMPORT in tasks/check_imports.ts",
    ],
  );
});

Deno.test("importProblems() reports a cycle between folders once, with the imports that close it", () => {
  assert.deepEqual(
    importProblems([
      edge("src/models/a.ts", "src/io/b.ts"),
      edge("src/models/c.ts", "src/io/b.ts"),
      edge("src/io/b.ts", "src/data/d.ts"),
      edge("src/data/d.ts", "src/models/a.ts"),
    ]),
    [
      "src/io/b.ts imports src/data/d.ts: io may not import data",
      "src/data/d.ts imports src/models/a.ts: data may not import models",
      "cycle between folders data → models → io → data: src/data/d.ts imports " +
      "src/models/a.ts; src/models/a.ts imports src/io/b.ts; src/io/b.ts imports src/data/d.ts",
    ],
  );
});

Deno.test("npmPackageOf() reads the package of bare and npm: specifiers, without version or subpath", () => {
  assert.equal(npmPackageOf("@tensorflow/tfjs"), "@tensorflow/tfjs");
  assert.equal(npmPackageOf("npm:@tensorflow/tfjs@4.22.0"), "@tensorflow/tfjs");
  assert.equal(npmPackageOf("npm:@tensorflow/tfjs@^4/dist/tf.min.js"), "@tensorflow/tfjs");
  assert.equal(npmPackageOf("npm:/@tensorflow/tfjs-core@4.22.0"), "@tensorflow/tfjs-core");
  assert.equal(npmPackageOf("fast-png"), "fast-png");
  assert.equal(npmPackageOf("npm:jpeg-js@0.4.4/lib/decoder.js"), "jpeg-js");
  for (
    const local of ["./x.ts", "../src/_tf.ts", "/abs.ts", "file:///a.ts", "node:fs", "jsr:@std/fs"]
  ) {
    assert.equal(npmPackageOf(local), undefined, local);
  }
});

Deno.test("packageProblems() names each import of the tfjs union by a checked file, whether the map resolves it or not", () => {
  const problems = packageProblems([
    { from: "src/models/x.ts", specifier: "npm:@tensorflow/tfjs@4.22.0" },
    { from: "src/models/x.ts", specifier: "npm:@tensorflow/tfjs@4.22.0" },
    { from: "tasks/y.ts", specifier: "@tensorflow/tfjs" },
    { from: "mod.ts", specifier: "npm:@tensorflow/tfjs@4.22.0/dist/index.js" },
    { from: "src/_tf.ts", specifier: "npm:@tensorflow/tfjs-core@4.22.0" },
    { from: "src/_tf.ts", specifier: "npm:@tensorflow/tfjs-layers@4.22.0" },
    { from: "src/io/png.ts", specifier: "npm:fast-png@8.0.0" },
    { from: "tests/z_test.ts", specifier: "npm:@tensorflow/tfjs@4.22.0" },
  ]);
  assert.deepEqual(problems.map((p) => p.split(":")[0]), [
    "src/models/x.ts imports @tensorflow/tfjs",
    "tasks/y.ts imports @tensorflow/tfjs",
    "mod.ts imports @tensorflow/tfjs",
  ]);
  assert.match(problems[0]!, /core-js.*Ignored build scripts.*src\/_tf\.ts.*tf\.reshape\(x, s\)/);
});

Deno.test("the repository's imports flow one way: tasks → cli → train → eval → models | data → io | backend", async () => {
  const { edges, files, packages, errors } = await readEdges(new URL("../../", import.meta.url));
  assert.deepEqual([...errors, ...importProblems(edges, files), ...packageProblems(packages)], []);
  assert.ok(
    packages.some((p) =>
      p.from === "src/_tf.ts" && npmPackageOf(p.specifier) === "@tensorflow/tfjs-core"
    ),
    "expected _tf.ts's import of tfjs-core among the npm imports",
  );
  assert.ok(files.length > 100, `expected the whole repository, read ${files.length} modules`);
  assert.ok(
    edges.some((e) => e.from === "src/backend/select.ts" && e.to === "src/backend/wasm/mod.ts"),
    "expected select.ts's import of the wasm kernel fixes among the edges",
  );
  assert.ok(edges.some((e) => e.typeOnly), "expected type-only imports among the edges");
});
