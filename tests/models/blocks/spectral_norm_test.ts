import assert from "node:assert/strict";
import * as tf from "../../../src/_tf.ts";
import { initBackend } from "../../../src/backend/mod.ts";
import { symmetricEigenvalues } from "../../../src/eval/linalg.ts";
import { loadLayersModel, saveLayersModel } from "../../../src/io/layers_io.ts";
import { SNConv2D, spectralNormalize } from "../../../src/models/blocks/spectral_norm.ts";
import { InitSeeds } from "../../../src/models/blocks/seeds.ts";

/** Largest singular value of a `[rows, cols]` matrix, in float64 on the host. */
function topSingularValue(m: Float32Array, rows: number, cols: number): number {
  const gram = new Float64Array(cols * cols);
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += m[r * cols + i]! * m[r * cols + j]!;
      gram[i * cols + j] = s;
    }
  }
  return Math.sqrt(Math.max(...symmetricEigenvalues(gram, cols)));
}

function model(seed: number) {
  const x = tf.input({ shape: [8, 8, 3] });
  const layer = new SNConv2D({
    filters: 6,
    kernelSize: 3,
    strides: 2,
    kernelInitializer: new InitSeeds(seed).glorotUniform(),
    name: "sn",
  });
  return { net: tf.model({ inputs: x, outputs: layer.apply(x) as tf.SymbolicTensor }), layer };
}

Deno.test("SNConv2D: after power iterations the normalised kernel's largest singular value is 1", async () => {
  await initBackend({ requested: "cpu" });
  const { net, layer } = model(3);
  const x = tf.randomNormal([2, 8, 8, 3], 0, 1, "float32", 1);
  assert.deepEqual(net.outputs[0]!.shape, [null, 4, 4, 6]);
  const [k0, b0, u0] = layer.getWeights();
  layer.setWeights([tf.mul(k0!, 3), b0!, u0!]); // a kernel far from norm 1
  for (let i = 0; i < 30; i++) tf.dispose(net.apply(x, { training: true }) as tf.Tensor);
  const [kernel, , u] = layer.getWeights();
  const raw = kernel!.dataSync() as Float32Array;
  const sigmaRaw = topSingularValue(raw, 27, 6);
  assert.ok(sigmaRaw > 1.1, `the raw kernel is not already normalised: ${sigmaRaw}`);
  const normalised = tf.tidy(() =>
    spectralNormalize(kernel!, tf.variable(u!), false).dataSync()
  ) as Float32Array;
  assert.ok(Math.abs(topSingularValue(normalised, 27, 6) - 1) < 1e-3);
  x.dispose();
  net.dispose();
});

Deno.test("SNConv2D keeps u across save and load, and inference does not update it", async () => {
  await initBackend({ requested: "cpu" });
  const { net, layer } = model(4);
  const x = tf.randomNormal([2, 8, 8, 3], 0, 1, "float32", 2);
  for (let i = 0; i < 3; i++) tf.dispose(net.apply(x, { training: true }) as tf.Tensor);
  const u = layer.getWeights()[2]!.dataSync().slice();
  assert.notDeepEqual(Array.from(u), new Array(6).fill(1), "training calls refine u");
  tf.dispose(net.predict(x) as tf.Tensor);
  assert.deepEqual(layer.getWeights()[2]!.dataSync(), u, "inference leaves u alone");
  const dir = await Deno.makeTempDir({ prefix: "cgan-sn-" });
  await saveLayersModel(net, dir);
  const loaded = await loadLayersModel(dir);
  const [a, b] = [net, loaded].map((m) => (m.predict(x) as tf.Tensor).dataSync());
  assert.deepEqual(b, a, "the loaded model computes the same outputs");
  assert.deepEqual(loaded.getLayer("sn").getWeights()[2]!.dataSync(), u);
  await Deno.remove(dir, { recursive: true });
  tf.dispose([x]);
  net.dispose();
  loaded.dispose();
});

Deno.test("spectralNormalize() passes gradients to the kernel (through sigma) and leaks nothing", async () => {
  await initBackend({ requested: "cpu" });
  const w = tf.variable(tf.randomNormal([4, 3], 0, 1, "float32", 5));
  const u = tf.variable(tf.ones([3, 1]));
  const loss = () => tf.sum(tf.square(spectralNormalize(w, u, false, 5))) as tf.Scalar;
  loss().dispose();
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(loss, [w]);
  // ||W / sigma||_F^2 is scale-invariant: its gradient is orthogonal to W.
  const dot = tf.tidy(() => tf.sum(tf.mul(grads[w.name]!, w)).dataSync()[0]!);
  assert.ok(Math.abs(dot) < 1e-4, `gradient of a scale-invariant loss is orthogonal to W: ${dot}`);
  assert.ok(tf.tidy(() => tf.norm(grads[w.name]!).dataSync()[0]!) > 1e-3);
  tf.dispose([value, ...Object.values(grads)]);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([w, u]);
});
