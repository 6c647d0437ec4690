/**
 * One Adam update of one variable as a single wasm kernel, `CganAdam`: tfjs's Adam runs 13
 * kernels a variable (each a pass over memory, and a dispatch), about 300 of a cGAN step's
 * 1,400 kernel calls. This one reads value, moments and gradient once and writes the three new
 * tensors in one WebAssembly SIMD loop on the wasm heap (`adam_simd.ts`), with the formula of
 * tfjs 4.22's `AdamOptimizer`, every operation rounded to float32 as its kernels round them:
 *
 *     m' = beta1 m + (1 - beta1) g        v' = beta2 v + (1 - beta2) g²
 *     value' = value - lr (m' / c1) / (sqrt(v' / c2) + epsilon)
 *
 * where c1 = 1 - beta1^t and c2 = 1 - beta2^t are the bias corrections.
 *
 * @module
 */
import * as tf from "../../_tf.ts";
import { type Info, sizeOf, type WasmBackend } from "./_heap.ts";
import { adamLoop } from "./adam_simd.ts";

/** The kernel's name. */
export const ADAM_KERNEL = "CganAdam";

/** The attributes of one update. */
export interface AdamKernelAttrs {
  /** Learning rate. */
  lr: number;
  /** First-moment decay. */
  beta1: number;
  /** Second-moment decay. */
  beta2: number;
  /** Denominator guard. */
  epsilon: number;
  /** 1 - beta1^t. */
  c1: number;
  /** 1 - beta2^t. */
  c2: number;
}

function adamUpdate(args: Parameters<tf.KernelFunc>[0]): Info[] {
  const backend = args.backend as unknown as WasmBackend;
  const { value, m, v, grad } = args.inputs as Record<"value" | "m" | "v" | "grad", Info>;
  const { lr, beta1, beta2, epsilon, c1, c2 } = args.attrs as unknown as AdamKernelAttrs;
  const n = sizeOf(value.shape);
  for (const [name, t] of Object.entries({ m, v, grad })) {
    if (sizeOf(t.shape) !== n || t.dtype !== "float32" || value.dtype !== "float32") {
      throw new TypeError(
        `Cannot run ${ADAM_KERNEL}: ${name} [${t.shape}] ${t.dtype} does not match the ` +
          `float32 value [${value.shape}]`,
      );
    }
  }
  const outs = [value, m, v].map((t) => backend.makeOutput([...t.shape], "float32"));
  // Offsets are taken after the allocations above, which can grow (and detach) the heap.
  const [x, mi, vi, g, xo, mo, vo] = [value, m, v, grad, ...outs].map((t) =>
    backend.typedArrayFromHeap(t).byteOffset
  );
  const memory = backend.wasm?.asm?.memory;
  const heap = () => new Float32Array(backend.typedArrayFromHeap(value).buffer);
  adamLoop(memory, heap)({ x: x!, m: mi!, v: vi!, g: g!, xo: xo!, mo: mo!, vo: vo! }, n, {
    step: lr / c1,
    inv2: 1 / c2,
    beta1,
    beta2,
    epsilon,
  });
  return outs;
}

/**
 * The name of the kernel that updates all of a net's variables in one call: inputs `value0`,
 * `m0`, `v0`, `grad0`, `value1`, ... and the running products `accBeta1`, `accBeta2`; outputs
 * the new value, m and v of each variable in that order, then the two products times beta1
 * and beta2 (float32, as tfjs's `mul` gives them). Attributes: {@linkcode AdamKernelAttrs}
 * and `count`, the number of variables.
 */
export const ADAM_GROUP_KERNEL = "CganAdamGroup";

/** The attributes of one update of several variables. */
export interface AdamGroupKernelAttrs extends AdamKernelAttrs {
  /** How many variables the inputs hold. */
  count: number;
}

function adamGroupUpdate(args: Parameters<tf.KernelFunc>[0]): Info[] {
  const inputs = args.inputs as Record<string, Info>;
  const attrs = args.attrs as unknown as AdamGroupKernelAttrs;
  const backend = args.backend as unknown as WasmBackend;
  const outs: Info[] = [];
  for (let i = 0; i < attrs.count; i++) {
    const group = { value: inputs[`value${i}`], m: inputs[`m${i}`], v: inputs[`v${i}`] };
    const grad = inputs[`grad${i}`];
    if (group.value === undefined || group.m === undefined || group.v === undefined || !grad) {
      throw new TypeError(
        `Cannot run ${ADAM_GROUP_KERNEL}: expected value${i}, m${i}, v${i} and grad${i} ` +
          `(count ${attrs.count}), found ${Object.keys(inputs).join(", ")}`,
      );
    }
    outs.push(...adamUpdate({ ...args, inputs: { ...group, grad } }));
  }
  for (const [name, beta] of [["accBeta1", attrs.beta1], ["accBeta2", attrs.beta2]] as const) {
    const acc = inputs[name];
    if (acc === undefined || acc.dtype !== "float32") {
      throw new TypeError(`Cannot run ${ADAM_GROUP_KERNEL}: expected a float32 ${name}`);
    }
    const out = backend.makeOutput([...acc.shape], "float32");
    // A float32 times a float32 is exact in a double: rounding it once is tfjs's float32 mul.
    backend.typedArrayFromHeap(out)[0] = backend.typedArrayFromHeap(acc)[0]! *
      Math.fround(beta);
    outs.push(out);
  }
  return outs;
}

/**
 * Registers `CganAdam` and `CganAdamGroup` for the wasm backend (idempotent).
 *
 * @returns Nothing.
 */
export function registerAdamKernel(): void {
  if (tf.getKernel(ADAM_KERNEL, "wasm") === undefined) {
    tf.registerKernel({ kernelName: ADAM_KERNEL, backendName: "wasm", kernelFunc: adamUpdate });
  }
  if (tf.getKernel(ADAM_GROUP_KERNEL, "wasm") === undefined) {
    tf.registerKernel({
      kernelName: ADAM_GROUP_KERNEL,
      backendName: "wasm",
      kernelFunc: adamGroupUpdate,
    });
  }
}
