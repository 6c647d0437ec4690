import assert from "node:assert/strict";
import * as tf from "../../../src/_tf.ts";
import { initBackend } from "../../../src/backend/mod.ts";
import { adamGroupKernel, adamState, createAdam } from "../../../src/backend/optimizer.ts";
import { countKernels } from "../../../src/backend/kernel_count.ts";
import { runSteps } from "../_step_compare.ts";

const CFG = { lr: 0.01, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 };

/** Six Adam steps on three variables (one without a gradient); the last step's kernel count. */
async function adamRun(grouped: boolean) {
  adamGroupKernel.on = grouped;
  const vars = [
    tf.variable(tf.tensor([0.1, -0.2, 0.3, 2, -5, 0.01], [2, 3])),
    tf.variable(tf.tensor([1.5, -0.5])),
    tf.variable(tf.tensor([7])),
  ];
  const target = tf.tensor([3, -1, 0.5, 0, 1, -2], [2, 3]);
  const opt = createAdam(CFG);
  // The third variable gets no gradient: its moments are made, and it stays as it is.
  const loss = () =>
    tf.add(tf.sum(tf.pow(tf.sub(vars[0]!, target), 4)), tf.sum(tf.square(vars[1]!))) as tf.Scalar;
  let names = new Map<string, unknown>();
  for (let i = 0; i < 6; i++) {
    const { count } = countKernels(() =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(loss, vars.slice(0, 2));
        opt.applyGradients(
          vars.map((v) => ({ name: v.name, tensor: (grads[v.name] ?? null) as tf.Tensor })),
        );
      })
    );
    names = count.byName;
  }
  const state = await adamState(opt);
  const result = {
    values: vars.map((v) => Array.from(v.dataSync())),
    // Moments are named after their variable (a fresh id each run): the suffix is compared.
    state: state.tensors.map((t) => ({
      name: t.name.replace(/^\d+\//, ""),
      data: Array.from(t.tensor.dataSync()),
    })),
    names,
  };
  tf.dispose(state.owned);
  tf.dispose([...vars, target]);
  opt.dispose();
  return result;
}

Deno.test("CganAdamGroup updates every variable and both running products in one call, bit-identical to CganAdam per variable (wasm)", async () => {
  await initBackend({ requested: "wasm" });
  try {
    const single = await adamRun(false);
    const group = await adamRun(true);
    assert.equal(single.names.get("CganAdamGroup"), undefined);
    assert.deepEqual(single.names.get("CganAdam"), { forward: 0, backward: 0, other: 2 });
    assert.deepEqual(group.names.get("CganAdamGroup"), { forward: 0, backward: 0, other: 1 });
    assert.equal(group.names.get("CganAdam"), undefined);
    const muls = (names: Map<string, unknown>) =>
      (names.get("Multiply") as { other: number } | undefined)?.other ?? 0;
    assert.equal(muls(single.names), 2);
    assert.equal(muls(group.names), 0, "the running products are in the kernel");
    assert.deepEqual(group.values, single.values);
    assert.deepEqual(group.state, single.state);
    assert.deepEqual(group.values[2], [7]);
    // The running products start at beta (tfjs's): after six steps beta1^7, in float32.
    const acc = group.state.filter((t) => t.name.startsWith("__cgan_acc"));
    assert.equal(acc.length, 2);
    assert.ok(Math.abs(acc[0]!.data[0]! - 0.5 ** 7) < 1e-9);
  } finally {
    adamGroupKernel.on = true;
    await initBackend({ requested: "cpu" });
  }
});

Deno.test("CganAdamGroup leaves the MLP cGAN's steps bit-identical (wasm)", async () => {
  await initBackend({ requested: "wasm" });
  try {
    adamGroupKernel.on = false;
    const single = runSteps("mlp", { steps: 3 });
    adamGroupKernel.on = true;
    const group = runSteps("mlp", { steps: 3 });
    assert.deepEqual(group.dLosses, single.dLosses);
    assert.deepEqual(group.gLosses, single.gLosses);
    assert.deepEqual(group.weights, single.weights);
    // One call per variable and 2 muls per net become one call per net: G has 15 variables, D 9.
    assert.equal(group.kernels, single.kernels - (15 + 9 + 2 * 2) + 2);
    assert.equal(group.tensorsLeaked, 0);
  } finally {
    adamGroupKernel.on = true;
    await initBackend({ requested: "cpu" });
  }
});
