import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { hostData } from "./wasm/_kernel_suite.ts";

/** Asserts |a - b| <= tol max(1, |b|) elementwise. */
export const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    assert.ok(d <= tol * Math.max(1, Math.abs(b[i]!)), `${what}[${i}]: ${a[i]} vs ${b[i]}`);
  }
};

/** y, the moving mean and variance after, and d sum(y r) / d (x, gamma, beta) in training. */
export async function batchNormRun(shape: number[]): Promise<number[][]> {
  const c = shape.at(-1)!;
  const layer = tf.layers.batchNormalization({ momentum: 0.8 });
  layer.build([null, ...shape.slice(1)]);
  layer.setWeights([
    tf.tensor(hostData([c], 1).map((v) => 1 + v / 2), [c]), // gamma
    tf.tensor(hostData([c], 2), [c]), // beta
    tf.tensor(hostData([c], 3), [c]), // moving mean
    tf.tensor(hostData([c], 4).map((v) => 1 + v / 2), [c]), // moving variance
  ]);
  const x = tf.variable(tf.tensor(hostData(shape, 5).map((v) => 3 * v + 0.5), shape));
  const r = tf.tensor(hostData(shape, 6), shape);
  const vars = [x, ...layer.trainableWeights.map((v) => v.read() as tf.Variable)];
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, r)) as tf.Scalar,
    vars,
  );
  const moving = layer.getWeights().slice(2);
  const out = await Promise.all(
    [value, ...moving, ...vars.map((v) => grads[v.name]!)].map(async (t) =>
      Array.from(await t.data())
    ),
  );
  tf.dispose([x, r, value, ...Object.values(grads), ...layer.getWeights()]);
  return out;
}
