import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/backend/mod.ts";
import { adamState, createAdam, restoreAdam } from "../../src/train/optimizer.ts";

await initBackend({ requested: "cpu" });

const CFG = { lr: 0.01, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 };

function steps(opt: tf.AdamOptimizer, v: tf.Variable, n: number): void {
  for (let i = 0; i < n; i++) {
    tf.dispose(
      opt.minimize(() => tf.sum(tf.square(tf.sub(v, tf.tensor([3, -1, 0.5])))) as tf.Scalar, true, [
        v,
      ]) ?? [],
    );
  }
}

Deno.test("restoreAdam() continues bit-identically to an unbroken optimizer", async () => {
  const unbroken = tf.variable(tf.tensor([0.1, 0.2, 0.3]));
  const a = createAdam(CFG);
  steps(a, unbroken, 12);

  const resumed = tf.variable(tf.tensor([0.1, 0.2, 0.3]));
  const b = createAdam(CFG);
  steps(b, resumed, 7);
  const state = await adamState(b);
  // Copy through host memory, as a checkpoint does.
  const copies = await Promise.all(
    state.tensors.map(async (t) => ({
      name: t.name,
      tensor: tf.tensor(await t.tensor.data(), t.tensor.shape, t.tensor.dtype),
    })),
  );
  tf.dispose(state.owned);
  const c = createAdam(CFG);
  await restoreAdam(c, copies);
  steps(c, resumed, 5);

  assert.deepEqual(Array.from(resumed.dataSync()), Array.from(unbroken.dataSync()));
  tf.dispose([unbroken, resumed]);
  a.dispose();
  b.dispose();
  c.dispose();
});

Deno.test("restoreAdam() rejects a state without bias-correction products", async () => {
  const opt = createAdam(CFG);
  await assert.rejects(
    () => restoreAdam(opt, [{ name: "iter", tensor: tf.scalar(1) }]),
    /Cannot restore Adam state/,
  );
  opt.dispose();
});
