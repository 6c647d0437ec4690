import assert from "node:assert/strict";
import * as tf from "../../../src/_tf.ts";
import { mergeAxes } from "../../../src/backend/wasm/transpose.ts";
import { hostData, onCpuAndWasm } from "./_kernel_suite.ts";

Deno.test("mergeAxes() joins axes that stay adjacent and drops size-1 axes", () => {
  assert.deepEqual(mergeAxes([128, 28, 28, 128], [3, 1, 2, 0]), {
    shape: [128, 784, 128],
    perm: [2, 1, 0],
  });
  assert.deepEqual(mergeAxes([128, 28, 28, 128], [3, 0, 1, 2]), {
    shape: [100352, 128],
    perm: [1, 0],
  });
  assert.deepEqual(mergeAxes([5, 1, 7, 33], [3, 1, 0, 2]), { shape: [35, 33], perm: [1, 0] });
  assert.deepEqual(mergeAxes([4, 5], [0, 1]), { shape: [20], perm: [0] });
});

/** Shapes and permutations: tiled ones (rows spanning >= 65,536 input values) and stock ones. */
const CASES: [number[], number[]][] = [
  [[16, 9, 9, 70], [3, 1, 2, 0]], // the conv filter gradient's, tiled, ragged tiles
  [[700, 100], [1, 0]], // tiled 2-D
  [[3, 70, 1, 400], [3, 0, 2, 1]], // tiled, a size-1 axis
  [[2, 300, 7, 40], [0, 3, 1, 2]], // tiled, one axis kept outside
  [[4, 4, 12, 13], [0, 1, 3, 2]], // stock: small
  [[6, 5, 4, 3], [0, 2, 1, 3]], // stock: rows move whole
];

for (const dtype of ["float32", "int32"] as const) {
  Deno.test(`Transpose on wasm gives cpu's values and shapes exactly (${dtype})`, async () => {
    const run = () =>
      CASES.map(([shape, perm], i) => {
        const data = hostData([tf.util.sizeFromShape(shape)], 50 + i);
        const x = dtype === "int32"
          ? tf.tensor(Int32Array.from(data, (v) => Math.round(v * 1e6)), shape, "int32")
          : tf.tensor(data, shape);
        const y = tf.transpose(x, perm);
        const out = { shape: y.shape, values: Array.from(y.dataSync()) };
        tf.dispose([x, y]);
        return out;
      });
    const { cpu, wasm } = await onCpuAndWasm(run);
    assert.deepEqual(wasm, cpu);
  });
}
