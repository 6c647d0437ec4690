import assert from "node:assert/strict";
import { imageGrid, toUint8Pixels } from "../../src/io/grid.ts";

Deno.test("toUint8Pixels() maps [-1, 1] to 0..255, rounding and clamping", () => {
  const out = toUint8Pixels(new Float32Array([-1, -0.5, 0, 0.5, 1, -3, 7, NaN]));
  assert.deepEqual([...out], [0, 64, 128, 191, 255, 0, 255, 0]);
});

/** Three 2x2 gray images with constant values 0, 1 and 2 (as bytes 0, 128, 255 after mapping). */
function threeImages(): Float32Array {
  return Float32Array.from([-1, -1, -1, -1, 0, 0, 0, 0, 1, 1, 1, 1]);
}

Deno.test("imageGrid() fills rows left to right with padding between cells only", () => {
  const g = imageGrid(threeImages(), 3, [2, 2, 1], { cols: 2, pad: 1, background: 7 });
  assert.deepEqual([g.width, g.height, g.channels], [5, 5, 1]);
  const B = 7;
  // deno-fmt-ignore
  assert.deepEqual([...g.pixels], [
    0, 0, B, 128, 128,
    0, 0, B, 128, 128,
    B, B, B, B, B,
    255, 255, B, B, B,
    255, 255, B, B, B,
  ]);
});

Deno.test("imageGrid() upscales the whole grid by nearest neighbour", () => {
  const img = Float32Array.from([-1, 1]); // one 1x2 image: black, white
  const g = imageGrid(img, 1, [1, 2, 1], { cols: 1, scale: 3 });
  assert.deepEqual([g.width, g.height], [6, 3]);
  for (let y = 0; y < 3; y++) {
    assert.deepEqual([...g.pixels.subarray(y * 6, y * 6 + 6)], [0, 0, 0, 255, 255, 255]);
  }
});

Deno.test("imageGrid() keeps RGB channels interleaved", () => {
  const red = [1, -1, -1];
  const blue = [-1, -1, 1];
  const g = imageGrid(Float32Array.from([...red, ...blue]), 2, [1, 1, 3], { cols: 2, pad: 0 });
  assert.deepEqual([g.width, g.height, g.channels], [2, 1, 3]);
  assert.deepEqual([...g.pixels], [255, 0, 0, 0, 0, 255]);
});

Deno.test("imageGrid() uses a 1-pixel white pad by default", () => {
  const g = imageGrid(Float32Array.from([-1, -1]), 2, [1, 1, 1], { cols: 2 });
  assert.deepEqual([...g.pixels], [0, 255, 0]);
});

Deno.test("imageGrid() rejects a buffer that does not match count and shape", () => {
  assert.throws(
    () => imageGrid(new Float32Array(11), 3, [2, 2, 1], { cols: 2 }),
    {
      name: "RangeError",
      message: "Cannot build image grid: expected 12 values for 3x2x2x1, found 11",
    },
  );
});

Deno.test("imageGrid() rejects bad layout options", () => {
  const img = new Float32Array(4);
  assert.throws(
    () => imageGrid(img, 1, [2, 2, 1], { cols: 0 }),
    /expected cols to be an integer >= 1, found 0/,
  );
  assert.throws(() => imageGrid(img, 1, [2, 2, 1], { cols: 1, pad: -1 }), /pad/);
  assert.throws(() => imageGrid(img, 1, [2, 2, 1], { cols: 1, scale: 1.5 }), /scale/);
  assert.throws(() => imageGrid(new Float32Array(8), 1, [2, 2, 2], { cols: 1 }), /found 2/);
});
