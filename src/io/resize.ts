/**
 * Square thumbnails of host images: an aspect-preserving centre crop to a square, then a
 * separable resample to the target side. Shrinking averages areas (each output pixel is the
 * mean of the source pixels it covers, weighted by overlap), so a large photo does not alias at
 * 32x32; enlarging interpolates bilinearly (half-pixel centres, as `tf.image.resizeBilinear`
 * with `halfPixelCenters`).
 *
 * @module
 */

/** Pixels on the host: row-major, channels interleaved. */
export interface HostPixels {
  /** `height * width * channels` bytes. */
  data: Uint8Array;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Channels per pixel. */
  channels: number;
}

/** The source pixels and weights of each output index along one axis. */
type Taps = { from: number[]; weight: number[] }[];

/** Taps of `size` outputs from source indices `start .. start + length - 1`. */
function axisTaps(start: number, length: number, size: number): Taps {
  const scale = length / size;
  const taps: Taps = [];
  for (let j = 0; j < size; j++) {
    const from: number[] = [];
    const weight: number[] = [];
    if (scale >= 1) {
      // Area: output j covers [j * scale, (j + 1) * scale) of the source.
      const a = j * scale;
      const b = a + scale;
      for (let i = Math.floor(a); i < Math.min(length, Math.ceil(b)); i++) {
        const overlap = Math.min(b, i + 1) - Math.max(a, i);
        if (overlap > 0) {
          from.push(start + i);
          weight.push(overlap / scale);
        }
      }
    } else {
      // Bilinear between the two nearest source centres.
      const c = Math.min(length - 1, Math.max(0, (j + 0.5) * scale - 0.5));
      const i0 = Math.floor(c);
      const i1 = Math.min(length - 1, i0 + 1);
      from.push(start + i0, start + i1);
      weight.push(1 - (c - i0), c - i0);
    }
    taps.push({ from, weight });
  }
  return taps;
}

/**
 * Crops the centred square of side `min(width, height)` and resizes it to `size x size`:
 * area averaging when shrinking, bilinear when enlarging, rounded to bytes.
 *
 * @param image Source pixels and their layout.
 * @param size Side of the result, a positive integer.
 * @returns `[size, size, channels]` bytes, row-major.
 * @throws {RangeError} If `size` is not a positive integer or the pixels do not match the
 *   layout.
 *
 * @example Shrink the centred square of a 4x2 gray image to one pixel
 * ```ts
 * import assert from "node:assert/strict";
 * import { centerCropResize } from "@cgan/cgan/internal";
 * // Columns 0..3 hold 0, 100, 200, 255; the centred 2x2 square is columns 1 and 2.
 * const data = new Uint8Array([0, 100, 200, 255, 0, 100, 200, 255]);
 * const out = centerCropResize({ data, width: 4, height: 2, channels: 1 }, 1);
 * assert.equal(out[0], 150); // the mean of 100 and 200
 * ```
 */
export function centerCropResize(image: HostPixels, size: number): Uint8Array {
  const { data, width, height, channels: c } = image;
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`Cannot resize an image: expected a positive integer side, found ${size}`);
  }
  if (width < 1 || height < 1 || data.length !== width * height * c) {
    throw new RangeError(
      `Cannot resize an image: expected ${width}x${height}x${c} = ${
        width * height * c
      } bytes, found ${data.length}`,
    );
  }
  const side = Math.min(width, height);
  const x0 = Math.floor((width - side) / 2);
  const y0 = Math.floor((height - side) / 2);
  const cols = axisTaps(x0, side, size);
  const rows = axisTaps(y0, side, size);
  // Horizontal pass over the cropped rows: [side, size, c].
  const mid = new Float32Array(side * size * c);
  for (let y = 0; y < side; y++) {
    const src = (y0 + y) * width;
    for (let x = 0; x < size; x++) {
      const { from, weight } = cols[x]!;
      for (let k = 0; k < c; k++) {
        let sum = 0;
        for (let t = 0; t < from.length; t++) sum += data[(src + from[t]!) * c + k]! * weight[t]!;
        mid[(y * size + x) * c + k] = sum;
      }
    }
  }
  // Vertical pass: [size, size, c].
  const out = new Uint8Array(size * size * c);
  for (let y = 0; y < size; y++) {
    const { from, weight } = rows[y]!;
    for (let i = 0; i < size * c; i++) {
      let sum = 0;
      for (let t = 0; t < from.length; t++) {
        sum += mid[(from[t]! - y0) * size * c + i]! * weight[t]!;
      }
      out[y * size * c + i] = Math.min(255, Math.max(0, Math.round(sum)));
    }
  }
  return out;
}
