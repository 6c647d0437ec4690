/**
 * What the OpenBLAS kernels share: the kernel arguments, the scratch size limit, a heap view,
 * one sgemm on heap offsets, and an output allocated with its scratch blocks. Internal.
 *
 * @module
 */
import type * as tf from "../../../_tf.ts";
import type { OpenBlas } from "../../openblas.ts";
import { type Info, type WasmBackend, wholeHeap } from "../_heap.ts";

/** A kernel's arguments, as tfjs passes them. */
export type Args = Parameters<tf.KernelFunc>[0];

/** Largest im2col scratch block, in floats (32 MiB by default). */
let scratchFloats = 8 * 1024 * 1024;

/**
 * Sets the largest im2col scratch block, in floats (tests use a small one to exercise the
 * chunking); returns the previous size.
 */
export function setScratchFloats(floats: number): number {
  if (!Number.isInteger(floats) || floats < 1) {
    throw new RangeError(`Invalid im2col scratch size ${floats}: expected an integer >= 1`);
  }
  const previous = scratchFloats;
  scratchFloats = floats;
  return previous;
}

/** The largest im2col scratch block now allowed, in floats (see {@linkcode setScratchFloats}). */
export function maxScratchFloats(): number {
  return scratchFloats;
}

/** The whole heap as floats, and where `info`'s data starts in it. Take it after allocating. */
const heapOf = (backend: WasmBackend, info: Info) => wholeHeap(backend, info, Float32Array);

/** One sgemm on heap offsets, row-major: `c = op(a) · op(b) + beta · c`, op(a) `[m, k]`. */
export interface Gemm {
  ta?: boolean;
  tb?: boolean;
  m: number;
  n: number;
  k: number;
  a: number;
  lda: number;
  b: number;
  ldb: number;
  c: number;
  ldc: number;
  /** Default 0: c is overwritten. */
  beta?: number;
}

/** Runs one {@linkcode Gemm}; an empty product leaves `c` (scaled by beta) as BLAS defines. */
export function gemm(blas: OpenBlas, heap: Float32Array, g: Gemm): void {
  const beta = g.beta ?? 0;
  if (g.m === 0 || g.n === 0) return;
  if (g.k === 0) {
    // BLAS rejects leading dimensions of 0; the product is empty, so c = beta · c.
    for (let i = 0; i < g.m; i++) {
      const row = heap.subarray(g.c + i * g.ldc, g.c + i * g.ldc + g.n);
      if (beta === 0) row.fill(0);
      else if (beta !== 1) row.forEach((v, j) => row[j] = beta * v);
    }
    return;
  }
  const [a, b, c] = [heap.subarray(g.a), heap.subarray(g.b), heap.subarray(g.c)];
  blas.sgemm(g.ta ?? false, g.tb ?? false, g.m, g.n, g.k, 1, a, g.lda, b, g.ldb, beta, c, g.ldc);
}

/**
 * Allocates an output of `shape` and scratch blocks of `scratch` floats, runs `fill` with the
 * heap offsets of `inputs`, the output and the blocks (taken after every allocation), and frees
 * the blocks; on an error the output is freed too.
 */
export function produce(
  backend: WasmBackend,
  shape: number[],
  inputs: Info[],
  scratch: number[],
  fill: (heap: Float32Array, at: { inputs: number[]; out: number; scratch: number[] }) => void,
): Info {
  const out = backend.makeOutput(shape, "float32");
  const blocks: Info[] = [];
  try {
    for (const floats of scratch) blocks.push(backend.makeOutput([floats], "float32"));
    const { heap } = heapOf(backend, out);
    const offset = (t: Info) => heapOf(backend, t).at;
    fill(heap, { inputs: inputs.map(offset), out: offset(out), scratch: blocks.map(offset) });
    return out;
  } catch (error) {
    backend.disposeData(out.dataId);
    throw error;
  } finally {
    for (const block of blocks) backend.disposeData(block.dataId);
  }
}
