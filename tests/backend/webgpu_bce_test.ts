import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend, probeAdapter } from "../../src/backend/mod.ts";
import { fusedBce } from "../../src/backend/fused_loss.ts";
import { countKernels } from "../../src/backend/kernel_count.ts";
import { bceWithLogits } from "../../src/train/losses.ts";
import { close } from "./_fused_cases.ts";

const probe = await probeAdapter(navigator.gpu);

// Both tails, zero, and more elements than the loss's 64 threads (each adds every 64th).
const LOGITS = Array.from({ length: 201 }, (_, i) => i % 50 === 0 ? 0 : Math.sin(i * 2.3) * 19);
const R = Array.from({ length: 201 }, (_, i) => Math.cos(i * 0.7) * 2);

/** The loss, its gradient and its second derivative (the gradient of sum(dx * r)). */
async function lossAndGrads(target: number) {
  const x = tf.tensor2d(LOGITS, [67, 3]);
  const r = tf.tensor2d(R, [67, 3]);
  const { result: loss, count } = countKernels(() => bceWithLogits(x, target));
  const dx = tf.grad((x: tf.Tensor) => bceWithLogits(x, target))(x);
  const ddx = tf.grad((x: tf.Tensor) =>
    tf.sum(tf.mul(tf.grad((y: tf.Tensor) => bceWithLogits(y, target))(x), r))
  )(x);
  const out = await Promise.all([loss, dx, ddx].map(async (t) => Array.from(await t.data())));
  tf.dispose([x, r, loss, dx, ddx]);
  return { out, count };
}

for (const target of [0, 0.9, 1]) {
  Deno.test({
    name: `on webgpu, CganBce and CganBceGrad match tfjs's ops on cpu, target ${target}`,
    ignore: probe.adapter === null,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      await initBackend({ requested: "cpu" });
      const stock = await lossAndGrads(target);
      await initBackend({ requested: "webgpu" });
      try {
        const fused = await lossAndGrads(target);
        assert.equal(fused.count.byName.get("CganBce")?.other, 1, "the fused kernel ran");
        assert.equal(fused.count.total, 2, "one op and its kernel");
        fusedBce.on = false;
        const unfused = await lossAndGrads(target);
        for (const [k, what] of ["loss", "dx"].entries()) {
          close(fused.out[k]!, stock.out[k]!, 1e-5, what);
          close(unfused.out[k]!, stock.out[k]!, 1e-5, `${what} (tfjs's ops on webgpu)`);
        }
        // The second derivative (recorded, so tfjs's ops) against its closed form
        // sigmoid(x) (1 - sigmoid(x)) r / n; tfjs's ops differ at the kink x = 0.
        const exact = LOGITS.map((v, i) => {
          const p = 1 / (1 + Math.exp(-v));
          return p * (1 - p) * R[i]! / LOGITS.length;
        });
        close(fused.out[2]!, exact, 1e-5, "second derivative");
      } finally {
        fusedBce.on = true;
        await initBackend({ requested: "cpu" });
      }
    },
  });
}
