import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend, probeAdapter } from "../../src/backend/mod.ts";
import { buildGan } from "../../src/models/registry.ts";
import { BCE_LOSS } from "../../src/train/losses.ts";
import { createAdam } from "../../src/backend/optimizer.ts";
import { trainStep } from "../../src/train/step.ts";

const SPEC = {
  latentDim: 16,
  numClasses: 10,
  imageShape: [8, 8, 1] as [number, number, number],
  activation: "leaky" as const,
  seed: 4,
};
const ADAM = { lr: 2e-4, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 };
const N = 16;

/** Three MLP cGAN steps on fixed host data; returns the per-step [dLoss, gLoss]. */
async function losses(): Promise<number[][]> {
  const nets = buildGan("mlp", SPEC);
  const optimizers = { gen: createAdam(ADAM), disc: createAdam(ADAM) };
  const out: number[][] = [];
  for (let step = 0; step < 3; step++) {
    const inputs = tf.tidy(() => ({
      images: tf.randomUniform([N, 8, 8, 1], -1, 1, "float32", 10 + step) as tf.Tensor4D,
      labels: tf.tensor2d(Int32Array.from({ length: N }, (_, i) => i % 10), [N, 1], "int32"),
      z: tf.randomNormal([N, 16], 0, 1, "float32", 20 + step) as tf.Tensor2D,
      fakeLabels: tf.tensor2d(
        Int32Array.from({ length: N }, (_, i) => (i * 3) % 10),
        [N, 1],
        "int32",
      ),
    }));
    const { dLoss, gLoss } = trainStep(nets, optimizers, inputs, {
      loss: BCE_LOSS,
      labelSmoothing: 0.1,
    });
    out.push([(await dLoss.data())[0]!, (await gLoss!.data())[0]!]);
    tf.dispose([dLoss, gLoss, ...Object.values(inputs)]);
  }
  optimizers.gen.dispose();
  optimizers.disc.dispose();
  nets.gen.dispose();
  nets.disc.dispose();
  return out;
}

const probe = await probeAdapter(navigator.gpu);

Deno.test({
  name: "MLP cGAN steps on webgpu match the cpu backend",
  ignore: probe.adapter === null,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await initBackend({ requested: "cpu" });
    const want = await losses();
    const info = await initBackend({ requested: "webgpu" });
    assert.equal(info.name, "webgpu");
    assert.equal(tf.getBackend(), "webgpu");
    const got = await losses();
    got.forEach((pair, step) =>
      pair.forEach((v, k) => {
        const ref = want[step]![k]!;
        assert.ok(
          Math.abs(v - ref) <= 1e-4 + 1e-3 * Math.abs(ref),
          `step ${step} ${k ? "G" : "D"} loss: webgpu ${v}, cpu ${ref}`,
        );
      })
    );
    await initBackend({ requested: "cpu" });
  },
});

if (probe.adapter === null) console.log(`webgpu test skipped: ${probe.reason}`);
