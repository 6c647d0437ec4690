import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend, probeAdapter } from "../../src/backend/mod.ts";
import { fusedLeakyReluGrad } from "../../src/backend/fused_activation.ts";
import { countKernels } from "../../src/backend/kernel_count.ts";

const probe = await probeAdapter(navigator.gpu);

// Both signs, zero, tiny values and a size past one workgroup that is not a multiple of it.
const X = Array.from({ length: 301 }, (_, i) => (i % 7 === 0 ? 0 : Math.sin(i * 1.7) * 3));
const R = Array.from({ length: 301 }, (_, i) => Math.cos(i * 0.9) * 2);

/** d sum(leakyRelu(x) r) / dx, its kernel calls, and a second derivative through it. */
async function grads() {
  const x = tf.tensor(X, [7, 43]);
  const r = tf.tensor(R, [7, 43]);
  const { result: dx, count } = countKernels(() =>
    tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(x, 0.2), r)))(x)
  );
  // d/dr |d/dx sum(leakyRelu(x) r)|²: a second derivative runs tfjs's ops.
  const dr = tf.grad((r: tf.Tensor) =>
    tf.sum(tf.square(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(x, 0.2), r)))(x)))
  )(r);
  const out = { dx: Array.from(await dx.data()), dr: Array.from(await dr.data()), count };
  tf.dispose([x, r, dx, dr]);
  return out;
}

Deno.test({
  name: "on webgpu, CganLeakyReluGrad gives tfjs's LeakyRelu gradient bit for bit in one kernel",
  ignore: probe.adapter === null,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await initBackend({ requested: "cpu" });
    const cpu = await grads();
    await initBackend({ requested: "webgpu" });
    try {
      fusedLeakyReluGrad.on = false;
      const stock = await grads();
      fusedLeakyReluGrad.on = true;
      const fused = await grads();
      assert.deepEqual(fused.dx, stock.dx);
      assert.deepEqual(fused.dx, cpu.dx);
      assert.deepEqual(fused.dr, stock.dr);
      assert.equal(fused.count.byName.get("CganLeakyReluGrad")?.backward, 1);
      for (const k of ["Greater", "Select"]) {
        assert.equal(fused.count.byName.get(k), undefined, k);
        assert.equal(stock.count.byName.get(k)?.backward, 1, k);
      }
    } finally {
      fusedLeakyReluGrad.on = true;
      await initBackend({ requested: "cpu" });
    }
  },
});
