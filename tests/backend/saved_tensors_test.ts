import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { saveWithoutKernels } from "../../src/backend/saved_tensors.ts";
import { runSteps } from "./_step_compare.ts";

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`saveWithoutKernels() leaves the MLP cGAN's steps bit-identical and drops every Identity call (${backend})`, async () => {
    await initBackend({ requested: backend });
    try {
      saveWithoutKernels(false);
      const stock = runSteps("mlp", { steps: 3 });
      saveWithoutKernels(true);
      const direct = runSteps("mlp", { steps: 3 });
      assert.deepEqual(direct.dLosses, stock.dLosses);
      assert.deepEqual(direct.gLosses, stock.gLosses);
      assert.deepEqual(direct.weights, stock.weights);
      // What remains are Identity calls of ops (tf.clone and the like), not saves. tfjs's
      // layers save ~220 tensors a step; on wasm cgan's fused layers save ~90 (D's update runs
      // untaped inside G's tape, so its backward saves nothing).
      const saves = backend === "cpu" ? 200 : 80;
      assert.ok(
        stock.identity - direct.identity > saves,
        `expected over ${saves} saves fewer, found ${stock.identity} and ${direct.identity}`,
      );
      assert.equal(direct.kernels, stock.kernels - (stock.identity - direct.identity));
      assert.equal(direct.tensorsLeaked, 0);
      assert.equal(stock.tensorsLeaked, 0);
    } finally {
      saveWithoutKernels(true);
      await initBackend({ requested: "cpu" });
    }
  });
}

Deno.test("saveWithoutKernels() keeps second derivatives through saved tensors (WGAN-GP's path)", async () => {
  await initBackend({ requested: "cpu" });
  const x = tf.tensor2d([[0.5, -1.5], [2, -0.25]]);
  const w = tf.variable(tf.tensor2d([[0.3, -0.7], [1.1, 0.2]]));
  // d/dw of |d/dx sum(leakyRelu(x w)^2)|^2: the inner gradient reads saved tensors.
  const penalty = () =>
    tf.grad((w: tf.Tensor) => {
      const gx = tf.grad((x: tf.Tensor) =>
        tf.sum(tf.square(tf.leakyRelu(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), 0.2)))
      )(x);
      return tf.sum(tf.square(gx));
    })(w);
  saveWithoutKernels(false);
  const stock = penalty();
  saveWithoutKernels(true);
  const direct = penalty();
  assert.deepEqual(Array.from(direct.dataSync()), Array.from(stock.dataSync()));
  assert.ok(tf.max(tf.abs(stock)).dataSync()[0]! > 0);
  tf.dispose([x, w, stock, direct]);
});

Deno.test("saveWithoutKernels() leaves the WGAN-GP DCGAN's steps bit-identical (wasm)", async () => {
  await initBackend({ requested: "wasm" });
  try {
    saveWithoutKernels(false);
    const stock = runSteps("dcgan", { steps: 2, loss: "wgan-gp" });
    saveWithoutKernels(true);
    const direct = runSteps("dcgan", { steps: 2, loss: "wgan-gp" });
    assert.deepEqual(direct.dLosses, stock.dLosses);
    assert.deepEqual(direct.weights, stock.weights);
    assert.ok(direct.identity < stock.identity);
  } finally {
    saveWithoutKernels(true);
    await initBackend({ requested: "cpu" });
  }
});
