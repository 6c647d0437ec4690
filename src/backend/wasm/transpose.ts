/**
 * `Transpose` on tfjs-backend-wasm 4.22 in tiles, where the stock kernel is slow: when the
 * output's innermost axis is not the input's, each output value is read from far away in the
 * input (the conv filter gradient's `[N, H, W, C] -> [C, H, W, N]` reads with a stride of
 * H·W·C), and the stock kernel took ~50 ns a value here (0.6 s for a `[128, 28, 28, 128]`
 * activation). This walks the two innermost axes (the input's and the output's) in 32 x 32
 * tiles, so each tile's reads and writes stay in cache (4x faster there). Transposes that keep
 * the innermost axis (whole rows move), or whose output rows span fewer than 65,536 input values
 * (they stay in cache anyway), go to the stock kernel, which is as fast or faster on those.
 *
 * @module
 */
import type * as tf from "../../_tf.ts";
import { type Info, install, sizeOf, type WasmBackend } from "./_heap.ts";

/** Tile edge, in values. */
const TILE = 32;

/**
 * Transposes where a run of the output's innermost axis spans fewer input values than this
 * stay with the stock kernel.
 */
const SPAN = 1 << 16;

/** The shape and permutation with runs of axes that stay adjacent (and in order) merged. */
export function mergeAxes(shape: readonly number[], perm: readonly number[]) {
  // Size-1 axes go; the rest are renumbered so that neighbours across one differ by 1.
  const live = [...shape.keys()].filter((a) => shape[a] !== 1);
  const kept = perm.filter((a) => shape[a] !== 1).map((a) => live.indexOf(a));
  const groups: number[][] = [];
  for (const a of kept) {
    const last = groups.at(-1);
    if (last !== undefined && last.at(-1)! + 1 === a) last.push(a);
    else groups.push([a]);
  }
  // Input order of the groups gives the merged input shape; output order gives the permutation.
  const byInput = [...groups].sort((g, h) => g[0]! - h[0]!);
  return {
    shape: byInput.map((g) => g.reduce((size, a) => size * shape[live[a]!]!, 1)),
    perm: groups.map((g) => byInput.indexOf(g)),
  };
}

/**
 * Out[o] = x[sum of index_k · inStride_k] over the output's axes, tiled on the output's innermost
 * axis `k` (input stride `sk`) and the output axis `q` whose input stride is 1.
 */
function tiled(x: Int32Array, out: Int32Array, dims: number[], inStrides: number[], q: number) {
  const rank = dims.length;
  const k = rank - 1;
  const outStrides = new Array<number>(rank).fill(1);
  for (let a = rank - 2; a >= 0; a--) outStrides[a] = outStrides[a + 1]! * dims[a + 1]!;
  const others = [...dims.keys()].filter((a) => a !== q && a !== k);
  const [dq, dk, sk, oq] = [dims[q]!, dims[k]!, inStrides[k]!, outStrides[q]!];
  const index = new Array<number>(others.length).fill(0);
  const count = others.reduce((n, a) => n * dims[a]!, 1);
  for (let done = 0; done < count; done++) {
    let src = 0;
    let dst = 0;
    others.forEach((a, i) => {
      src += index[i]! * inStrides[a]!;
      dst += index[i]! * outStrides[a]!;
    });
    for (let q0 = 0; q0 < dq; q0 += TILE) {
      const q1 = Math.min(dq, q0 + TILE);
      for (let k0 = 0; k0 < dk; k0 += TILE) {
        const k1 = Math.min(dk, k0 + TILE);
        for (let iq = q0; iq < q1; iq++) {
          const to = dst + iq * oq;
          const from = src + iq;
          for (let ik = k0; ik < k1; ik++) out[to + ik] = x[from + ik * sk]!;
        }
      }
    }
    for (let i = others.length - 1; i >= 0; i--) {
      if (++index[i]! < dims[others[i]!]!) break;
      index[i] = 0;
    }
  }
}

function transpose(original: tf.KernelConfig) {
  return (args: Parameters<tf.KernelFunc>[0]): Info | Info[] => {
    const backend = args.backend as unknown as WasmBackend;
    const { x } = args.inputs as { x: Info };
    const perm = args.attrs?.["perm"] as number[];
    if ((x.dtype !== "float32" && x.dtype !== "int32") || sizeOf(x.shape) < TILE * TILE) {
      return original.kernelFunc(args);
    }
    const merged = mergeAxes(x.shape, perm);
    const rank = merged.shape.length;
    // Nothing moves, or whole rows move: the stock kernel copies rows.
    if (rank < 2 || merged.perm[rank - 1] === rank - 1) return original.kernelFunc(args);
    const inStrides = new Array<number>(rank).fill(1);
    for (let a = rank - 2; a >= 0; a--) inStrides[a] = inStrides[a + 1]! * merged.shape[a + 1]!;
    const dims = merged.perm.map((a) => merged.shape[a]!);
    const strides = merged.perm.map((a) => inStrides[a]!);
    const q = merged.perm.indexOf(rank - 1);
    // Where a run of the output's innermost axis spans little of the input, it stays in cache:
    // the stock kernel is as fast or faster there.
    if (strides[rank - 1]! * dims[rank - 1]! < SPAN) return original.kernelFunc(args);
    const out = backend.makeOutput(perm.map((a) => x.shape[a]!), x.dtype);
    // Views are taken after the allocation, which can grow (and detach) the heap.
    const view = (t: Info) => {
      const v = backend.typedArrayFromHeap(t);
      return new Int32Array(v.buffer, v.byteOffset, v.length);
    };
    tiled(view(x), view(out), dims, strides, q);
    return out;
  };
}

/** Installs `Transpose` for backend `wasm`. Idempotent. */
export function registerTransposeKernel(): void {
  install("Transpose", (original) => {
    if (original === undefined) throw new Error("tfjs-backend-wasm has no Transpose kernel");
    return transpose(original);
  });
}
