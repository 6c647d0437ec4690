/**
 * Image grids: a batch of generated images in [-1, 1] laid out as one 8-bit picture, ready
 * for `encodePng` in `png.ts`.
 *
 * @module
 */

/** Layout options of {@linkcode imageGrid}. */
export interface GridOptions {
  /** Cells per row; rows are filled left to right, top to bottom. */
  cols: number;
  /** Background pixels between neighbouring cells, before upscaling (default 1). */
  pad?: number;
  /** Integer nearest-neighbour upscale of the whole grid (default 1). */
  scale?: number;
  /** Background byte value of the padding and of empty cells (default 255, white). */
  background?: number;
}

/** An 8-bit image, row-major with channels interleaved. */
export interface GridImage {
  /** `width * height * channels` bytes. */
  pixels: Uint8Array;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Channels per pixel (that of the input images). */
  channels: 1 | 3 | 4;
}

/**
 * Maps values in [-1, 1] to bytes: `round((v + 1) * 127.5)`, clamped to 0..255 (NaN gives 0).
 *
 * @param images Values, typically a flat NHWC batch from a generator with tanh output.
 * @returns One byte per value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toUint8Pixels } from "@cgan/cgan/generator";
 * assert.deepEqual(toUint8Pixels(new Float32Array([-1, 0, 1, 2])), new Uint8Array([0, 128, 255, 255]));
 * ```
 */
export function toUint8Pixels(images: Float32Array): Uint8Array {
  const out = new Uint8Array(images.length);
  for (let i = 0; i < images.length; i++) {
    const v = Math.round(((images[i] as number) + 1) * 127.5);
    out[i] = v > 255 ? 255 : v > 0 ? v : 0;
  }
  return out;
}

/**
 * Lays out `count` images as a grid of `opts.cols` columns with `opts.pad` background pixels
 * between cells (not around the border), then upscales the whole grid by `opts.scale`. Cells
 * of an incomplete last row are background.
 *
 * @param images Flat NHWC batch, values in [-1, 1]: `count * h * w * c` floats.
 * @param count Number of images.
 * @param shape `[h, w, c]` of one image; c is 1, 3 or 4.
 * @param opts Columns, padding, upscale and background.
 * @returns The grid's pixels and size.
 *
 * @example Two 1x1 gray images side by side
 * ```ts
 * import assert from "node:assert/strict";
 * import { imageGrid } from "@cgan/cgan";
 * const g = imageGrid(new Float32Array([-1, 1]), 2, [1, 1, 1], { cols: 2, pad: 1 });
 * assert.deepEqual([g.width, g.height], [3, 1]);
 * assert.deepEqual(g.pixels, new Uint8Array([0, 255, 255]));
 * ```
 */
export function imageGrid(
  images: Float32Array,
  count: number,
  shape: [number, number, number],
  opts: GridOptions,
): GridImage {
  const [h, w, c] = shape;
  const { cols, pad = 1, scale = 1, background = 255 } = opts;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(
      `Cannot build image grid: expected a positive image count, found ${count}`,
    );
  }
  if (!Number.isInteger(h) || h < 1 || !Number.isInteger(w) || w < 1) {
    throw new RangeError(
      `Cannot build image grid: expected a positive integer image size, found ${h}x${w}`,
    );
  }
  if (c !== 1 && c !== 3 && c !== 4) {
    throw new RangeError(`Cannot build image grid: expected 1, 3 or 4 channels, found ${c}`);
  }
  const expected = count * h * w * c;
  if (images.length !== expected) {
    throw new RangeError(
      `Cannot build image grid: expected ${expected} values for ${count}x${h}x${w}x${c}, ` +
        `found ${images.length}`,
    );
  }
  checkInt("cols", cols, 1);
  checkInt("pad", pad, 0);
  checkInt("scale", scale, 1);
  if (!Number.isInteger(background) || background < 0 || background > 255) {
    throw new RangeError(
      `Cannot build image grid: expected background in 0..255, found ${background}`,
    );
  }

  const rows = Math.ceil(count / cols);
  const baseW = cols * w + (cols - 1) * pad;
  const baseH = rows * h + (rows - 1) * pad;
  const width = baseW * scale;
  const height = baseH * scale;
  const pixels = new Uint8Array(width * height * c).fill(background);
  const bytes = toUint8Pixels(images);
  const cell = h * w * c;
  for (let n = 0; n < count; n++) {
    const top = Math.floor(n / cols) * (h + pad);
    const left = (n % cols) * (w + pad);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = n * cell + (y * w + x) * c;
        for (let sy = 0; sy < scale; sy++) {
          const rowStart = ((top + y) * scale + sy) * width;
          for (let sx = 0; sx < scale; sx++) {
            const dst = (rowStart + (left + x) * scale + sx) * c;
            for (let k = 0; k < c; k++) pixels[dst + k] = bytes[src + k] as number;
          }
        }
      }
    }
  }
  return { pixels, width, height, channels: c };
}

function checkInt(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(
      `Cannot build image grid: expected ${name} to be an integer >= ${min}, found ${value}`,
    );
  }
}
