import assert from "node:assert/strict";
import { centerCropResize } from "../../src/io/resize.ts";

const gray = (width: number, height: number, f: (x: number, y: number) => number) => ({
  data: Uint8Array.from({ length: width * height }, (_, i) => f(i % width, Math.floor(i / width))),
  width,
  height,
  channels: 1,
});

Deno.test("centerCropResize() gives [size, size, channels] from any shape, shrinking or enlarging", () => {
  for (const [width, height] of [[50, 30], [30, 50], [7, 7], [3, 2], [1, 1]]) {
    for (const size of [1, 8, 32]) {
      const rgb = {
        data: new Uint8Array(width! * height! * 3).fill(90),
        width,
        height,
        channels: 3,
      };
      const out = centerCropResize(rgb as Parameters<typeof centerCropResize>[0], size);
      assert.equal(out.length, size * size * 3, `${width}x${height} -> ${size}`);
      assert.ok(
        out.every((v) => v === 90),
        `a flat image stays flat (${width}x${height} -> ${size})`,
      );
    }
  }
});

Deno.test("centerCropResize() keeps the centred square: the bars beside it do not leak in", () => {
  // 6x2: columns 0-1 and 4-5 are black bars, columns 2-3 (the centred 2x2 square) white.
  const image = gray(6, 2, (x) => (x >= 2 && x < 4 ? 255 : 0));
  assert.deepEqual([...centerCropResize(image, 1)], [255]);
  assert.deepEqual([...centerCropResize(image, 4)], new Array(16).fill(255));
  // Taller than wide: rows are cropped alike.
  const tall = gray(2, 6, (_, y) => (y >= 2 && y < 4 ? 255 : 0));
  assert.deepEqual([...centerCropResize(tall, 2)], [255, 255, 255, 255]);
});

Deno.test("centerCropResize() averages areas when shrinking: each output pixel is the mean it covers", () => {
  // 4x4 of 0..15 x 10 -> 2x2: the means of the four 2x2 blocks.
  const image = gray(4, 4, (x, y) => (y * 4 + x) * 10);
  assert.deepEqual([...centerCropResize(image, 2)], [25, 45, 105, 125]);
  // 3 -> 2 weighs the middle row and column half to each side.
  const three = gray(3, 3, (x) => [0, 90, 180][x]!);
  assert.deepEqual([...centerCropResize(three, 2)], [30, 150, 30, 150]);
  // A one-pixel checkerboard averages to gray instead of aliasing.
  const checker = gray(64, 64, (x, y) => ((x + y) % 2) * 254);
  assert.ok(centerCropResize(checker, 8).every((v) => v === 127));
});

Deno.test("centerCropResize() interpolates bilinearly when enlarging, keeping order and range", () => {
  const image = gray(2, 1, (x) => [0, 200][x]!);
  // A 2x1 image's centred square is its left pixel (the offset is rounded down).
  assert.deepEqual([...centerCropResize(image, 3)], new Array(9).fill(0));
  // 2 -> 4: output centres at source -0.25 (clamped), 0.25, 0.75, 1.25 (clamped).
  const ramp = gray(2, 2, (x) => [0, 200][x]!);
  const row = [...centerCropResize(ramp, 4).subarray(0, 4)];
  assert.deepEqual(row, [0, 50, 150, 200]);
});

Deno.test("centerCropResize() rejects a bad size or a buffer that does not match its layout", () => {
  assert.throws(
    () => centerCropResize(gray(2, 2, () => 0), 0),
    {
      name: "RangeError",
      message: "Cannot resize an image: expected a positive integer side, found 0",
    },
  );
  assert.throws(
    () => centerCropResize({ data: new Uint8Array(5), width: 2, height: 2, channels: 1 }, 2),
    { name: "RangeError", message: "Cannot resize an image: expected 2x2x1 = 4 bytes, found 5" },
  );
});
