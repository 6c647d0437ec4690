import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { adamState, createAdam, restoreAdam } from "../../src/backend/optimizer.ts";

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

Deno.test("on wasm, createAdam()'s fused update follows tfjs's Adam, state included", async () => {
  await initBackend({ requested: "wasm" });
  try {
    const start = [0.1, -0.2, 0.3, 2, -5, 0.01];
    const fused = tf.variable(tf.tensor(start, [2, 3]));
    const stock = tf.variable(tf.tensor(start, [2, 3]));
    const a = createAdam(CFG);
    const b = tf.train.adam(CFG.lr, CFG.beta1, CFG.beta2, CFG.epsilon);
    const target = tf.tensor([3, -1, 0.5, 0, 1, -2], [2, 3]);
    const loss = (v: tf.Variable) => () => tf.sum(tf.pow(tf.sub(v, target), 4)) as tf.Scalar;
    const kernelsOf = async (f: () => void) => (await tf.profile(f)).kernels.map((k) => k.name);
    let names: string[] = [];
    for (let i = 0; i < 6; i++) {
      names = await kernelsOf(() => tf.dispose(a.minimize(loss(fused), true, [fused]) ?? []));
      tf.dispose(b.minimize(loss(stock), true, [stock]) ?? []);
    }
    assert.ok(names.includes("CganAdamGroup"), `the fused kernel did not run: ${names}`);
    const [x, y] = [await fused.data(), await stock.data()];
    for (let i = 0; i < x.length; i++) {
      assert.ok(Math.abs(x[i]! - y[i]!) <= 1e-6 * Math.max(1, Math.abs(y[i]!)), `${x} vs ${y}`);
    }
    // The same state as tfjs's, so checkpoints do not depend on which update ran.
    const [wa, wb] = [await a.getWeights(), await b.getWeights()];
    const suffixes = (ws: { name: string }[]) => ws.map((w) => w.name.replace(/^.*\//, ""));
    assert.deepEqual(suffixes(wa), ["iter", "m", "v"]);
    assert.deepEqual(wa.map((w) => w.name), [`iter`, `${fused.name}/m`, `${fused.name}/v`]);
    assert.deepEqual(suffixes(wb), suffixes(wa));
    for (let i = 0; i < wa.length; i++) {
      const [p, q] = [await wa[i]!.tensor.data(), await wb[i]!.tensor.data()];
      for (let j = 0; j < p.length; j++) {
        assert.ok(Math.abs(p[j]! - q[j]!) <= 1e-5 * Math.max(1, Math.abs(q[j]!)));
      }
    }
    // A fused step leaves no tensors behind.
    const before = tf.memory().numTensors;
    tf.dispose(a.minimize(loss(fused), true, [fused]) ?? []);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([fused, stock, target, ...wa.map((w) => w.tensor), ...wb.map((w) => w.tensor)]);
    a.dispose();
    b.dispose();
  } finally {
    await initBackend({ requested: "cpu" });
  }
});
