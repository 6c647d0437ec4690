/**
 * JPEG decoding to interleaved RGB (the `jpeg-js` package), and a header reader that tells a
 * grayscale JPEG from a colour one without decoding it.
 *
 * @module
 */
import jpeg from "jpeg-js";

/**
 * Decodes a JPEG file to interleaved RGB (a grayscale JPEG repeats its value in R, G and B).
 *
 * @param bytes The file's bytes.
 * @param what What the file is, for errors (e.g. `pix2pix pair "x.jpg"`).
 * @returns Pixels `[height, width, 3]` and the size.
 * @throws {SyntaxError} If it is not a JPEG, or a truncated or corrupt one.
 *
 * @example Decode a 4x2 JPEG
 * ```ts
 * import assert from "node:assert/strict";
 * import jpeg from "jpeg-js";
 * import { decodeJpeg } from "@cgan/cgan/internal";
 * const file = jpeg.encode({ width: 4, height: 2, data: new Uint8Array(32).fill(200) }, 90).data;
 * const { width, height, data } = decodeJpeg(new Uint8Array(file), "x.jpg");
 * assert.deepEqual([width, height, data.length], [4, 2, 24]);
 * ```
 */
export function decodeJpeg(
  bytes: Uint8Array,
  what: string,
): { width: number; height: number; data: Uint8Array } {
  try {
    return jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 64 });
  } catch (err) {
    throw new SyntaxError(`Cannot read ${what}: not a JPEG (${(err as Error).message})`, {
      cause: err,
    });
  }
}

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic), which hold the size. */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/**
 * Reads a JPEG's size and number of colour components from its frame header, without
 * decoding the image.
 *
 * @param bytes The file's bytes, or its beginning.
 * @returns Width, height and components (1 = grayscale, 3 = YCbCr, 4 = CMYK), or null when the
 *   bytes are not a JPEG or end before the frame header.
 *
 * @example Read a grayscale JPEG's header
 * ```ts
 * import assert from "node:assert/strict";
 * import jpeg from "jpeg-js";
 * import { jpegHeader } from "@cgan/cgan/internal";
 * const file = jpeg.encode({ width: 4, height: 2, data: new Uint8Array(32) }, 90).data;
 * const header = jpegHeader(new Uint8Array(file));
 * assert.deepEqual([header?.width, header?.height], [4, 2]);
 * ```
 */
export function jpegHeader(
  bytes: Uint8Array,
): { width: number; height: number; components: number } | null {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) { // fill byte
      at++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { // markers without a length
      at += 2;
      continue;
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (SOF.has(marker)) {
      if (at + 10 > bytes.length) return null;
      const height = (bytes[at + 5]! << 8) | bytes[at + 6]!;
      const width = (bytes[at + 7]! << 8) | bytes[at + 8]!;
      return { width, height, components: bytes[at + 9]! };
    }
    if (marker === 0xd9 || marker === 0xda || length < 2) return null; // end, or scan data before a frame
    at += 2 + length;
  }
  return null;
}
