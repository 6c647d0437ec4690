import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import {
  fileSystemHandler,
  loadLayersModel,
  loadWeights,
  saveLayersModel,
  saveWeights,
} from "../../src/io/layers_io.ts";

await tf.setBackend("cpu");

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cgan_layers_io_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

/** Dense + batch norm with non-trivial moving statistics (seeded). */
function buildModel(seed: number): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 6,
        inputShape: [4],
        kernelInitializer: tf.initializers.glorotNormal({ seed }),
      }),
      tf.layers.batchNormalization(),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.dense({
        units: 3,
        kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 1 }),
      }),
    ],
  });
  const bn = model.layers[1] as tf.layers.Layer;
  const [gamma, beta, mean, variance] = bn.getWeights();
  bn.setWeights(tf.tidy(() => [
    tf.add(gamma!, 0.5),
    tf.sub(beta!, 0.25),
    tf.randomNormal(mean!.shape, 0, 1, "float32", seed),
    tf.randomUniform(variance!.shape, 0.5, 2, "float32", seed),
  ]));
  return model;
}

async function predict(model: tf.LayersModel): Promise<Float32Array> {
  const x = tf.randomNormal([5, 4], 0, 1, "float32", 7);
  const y = model.predict(x) as tf.Tensor;
  const data = await y.data() as Float32Array;
  tf.dispose([x, y]);
  return data;
}

Deno.test("saveLayersModel() then loadLayersModel() predicts bit-identically", async () => {
  await withTempDir(async (dir) => {
    const model = buildModel(1);
    await saveLayersModel(model, `${dir}/m`, { latentDim: 4, note: "test" });
    const loaded = await loadLayersModel(`${dir}/m`);
    assert.deepEqual(await predict(loaded), await predict(model));
    assert.deepEqual(loaded.getUserDefinedMetadata(), { latentDim: 4, note: "test" });
    model.dispose();
    loaded.dispose();
  });
});

Deno.test("fileSystemHandler() writes a standard Layers model.json and weights.bin", async () => {
  await withTempDir(async (dir) => {
    const model = buildModel(2);
    const result = await model.save(fileSystemHandler(`${dir}/m`));
    assert.deepEqual(await names(`${dir}/m`), ["model.json", "weights.bin"]);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/m/model.json`));
    assert.equal(json.format, "layers-model");
    assert.equal(json.convertedBy, null);
    assert.match(json.generatedBy, /^TensorFlow\.js tfjs-layers v4\./);
    assert.equal(json.modelTopology.class_name, "Sequential");
    assert.equal(json.weightsManifest.length, 1);
    assert.deepEqual(json.weightsManifest[0].paths, ["weights.bin"]);
    const specNames = json.weightsManifest[0].weights.map((w: { name: string }) => w.name);
    assert.equal(specNames.length, 8); // 2 dense kernels + biases, 4 batch-norm weights
    assert.ok(specNames.some((n: string) => n.endsWith("moving_mean")));
    const bytes = (await Deno.stat(`${dir}/m/weights.bin`)).size;
    assert.equal(bytes, (4 * 6 + 6 + 4 * 6 + 6 * 3 + 3) * 4);
    assert.equal(result.modelArtifactsInfo.weightDataBytes, bytes);
    model.dispose();
  });
});

Deno.test("fileSystemHandler() loads weights sharded over several files and groups", async () => {
  await withTempDir(async (dir) => {
    const model = buildModel(3);
    await model.save(fileSystemHandler(`${dir}/m`));
    const json = JSON.parse(await Deno.readTextFile(`${dir}/m/model.json`));
    const bytes = await Deno.readFile(`${dir}/m/weights.bin`);
    const specs = json.weightsManifest[0].weights;
    // Group 1: the first dense kernel (4x6 floats) split over two shards; group 2: the rest.
    const cut = 4 * 6 * 4;
    await Deno.writeFile(`${dir}/m/g1-shard1of2.bin`, bytes.subarray(0, 40));
    await Deno.writeFile(`${dir}/m/g1-shard2of2.bin`, bytes.subarray(40, cut));
    await Deno.writeFile(`${dir}/m/g2.bin`, bytes.subarray(cut));
    await Deno.remove(`${dir}/m/weights.bin`);
    json.weightsManifest = [
      { paths: ["g1-shard1of2.bin", "g1-shard2of2.bin"], weights: specs.slice(0, 1) },
      { paths: ["g2.bin"], weights: specs.slice(1) },
    ];
    await Deno.writeTextFile(`${dir}/m/model.json`, JSON.stringify(json));
    const loaded = await tf.loadLayersModel(fileSystemHandler(`${dir}/m`));
    assert.deepEqual(await predict(loaded), await predict(model));
    model.dispose();
    loaded.dispose();
  });
});

Deno.test("loadLayersModel() rejects a missing model.json, naming it", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(loadLayersModel(`${dir}/nope`), {
      message: `Cannot load model "${dir}/nope/model.json": file not found`,
    });
  });
});

Deno.test("loadLayersModel() rejects malformed model.json, naming it", async () => {
  await withTempDir(async (dir) => {
    const model = buildModel(4);
    await saveLayersModel(model, `${dir}/m`);
    model.dispose();
    await Deno.writeTextFile(`${dir}/m/model.json`, '{"modelTopology": ');
    await assert.rejects(loadLayersModel(`${dir}/m`), (err: Error) => {
      assert.equal(err.name, "SyntaxError");
      assert.match(
        err.message,
        new RegExp(`^Cannot load model "${dir}/m/model.json": expected JSON`),
      );
      return true;
    });
    await Deno.writeTextFile(
      `${dir}/m/model.json`,
      '{"format": "graph-model", "modelTopology": {}}',
    );
    await assert.rejects(
      loadLayersModel(`${dir}/m`),
      /expected format "layers-model", found "graph-model"/,
    );
    await Deno.writeTextFile(`${dir}/m/model.json`, '{"modelTopology": {}, "weightsManifest": 3}');
    await assert.rejects(
      loadLayersModel(`${dir}/m`),
      /expected a "weightsManifest" array, found 3/,
    );
  });
});

Deno.test("loadLayersModel() rejects a missing weights file, naming it", async () => {
  await withTempDir(async (dir) => {
    const model = buildModel(5);
    await saveLayersModel(model, `${dir}/m`);
    model.dispose();
    await Deno.remove(`${dir}/m/weights.bin`);
    await assert.rejects(loadLayersModel(`${dir}/m`), {
      message:
        `Cannot load weights listed in "${dir}/m/model.json": "${dir}/m/weights.bin" not found`,
    });
  });
});

Deno.test("loadLayersModel() rejects a short or long weights file, naming it", async () => {
  await withTempDir(async (dir) => {
    const model = buildModel(6);
    await saveLayersModel(model, `${dir}/m`);
    model.dispose();
    const bytes = await Deno.readFile(`${dir}/m/weights.bin`);
    for (const bad of [bytes.subarray(0, bytes.length - 4), new Uint8Array([...bytes, 0])]) {
      await Deno.writeFile(`${dir}/m/weights.bin`, bad);
      await assert.rejects(loadLayersModel(`${dir}/m`), {
        name: "RangeError",
        message: `Cannot load weights "${dir}/m/weights.bin": expected ${bytes.length} bytes for ` +
          `the 8 weights in "${dir}/m/model.json", found ${bad.length}`,
      });
    }
  });
});

Deno.test("loadLayersModel() rejects weight paths outside the model directory", async () => {
  await withTempDir(async (dir) => {
    const model = buildModel(7);
    await saveLayersModel(model, `${dir}/m`);
    model.dispose();
    const json = JSON.parse(await Deno.readTextFile(`${dir}/m/model.json`));
    json.weightsManifest[0].paths = ["../weights.bin"];
    await Deno.writeTextFile(`${dir}/m/model.json`, JSON.stringify(json));
    await assert.rejects(
      loadLayersModel(`${dir}/m`),
      /expected weight paths inside .* found "\.\.\/weights\.bin"/,
    );
  });
});

Deno.test("saveLayersModel() replaces an existing model whole, leaving no temp directories", async () => {
  await withTempDir(async (dir) => {
    const first = buildModel(8);
    const second = buildModel(9);
    await saveLayersModel(first, `${dir}/m`, { version: 1 });
    await saveLayersModel(second, `${dir}/m`, { version: 2 });
    assert.deepEqual(await names(dir), ["m"]);
    assert.deepEqual(await names(`${dir}/m`), ["model.json", "weights.bin"]);
    const loaded = await loadLayersModel(`${dir}/m`);
    assert.deepEqual(loaded.getUserDefinedMetadata(), { version: 2 });
    const got = await predict(loaded);
    assert.deepEqual(got, await predict(second));
    assert.notDeepEqual(got, await predict(first));
    for (const m of [first, second, loaded]) m.dispose();
  });
});

Deno.test("saveLayersModel() refuses to replace a directory holding other files", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/m`);
    await Deno.writeTextFile(`${dir}/m/notes.txt`, "keep me");
    const model = buildModel(10);
    await assert.rejects(saveLayersModel(model, `${dir}/m`), /found "notes\.txt"/);
    model.dispose();
    assert.deepEqual(await names(`${dir}/m`), ["notes.txt"]);
    assert.deepEqual(await names(dir), ["m"]);
  });
});

Deno.test("saveWeights() then loadWeights() round-trips named tensors in order", async () => {
  await withTempDir(async (dir) => {
    const tensors = [
      { name: "iter", tensor: tf.scalar(12, "int32") },
      { name: "m/kernel", tensor: tf.tensor2d([[1.5, -2], [3, 4.25]]) },
      { name: "flag", tensor: tf.tensor1d([1, 0, 1], "bool") },
    ];
    await saveWeights(`${dir}/ckpt`, "opt", tensors);
    assert.deepEqual(await names(`${dir}/ckpt`), ["opt.bin", "opt.json"]);
    const back = await loadWeights(`${dir}/ckpt`, "opt");
    assert.deepEqual(back.map((t) => t.name), ["iter", "m/kernel", "flag"]);
    for (let i = 0; i < tensors.length; i++) {
      assert.equal(back[i]!.tensor.dtype, tensors[i]!.tensor.dtype);
      assert.deepEqual(back[i]!.tensor.shape, tensors[i]!.tensor.shape);
      assert.deepEqual(await back[i]!.tensor.data(), await tensors[i]!.tensor.data());
    }
    tf.dispose([...tensors, ...back].map((t) => t.tensor));
  });
});

Deno.test("saveWeights() accepts a NamedTensorMap and rejects duplicate names", async () => {
  await withTempDir(async (dir) => {
    const a = tf.tensor1d([1, 2]);
    await saveWeights(dir, "map", { a });
    const [back] = await loadWeights(dir, "map");
    assert.equal(back!.name, "a");
    assert.deepEqual(await back!.tensor.data(), new Float32Array([1, 2]));
    await assert.rejects(
      saveWeights(dir, "dup", [{ name: "a", tensor: a }, { name: "a", tensor: a }]),
      /expected unique names, found "a" twice/,
    );
    await assert.rejects(saveWeights(dir, "../x", { a }), /expected a plain file stem/);
    tf.dispose([a, back!.tensor]);
  });
});

Deno.test("loadWeights() rejects missing, short and mismatched files, naming them", async () => {
  await withTempDir(async (dir) => {
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.tensor1d([4, 5, 6]);
    await assert.rejects(loadWeights(dir, "opt"), {
      message: `Cannot load weights manifest "${dir}/opt.json": file not found`,
    });
    await saveWeights(dir, "opt", { a });
    const bin = await Deno.readFile(`${dir}/opt.bin`);
    await Deno.writeFile(`${dir}/opt.bin`, bin.subarray(0, 8));
    await assert.rejects(loadWeights(dir, "opt"), {
      name: "RangeError",
      message:
        `Cannot load weights "${dir}/opt.bin": expected 12 bytes (from "${dir}/opt.json"), found 8`,
    });
    await Deno.remove(`${dir}/opt.bin`);
    await assert.rejects(loadWeights(dir, "opt"), new RegExp(`"${dir}/opt.bin" not found`));
    // A .bin from another save of the same size: caught by the checksum.
    const json = await Deno.readTextFile(`${dir}/opt.json`);
    await saveWeights(dir, "opt", { a: b });
    await Deno.writeTextFile(`${dir}/opt.json`, json);
    await assert.rejects(loadWeights(dir, "opt"), /expected SHA-256 .* come from different saves/);
    await Deno.writeTextFile(`${dir}/opt.json`, "{");
    await assert.rejects(loadWeights(dir, "opt"), { name: "SyntaxError" });
    tf.dispose([a, b]);
  });
});
