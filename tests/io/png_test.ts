import assert from "node:assert/strict";
import { encode } from "fast-png";
import { decodePng, encodePng } from "../../src/io/png.ts";

function ramp(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 37) % 256);
}

Deno.test("encodePng() and decodePng() round-trip 1, 3 and 4 channels exactly", () => {
  for (const channels of [1, 3, 4] as const) {
    const pixels = ramp(5 * 3 * channels);
    const png = encodePng(pixels, 5, 3, channels);
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const back = decodePng(png);
    assert.deepEqual(
      { width: back.width, height: back.height, channels: back.channels },
      { width: 5, height: 3, channels },
    );
    assert.deepEqual(back.data, pixels);
  }
});

Deno.test("encodePng() rejects a buffer of the wrong size", () => {
  assert.throws(
    () => encodePng(new Uint8Array(11), 2, 2, 3),
    { name: "RangeError", message: "Cannot encode PNG: expected 12 bytes for 2x2x3, found 11" },
  );
});

Deno.test("encodePng() rejects bad dimensions and channel counts", () => {
  assert.throws(() => encodePng(new Uint8Array(0), 0, 1, 1), /expected positive integer width/);
  assert.throws(() => encodePng(new Uint8Array(2), 1.5, 1, 1), /found 1.5x1/);
  assert.throws(
    () => encodePng(new Uint8Array(2), 1, 1, 2 as 1),
    /expected 1, 3 or 4 channels, found 2/,
  );
});

Deno.test("decodePng() rejects bytes without the PNG signature", () => {
  assert.throws(
    () => decodePng(new TextEncoder().encode("GIF89a..")),
    { name: "TypeError", message: /found 47 49 46 38 39 61 2e 2e/ },
  );
  assert.throws(() => decodePng(new Uint8Array(0)), /found an empty buffer/);
});

Deno.test("decodePng() rejects a truncated file", () => {
  const png = encodePng(ramp(16 * 16), 16, 16, 1);
  assert.throws(() => decodePng(png.subarray(0, 40)), /^Error: Cannot decode PNG: /);
});

Deno.test("decodePng() reduces 16-bit samples to 8 bits", () => {
  const png = encode({
    width: 3,
    height: 1,
    depth: 16,
    channels: 1,
    data: new Uint16Array([0, 257 * 100, 65535]),
  });
  const back = decodePng(png);
  assert.deepEqual(back.data, new Uint8Array([0, 100, 255]));
});

Deno.test("decodePng() expands palette images to RGB", () => {
  const png = encode({
    width: 3,
    height: 1,
    depth: 8,
    channels: 1,
    data: new Uint8Array([0, 1, 0]),
    palette: [[255, 0, 0], [0, 0, 255]],
  });
  const back = decodePng(png);
  assert.equal(back.channels, 3);
  assert.deepEqual(back.data, new Uint8Array([255, 0, 0, 0, 0, 255, 255, 0, 0]));
});

Deno.test("decodePng() scales 1-bit gray to 0 and 255", () => {
  // Row of 10 pixels packed in 2 bytes: 1011001110 + padding.
  const png = encode({
    width: 10,
    height: 1,
    depth: 1,
    channels: 1,
    data: new Uint8Array([0b10110011, 0b10000000]),
  });
  const back = decodePng(png);
  assert.deepEqual([...back.data], [255, 0, 255, 255, 0, 0, 255, 255, 255, 0]);
});
