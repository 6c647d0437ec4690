import assert from "node:assert/strict";
import * as tf from "../../../src/_tf.ts";
import { initBackend } from "../../../src/backend/mod.ts";
import { fusedBce } from "../../../src/backend/fused_loss.ts";
import { countKernels } from "../../../src/backend/kernel_count.ts";
import { bceWithLogits } from "../../../src/train/losses.ts";
import { runSteps } from "../_step_compare.ts";

const LOGITS = [-20, -3.5, -0.7, 0, 0.25, 1.5, 4, 18];

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    assert.ok(d <= tol * Math.max(1, Math.abs(b[i]!)), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
};

/** The loss, its gradient and its second derivative (the gradient of sum(dx * r)). */
function lossAndGrads(target: number) {
  return tf.tidy(() => {
    const x = tf.tensor2d(LOGITS, [4, 2]);
    const r = tf.tensor2d([0.3, -1, 2, 0.5, -0.25, 1, 0.75, -2], [4, 2]);
    const loss = bceWithLogits(x, target);
    const dx = tf.grad((x: tf.Tensor) => bceWithLogits(x, target))(x);
    const ddx = tf.grad((x: tf.Tensor) =>
      tf.sum(tf.mul(tf.grad((y: tf.Tensor) => bceWithLogits(y, target))(x), r))
    )(x);
    return [loss, dx, ddx].map((t) => Array.from(t.dataSync()));
  });
}

for (const target of [0, 0.9, 1]) {
  Deno.test(`CganBce and CganBceGrad match tfjs's ops on cpu, target ${target} (wasm)`, async () => {
    await initBackend({ requested: "cpu" });
    const stock = lossAndGrads(target);
    await initBackend({ requested: "wasm" });
    try {
      const x = tf.tensor2d(LOGITS, [4, 2]);
      const { result, count } = countKernels(() => bceWithLogits(x, target));
      assert.equal(count.byName.get("CganBce")?.other, 1, "the fused kernel ran");
      assert.equal(count.total, 2, "one op and its kernel");
      tf.dispose([x, result]);
      const fused = lossAndGrads(target);
      close(fused[0]!, stock[0]!, 1e-6, "loss");
      close(fused[1]!, stock[1]!, 1e-6, "dx");
      // The second derivative (where the gradient is recorded, tfjs's ops run) against its
      // closed form sigmoid(x) (1 - sigmoid(x)) r / n.
      const r = [0.3, -1, 2, 0.5, -0.25, 1, 0.75, -2];
      const exact = LOGITS.map((v, i) => {
        const p = 1 / (1 + Math.exp(-v));
        return p * (1 - p) * r[i]! / LOGITS.length;
      });
      close(fused[2]!, exact, 1e-6, "second derivative");
    } finally {
      await initBackend({ requested: "cpu" });
    }
  });
}

Deno.test("CganBceGrad agrees with finite differences of CganBce (wasm)", async () => {
  await initBackend({ requested: "wasm" });
  try {
    const values = Float32Array.from(LOGITS.map((v) => v / 4));
    const loss = (v: Float32Array) =>
      tf.tidy(() =>
        (tf.engine().runKernel("CganBce", { x: tf.tensor(v) }, { target: 0.9 }) as tf.Tensor)
          .dataSync()[0]!
      );
    const x = tf.tensor(values);
    const dy = tf.scalar(1);
    const dx = tf.engine().runKernel("CganBceGrad", { x, dy }, { target: 0.9 }) as tf.Tensor;
    const analytic = dx.dataSync();
    const eps = 1e-2;
    for (let i = 0; i < values.length; i++) {
      const at = (delta: number) => {
        const v = Float32Array.from(values);
        v[i]! += delta;
        return loss(v);
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      assert.ok(Math.abs(numeric - analytic[i]!) < 1e-4, `[${i}]: ${numeric} vs ${analytic[i]}`);
    }
    tf.dispose([x, dy, dx]);
  } finally {
    await initBackend({ requested: "cpu" });
  }
});

Deno.test("the fused BCE gives the MLP cGAN's losses of tfjs's ops, fewer kernel calls (wasm)", async () => {
  await initBackend({ requested: "wasm" });
  try {
    fusedBce.on = false;
    const stock = runSteps("mlp", { steps: 3 });
    fusedBce.on = true;
    const fused = runSteps("mlp", { steps: 3 });
    close(fused.dLosses, stock.dLosses, 1e-5, "D's losses");
    close(fused.gLosses, stock.gLosses, 1e-5, "G's losses");
    fused.weights.forEach((w, i) => {
      let sum = 0;
      w.forEach((v, j) => sum += Math.abs(v - stock.weights[i]![j]!));
      assert.ok(sum / w.length < 1e-5, `weight ${i}: mean difference ${sum / w.length}`);
    });
    assert.ok(
      fused.kernels < stock.kernels - 50,
      `expected fewer kernel calls: ${fused.kernels} vs ${stock.kernels}`,
    );
    assert.equal(fused.tensorsLeaked, 0);
  } finally {
    fusedBce.on = true;
    await initBackend({ requested: "cpu" });
  }
});
