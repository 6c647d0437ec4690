import assert from "node:assert/strict";
import * as tf from "../../../src/_tf.ts";
import { initBackend } from "../../../src/backend/mod.ts";
import { hostData } from "./_kernel_suite.ts";

Deno.test("Tanh on wasm is within 1e-5 (relative) of Math.tanh from 1e-30 to 1e4, keeps signed zeros, infinities and NaN", async () => {
  const values: number[] = [0, -0, Infinity, -Infinity, NaN, 1 / 32, -1 / 32, 0.03, 0.032];
  for (let e = -30; e <= 4; e += 0.01) values.push(10 ** e, -(10 ** e));
  values.push(...hostData([10_000], 40).map((v) => v * 6));
  const x32 = Float32Array.from(values);
  await initBackend({ requested: "wasm" });
  try {
    const x = tf.tensor(x32);
    const y = tf.tanh(x);
    const got = y.dataSync();
    tf.dispose([x, y]);
    x32.forEach((v, i) => {
      const want = Math.tanh(v);
      if (Number.isNaN(want)) return assert.ok(Number.isNaN(got[i]!), `tanh(${v})`);
      if (want === 0) return assert.ok(Object.is(got[i], want), `tanh(${v}) = ${got[i]}`);
      const rel = Math.abs(got[i]! - want) / Math.abs(want);
      if (!(rel < 1e-5)) {
        assert.fail(`tanh(${v}) = ${got[i]}, expected ${want} (relative error ${rel})`);
      }
    });
  } finally {
    await initBackend({ requested: "cpu" });
  }
});
