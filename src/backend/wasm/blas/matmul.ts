/**
 * `BatchMatMul` / `_FusedMatMul` on OpenBLAS: one sgemm per batch item (one in all when the
 * right operand is shared), transposes passed to sgemm as flags.
 *
 * @module
 */
import type { OpenBlas } from "../../openblas.ts";
import { batchShape, type Info, itemIndices, sizeOf, type WasmBackend } from "../_heap.ts";
import { activate, columnBias, fillRows, knownActivation } from "./_epilogue.ts";
import { type Args, gemm, produce } from "./_gemm.ts";

/** `BatchMatMul` / `_FusedMatMul`; undefined for a case the WASM kernel handles (or reports). */
export function matMul(blas: OpenBlas, backend: WasmBackend, args: Args): Info | undefined {
  const { a, b, bias, preluActivationWeights: prelu } = args.inputs;
  const attrs = args.attrs ?? {};
  if (a === undefined || b === undefined || a.shape.length < 2 || b.shape.length < 2) {
    return undefined;
  }
  if (!knownActivation(attrs, prelu)) return undefined;
  const ta = attrs["transposeA"] === true;
  const tb = attrs["transposeB"] === true;
  const [a1, a2] = [a.shape.at(-2)!, a.shape.at(-1)!];
  const [b1, b2] = [b.shape.at(-2)!, b.shape.at(-1)!];
  const [m, k] = ta ? [a2, a1] : [a1, a2];
  const [kb, n] = tb ? [b2, b1] : [b1, b2];
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const outBatch = batchShape(batchA, batchB);
  if (k !== kb || outBatch === undefined) return undefined; // the WASM kernel reports it
  const biasRow = columnBias(backend, bias, n);
  if (biasRow === undefined) return undefined;
  const total = sizeOf(outBatch);
  const out = produce(backend, [...outBatch, m, n], [a, b], [], (heap, at) => {
    const [A, B] = at.inputs as [number, number];
    if (biasRow !== null) fillRows(heap, at.out, total * m, biasRow);
    const shared = {
      ta,
      tb,
      n,
      k,
      lda: ta ? m : k,
      ldb: tb ? k : n,
      ldc: n,
      beta: biasRow ? 1 : 0,
    };
    if (sizeOf(batchB) === 1 && !ta) {
      // b is shared: the items of a are the rows of one [total * m, k] matrix.
      gemm(blas, heap, { ...shared, m: total * m, a: A, b: B, c: at.out });
      return;
    }
    const ia = itemIndices(outBatch, batchA);
    const ib = itemIndices(outBatch, batchB);
    for (let i = 0; i < total; i++) {
      const items = { a: A + ia[i]! * m * k, b: B + ib[i]! * k * n, c: at.out + i * m * n };
      gemm(blas, heap, { ...shared, m, ...items });
    }
  });
  return activate(backend, out, attrs, prelu);
}
