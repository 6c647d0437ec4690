import assert from "node:assert/strict";
import * as tf from "../../../src/_tf.ts";
import { hostData, onCpuAndWasm } from "./_kernel_suite.ts";

/** Each case: the inputs' shapes and the axis to join or split them on. */
const CASES: [number[][], number][] = [
  [[[4, 5, 5, 3], [4, 5, 5, 1]], 3], // a label channel joins an image
  [[[4, 5, 5, 1], [4, 5, 5, 1]], -1],
  [[[2, 3, 40], [2, 3, 24], [2, 3, 0]], 2], // long runs (copyWithin), an empty part
  [[[3, 4], [5, 4]], 0],
  [[[2, 3, 4], [2, 1, 4], [2, 2, 4]], 1],
  [[[6], [2]], 0],
];

/** Concat and SplitV of `shapes` on `axis`, values and shapes, on the current backend. */
function joinAndSplit(shapes: number[][], axis: number, dtype: "float32" | "int32") {
  return tf.tidy(() => {
    const xs = shapes.map((s, i) => {
      const data = hostData([tf.util.sizeFromShape(s)], 20 + i);
      return dtype === "int32"
        ? tf.tensor(Int32Array.from(data, (v) => Math.round(v * 1e6)), s, "int32")
        : tf.tensor(data, s);
    });
    const joined = tf.concat(xs, axis);
    const parts = tf.split(joined, shapes.map((s) => s.at(axis)!), axis);
    return [joined, ...parts].map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) }));
  });
}

for (const dtype of ["float32", "int32"] as const) {
  Deno.test(`Concat and SplitV on wasm give cpu's values and shapes exactly (${dtype})`, async () => {
    let leaked = 0;
    const { cpu, wasm } = await onCpuAndWasm(() => {
      const before = tf.memory().numTensors;
      const out = CASES.map(([shapes, axis]) => joinAndSplit(shapes, axis, dtype));
      leaked = tf.memory().numTensors - before;
      return out;
    });
    assert.deepEqual(wasm, cpu);
    assert.equal(leaked, 0);
  });
}

Deno.test("Concat's gradient (SplitV) on wasm is cpu's, through a conditional D's label channel", async () => {
  const grads = () =>
    tf.tidy(() => {
      const image = tf.tensor(hostData([2, 4, 4, 1], 30), [2, 4, 4, 1]);
      const label = tf.tensor(hostData([2, 4, 4, 1], 31), [2, 4, 4, 1]);
      const r = tf.tensor(hostData([2, 4, 4, 2], 32), [2, 4, 4, 2]);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.concat([a, b], 3), r)));
      return g([image, label]).map((t) => Array.from(t.dataSync()));
    });
  const { cpu, wasm } = await onCpuAndWasm(grads);
  assert.deepEqual(wasm, cpu);
});
