/**
 * BatchNorm in training mode as one wasm kernel forward, `CganBatchNorm`, and one backward,
 * `CganBatchNormGrad`. tfjs-layers' BatchNormalization takes 16 kernel calls forward (moments,
 * the normalisation, the two moving averages) and 48 backward (through the normalisation and
 * the moments) for each application. Over the last axis (channels) of x `[..., C]`, with
 * R = the number of rows (all other axes):
 *
 *     mean = Σ x / R       variance = Σ (x - mean)² / R       r = 1 / sqrt(variance + epsilon)
 *     y = (x - mean) r gamma + beta
 *     moving' = moving - (moving - batch value) (1 - momentum)       (mean and variance)
 *
 *     x̂ = (x - mean) r      dbeta = Σ dy      dgamma = Σ dy x̂
 *     dx = gamma r (dy - dbeta / R - x̂ dgamma / R)
 *
 * Sums are accumulated in float64 (as cgan's wasm `Sum` and `Mean` do); the moving averages
 * are rounded to float32 after each operation, as tfjs-layers' ops round them.
 *
 * @module
 */
import * as tf from "../../_tf.ts";
import { type Info, sizeOf, type WasmBackend } from "./_heap.ts";
import { batchNormSimd } from "./batch_norm_simd.ts";

/** The forward kernel's name: inputs x, gamma, beta, movingMean, movingVariance. */
export const BATCH_NORM_KERNEL = "CganBatchNorm";
/** The backward kernel's name: inputs x, gamma, mean, variance, dy. */
export const BATCH_NORM_GRAD_KERNEL = "CganBatchNormGrad";

/** Attributes of both kernels. */
export interface BatchNormAttrs {
  /** Variance guard. */
  epsilon: number;
  /** Moving-average momentum (forward only). */
  momentum: number;
}

/**
 * Checks the inputs of either kernel (`names`, x first): float32, x and dy of one size, the
 * others one value per channel; the channel count and the number of rows. Every backend's
 * kernels check the same contract with this.
 */
export function checkedBatchNorm(
  kernel: string,
  inputs: Record<string, Info | undefined>,
  names: string[],
): { c: number; rows: number } {
  const x = inputs["x"];
  const c = x?.shape.at(-1);
  for (const name of names) {
    const t = inputs[name];
    const wanted = name === "x" || name === "dy" ? sizeOf(x?.shape ?? []) : c;
    if (t === undefined || t.dtype !== "float32" || sizeOf(t.shape) !== wanted) {
      throw new TypeError(
        `Cannot run ${kernel}: expected a float32 ${name} of ${wanted} values for x [${x?.shape}]`,
      );
    }
  }
  return { c: c!, rows: sizeOf(x!.shape) / c! };
}

function batchNorm(args: Parameters<tf.KernelFunc>[0]): Info[] {
  const backend = args.backend as unknown as WasmBackend;
  const inputs = args.inputs as Record<string, Info>;
  const names = ["x", "gamma", "beta", "movingMean", "movingVariance"];
  const { c, rows } = checkedBatchNorm(BATCH_NORM_KERNEL, inputs, names);
  const { epsilon, momentum } = args.attrs as unknown as BatchNormAttrs;
  const x = inputs["x"]!;
  const outs = [
    backend.makeOutput([...x.shape], "float32"),
    ...[0, 1, 2, 3].map(() => backend.makeOutput([c], "float32")),
  ];
  // The SIMD passes keep their float64 sums on the heap; without them, plain arrays. The
  // scratch is allocated before any view is taken (an allocation can grow the heap).
  const simd = c % 2 === 0 ? batchNormSimd(backend.wasm?.asm?.memory) : null;
  const scratch = simd === null ? null : float64Scratch(backend, 2 * c);
  try {
    const [xs, gamma, beta, mm, mv] = names.map((n) => backend.typedArrayFromHeap(inputs[n]!));
    const [y, mean, variance, mm1, mv1] = outs.map((o) => backend.typedArrayFromHeap(o));
    const acc = scratch?.view(0, c) ?? new Float64Array(c);
    acc.fill(0); // heap scratch starts as whatever was there
    if (scratch !== null) simd!.sums(rows, c, xs!.byteOffset, acc.byteOffset);
    else for (let i = 0; i < rows; i++) for (let j = 0; j < c; j++) acc[j]! += xs![i * c + j]!;
    for (let j = 0; j < c; j++) mean![j] = acc[j]! / rows;
    acc.fill(0);
    if (scratch !== null) {
      simd!.squares(rows, c, xs!.byteOffset, mean!.byteOffset, acc.byteOffset);
    } else {
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < c; j++) {
          const d = Math.fround(xs![i * c + j]! - mean![j]!);
          acc[j]! += Math.fround(d * d);
        }
      }
    }
    for (let j = 0; j < c; j++) variance![j] = acc[j]! / rows;
    const scale = scratch?.view(c, c) ?? new Float64Array(c);
    for (let j = 0; j < c; j++) scale[j] = gamma![j]! / Math.sqrt(variance![j]! + epsilon);
    if (scratch !== null) {
      const at = [xs, mean, scale, beta, y].map((a) => a!.byteOffset) as number[];
      simd!.normalize(rows, c, at[0]!, at[1]!, at[2]!, at[3]!, at[4]!);
    } else {
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < c; j++) {
          y![i * c + j] = (xs![i * c + j]! - mean![j]!) * scale[j]! + beta![j]!;
        }
      }
    }
    const decay = Math.fround(1 - momentum);
    for (let j = 0; j < c; j++) {
      mm1![j] = mm![j]! - Math.fround(Math.fround(mm![j]! - mean![j]!) * decay);
      mv1![j] = mv![j]! - Math.fround(Math.fround(mv![j]! - variance![j]!) * decay);
    }
    return outs;
  } finally {
    scratch?.dispose();
  }
}

/**
 * `n` float64s of scratch on the wasm heap (a float32 tensor of 2n values), for the SIMD passes'
 * accumulators and per-channel factors; null where the allocation is not 8-byte aligned.
 */
function float64Scratch(backend: WasmBackend, n: number) {
  const info = backend.makeOutput([2 * n], "float32");
  const dispose = () => void backend.disposeData(info.dataId);
  const offset = backend.typedArrayFromHeap(info).byteOffset;
  if (offset % 8 !== 0) {
    dispose();
    return null;
  }
  return {
    /** float64s [from, from + count) of the scratch; take views after every allocation. */
    view: (from: number, count: number) =>
      new Float64Array(backend.typedArrayFromHeap(info).buffer, offset + 8 * from, count),
    dispose,
  };
}

function batchNormGrad(args: Parameters<tf.KernelFunc>[0]): Info[] {
  const backend = args.backend as unknown as WasmBackend;
  const inputs = args.inputs as Record<string, Info>;
  const names = ["x", "gamma", "mean", "variance", "dy"];
  const { c, rows } = checkedBatchNorm(BATCH_NORM_GRAD_KERNEL, inputs, names);
  const { epsilon } = args.attrs as unknown as BatchNormAttrs;
  const x = inputs["x"]!;
  const outs = [
    backend.makeOutput([...x.shape], "float32"),
    backend.makeOutput([c], "float32"),
    backend.makeOutput([c], "float32"),
  ];
  // As forward: SIMD sums and factors on the heap, else plain arrays and loops.
  const simd = c % 2 === 0 ? batchNormSimd(backend.wasm?.asm?.memory) : null;
  const scratch = simd === null ? null : float64Scratch(backend, 5 * c);
  try {
    const [xs, gamma, mean, variance, dy] = names.map((n) =>
      backend.typedArrayFromHeap(inputs[n]!)
    );
    const [dx, dgamma, dbeta] = outs.map((o) => backend.typedArrayFromHeap(o));
    const [r, sumDy, sumDyXhat] = [0, 1, 2].map((i) =>
      scratch?.view(i * c, c) ?? new Float64Array(c)
    ) as Float64Array[];
    for (let j = 0; j < c; j++) r![j] = 1 / Math.sqrt(variance![j]! + epsilon);
    sumDy!.fill(0); // heap scratch starts as whatever was there
    sumDyXhat!.fill(0);
    if (scratch !== null) {
      const at = (a: { byteOffset: number } | undefined) => a!.byteOffset;
      simd!.gradSums(rows, c, at(xs), at(dy), at(mean), at(r), at(sumDy), at(sumDyXhat));
      const [k, m] = [scratch.view(3 * c, c), scratch.view(4 * c, c)];
      for (let j = 0; j < c; j++) {
        k[j] = gamma![j]! * r![j]!;
        m[j] = sumDy![j]! / rows;
      }
      simd!.gradApply(rows, c, {
        x: at(xs),
        dy: at(dy),
        dx: at(dx),
        mean: at(mean),
        r: at(r),
        k: at(k),
        m: at(m),
        s: at(sumDyXhat),
      });
    } else {
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < c; j++) {
          const g = dy![i * c + j]!;
          sumDy![j]! += g;
          sumDyXhat![j]! += g * (xs![i * c + j]! - mean![j]!) * r![j]!;
        }
      }
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < c; j++) {
          const xhat = (xs![i * c + j]! - mean![j]!) * r![j]!;
          dx![i * c + j] = gamma![j]! * r![j]! *
            (dy![i * c + j]! - sumDy![j]! / rows - xhat * sumDyXhat![j]! / rows);
        }
      }
    }
    for (let j = 0; j < c; j++) {
      dgamma![j] = sumDyXhat![j]!;
      dbeta![j] = sumDy![j]!;
    }
    return outs;
  } finally {
    scratch?.dispose();
  }
}

/**
 * Registers `CganBatchNorm` and `CganBatchNormGrad` for the wasm backend (idempotent).
 *
 * @returns Nothing.
 */
export function registerBatchNormKernels(): void {
  for (
    const [kernelName, kernelFunc] of [
      [BATCH_NORM_KERNEL, batchNorm],
      [BATCH_NORM_GRAD_KERNEL, batchNormGrad],
    ] as const
  ) {
    if (tf.getKernel(kernelName, "wasm") === undefined) {
      tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc });
    }
  }
}
