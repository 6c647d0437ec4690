import assert from "node:assert/strict";
import * as tf from "../../../src/_tf.ts";
import { initBackend } from "../../../src/backend/mod.ts";
import { fusedDense, fuseDenseLayers } from "../../../src/backend/fused_dense.ts";
import { countKernels } from "../../../src/backend/kernel_count.ts";
import { registerDenseKernels } from "../../../src/backend/wasm/dense.ts";
import { hostData } from "./_kernel_suite.ts";
import { runSteps } from "../_step_compare.ts";

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    assert.ok(d <= tol * Math.max(1, Math.abs(b[i]!)), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
};

const [N, K, M] = [6, 5, 4];

/** A dense layer's output and the gradients of sum(y * r) by x, kernel and bias. */
function denseGrads(activation: "linear" | "tanh") {
  const layer = tf.layers.dense({ units: M, activation });
  layer.build([null, K]);
  layer.setWeights([tf.tensor(hostData([K, M], 1), [K, M]), tf.tensor(hostData([M], 2), [M])]);
  const x = tf.variable(tf.tensor(hostData([N, K], 3), [N, K]));
  const r = tf.tensor(hostData([N, M], 4), [N, M]);
  const vars = [x, ...layer.trainableWeights.map((v) => v.read() as tf.Variable)];
  const y = layer.apply(x) as tf.Tensor;
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, r)) as tf.Scalar,
    vars,
  );
  const out = [y, ...vars.map((v) => grads[v.name]!)].map((t) => Array.from(t.dataSync()));
  tf.dispose([x, r, y, value, ...Object.values(grads), ...vars.slice(1)]);
  return out;
}

for (const activation of ["linear", "tanh"] as const) {
  Deno.test(`CganDense and CganDenseGrad match tfjs's dense layer on cpu, ${activation} (wasm)`, async () => {
    await initBackend({ requested: "cpu" });
    const stock = denseGrads(activation);
    await initBackend({ requested: "wasm" });
    try {
      registerDenseKernels();
      fuseDenseLayers();
      const x = tf.tensor(hostData([N, K], 3), [N, K]);
      const layer = tf.layers.dense({ units: M, activation });
      const { result, count } = countKernels(() => layer.apply(x) as tf.Tensor);
      assert.equal(count.byName.get("CganDense")?.other, 1, "the fused kernel ran");
      tf.dispose([x, result, ...layer.trainableWeights.map((v) => v.read())]);
      const fused = denseGrads(activation);
      ["y", "dx", "dw", "db"].forEach((what, i) => close(fused[i]!, stock[i]!, 1e-5, what));
    } finally {
      await initBackend({ requested: "cpu" });
    }
  });
}

Deno.test("CganDenseGrad agrees with finite differences of CganDense (wasm, tanh)", async () => {
  await initBackend({ requested: "wasm" });
  try {
    registerDenseKernels();
    const x = tf.tensor(hostData([3, 4], 5), [3, 4]);
    const w = tf.tensor(hostData([4, 2], 6), [4, 2]);
    const b = tf.tensor(hostData([2], 7), [2]);
    const r = tf.tensor(hostData([3, 2], 8), [3, 2]);
    const loss = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
      tf.tidy(() => {
        const y = tf.engine().runKernel("CganDense", { x, w, b }, { activation: "tanh" });
        return tf.sum(tf.mul(y as tf.Tensor, r)).dataSync()[0]!;
      });
    const y = tf.engine().runKernel("CganDense", { x, w, b }, { activation: "tanh" }) as tf.Tensor;
    const [dx, dw, db] = tf.engine().runKernel("CganDenseGrad", { x, w, y, dy: r }, {
      activation: "tanh",
    }) as tf.Tensor[];
    const inputs = [x, w, b];
    [dx, dw, db].forEach((g, which) => {
      const values = inputs[which]!.dataSync() as Float32Array;
      const analytic = g!.dataSync();
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
          Math.abs(numeric - analytic[i]!) < 2e-3,
          `input ${which}[${i}]: finite difference ${numeric}, kernel ${analytic[i]}`,
        );
      }
    });
    // One gradient at a time (`wrt`) is the same as all three.
    (["x", "w", "b"] as const).forEach((wrt, i) => {
      const one = tf.engine().runKernel("CganDenseGrad", { x, w, y, dy: r }, {
        activation: "tanh",
        wrt,
      }) as tf.Tensor;
      assert.deepEqual(one.dataSync(), [dx, dw, db][i]!.dataSync(), wrt);
      one.dispose();
    });
    tf.dispose([x, w, b, r, y, dx!, dw!, db!]);
  } finally {
    await initBackend({ requested: "cpu" });
  }
});

for (const loss of ["bce", "wgan-gp"] as const) {
  Deno.test(`fused dense layers give the MLP cGAN's losses and weights of tfjs's layers, fewer kernel calls (wasm, ${loss})`, async () => {
    await initBackend({ requested: "wasm" });
    try {
      registerDenseKernels();
      fuseDenseLayers();
      fusedDense.on = false;
      const stock = runSteps("mlp", { steps: 3, loss });
      fusedDense.on = true;
      const fused = runSteps("mlp", { steps: 3, loss });
      close(fused.dLosses, stock.dLosses, 1e-5, "D's losses");
      close(fused.gLosses, stock.gLosses, 1e-5, "G's losses");
      fused.weights.forEach((w, i) => close(w, stock.weights[i]!, 1e-4, `weight ${i}`));
      assert.ok(
        fused.kernels < stock.kernels - 100,
        `expected far fewer kernel calls: ${fused.kernels} vs ${stock.kernels}`,
      );
      assert.equal(fused.tensorsLeaked, 0);
    } finally {
      fusedDense.on = true;
      await initBackend({ requested: "cpu" });
    }
  });
}

Deno.test("the fused dense gradient computes only the gradients the backward pass needs (wasm)", async () => {
  await initBackend({ requested: "wasm" });
  try {
    registerDenseKernels();
    fuseDenseLayers();
    const layer = tf.layers.dense({ units: M });
    const x = tf.variable(tf.tensor(hostData([N, K], 3), [N, K]));
    layer.build([null, K]);
    const weights = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    const calls = (vars: tf.Variable[]) => {
      const { result, count } = countKernels(() =>
        tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor) as tf.Scalar, vars)
      );
      tf.dispose([result.value, ...Object.values(result.grads)]);
      const c = count.byName.get("CganDenseGrad");
      return (c?.forward ?? 0) + (c?.backward ?? 0) + (c?.other ?? 0);
    };
    assert.equal(calls(weights), 2, "dw and db, no dx, when only the layer's weights train");
    assert.equal(calls([x]), 1, "dx alone when only the input is differentiated");
    assert.equal(calls([x, ...weights]), 3);
    tf.dispose([x, ...weights]);
  } finally {
    await initBackend({ requested: "cpu" });
  }
});
