import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { countKernels, formatKernelCount } from "../../src/backend/kernel_count.ts";

Deno.test("countKernels() counts each kernel call by name and gradient phase", async () => {
  await initBackend({ requested: "cpu" });
  const x = tf.variable(tf.tensor1d([1, -2, 3]));
  const opt = tf.train.sgd(0.1);
  const { result, count } = countKernels(() =>
    opt.minimize(() => tf.sum(tf.square(x)), true, [x]) as tf.Scalar
  );
  assert.equal(result.dataSync()[0], 14);
  assert.equal(count.byName.get("Square")?.forward, 1);
  assert.equal(count.byName.get("Sum")?.forward, 1);
  assert.ok(count.byPhase.backward > 0, "the gradient's kernels are counted as backward");
  assert.ok(count.byPhase.other > 0, "the SGD update runs outside the gradient");
  const sum = [...count.byName.values()].reduce((s, p) => s + p.forward + p.backward + p.other, 0);
  assert.equal(sum, count.total);
  assert.match(formatKernelCount(count)[0]!, new RegExp(`^${count.total} kernel calls`));
  // The engine is restored: nothing is counted after the call.
  const before = count.total;
  tf.dispose(tf.add(x, 1));
  assert.equal(count.total, before);
  tf.dispose([x, result]);
  opt.dispose();
});
