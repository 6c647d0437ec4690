import * as tf from "../../src/_tf.ts";
import assert from "node:assert/strict";
import { loadLayersModel, saveLayersModel } from "../../src/io/layers_io.ts";
import { float16Bits, quantizeWeights } from "../../src/io/quantize.ts";
import { mulberry32 } from "../../src/rng.ts";

await tf.setBackend("cpu");

Deno.test("float16Bits() rounds to the nearest half, ties to even, with specials", () => {
  const cases: [number, number][] = [
    [0, 0x0000],
    [-0, 0x8000],
    [1, 0x3c00],
    [-2, 0xc000],
    [0.1, 0x2e66],
    [65504, 0x7bff], // largest finite half
    [65520, 0x7c00], // halfway to the next binade rounds up to Infinity
    [1e6, 0x7c00],
    [-Infinity, 0xfc00],
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // tie between 0 and 2^-24 goes to even (0)
    [3 * 2 ** -25, 0x0002], // tie between 1 and 2 (x 2^-24) goes to even (2)
    [2 ** -14, 0x0400], // smallest normal
    [1 + 2 ** -11, 0x3c00], // tie below goes to even
    [1 + 3 * 2 ** -11, 0x3c02], // tie above goes to even
  ];
  for (const [value, bits] of cases) {
    assert.equal(float16Bits(value), bits, `float16Bits(${value})`);
  }
  assert.equal(float16Bits(NaN) & 0x7c00, 0x7c00);
  assert.notEqual(float16Bits(NaN) & 0x3ff, 0);
});

function weightData(values: Float32Array) {
  return {
    specs: [
      { name: "a", shape: [values.length], dtype: "float32" as const },
      { name: "b", shape: [2], dtype: "int32" as const },
    ],
    data: new Uint8Array([
      ...new Uint8Array(values.buffer),
      ...new Uint8Array(new Int32Array([7, -9]).buffer),
    ]),
  };
}

Deno.test("quantizeWeights() float16 decodes in tfjs within half precision", () => {
  const rand = mulberry32(1);
  const values = Float32Array.from(
    { length: 1000 },
    () => (rand() - 0.5) * 2 ** (rand() * 20 - 10),
  );
  const q = quantizeWeights(weightData(values), "float16");
  assert.equal(q.data.length, 1000 * 2 + 8);
  const decoded = tf.io.decodeWeights(q.data.slice().buffer, q.specs);
  const a = decoded["a"]!.dataSync();
  for (let i = 0; i < values.length; i++) {
    assert.ok(Math.abs(a[i]! - values[i]!) <= Math.abs(values[i]!) * 2 ** -11 + 2 ** -25, `${i}`);
  }
  assert.deepEqual(Array.from(decoded["b"]!.dataSync()), [7, -9]);
  tf.dispose(Object.values(decoded));
});

Deno.test("quantizeWeights() uint8 keeps every weight within half a step of its value", () => {
  const rand = mulberry32(2);
  const values = Float32Array.from({ length: 500 }, () => rand() * 3 - 1);
  const q = quantizeWeights(weightData(values), "uint8");
  assert.equal(q.data.length, 500 + 8);
  const quant = q.specs[0]!.quantization!;
  assert.equal(quant.dtype, "uint8");
  const decoded = tf.io.decodeWeights(q.data.slice().buffer, q.specs);
  const a = decoded["a"]!.dataSync();
  for (let i = 0; i < values.length; i++) {
    assert.ok(Math.abs(a[i]! - values[i]!) <= quant.scale! / 2 + 1e-6, `${i}`);
  }
  tf.dispose(Object.values(decoded));
});

Deno.test("quantizeWeights() rejects data shorter than its specs", () => {
  const w = weightData(new Float32Array(4));
  assert.throws(
    () => quantizeWeights({ specs: w.specs, data: w.data.subarray(0, 10) }, "float16"),
    /Cannot quantize weight "a": expected 16 bytes at offset 0, found only 10/,
  );
});

Deno.test("saveLayersModel() with float16 halves the weights and keeps outputs close", async () => {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 64, inputShape: [16], activation: "tanh" }),
      tf.layers.dense({ units: 8 }),
    ],
  });
  const dir = await Deno.makeTempDir();
  try {
    await saveLayersModel(model, `${dir}/f32`);
    await saveLayersModel(model, `${dir}/f16`, undefined, { quantize: "float16" });
    const full = (await Deno.stat(`${dir}/f32/weights.bin`)).size;
    const half = (await Deno.stat(`${dir}/f16/weights.bin`)).size;
    assert.equal(half * 2, full);
    const loaded = await loadLayersModel(`${dir}/f16`);
    const x = tf.randomNormal([32, 16], 0, 1, "float32", 3);
    const diff = tf.tidy(() =>
      tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor)))
        .dataSync()[0]!
    );
    assert.ok(diff > 0 && diff < 1e-2, `max |f32 - f16| = ${diff}`);
    tf.dispose(x);
    loaded.dispose();
  } finally {
    model.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});
