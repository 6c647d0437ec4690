/**
 * The epilogue of an OpenBLAS matmul or conv: a bias summed in by sgemm (beta = 1) after it is
 * written into each output row, and a fused activation run as the wasm kernel of that
 * activation. Internal.
 *
 * @module
 */
import type * as tf from "../../../_tf.ts";
import { type Info, run, sizeOf, type WasmBackend } from "../_heap.ts";

/** Writes `bias` (one value per column, `cols` of them) into each of `rows` rows at `at`. */
export function fillRows(heap: Float32Array, at: number, rows: number, bias: Float32Array): void {
  const cols = bias.length;
  if (rows === 0) return;
  heap.set(bias, at);
  for (let filled = 1; filled < rows;) {
    const copy = Math.min(filled, rows - filled);
    heap.copyWithin(at + filled * cols, at, at + copy * cols);
    filled += copy;
  }
}

/** The bias as one value per output column, or undefined when it is shaped otherwise. */
export function columnBias(
  backend: WasmBackend,
  bias: Info | undefined,
  n: number,
): Float32Array | null | undefined {
  if (bias == null) return null;
  const leadingOnes = bias.shape.slice(0, -1).every((d) => d === 1);
  if (sizeOf(bias.shape) !== n || !leadingOnes) return undefined;
  return (backend.typedArrayFromHeap(bias) as Float32Array).slice();
}

/** The activations tfjs fuses, as the wasm kernels that compute them. */
export function activate(
  backend: WasmBackend,
  out: Info,
  attrs: tf.NamedAttrMap,
  prelu: Info | undefined,
): Info {
  const name = (attrs["activation"] as string | undefined) ?? "linear";
  const calls: Record<string, () => Info> = {
    relu: () => run("Relu", backend, { x: out }, {}),
    relu6: () => run("Relu6", backend, { x: out }, {}),
    elu: () => run("Elu", backend, { x: out }, {}),
    sigmoid: () => run("Sigmoid", backend, { x: out }, {}),
    leakyrelu: () =>
      run("LeakyRelu", backend, { x: out }, { alpha: attrs["leakyreluAlpha"] ?? 0.2 }),
    prelu: () => run("Prelu", backend, { x: out, alpha: prelu as Info }, {}),
  };
  if (name === "linear") return out;
  const call = calls[name];
  if (call === undefined) {
    backend.disposeData(out.dataId);
    throw new TypeError(`Cannot run a fused ${name} activation on wasm: not supported`);
  }
  try {
    return call();
  } finally {
    backend.disposeData(out.dataId);
  }
}

/** Whether the fused activation in `attrs` is one {@linkcode activate} runs. */
export function knownActivation(attrs: tf.NamedAttrMap, prelu: Info | undefined): boolean {
  const name = (attrs["activation"] as string | undefined) ?? "linear";
  const ok = ["linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu", "prelu"].includes(name);
  return ok && (name !== "prelu" || prelu != null);
}
