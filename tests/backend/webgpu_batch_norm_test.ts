import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend, probeAdapter } from "../../src/backend/mod.ts";
import { fusedBatchNorm } from "../../src/backend/fused_batch_norm.ts";
import { countKernels } from "../../src/backend/kernel_count.ts";
import { batchNormRun, close } from "./_fused_cases.ts";
import { hostData } from "./wasm/_kernel_suite.ts";

const probe = await probeAdapter(navigator.gpu);

// An MLP layer's shape (one row a thread), and one with more rows than a workgroup's threads.
for (const shape of [[64, 100], [3, 5, 9, 6]]) {
  Deno.test({
    name:
      `on webgpu, CganBatchNorm and CganBatchNormGrad match tfjs's BatchNorm layer in training on cpu, [${shape}]`,
    ignore: probe.adapter === null,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      await initBackend({ requested: "cpu" });
      const stock = await batchNormRun(shape);
      await initBackend({ requested: "webgpu" });
      try {
        const layer = tf.layers.batchNormalization();
        const x = tf.tensor(hostData(shape, 3), shape);
        const { result, count } = countKernels(() =>
          layer.apply(x, { training: true }) as tf.Tensor
        );
        assert.equal(count.byName.get("CganBatchNorm")?.other, 1, "the fused kernel ran");
        assert.equal(count.total, 2, "one op and its kernel");
        tf.dispose([x, result, ...layer.getWeights()]);
        const fused = await batchNormRun(shape);
        fusedBatchNorm.on = false;
        const unfused = await batchNormRun(shape);
        const names = ["loss", "moving mean", "moving variance", "dx", "dgamma", "dbeta"];
        names.forEach((what, i) => {
          close(fused[i]!, stock[i]!, 1e-4, what);
          close(unfused[i]!, stock[i]!, 1e-4, `${what} (tfjs's ops on webgpu)`);
        });
      } finally {
        fusedBatchNorm.on = true;
        await initBackend({ requested: "cpu" });
      }
    },
  });
}
