/**
 * PNG encoding and decoding of 8-bit pixel buffers (row-major, channels interleaved), built on
 * the `fast-png` package.
 *
 * @module
 */
import { convertIndexedToRgb, decode, encode, hasPngSignature } from "fast-png";

/** A decoded 8-bit image. */
export interface DecodedImage {
  /** Pixels, row-major, channels interleaved: `width * height * channels` bytes. */
  data: Uint8Array;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA). */
  channels: 1 | 2 | 3 | 4;
}

/**
 * Encodes 8-bit pixels as a PNG file.
 *
 * @param pixels Row-major pixels, channels interleaved: `width * height * channels` bytes.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @param channels 1 (gray), 3 (RGB) or 4 (RGBA).
 * @returns The PNG file's bytes.
 *
 * @example Encode a 2x1 gray image
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodePng } from "@cgan/cgan";
 * const png = encodePng(new Uint8Array([0, 255]), 2, 1, 1);
 * assert.equal(png[1], 0x50); // "P" of the signature
 * ```
 */
export function encodePng(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3 | 4,
): Uint8Array {
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new RangeError(
      `Cannot encode PNG: expected positive integer width and height, found ${width}x${height}`,
    );
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new RangeError(`Cannot encode PNG: expected 1, 3 or 4 channels, found ${channels}`);
  }
  const expected = width * height * channels;
  if (pixels.length !== expected) {
    throw new RangeError(
      `Cannot encode PNG: expected ${expected} bytes for ${width}x${height}x${channels}, ` +
        `found ${pixels.length}`,
    );
  }
  return encode({ width, height, data: pixels, channels, depth: 8 });
}

/**
 * Decodes a PNG file to 8-bit pixels. Palette images become RGB (or RGBA when the palette has
 * alpha), 16-bit samples are rounded to 8 bits and 1/2/4-bit gray is scaled to 0..255.
 *
 * @param bytes The PNG file's bytes.
 * @returns Pixels and their layout.
 *
 * @example Round-trip a 2x1 RGB image
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodePng, encodePng } from "@cgan/cgan";
 * const pixels = new Uint8Array([255, 0, 0, 0, 0, 255]);
 * const img = decodePng(encodePng(pixels, 2, 1, 3));
 * assert.deepEqual(img, { data: pixels, width: 2, height: 1, channels: 3 });
 * ```
 */
export function decodePng(bytes: Uint8Array): DecodedImage {
  if (!hasPngSignature(bytes)) {
    const found = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0"));
    throw new TypeError(
      `Cannot decode PNG: expected signature 89 50 4e 47 0d 0a 1a 0a, found ${
        found.length === 0 ? "an empty buffer" : found.join(" ")
      }`,
    );
  }
  let png: ReturnType<typeof decode>;
  try {
    png = decode(bytes);
  } catch (err) {
    throw new Error(`Cannot decode PNG: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const { width, height } = png;
  if (png.palette !== undefined) {
    const data = convertIndexedToRgb(png);
    return { data, width, height, channels: data.length / (width * height) === 4 ? 4 : 3 };
  }
  const channels = png.channels;
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    throw new RangeError(`Cannot decode PNG: expected 1 to 4 channels, found ${channels}`);
  }
  const count = width * height * channels;
  let data: Uint8Array;
  if (png.depth === 8) {
    data = png.data instanceof Uint8Array ? png.data : Uint8Array.from(png.data);
  } else if (png.depth === 16) {
    data = new Uint8Array(count);
    for (let i = 0; i < count; i++) data[i] = Math.round((png.data[i] as number) / 257);
  } else {
    data = unpackGray(png.data, width, height, png.depth);
  }
  if (data.length !== count) {
    throw new RangeError(
      `Cannot decode PNG: expected ${count} samples for ${width}x${height}x${channels}, ` +
        `found ${data.length}`,
    );
  }
  return { data, width, height, channels };
}

/** Unpacks 1/2/4-bit gray rows (each padded to a whole byte) to 0..255 bytes. */
function unpackGray(
  packed: ArrayLike<number>,
  width: number,
  height: number,
  depth: number,
): Uint8Array {
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const max = (1 << depth) - 1;
  const scale = 255 / max;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      const byte = (packed[y * rowBytes + (bit >> 3)] ?? 0) as number;
      const value = (byte >> (8 - depth - (bit & 7))) & max;
      out[y * width + x] = Math.round(value * scale);
    }
  }
  return out;
}

/**
 * Reads a PNG's size and colour type from its IHDR chunk, without decoding the image.
 *
 * @param bytes The file's bytes, or its first 26 or more.
 * @returns Width, height and whether it has colour (RGB, RGBA or a palette) or is gray (with
 *   or without alpha); null when the bytes are not a PNG or end before the IHDR fields.
 *
 * @example Read a gray PNG's header
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodePng } from "@cgan/cgan";
 * import { pngHeader } from "@cgan/cgan/internal";
 * const header = pngHeader(encodePng(new Uint8Array(6), 3, 2, 1));
 * assert.deepEqual(header, { width: 3, height: 2, color: false });
 * ```
 */
export function pngHeader(
  bytes: Uint8Array,
): { width: number; height: number; color: boolean } | null {
  if (bytes.length < 26 || !hasPngSignature(bytes)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== "IHDR") return null;
  // Colour types: 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA.
  const colorType = bytes[25]!;
  return { width: view.getUint32(16), height: view.getUint32(20), color: (colorType & 2) !== 0 };
}
