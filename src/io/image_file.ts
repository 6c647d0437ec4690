/**
 * Image files of either format, PNG or JPEG (told apart by their first bytes, not their
 * names), as 8-bit gray or RGB pixels: what a folder of a user's images holds. Alpha is
 * dropped, as PIL's `convert("RGB")` does; RGB becomes gray by ITU-R 601 luma (PIL's "L").
 *
 * @module
 */
import { decodeJpeg, jpegHeader } from "./jpeg.ts";
import { decodePng, pngHeader } from "./png.ts";
import type { HostPixels } from "./resize.ts";

/** What an image file's header says. */
export interface ImageFileInfo {
  /** The file format. */
  format: "png" | "jpeg";
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** 1 for a gray image (with or without alpha), 3 for a colour one. */
  channels: 1 | 3;
}

/** Gray or RGB pixels of a decoded image file. */
export interface ImagePixels extends HostPixels {
  /** 1 (gray) or 3 (RGB). */
  channels: 1 | 3;
}

/**
 * Reads an image file's format, size and colour from its header, without decoding it.
 *
 * @param bytes The file, or its beginning (a JPEG's frame header may follow large metadata).
 * @returns What the header says, or null when the bytes are neither a PNG nor a JPEG, or end
 *   before the header does.
 *
 * @example Tell a gray PNG's size
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodePng } from "@cgan/cgan";
 * import { imageFileInfo } from "@cgan/cgan/internal";
 * const info = imageFileInfo(encodePng(new Uint8Array(6), 3, 2, 1));
 * assert.equal(info?.format, "png");
 * assert.equal(info?.channels, 1);
 * ```
 */
export function imageFileInfo(bytes: Uint8Array): ImageFileInfo | null {
  const png = pngHeader(bytes);
  if (png !== null) {
    return { format: "png", width: png.width, height: png.height, channels: png.color ? 3 : 1 };
  }
  const jpg = jpegHeader(bytes);
  if (jpg === null) return null;
  return {
    format: "jpeg",
    width: jpg.width,
    height: jpg.height,
    channels: jpg.components === 1 ? 1 : 3,
  };
}

/**
 * Decodes a PNG or JPEG file to gray or RGB bytes: gray (and gray + alpha) images give one
 * channel, colour images three; alpha is dropped.
 *
 * @param bytes The file's bytes.
 * @param file Its path, for errors.
 * @param opts `what` the file is, for errors (default "image": `Cannot read image "a.png": ...`).
 * @returns The pixels and their layout.
 * @throws {SyntaxError} If the file is neither a PNG nor a JPEG, or does not decode.
 *
 * @example Decode an RGBA PNG to RGB
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodePng } from "@cgan/cgan";
 * import { decodeImageFile } from "@cgan/cgan/internal";
 * const png = encodePng(new Uint8Array([255, 0, 0, 9, 0, 0, 255, 9]), 2, 1, 4);
 * const image = decodeImageFile(png, "a.png");
 * assert.equal(image.channels, 3);
 * assert.deepEqual(image.data, new Uint8Array([255, 0, 0, 0, 0, 255]));
 * ```
 */
export function decodeImageFile(
  bytes: Uint8Array,
  file: string,
  opts: { what?: string } = {},
): ImagePixels {
  const what = `${opts.what ?? "image"} "${file}"`;
  const info = imageFileInfo(bytes);
  if (info === null) {
    const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0"));
    throw new SyntaxError(
      `Cannot read ${what}: expected a PNG or JPEG file, found ${
        head.length === 0 ? "an empty file" : `bytes ${head.join(" ")}`
      }`,
    );
  }
  let decoded: HostPixels;
  try {
    decoded = info.format === "png"
      ? decodePng(bytes)
      : { ...decodeJpeg(bytes, what), channels: 3 };
  } catch (err) {
    // The decoder's own words: fast-png's (after "Cannot decode PNG: "), or jpeg-js's (the cause).
    const inner = (err as Error).cause ?? err;
    const detail = (inner as Error).message.replace(/^Cannot decode PNG: /, "");
    throw new SyntaxError(
      `Cannot read ${what}: expected a valid ${info.format.toUpperCase()}, found a ` +
        `corrupt one (${detail})`,
    );
  }
  const { width, height } = decoded;
  if (width < 1 || height < 1) {
    throw new SyntaxError(`Cannot read ${what}: expected pixels, found ${width}x${height}`);
  }
  // Keep gray from the header (a gray JPEG decodes to three equal channels), drop alpha.
  const keep = info.channels;
  const from = decoded.channels;
  if (from === keep) return { data: decoded.data, width, height, channels: keep };
  const data = new Uint8Array(width * height * keep);
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < keep; k++) data[p * keep + k] = decoded.data[p * from + k]!;
  }
  return { data, width, height, channels: keep };
}

/**
 * Converts gray pixels to RGB (the value repeated) or RGB to gray (ITU-R 601 luma, rounded).
 *
 * @param image Gray or RGB pixels.
 * @param channels The channels wanted.
 * @returns Pixels with `channels` channels (the same object when nothing changes).
 *
 * @example Turn a red pixel gray
 * ```ts
 * import assert from "node:assert/strict";
 * import { convertChannels } from "@cgan/cgan/internal";
 * const gray = convertChannels({ data: new Uint8Array([255, 0, 0]), width: 1, height: 1, channels: 3 }, 1);
 * assert.equal(gray.data[0], 76); // 0.299 x 255
 * ```
 */
export function convertChannels(image: ImagePixels, channels: 1 | 3): ImagePixels {
  if (image.channels === channels) return image;
  const n = image.width * image.height;
  const src = image.data;
  const data = new Uint8Array(n * channels);
  for (let p = 0; p < n; p++) {
    if (channels === 3) {
      data.fill(src[p]!, p * 3, p * 3 + 3);
    } else {
      data[p] = Math.round(0.299 * src[p * 3]! + 0.587 * src[p * 3 + 1]! + 0.114 * src[p * 3 + 2]!);
    }
  }
  return { ...image, data, channels };
}
