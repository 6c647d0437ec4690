import assert from "node:assert/strict";
import {
  gaussianWindow,
  type HostImage,
  meanAbsoluteError,
  psnr,
  ssim,
  SSIM_PARAMS,
} from "../../src/eval/image_metrics.ts";
import { mulberry32 } from "../../src/rng.ts";

function image(shape: [number, number, number], f: (y: number, x: number, c: number) => number) {
  const [h, w, c] = shape;
  const data = new Float64Array(h * w * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) data[(y * w + x) * c + k] = f(y, x, k);
  }
  return { data, shape } satisfies HostImage;
}

const close = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

Deno.test("psnr() of identical images is Infinity, and of a known MSE is 10 log10(R^2 / MSE)", () => {
  const x = image([8, 8, 3], (y, x, c) => ((y * 8 + x) * 3 + c) / 191);
  assert.equal(psnr(x, x), Infinity);
  // Every value off by 0.05 (alternating sign): MSE = 0.0025 -> 26.0206 dB on [0, 1].
  const y = { ...x, data: x.data.map((v, i) => v + (i % 2 ? 0.05 : -0.05)) };
  close(psnr(x, y), 10 * Math.log10(1 / 0.0025), 1e-9, "PSNR on [0, 1]");
  // The same images on [0, 255] have the same PSNR.
  const scale = (img: HostImage) => ({ ...img, data: Array.from(img.data, (v) => v * 255) });
  close(psnr(scale(x), scale(y), { dataRange: 255 }), psnr(x, y), 1e-9, "PSNR on [0, 255]");
});

Deno.test("meanAbsoluteError() is the mean |x - y|; mismatched shapes are a RangeError", () => {
  const x = image([2, 3, 1], () => 0.25);
  const y = image([2, 3, 1], (r) => (r === 0 ? 0.25 : 1));
  assert.equal(meanAbsoluteError(x, y), 0.375);
  assert.throws(() => meanAbsoluteError(x, image([3, 2, 1], () => 0)), /same shape/);
  assert.throws(() => psnr(x, { data: [1], shape: [2, 3, 1] }), /has 1 values, expected 6/);
});

Deno.test("ssim() of an image with itself is 1 and drops as noise is added", () => {
  const x = image([32, 32, 3], (y, x, c) => 0.5 + 0.4 * Math.sin(x / 3 + c) * Math.cos(y / 5));
  close(ssim(x, x), 1, 1e-12, "SSIM(x, x)");
  const rand = mulberry32(1);
  const noisy = (amp: number) => ({ ...x, data: x.data.map((v) => v + amp * (rand() - 0.5)) });
  const [a, b, c] = [0.05, 0.2, 0.6].map((amp) => ssim(x, noisy(amp)));
  assert.ok(1 > a! && a! > b! && b! > c!, `SSIM for growing noise: ${a}, ${b}, ${c}`);
  assert.ok(c! < 0.5, `heavy noise keeps SSIM at ${c}`);
  assert.throws(() => ssim(image([10, 12, 1], () => 0), image([10, 12, 1], () => 0)), /11x11/);
});

Deno.test("ssim() matches hand-computed values on one 11x11 window", () => {
  const { k1, k2 } = SSIM_PARAMS;
  const [c1, c2] = [k1 ** 2, k2 ** 2];
  // Two flat images a, b: no variance, so SSIM = (2ab + C1) / (a^2 + b^2 + C1).
  const flat = (v: number) => image([11, 11, 1], () => v);
  close(ssim(flat(0.2), flat(0.6)), (2 * 0.2 * 0.6 + c1) / (0.04 + 0.36 + c1), 1e-12, "flat");
  // Left five columns 1, middle column 0.5, right five 0: by the window's symmetry the mean is
  // 0.5 and the variance 0.25 (1 - g5), g5 the centre weight of the 1-D window. Its inverse
  // 1 - x has the same mean and variance and covariance -0.25 (1 - g5), so
  // SSIM = (C2 - 2 var) / (C2 + 2 var).
  const halves = image([11, 11, 1], (_, x) => (x < 5 ? 1 : x === 5 ? 0.5 : 0));
  const inverse = { ...halves, data: halves.data.map((v) => 1 - v) };
  const g5 = 1 / Array.from({ length: 11 }, (_, k) => Math.exp(-((k - 5) ** 2) / 4.5))
    .reduce((a, v) => a + v, 0);
  assert.equal(gaussianWindow(11, 1.5)[5], g5);
  const variance = 0.25 * (1 - g5);
  close(ssim(halves, inverse), (c2 - 2 * variance) / (c2 + 2 * variance), 1e-12, "inverse");
  // The same shapes on [0, 255] with dataRange 255 give the same SSIM.
  const scaled = (img: HostImage) => ({ ...img, data: Array.from(img.data, (v) => v * 255) });
  close(
    ssim(scaled(halves), scaled(inverse), { dataRange: 255 }),
    ssim(halves, inverse),
    1e-12,
    "scaled",
  );
});
