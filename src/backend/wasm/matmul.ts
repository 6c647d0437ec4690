/**
 * `BatchMatMul` and `_FusedMatMul` of tfjs-backend-wasm 4.22 only reach XNNPACK for
 * untransposed, unbatched operands; the rest falls into a scalar loop (~30x slower). The
 * overrides materialise transposes with the wasm `Transpose` kernel, fold a broadcast operand's
 * batch into the rows, and split batched `BatchMatMul`s into per-item XNNPACK calls. With
 * OpenBLAS in use (`blas/`), both go there first.
 *
 * @module
 */
import type * as tf from "../../_tf.ts";
import {
  batchShape,
  dim,
  type Info,
  install,
  itemIndices,
  kernelOf,
  reshape,
  Scope,
  single,
  sizeOf,
  transpose,
  type WasmBackend,
} from "./_heap.ts";
import { blasKernel } from "./blas/mod.ts";

/**
 * Batched matmuls whose per-item work (M*K*N) is below this stay in the scalar C++ loop: there the
 * per-call cost of an XNNPACK operator (weight packing, copies) outweighs the faster inner loop.
 */
const MIN_ITEM_WORK = 8_192;

/** Swaps the last two axes of `x`. */
function transposeLast2(backend: WasmBackend, x: Info): Info {
  const rank = x.shape.length;
  const perm = x.shape.map((_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [rank - 1, rank - 2];
  return transpose(backend, x, perm);
}

/** Operands of a matmul with transposes already applied: a is [..., M, K], b is [..., K, N]. */
interface MatMulOperands {
  a: Info;
  b: Info;
  outBatch: number[];
  m: number;
  k: number;
  n: number;
}

/**
 * Runs `call` once per batch item on [1, M, K] x [1, K, N] copies (the shapes XNNPACK serves)
 * and gathers the [1, M, N] results into one [batch, M, N] output.
 */
function perItemMatMul(
  backend: WasmBackend,
  call: (a: Info, b: Info) => Info,
  { a, b, outBatch, m, k, n }: MatMulOperands,
): Info {
  const aItems = itemIndices(outBatch, a.shape.slice(0, -2));
  const bItems = itemIndices(outBatch, b.shape.slice(0, -2));
  const out = backend.makeOutput([aItems.length, m, n], "float32");
  const item = new Scope(backend);
  try {
    aItems.forEach((ia, i) => {
      const ib = bItems[i] ?? 0;
      const ai = item.track(backend.makeOutput([1, m, k], "float32"));
      const bi = item.track(backend.makeOutput([1, k, n], "float32"));
      // Views are taken right before each copy: allocation can grow (and detach) the heap.
      const aView = backend.typedArrayFromHeap(a).subarray(ia * m * k, (ia + 1) * m * k);
      backend.typedArrayFromHeap(ai).set(aView);
      const bView = backend.typedArrayFromHeap(b).subarray(ib * k * n, (ib + 1) * k * n);
      backend.typedArrayFromHeap(bi).set(bView);
      const ci = item.track(call(ai, bi));
      backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(ci), i * m * n);
      item.dispose();
    });
  } catch (error) {
    item.dispose();
    backend.disposeData(out.dataId);
    throw error;
  }
  return out;
}

/**
 * Whether `a · bᵀ` (a `[M, K]`, b `[N, K]`, unbatched or with a batch of 1; no epilogue) is cheaper
 * as `(b · aᵀ)ᵀ`: XNNPACK takes its right operand untransposed and packs it on every call (it
 * changes every step in training), so `a · bᵀ` moves b twice (transpose, pack) where the swap
 * moves a twice and the `[N, M]` result once. A dense layer's input gradient `dz · Wᵀ` with a
 * batch of 64 rows and a 1024 x 784 weight is the case: about 0.1M floats moved instead of 1.6M.
 */
function swapsOperands(kernel: string, args: Parameters<tf.KernelFunc>[0]): boolean {
  const { a, b } = args.inputs as { a: Info; b: Info };
  if (kernel !== "BatchMatMul" || args.attrs?.["transposeA"] || !args.attrs?.["transposeB"]) {
    return false;
  }
  const unbatched = (x: Info) => x.shape.length <= 3 && sizeOf(x.shape.slice(0, -2)) === 1;
  if (a.shape.length !== b.shape.length || !unbatched(a) || !unbatched(b)) return false;
  const [m, k, n] = [dim(a.shape, -2), dim(a.shape, -1), dim(b.shape, -2)];
  return m * k * n > 0 && 2 * m * k + n * m < 2 * n * k;
}

/**
 * Wraps a wasm matmul kernel (`BatchMatMul` or `_FusedMatMul`) so that it only ever sees
 * untransposed operands and, where it pays, unbatched ones: the shapes XNNPACK serves. Batched
 * `_FusedMatMul`s with a bias, and batches that broadcast on both sides, always go per item: the
 * stock kernels get those wrong (misplaced bias; output sized by the larger batch alone).
 */
function fastMatMul(
  original: tf.KernelFunc,
  kernel: "BatchMatMul" | "_FusedMatMul",
): tf.KernelFunc {
  return (args) => {
    const viaBlas = blasKernel(kernel, args);
    if (viaBlas !== undefined) return viaBlas;
    const backend = args.backend as WasmBackend;
    const { a, b, ...epilogue } = args.inputs;
    if (a === undefined || b === undefined) {
      throw new TypeError(`Cannot run wasm ${kernel}: expected inputs a and b`);
    }
    const tooOdd = a.dtype !== "float32" || b.dtype !== "float32" || a.shape.length < 2 ||
      b.shape.length < 2;
    if (tooOdd) return original(args); // Let the stock kernel report what it does not support.
    const attrs: tf.NamedAttrMap = { ...args.attrs, transposeA: false, transposeB: false };
    const call = (x: Info, y: Info) =>
      single(original({ inputs: { ...epilogue, a: x, b: y }, backend, attrs }), kernel);
    const scope = new Scope(backend);
    try {
      if (swapsOperands(kernel, args)) {
        // a · bᵀ as (b · aᵀ)ᵀ: b as it lies, two transposes of a's size, not one of b's.
        const flipped = scope.track(call(b, scope.track(transposeLast2(backend, a))));
        return transposeLast2(backend, flipped);
      }
      const a2 = args.attrs?.["transposeA"] ? scope.track(transposeLast2(backend, a)) : a;
      const b2 = args.attrs?.["transposeB"] ? scope.track(transposeLast2(backend, b)) : b;
      const [m, k, n] = [dim(a2.shape, -2), dim(a2.shape, -1), dim(b2.shape, -1)];
      const batchA = sizeOf(a2.shape.slice(0, -2));
      const batchB = sizeOf(b2.shape.slice(0, -2));
      const outBatch = batchShape(a2.shape.slice(0, -2), b2.shape.slice(0, -2));
      if (outBatch === undefined || (batchA === 1 && batchB === 1) || m * k * n === 0) {
        return call(a2, b2);
      }
      const outShape = [...outBatch, m, n];
      const bias = epilogue["bias"];
      const prelu = epilogue["preluActivationWeights"];
      // A bias or prelu weights act per output column: fine on stacked rows, not on joined columns.
      const perColumn = prelu === undefined || prelu.shape.length <= 1;
      if (batchB === 1 && perColumn) {
        // Every item shares b: stack the items of a as rows of one matrix.
        const rows = scope.track(reshape(backend, a2, [1, batchA * m, k]));
        const b3 = scope.track(reshape(backend, b2, [1, k, n]));
        return reshape(backend, scope.track(call(rows, b3)), outShape);
      }
      if (batchA === 1 && bias === undefined && prelu === undefined) {
        // Every item shares a: put the items of b side by side as columns of one matrix.
        const a3 = scope.track(reshape(backend, a2, [1, m, k]));
        const b3 = scope.track(reshape(backend, b2, [batchB, k, n]));
        const cols = scope.track(transpose(backend, b3, [1, 0, 2])); // [K, batch, N]
        const wide = scope.track(reshape(backend, cols, [1, k, batchB * n]));
        const prod = scope.track(reshape(backend, scope.track(call(a3, wide)), [m, batchB, n]));
        const items = scope.track(transpose(backend, prod, [1, 0, 2])); // [batch, M, N]
        return reshape(backend, items, outShape);
      }
      // The stock kernels size the output by the larger batch alone: wrong when both broadcast.
      const mixed = batchA !== batchB;
      const needsEpilogue = bias !== undefined || prelu !== undefined;
      if (perColumn && (mixed || needsEpilogue || m * k * n >= MIN_ITEM_WORK)) {
        const operands = { a: a2, b: b2, outBatch, m, k, n };
        const out = scope.track(perItemMatMul(backend, call, operands));
        return reshape(backend, out, outShape);
      }
      return call(a2, b2);
    } finally {
      scope.dispose();
    }
  };
}

/**
 * Installs `BatchMatMul` and `_FusedMatMul` for backend `wasm`, wrapping the stock kernels
 * (which still run the cases XNNPACK serves). Idempotent.
 */
export function registerMatMulKernels(): void {
  for (const name of ["BatchMatMul", "_FusedMatMul"] as const) {
    install(name, (original) => fastMatMul((original ?? kernelOf(name)).kernelFunc, name));
  }
}
