import assert from "node:assert/strict";
import * as tf from "../../../src/_tf.ts";
import { initBackend } from "../../../src/backend/mod.ts";
import { fusedLeakyReluGrad } from "../../../src/backend/fused_activation.ts";
import { countKernels } from "../../../src/backend/kernel_count.ts";
import { hostData, onCpuAndWasm } from "./_kernel_suite.ts";
import { runSteps } from "../_step_compare.ts";

const X = [-2, -0.5, 0, 0.25, 3, -1e-3, 1e-3, 7];
const R = Array.from(hostData([8], 11));

/** d sum(leakyRelu(x) r) / dx, and a second derivative through it (as WGAN-GP takes). */
function grads() {
  return tf.tidy(() => {
    const x = tf.tensor(X);
    const r = tf.tensor(R);
    const w = tf.tensor(R.map((v) => v + 1));
    const dx = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(x, 0.2), r)))(x);
    // d/dw |d/dx sum(leakyRelu(x w) r)|²: the inner gradient is differentiated again.
    const dw = tf.grad((w: tf.Tensor) =>
      tf.sum(
        tf.square(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(tf.mul(x, w), 0.2), r)))(x)),
      )
    )(w);
    return [dx, dw].map((t) => Array.from(t.dataSync()));
  });
}

Deno.test("CganLeakyReluGrad gives tfjs's LeakyRelu gradient bit for bit, first and second order (wasm)", async () => {
  await initBackend({ requested: "cpu" });
  const cpu = grads();
  await initBackend({ requested: "wasm" });
  try {
    fusedLeakyReluGrad.on = false;
    const stock = grads();
    fusedLeakyReluGrad.on = true;
    const fused = grads();
    assert.deepEqual(fused, stock);
    assert.deepEqual(fused[0], cpu[0]);
    const x = tf.tensor(X);
    const { result, count } = countKernels(() =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.leakyRelu(x, 0.2)))(x)
    );
    assert.equal(count.byName.get("CganLeakyReluGrad")?.backward, 1);
    assert.equal(count.byName.get("Select"), undefined);
    tf.dispose([x, result]);
  } finally {
    fusedLeakyReluGrad.on = true;
    await initBackend({ requested: "cpu" });
  }
});

Deno.test("CganLeakyReluGrad agrees with finite differences of LeakyRelu (wasm)", async () => {
  await initBackend({ requested: "wasm" });
  try {
    const values = X.filter((v) => Math.abs(v) > 0.1);
    const loss = (v: number[]) =>
      tf.tidy(() =>
        tf.sum(tf.mul(tf.leakyRelu(tf.tensor(v), 0.2), tf.tensor(R.slice(0, v.length))))
          .dataSync()[0]!
      );
    const x = tf.tensor(values);
    const dx = tf.grad((x: tf.Tensor) =>
      tf.sum(tf.mul(tf.leakyRelu(x, 0.2), tf.tensor(R.slice(0, values.length))))
    )(x);
    const analytic = dx.dataSync();
    values.forEach((_, i) => {
      const at = (delta: number) => loss(values.map((v, j) => j === i ? v + delta : v));
      const numeric = (at(1e-2) - at(-1e-2)) / 2e-2;
      assert.ok(Math.abs(numeric - analytic[i]!) < 1e-4, `[${i}]: ${numeric} vs ${analytic[i]}`);
    });
    tf.dispose([x, dx]);
  } finally {
    await initBackend({ requested: "cpu" });
  }
});

for (const [model, loss] of [["mlp", "bce"], ["mlp", "wgan-gp"], ["dcgan", "bce"]] as const) {
  Deno.test(`CganLeakyReluGrad leaves the ${model} cGAN's ${loss} steps bit-identical, fewer kernel calls (wasm)`, async () => {
    await initBackend({ requested: "wasm" });
    try {
      fusedLeakyReluGrad.on = false;
      const stock = runSteps(model, { steps: 2, loss });
      fusedLeakyReluGrad.on = true;
      const fused = runSteps(model, { steps: 2, loss });
      assert.deepEqual(fused.dLosses, stock.dLosses);
      assert.deepEqual(fused.gLosses, stock.gLosses);
      assert.deepEqual(fused.weights, stock.weights);
      assert.ok(fused.kernels < stock.kernels, `${fused.kernels} vs ${stock.kernels}`);
      assert.equal(fused.tensorsLeaked, 0);
    } finally {
      fusedLeakyReluGrad.on = true;
      await initBackend({ requested: "cpu" });
    }
  });
}

Deno.test("LeakyRelu on wasm is tfjs-backend-wasm's, bit for bit (float32 alpha), and within an ulp of cpu's (double alpha)", async () => {
  const values = new Float32Array(1 << 20);
  values.set(hostData([values.length], 12));
  values.set([0, -0, NaN, -NaN, Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38]);
  const run = (): Float32Array => {
    const x = tf.tensor(values);
    const y = tf.leakyRelu(x, 0.2);
    const out = (y.dataSync() as Float32Array).slice();
    tf.dispose([x, y]);
    return out;
  };
  const { cpu, wasm } = await onCpuAndWasm(run);
  // tfjs-backend-wasm's C++ kernel: x < 0 ? alpha x : x, in float32 with a float32 alpha.
  const alpha = Math.fround(0.2);
  const bits = (v: number) => new Uint32Array(Float32Array.of(v).buffer)[0];
  values.forEach((v, i) => {
    const expected = v < 0 ? Math.fround(alpha * v) : v;
    if (bits(wasm[i]!) !== bits(expected)) {
      assert.fail(`x = ${v}: ${wasm[i]}, expected ${expected}`);
    }
    const ulp = Math.abs(bits(wasm[i]!)! - bits(cpu[i]!)!);
    if (!(ulp <= 1)) assert.fail(`x = ${v}: wasm ${wasm[i]}, cpu ${cpu[i]}`);
  });
});

Deno.test("LeakyRelu and its gradient on wasm take the same bits in the SIMD part and the tail (n = 4k + 3)", async () => {
  await initBackend({ requested: "wasm" });
  const alpha = Math.fround(0.2);
  const xs = Float32Array.from(hostData([11], 21), (v, i) => (i % 3 === 0 ? -v : v));
  xs[2] = -0;
  xs[9] = 0;
  const dy = Float32Array.from(hostData([11], 22));
  const [y, dx] = tf.tidy(() => {
    const x = tf.tensor(xs);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(a, 0.2), tf.tensor(dy))))(x);
    return [tf.leakyRelu(x, 0.2), g].map((t) => t.dataSync() as Float32Array);
  });
  xs.forEach((v, i) => {
    assert.ok(Object.is(y![i], v > 0 ? v : Math.fround(alpha * v)), `y[${i}] for x = ${v}`);
    const want = v > 0 ? dy[i]! : Math.fround(alpha * dy[i]!);
    assert.ok(Object.is(dx![i], want), `dx[${i}] for x = ${v}`);
  });
});
