import assert from "node:assert/strict";
import { encode } from "fast-png";
import jpeg from "jpeg-js";
import { convertChannels, decodeImageFile, imageFileInfo } from "../../src/io/image_file.ts";
import { jpegHeader } from "../../src/io/jpeg.ts";
import { encodePng, pngHeader } from "../../src/io/png.ts";

Deno.test("decodeImageFile() gives gray PNGs one channel and colour PNGs three, dropping alpha", () => {
  const cases = [
    { channels: 1, pixels: [10, 20], want: [10, 20], out: 1 },
    { channels: 3, pixels: [1, 2, 3, 4, 5, 6], want: [1, 2, 3, 4, 5, 6], out: 3 },
    { channels: 4, pixels: [1, 2, 3, 0, 4, 5, 6, 255], want: [1, 2, 3, 4, 5, 6], out: 3 },
  ] as const;
  for (const { channels, pixels, want, out } of cases) {
    const png = encodePng(Uint8Array.from(pixels), 2, 1, channels);
    const image = decodeImageFile(png, "x.png");
    assert.deepEqual([image.width, image.height, image.channels], [2, 1, out]);
    assert.deepEqual([...image.data], want);
  }
  const grayAlpha = encode({
    width: 2,
    height: 1,
    data: Uint8Array.from([10, 0, 20, 255]),
    channels: 2,
    depth: 8,
  });
  const image = decodeImageFile(grayAlpha, "ga.png");
  assert.deepEqual([image.channels, ...image.data], [1, 10, 20]);
});

Deno.test("decodeImageFile() reads a JPEG by its bytes, whatever its name", () => {
  const rgba = new Uint8Array(8 * 4 * 4).fill(128);
  const file = new Uint8Array(jpeg.encode({ width: 8, height: 4, data: rgba }, 95).data);
  const image = decodeImageFile(file, "photo.png");
  assert.deepEqual([image.width, image.height, image.channels], [8, 4, 3]);
  assert.ok(image.data.every((v) => Math.abs(v - 128) <= 2));
  assert.deepEqual(imageFileInfo(file), { format: "jpeg", width: 8, height: 4, channels: 3 });
});

Deno.test("jpegHeader() finds the frame header past other segments and tells gray (1 component)", () => {
  // SOI, an APP0 segment of 6 bytes, then SOF0: precision 8, height 3, width 5, 1 component.
  const bytes = Uint8Array.from([
    0xff,
    0xd8,
    0xff,
    0xe0,
    0x00,
    0x06,
    1,
    2,
    3,
    4,
    0xff,
    0xc0,
    0x00,
    0x0b,
    0x08,
    0x00,
    0x03,
    0x00,
    0x05,
    0x01,
    1,
    0x11,
    0,
  ]);
  assert.deepEqual(jpegHeader(bytes), { width: 5, height: 3, components: 1 });
  assert.deepEqual(imageFileInfo(bytes), { format: "jpeg", width: 5, height: 3, channels: 1 });
  assert.equal(jpegHeader(bytes.subarray(0, 12)), null, "cut before the frame header");
  assert.equal(jpegHeader(Uint8Array.from([1, 2, 3])), null);
});

Deno.test("pngHeader() reads size and colour; imageFileInfo() says null to other bytes", () => {
  assert.deepEqual(pngHeader(encodePng(new Uint8Array(12), 2, 2, 3)), {
    width: 2,
    height: 2,
    color: true,
  });
  assert.equal(pngHeader(new TextEncoder().encode("hello, this is not a png file")), null);
  assert.equal(imageFileInfo(new TextEncoder().encode("GIF89a")), null);
});

Deno.test("decodeImageFile() names the file and what is wrong with a corrupt or foreign one", () => {
  assert.throws(() => decodeImageFile(new TextEncoder().encode("GIF89a..."), "cats/a.png"), {
    name: "SyntaxError",
    message: 'Cannot read image "cats/a.png": expected a PNG or JPEG file, found bytes 47 49 46 38',
  });
  assert.throws(() => decodeImageFile(new Uint8Array(), "cats/empty.jpg"), {
    message: 'Cannot read image "cats/empty.jpg": expected a PNG or JPEG file, found an empty file',
  });
  const png = encodePng(new Uint8Array(64 * 64 * 3).map((_, i) => i % 251), 64, 64, 3);
  assert.throws(
    () => decodeImageFile(png.subarray(0, png.length - 200), "cats/cut.png"),
    /^SyntaxError: Cannot read image "cats\/cut.png": expected a valid PNG, found a corrupt one \(.+\)$/,
  );
  const rgba = new Uint8Array(16 * 16 * 4).map((_, i) => (i * 7) % 256);
  const jpg = new Uint8Array(jpeg.encode({ width: 16, height: 16, data: rgba }, 90).data);
  assert.throws(
    () => decodeImageFile(jpg.subarray(0, jpg.length / 2), "cats/cut.jpg"),
    /^SyntaxError: Cannot read image "cats\/cut.jpg": expected a valid JPEG, found a corrupt one \(.+\)$/,
  );
});

Deno.test("convertChannels() repeats gray into RGB and takes RGB's luma for gray", () => {
  const gray = { data: Uint8Array.from([0, 200]), width: 2, height: 1, channels: 1 as const };
  assert.deepEqual([...convertChannels(gray, 3).data], [0, 0, 0, 200, 200, 200]);
  const rgb = {
    data: Uint8Array.from([0, 255, 0, 0, 0, 255]),
    width: 2,
    height: 1,
    channels: 3 as const,
  };
  assert.deepEqual([...convertChannels(rgb, 1).data], [150, 29]);
  assert.equal(convertChannels(gray, 1), gray, "no copy when nothing changes");
});
