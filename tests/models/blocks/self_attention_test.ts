import assert from "node:assert/strict";
import * as tf from "../../../src/_tf.ts";
import { initBackend } from "../../../src/backend/mod.ts";
import { InitSeeds } from "../../../src/models/blocks/seeds.ts";
import { SelfAttention } from "../../../src/models/blocks/self_attention.ts";

function block(seed: number) {
  const x = tf.input({ shape: [5, 4, 16] });
  const layer = new SelfAttention({
    kernelInitializer: new InitSeeds(seed).glorotUniform(),
    name: "attn",
  });
  return { net: tf.model({ inputs: x, outputs: layer.apply(x) as tf.SymbolicTensor }), layer };
}

Deno.test("SelfAttention keeps the shape and starts as the identity (gamma = 0)", async () => {
  await initBackend({ requested: "cpu" });
  const { net, layer } = block(1);
  assert.deepEqual(net.outputs[0]!.shape, [null, 5, 4, 16]);
  const names = layer.weights.map((w) => w.name.replace(/^attn\//, "").replace(/_\d+$/, ""));
  for (const p of ["w_f", "w_g", "w_h", "w_o", "gamma"]) assert.ok(names.includes(p), p);
  const x = tf.randomNormal([2, 5, 4, 16], 0, 1, "float32", 2);
  const y = net.predict(x) as tf.Tensor;
  assert.deepEqual(y.dataSync(), x.dataSync());
  tf.dispose([x, y]);
  net.dispose();
});

Deno.test("SelfAttention mixes locations and passes gradients to its input and all four projections", async () => {
  await initBackend({ requested: "cpu" });
  const { net, layer } = block(3);
  const weights = layer.getWeights();
  const gammaAt = layer.weights.findIndex((w) => w.name.includes("gamma"));
  weights[gammaAt] = tf.scalar(0.7);
  layer.setWeights(weights);
  const x = tf.randomNormal([2, 5, 4, 16], 0, 1, "float32", 4);
  // Changing one location changes the output at another: attention is non-local.
  const moved = tf.tidy(() => {
    const poke = tf.buffer([2, 5, 4, 16]);
    poke.set(3, 0, 0, 0, 0);
    const a = net.predict(x) as tf.Tensor;
    const b = net.predict(tf.add(x, poke.toTensor())) as tf.Tensor;
    return tf.max(
      tf.abs(
        tf.sub(tf.slice(a, [0, 4, 3, 0], [1, 1, 1, -1]), tf.slice(b, [0, 4, 3, 0], [1, 1, 1, -1])),
      ),
    ).dataSync()[0]!;
  });
  assert.ok(moved > 1e-4, `a far location reacts to the poke: ${moved}`);
  const trainable = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  assert.equal(
    trainable.length,
    5,
    "four projections and gamma are trainable; the u vectors are not",
  );
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.square(net.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
    trainable,
  );
  for (const v of trainable) {
    const norm = tf.tidy(() => tf.norm(grads[v.name]!).dataSync()[0]!);
    assert.ok(norm > 0 && Number.isFinite(norm), `${v.name}: gradient norm ${norm}`);
  }
  const dx = tf.grad((t: tf.Tensor) => tf.sum(net.apply(t) as tf.Tensor))(x);
  assert.ok(tf.tidy(() => tf.norm(dx).dataSync()[0]!) > 0);
  tf.dispose([value, dx, x, ...Object.values(grads)]);
  net.dispose();
});
