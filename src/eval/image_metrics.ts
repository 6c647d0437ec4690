/**
 * Full-reference image metrics for image-to-image translation (pix2pix, paper 003): the mean
 * absolute error (L1), PSNR, and SSIM (Wang, Bovik, Sheikh & Simoncelli 2004) between an output
 * and its target.
 *
 * Images are host arrays, row-major `[height, width, channels]`, with values in
 * `[0, dataRange]`; cgan's tasks map G's [-1, 1] to [0, 1] and use `dataRange` 1 (the default),
 * so L1 is on the [0, 1] scale (half the L1 term of G's loss, which is on [-1, 1]). SSIM is the
 * paper's: an 11x11 Gaussian window with sigma 1.5, K1 = 0.01, K2 = 0.03, weighted (population)
 * moments, the map over the "valid" window positions only (no padding) and its mean, computed
 * per channel and averaged over channels. All arithmetic is float64.
 *
 * @module
 */

/** An image on the host: values in `[0, dataRange]`, row-major `[height, width, channels]`. */
export interface HostImage {
  /** `height * width * channels` values. */
  data: ArrayLike<number>;
  /** `[height, width, channels]`. */
  shape: [number, number, number];
}

/** Options of {@linkcode psnr} and {@linkcode ssim}. */
export interface ImageMetricOptions {
  /** The value range of the pixels: 1 for [0, 1] (default), 255 for 8-bit values. */
  dataRange?: number;
}

/** SSIM's constants (Wang et al. 2004): the Gaussian window and the stabilisers K1, K2. */
export const SSIM_PARAMS = { window: 11, sigma: 1.5, k1: 0.01, k2: 0.03 } as const;

function checkPair(x: HostImage, y: HostImage, what: string): void {
  const [h, w, c] = x.shape;
  if (x.shape.some((d) => !Number.isInteger(d) || d < 1)) {
    throw new RangeError(`Cannot compute ${what}: expected a positive shape, found ${x.shape}`);
  }
  if (y.shape.join("x") !== x.shape.join("x")) {
    throw new RangeError(
      `Cannot compute ${what}: expected images of the same shape, found ${x.shape.join("x")} ` +
        `and ${y.shape.join("x")}`,
    );
  }
  for (const [name, img] of [["first", x], ["second", y]] as const) {
    if (img.data.length !== h * w * c) {
      throw new RangeError(
        `Cannot compute ${what}: the ${name} image has ${img.data.length} values, expected ` +
          `${h * w * c} for ${h}x${w}x${c}`,
      );
    }
  }
}

function rangeOf(opts: ImageMetricOptions, what: string): number {
  const range = opts.dataRange ?? 1;
  if (!(range > 0) || !Number.isFinite(range)) {
    throw new RangeError(`Cannot compute ${what}: expected a positive dataRange, found ${range}`);
  }
  return range;
}

/**
 * Mean absolute error `mean |x - y|` over all values (the L1 distance of pix2pix).
 *
 * @param x One image.
 * @param y The other, the same shape.
 * @returns The mean absolute difference, in the images' units.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { meanAbsoluteError } from "@cgan/cgan";
 * const x = { data: [0, 0.5, 1, 1], shape: [2, 2, 1] as [number, number, number] };
 * const y = { data: [0, 0.25, 1, 0.75], shape: [2, 2, 1] as [number, number, number] };
 * assert.equal(meanAbsoluteError(x, y), 0.125);
 * ```
 */
export function meanAbsoluteError(x: HostImage, y: HostImage): number {
  checkPair(x, y, "L1");
  let sum = 0;
  for (let i = 0; i < x.data.length; i++) sum += Math.abs(x.data[i]! - y.data[i]!);
  return sum / x.data.length;
}

/**
 * Peak signal-to-noise ratio `10 log10(dataRange^2 / MSE)` in decibels. Identical images have
 * MSE 0 and give `Infinity` (no cap).
 *
 * @param x One image.
 * @param y The other, the same shape.
 * @param opts The pixels' value range (default 1).
 * @returns PSNR in dB.
 *
 * @example An error of 0.1 everywhere on [0, 1] is 20 dB
 * ```ts
 * import assert from "node:assert/strict";
 * import { psnr } from "@cgan/cgan";
 * const shape = [1, 2, 1] as [number, number, number];
 * const db = psnr({ data: [0.5, 0.5], shape }, { data: [0.6, 0.4], shape });
 * assert.ok(Math.abs(db - 20) < 1e-6); // MSE 0.01: 10 log10(1 / 0.01)
 * ```
 */
export function psnr(x: HostImage, y: HostImage, opts: ImageMetricOptions = {}): number {
  checkPair(x, y, "PSNR");
  const range = rangeOf(opts, "PSNR");
  let sum = 0;
  for (let i = 0; i < x.data.length; i++) sum += (x.data[i]! - y.data[i]!) ** 2;
  const mse = sum / x.data.length;
  return mse === 0 ? Infinity : 10 * Math.log10((range * range) / mse);
}

/**
 * The normalised 1-D Gaussian window of SSIM (its 2-D window is the outer product).
 *
 * @param size Taps (odd).
 * @param sigma Standard deviation in pixels.
 * @returns `size` weights summing to 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gaussianWindow } from "@cgan/cgan/internal";
 * const g = gaussianWindow(11, 1.5);
 * assert.equal(g.length, 11);
 * assert.ok(Math.abs(g[5]! - 0.266) < 1e-4); // the centre weight
 * assert.ok(Math.abs(g.reduce((a, b) => a + b) - 1) < 1e-12);
 * ```
 */
export function gaussianWindow(size: number, sigma: number): Float64Array {
  const half = (size - 1) / 2;
  const g = Float64Array.from(
    { length: size },
    (_, i) => Math.exp(-((i - half) ** 2) / (2 * sigma ** 2)),
  );
  const total = g.reduce((a, v) => a + v, 0);
  return g.map((v) => v / total);
}

/** Separable "valid" filtering of one plane `[h, w]` with window `g`: `[h - k + 1, w - k + 1]`. */
function filterValid(plane: Float64Array, h: number, w: number, g: Float64Array): Float64Array {
  const k = g.length;
  const ow = w - k + 1;
  const oh = h - k + 1;
  const rows = new Float64Array(h * ow);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += g[t]! * plane[y * w + x + t]!;
      rows[y * ow + x] = s;
    }
  }
  const out = new Float64Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += g[t]! * rows[(y + t) * ow + x]!;
      out[y * ow + x] = s;
    }
  }
  return out;
}

/**
 * Structural similarity (Wang et al. 2004) with {@linkcode SSIM_PARAMS}: the mean of the SSIM
 * map over every position where the 11x11 Gaussian window fits inside the image, per channel,
 * averaged over channels. 1 for identical images; it can go below 0 (e.g. for an inverted
 * image).
 *
 * @param x One image, at least 11x11.
 * @param y The other, the same shape.
 * @param opts The pixels' value range (default 1): C1 = (K1 range)^2, C2 = (K2 range)^2.
 * @returns The mean SSIM.
 * @throws {RangeError} If the shapes differ or an image is smaller than the window.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ssim } from "@cgan/cgan";
 * const shape = [12, 12, 1] as [number, number, number];
 * const x = { data: Array.from({ length: 144 }, (_, i) => (i % 7) / 7), shape };
 * assert.ok(Math.abs(ssim(x, x) - 1) < 1e-6);
 * ```
 */
export function ssim(x: HostImage, y: HostImage, opts: ImageMetricOptions = {}): number {
  checkPair(x, y, "SSIM");
  const range = rangeOf(opts, "SSIM");
  const [h, w, c] = x.shape;
  const { window, sigma, k1, k2 } = SSIM_PARAMS;
  if (h < window || w < window) {
    throw new RangeError(
      `Cannot compute SSIM of ${h}x${w} images: expected at least ${window}x${window} (its window)`,
    );
  }
  const g = gaussianWindow(window, sigma);
  const c1 = (k1 * range) ** 2;
  const c2 = (k2 * range) ** 2;
  const plane = (img: HostImage, ch: number) =>
    Float64Array.from({ length: h * w }, (_, i) => img.data[i * c + ch]!);
  let total = 0;
  for (let ch = 0; ch < c; ch++) {
    const px = plane(x, ch);
    const py = plane(y, ch);
    const mx = filterValid(px, h, w, g);
    const my = filterValid(py, h, w, g);
    const mxx = filterValid(px.map((v) => v * v), h, w, g);
    const myy = filterValid(py.map((v) => v * v), h, w, g);
    const mxy = filterValid(px.map((v, i) => v * py[i]!), h, w, g);
    let sum = 0;
    for (let i = 0; i < mx.length; i++) {
      const [ux, uy] = [mx[i]!, my[i]!];
      const vx = mxx[i]! - ux * ux;
      const vy = myy[i]! - uy * uy;
      const cov = mxy[i]! - ux * uy;
      sum += ((2 * ux * uy + c1) * (2 * cov + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
    }
    total += sum / mx.length;
  }
  return total / c;
}
