/**
 * A dense layer's forward and backward pass as one wasm kernel each, `CganDense` and
 * `CganDenseGrad`. Through tfjs's ops a dense layer with a bias costs about 5 kernel calls
 * forward (the fused matmul op, its kernel, 3 reshapes) and 9 backward (2 matmuls, 6 reshapes,
 * the bias sum), plus 3 for a tanh's gradient; each call has the engine's dispatch overhead.
 * These run the same wasm kernels (`_FusedMatMul`, `BatchMatMul`, `Sum`, `Tanh`: OpenBLAS or
 * XNNPACK) directly, in the order tfjs's ops run them, and reshape by reference.
 *
 *     CganDense:     y = act(x w + b)                     x [N, K], w [K, M], b [M] -> y [N, M]
 *     CganDenseGrad: dz = dy act'(y); dx = dz wᵀ, dw = xᵀ dz, db = Σ_rows dz
 *                    (all three, or the one its `wrt` attribute names)
 *
 * with act "linear" or "tanh" (act' = 1 - y², computed as tfjs's Tanh gradient rounds it).
 *
 * @module
 */
import * as tf from "../../_tf.ts";
import { type Info, reshape, run, Scope, type WasmBackend } from "./_heap.ts";

/** The forward kernel's name. */
export const DENSE_KERNEL = "CganDense";
/** The backward kernel's name. */
export const DENSE_GRAD_KERNEL = "CganDenseGrad";

/**
 * Which gradient `CganDenseGrad` computes (its `wrt` attribute): one of x, w and b, or all
 * three when the attribute is absent. A backward pass asks only for those on the path to the
 * variables it differentiates: D's first layer needs no dx while D trains, and D's layers need
 * no dw or db while G trains.
 */
export type DenseGradWrt = "x" | "w" | "b";

/** The activations the kernels apply. */
export type DenseActivation = "linear" | "tanh";

function check(kernel: string, infos: Record<string, Info | undefined>, act: unknown): void {
  for (const [name, t] of Object.entries(infos)) {
    if (t === undefined || t.dtype !== "float32") {
      throw new TypeError(`Cannot run ${kernel}: expected a float32 input ${name}`);
    }
  }
  if (act !== "linear" && act !== "tanh") {
    throw new TypeError(`Cannot run ${kernel}: expected activation linear or tanh, found ${act}`);
  }
}

function dense(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as unknown as WasmBackend;
  const { x, w, b } = args.inputs as Record<"x" | "w" | "b", Info>;
  const act = args.attrs?.["activation"];
  check(DENSE_KERNEL, { x, w, b }, act);
  const [n, k, m] = [x.shape[0]!, x.shape[1]!, w.shape[1]!];
  if (x.shape.length !== 2 || w.shape[0] !== k || b.shape.length !== 1 || b.shape[0] !== m) {
    throw new RangeError(
      `Cannot run ${DENSE_KERNEL}: expected x [N, K], w [K, M], b [M], found [${x.shape}], ` +
        `[${w.shape}], [${b.shape}]`,
    );
  }
  const scope = new Scope(backend);
  try {
    const a3 = scope.track(reshape(backend, x, [1, n, k]));
    const w3 = scope.track(reshape(backend, w, [1, k, m]));
    let y = scope.track(run("_FusedMatMul", backend, { a: a3, b: w3, bias: b }, {
      transposeA: false,
      transposeB: false,
      activation: "linear",
      leakyreluAlpha: 0.2,
    }));
    if (act === "tanh") y = scope.track(run("Tanh", backend, { x: y }, {}));
    return reshape(backend, y, [n, m]);
  } finally {
    scope.dispose();
  }
}

function denseGrad(args: Parameters<tf.KernelFunc>[0]): Info | Info[] {
  const backend = args.backend as unknown as WasmBackend;
  const { x, w, y, dy } = args.inputs as Record<"x" | "w" | "y" | "dy", Info>;
  const act = args.attrs?.["activation"];
  check(DENSE_GRAD_KERNEL, { x, w, y, dy }, act);
  const [n, k, m] = [x.shape[0]!, x.shape[1]!, w.shape[1]!];
  const scope = new Scope(backend);
  try {
    let dz = dy;
    if (act === "tanh") {
      dz = scope.track(backend.makeOutput([n, m], "float32"));
      const [out, g, t] = [dz, dy, y].map((i) => backend.typedArrayFromHeap(i));
      // tfjs's Tanh gradient: dy * (1 - y²), each op rounded to float32.
      for (let i = 0; i < n * m; i++) {
        out![i] = g![i]! * Math.fround(1 - Math.fround(t![i]! * t![i]!));
      }
    }
    const wrt = args.attrs?.["wrt"];
    if (wrt !== undefined && wrt !== "x" && wrt !== "w" && wrt !== "b") {
      throw new TypeError(`Cannot run ${DENSE_GRAD_KERNEL}: expected wrt x, w or b, found ${wrt}`);
    }
    const dz3 = () => scope.track(reshape(backend, dz, [1, n, m]));
    const matMul = (a: Info, b: Info, transposeA: boolean, transposeB: boolean) =>
      scope.track(run("BatchMatMul", backend, { a, b }, { transposeA, transposeB }));
    const dx = () => {
      const w3 = scope.track(reshape(backend, w, [1, k, m]));
      return reshape(backend, matMul(dz3(), w3, false, true), [n, k]); // [1, N, K]
    };
    const dw = () => {
      const x3 = scope.track(reshape(backend, x, [1, n, k]));
      return reshape(backend, matMul(x3, dz3(), true, false), [k, m]); // [1, K, M]
    };
    const db = () => run("Sum", backend, { x: dz }, { axis: [0], keepDims: false }); // [M]
    if (wrt === "x") return dx();
    if (wrt === "w") return dw();
    if (wrt === "b") return db();
    return [dx(), dw(), db()];
  } finally {
    scope.dispose();
  }
}

/**
 * Registers `CganDense` and `CganDenseGrad` for the wasm backend (idempotent).
 *
 * @returns Nothing.
 */
export function registerDenseKernels(): void {
  if (tf.getKernel(DENSE_KERNEL, "wasm") === undefined) {
    tf.registerKernel({ kernelName: DENSE_KERNEL, backendName: "wasm", kernelFunc: dense });
  }
  if (tf.getKernel(DENSE_GRAD_KERNEL, "wasm") === undefined) {
    tf.registerKernel({
      kernelName: DENSE_GRAD_KERNEL,
      backendName: "wasm",
      kernelFunc: denseGrad,
    });
  }
}
