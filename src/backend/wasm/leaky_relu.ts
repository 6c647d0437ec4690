/**
 * LeakyReLU on wasm without a data-dependent branch, forward and backward:
 *
 *     LeakyRelu:         y  = x < 0 ? x alpha : x
 *     CganLeakyReluGrad: dx = x > 0 ? dy : dy alpha
 *
 * both computed as a product with a factor picked from a two-entry table by the comparison
 * (`v * factor[+(v > 0)]`), which V8 compiles without a branch. A branch on the sign of
 * activations mispredicts about half the time: on this project's 2-core VM it cost 23-38 ns an
 * element (tfjs-backend-wasm's own `LeakyRelu` and a JS loop alike) where the table costs 0.8,
 * and the DCGANs run LeakyReLU on millions of elements a step. Values are those of tfjs's kernels,
 * bit for bit: the products are rounded to float32 as tfjs's are, zeros keep their sign, NaN stays
 * NaN. The gradient is also one kernel call where tfjs's takes 6 (`Greater`, `Multiply`, three
 * `Identity` from `where`'s broadcasts, `Select`).
 *
 * @module
 */
import * as tf from "../../_tf.ts";
import { type Info, install, sizeOf, type WasmBackend } from "./_heap.ts";
import { leakyReluSimd } from "./leaky_relu_simd.ts";

/** The gradient kernel's name: inputs dy and x (same shape), attribute alpha. */
export const LEAKY_RELU_GRAD_KERNEL = "CganLeakyReluGrad";

/** `[alpha, 1]`: index 1 where the input is positive, else 0. */
function factors(attrs: tf.NamedAttrMap | undefined): Float64Array {
  return new Float64Array([Math.fround(attrs?.["alpha"] as number), 1]);
}

/** `y = x factor[x > 0]`, the loop on its own so V8 optimises it for these array types. */
function forward(xs: Float32Array, y: Float32Array, f: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = xs[i]!;
    y[i] = v * f[+(v > 0)]!;
  }
}

/** `dx = dy factor[x > 0]`. */
function backward(g: Float32Array, xs: Float32Array, dx: Float32Array, f: Float64Array, n: number) {
  for (let i = 0; i < n; i++) dx[i] = g[i]! * f[+(xs[i]! > 0)]!;
}

function leakyRelu(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as unknown as WasmBackend;
  const { x } = args.inputs as Record<"x", Info>;
  if (x.dtype !== "float32") {
    throw new TypeError(`Cannot run LeakyRelu on wasm: expected float32 x, found ${x.dtype}`);
  }
  const f = factors(args.attrs);
  const n = sizeOf(x.shape);
  const out = backend.makeOutput([...x.shape], "float32");
  const view = (i: Info) => backend.typedArrayFromHeap(i) as Float32Array;
  const [xs, y] = [view(x), view(out)];
  const simd = leakyReluSimd(backend.wasm?.asm?.memory);
  const done = simd === null ? 0 : n & ~3;
  if (done > 0) simd!(xs.byteOffset, xs.byteOffset, y.byteOffset, n, f[0]!);
  forward(xs.subarray(done), y.subarray(done), f, n - done);
  return out;
}

/** `CganLeakyReluGrad`'s dy and x, float32 and of one size, or a TypeError (every backend). */
export function checkedLeakyReluGrad(inputs: tf.NamedTensorInfoMap): { dy: Info; x: Info } {
  const { dy, x } = inputs as Record<"dy" | "x", Info>;
  if (x.dtype !== "float32" || dy.dtype !== "float32" || sizeOf(dy.shape) !== sizeOf(x.shape)) {
    throw new TypeError(
      `Cannot run ${LEAKY_RELU_GRAD_KERNEL}: expected float32 dy and x of one shape, found ` +
        `[${dy.shape}] ${dy.dtype} and [${x.shape}] ${x.dtype}`,
    );
  }
  return { dy, x };
}

function leakyReluGrad(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as unknown as WasmBackend;
  const { dy, x } = checkedLeakyReluGrad(args.inputs);
  const n = sizeOf(x.shape);
  const f = factors(args.attrs);
  const out = backend.makeOutput([...x.shape], "float32");
  const view = (i: Info) => backend.typedArrayFromHeap(i) as Float32Array;
  const [g, xs, dx] = [view(dy), view(x), view(out)];
  const simd = leakyReluSimd(backend.wasm?.asm?.memory);
  const done = simd === null ? 0 : n & ~3;
  if (done > 0) simd!(xs.byteOffset, g.byteOffset, dx.byteOffset, n, f[0]!);
  backward(g.subarray(done), xs.subarray(done), dx.subarray(done), f, n - done);
  return out;
}

/**
 * Registers `CganLeakyReluGrad` and replaces tfjs's `LeakyRelu` for the wasm backend
 * (idempotent).
 *
 * @returns Nothing.
 */
export function registerLeakyReluKernels(): void {
  install("LeakyRelu", () => leakyRelu);
  if (tf.getKernel(LEAKY_RELU_GRAD_KERNEL, "wasm") !== undefined) return;
  tf.registerKernel({
    kernelName: LEAKY_RELU_GRAD_KERNEL,
    backendName: "wasm",
    kernelFunc: leakyReluGrad,
  });
}
