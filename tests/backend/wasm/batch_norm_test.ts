import assert from "node:assert/strict";
import * as tf from "../../../src/_tf.ts";
import { initBackend } from "../../../src/backend/mod.ts";
import { fuseBatchNormLayers, fusedBatchNorm } from "../../../src/backend/fused_batch_norm.ts";
import { countKernels } from "../../../src/backend/kernel_count.ts";
import { registerBatchNormKernels } from "../../../src/backend/wasm/batch_norm.ts";
import { hostData } from "./_kernel_suite.ts";
import { batchNormRun, close } from "../_fused_cases.ts";
import { runSteps } from "../_step_compare.ts";

for (const shape of [[8, 5], [2, 3, 3, 4]]) {
  Deno.test(`CganBatchNorm and CganBatchNormGrad match tfjs's BatchNorm layer in training on cpu, [${shape}] (wasm)`, async () => {
    await initBackend({ requested: "cpu" });
    const stock = await batchNormRun(shape);
    await initBackend({ requested: "wasm" });
    try {
      registerBatchNormKernels();
      fuseBatchNormLayers();
      const layer = tf.layers.batchNormalization();
      const x = tf.tensor(hostData(shape, 3), shape);
      const { result, count } = countKernels(() => layer.apply(x, { training: true }) as tf.Tensor);
      assert.equal(count.byName.get("CganBatchNorm")?.other, 1, "the fused kernel ran");
      assert.equal(count.total, 2, "one op and its kernel");
      tf.dispose([x, result, ...layer.getWeights()]);
      const fused = await batchNormRun(shape);
      const names = ["loss", "moving mean", "moving variance", "dx", "dgamma", "dbeta"];
      names.forEach((what, i) => close(fused[i]!, stock[i]!, 1e-5, what));
    } finally {
      await initBackend({ requested: "cpu" });
    }
  });
}

Deno.test("CganBatchNormGrad agrees with finite differences of CganBatchNorm (wasm)", async () => {
  await initBackend({ requested: "wasm" });
  try {
    registerBatchNormKernels();
    const shape = [6, 3];
    const x = tf.tensor(hostData(shape, 7).map((v) => 2 * v), shape);
    const gamma = tf.tensor(hostData([3], 8).map((v) => 1 + v / 2), [3]);
    const beta = tf.tensor(hostData([3], 9), [3]);
    const moving = tf.zeros([3]);
    const r = tf.tensor(hostData(shape, 10), shape);
    const attrs = { epsilon: 1e-3, momentum: 0.8 };
    const forward = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) =>
      tf.engine().runKernel("CganBatchNorm", {
        x,
        gamma,
        beta,
        movingMean: moving,
        movingVariance: moving,
      }, attrs) as tf.Tensor[];
    const loss = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) =>
      tf.tidy(() => tf.sum(tf.mul(forward(x, gamma, beta)[0]!, r)).dataSync()[0]!);
    const outs = forward(x, gamma, beta);
    const grads = tf.engine().runKernel("CganBatchNormGrad", {
      x,
      gamma,
      mean: outs[1]!,
      variance: outs[2]!,
      dy: r,
    }, attrs) as tf.Tensor[];
    const inputs = [x, gamma, beta];
    grads.forEach((g, which) => {
      const values = inputs[which]!.dataSync() as Float32Array;
      const analytic = g.dataSync();
      const eps = 1e-2;
      for (let i = 0; i < values.length; i++) {
        const at = (delta: number) => {
          const v = Float32Array.from(values);
          v[i]! += delta;
          const t = tf.tensor(v, inputs[which]!.shape);
          const args = inputs.map((u, j) => j === which ? t : u) as [
            tf.Tensor,
            tf.Tensor,
            tf.Tensor,
          ];
          const l = loss(...args);
          t.dispose();
          return l;
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        assert.ok(
          Math.abs(numeric - analytic[i]!) < 5e-3,
          `input ${which}[${i}]: finite difference ${numeric}, kernel ${analytic[i]}`,
        );
      }
    });
    tf.dispose([x, gamma, beta, moving, r, ...outs, ...grads]);
  } finally {
    await initBackend({ requested: "cpu" });
  }
});

for (
  const [model, colour] of [["mlp", false], ["dcgan", true]] as const
) {
  Deno.test(`fused BatchNorm gives the ${model} cGAN's losses and weights of tfjs's layers, fewer kernel calls (wasm)`, async () => {
    await initBackend({ requested: "wasm" });
    try {
      fusedBatchNorm.on = false;
      const stock = runSteps(model, { steps: 3, colour });
      fusedBatchNorm.on = true;
      const fused = runSteps(model, { steps: 3, colour });
      close(fused.dLosses, stock.dLosses, 1e-4, "D's losses");
      close(fused.gLosses, stock.gLosses, 1e-4, "G's losses");
      // Adam turns float-level differences of near-zero gradients into steps of up to lr
      // (2e-3 a step here) on a few weights; on average the weights agree to float precision.
      fused.weights.forEach((w, i) => {
        let [max, sum] = [0, 0];
        w.forEach((v, j) => {
          const d = Math.abs(v - stock.weights[i]![j]!);
          [max, sum] = [Math.max(max, d), sum + d];
        });
        assert.ok(max < 3 * 2e-3, `weight ${i}: max difference ${max}`);
        const mean = sum / w.length;
        assert.ok(mean < 1e-4, `weight ${i}: mean difference ${mean}`);
      });
      assert.ok(
        fused.kernels < stock.kernels - 100,
        `expected far fewer kernel calls: ${fused.kernels} vs ${stock.kernels}`,
      );
      assert.equal(fused.tensorsLeaked, 0);
    } finally {
      fusedBatchNorm.on = true;
      await initBackend({ requested: "cpu" });
    }
  });
}
