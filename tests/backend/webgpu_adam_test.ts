import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend, probeAdapter } from "../../src/backend/mod.ts";
import { adamGroupKernel, adamState, createAdam } from "../../src/backend/optimizer.ts";

const CFG = { lr: 0.01, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 };
const probe = await probeAdapter(navigator.gpu);

/** Six steps of Adam on two variables (and one without a gradient); values, state, kernels. */
async function run(opt: tf.AdamOptimizer) {
  // Sizes past one workgroup and not a multiple of it.
  const start = Array.from({ length: 203 }, (_, i) => Math.sin(i) * 2);
  const vars = [
    tf.variable(tf.tensor(start, [7, 29])),
    tf.variable(tf.tensor([1.5, -0.5])),
    tf.variable(tf.tensor([7])),
  ];
  const target = tf.tensor(start.map((x, i) => x + Math.cos(i)), [7, 29]);
  const loss = () =>
    tf.add(tf.sum(tf.pow(tf.sub(vars[0]!, target), 4)), tf.sum(tf.square(vars[1]!))) as tf.Scalar;
  let kernels: string[] = [];
  let before = 0;
  for (let i = 0; i < 6; i++) {
    // The first step makes each variable's moments; later ones must make nothing.
    if (i === 1) before = tf.memory().numTensors;
    const profile = await tf.profile(() =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(loss, vars.slice(0, 2));
        opt.applyGradients(
          vars.map((v) => ({ name: v.name, tensor: (grads[v.name] ?? null) as tf.Tensor })),
        );
      })
    );
    kernels = profile.kernels.map((k) => k.name);
  }
  const grown = tf.memory().numTensors - before;
  const state = await adamState(opt);
  const out = {
    values: await Promise.all(vars.map(async (v) => Array.from(await v.data()))),
    state: await Promise.all(state.tensors.map(async (t) => Array.from(await t.tensor.data()))),
    kernels,
    grown,
  };
  tf.dispose(state.owned);
  tf.dispose([...vars, target]);
  opt.dispose();
  return out;
}

Deno.test({
  name: "on webgpu, createAdam()'s CganAdamGroup follows tfjs's Adam in one kernel call a step",
  ignore: probe.adapter === null,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await initBackend({ requested: "webgpu" });
    try {
      const fused = await run(createAdam(CFG));
      const stock = await run(tf.train.adam(CFG.lr, CFG.beta1, CFG.beta2, CFG.epsilon));
      adamGroupKernel.on = false;
      const unfused = await run(createAdam(CFG));
      assert.equal(fused.kernels.filter((k) => k === "CganAdamGroup").length, 1);
      assert.ok(!unfused.kernels.includes("CganAdamGroup"));
      // tfjs's Adam: about 13 kernels a variable, and 2 for the running products.
      const adamKernels = (ks: string[]) => ks.length - fused.kernels.length + 1;
      assert.ok(adamKernels(unfused.kernels) >= 20, `${unfused.kernels}`);
      const close = (a: number[][], b: number[][], tol: number, what: string) =>
        a.forEach((xs, i) =>
          xs.forEach((x, j) =>
            assert.ok(
              Math.abs(x - b[i]![j]!) <= tol * Math.max(1, Math.abs(b[i]![j]!)),
              `${what} ${i}[${j}]: ${x} vs ${b[i]![j]}`,
            )
          )
        );
      close(fused.values, stock.values, 1e-5, "value");
      assert.deepEqual(fused.values[2], [7]);
      // iter, moments of each variable, and the two running products (beta^7 after six steps).
      close(fused.state, unfused.state, 1e-5, "state");
      assert.ok(Math.abs(fused.state.at(-2)![0]! - 0.5 ** 7) < 1e-9);
      assert.equal(fused.grown, 0, "a fused step leaves tensors behind");
    } finally {
      adamGroupKernel.on = true;
      await initBackend({ requested: "cpu" });
    }
  },
});
