/**
 * Gather and its gradient on tfjs-backend-wasm 4.22: `GatherV2` on axis 0 (Embedding lookups)
 * as one row copy per index, and `UnsortedSegmentSum` (missing; the gradient of `gather`, so
 * every Embedding layer needs it).
 *
 * @module
 */
import type * as tf from "../../_tf.ts";
import { dim, type Info, install, kernelOf, sizeOf, type WasmBackend } from "./_heap.ts";

/**
 * `UnsortedSegmentSum` (missing in tfjs-backend-wasm 4.22; it is the gradient of `gather`, so
 * every Embedding layer needs it): `out[ids[i], ...] += x[i, ...]`, summed on the wasm heap.
 * The work is one pass over `x`, which is small next to the matmuls around it.
 */
function unsortedSegmentSum(args: Parameters<tf.KernelFunc>[0]): Info {
  const backend = args.backend as unknown as WasmBackend;
  const { x, segmentIds } = args.inputs as { x: Info; segmentIds: Info };
  const numSegments = args.attrs?.numSegments as number;
  const ids = sizeOf(segmentIds.shape);
  const inner = ids === 0 ? 0 : sizeOf(x.shape) / ids;
  if (
    !Number.isInteger(inner) ||
    x.shape.slice(0, segmentIds.shape.length).join() !== segmentIds.shape.join()
  ) {
    throw new RangeError(
      `Cannot run wasm UnsortedSegmentSum: x shape [${x.shape}] does not start with segmentIds shape [${segmentIds.shape}]`,
    );
  }
  if (x.dtype !== "float32" && x.dtype !== "int32") {
    throw new TypeError(
      `Cannot run wasm UnsortedSegmentSum: expected float32 or int32 x, found ${x.dtype}`,
    );
  }
  const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  const dst = backend.typedArrayFromHeap(out);
  dst.fill(0);
  const src = backend.typedArrayFromHeap(x);
  const seg = backend.typedArrayFromHeap(segmentIds);
  for (let i = 0; i < ids; i++) {
    const id = seg[i]!;
    if (id < 0 || id >= numSegments) continue; // like TensorFlow: out-of-range ids are dropped
    const from = i * inner;
    const to = id * inner;
    for (let j = 0; j < inner; j++) dst[to + j]! += src[from + j]!;
  }
  return out;
}

/**
 * `GatherV2` along axis 0 (an Embedding lookup) as one row copy per index: the stock kernel
 * computes every element's source index (1.8 ms for 64 rows of 784). Other axes, batch dims
 * or out-of-range indices go to the stock kernel, which also reports the latter.
 */
function gatherRows(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as unknown as WasmBackend;
    const { x, indices } = args.inputs as { x: Info; indices: Info };
    const attrs = args.attrs ?? {};
    const axis = attrs["axis"] as number | undefined ?? 0;
    const batchDims = attrs["batchDims"] as number | undefined ?? 0;
    const plain = (axis === 0 || axis === -x.shape.length) && batchDims === 0 &&
      x.shape.length >= 1 && (x.dtype === "float32" || x.dtype === "int32") &&
      (indices.dtype === "int32" || indices.dtype === "float32");
    if (!plain) return original(args);
    const rows = dim(x.shape, 0);
    const ids = backend.typedArrayFromHeap(indices);
    for (const id of ids) {
      if (!(id >= 0 && id < rows && Number.isInteger(id))) return original(args);
    }
    const row = sizeOf(x.shape.slice(1));
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    // Views are taken after the allocation above, which can grow (and detach) the heap.
    const src = backend.typedArrayFromHeap(x);
    const dst = backend.typedArrayFromHeap(out);
    const at = backend.typedArrayFromHeap(indices);
    for (let i = 0; i < at.length; i++) {
      const from = at[i]! * row;
      dst.set(src.subarray(from, from + row), i * row);
    }
    return out;
  };
}

/** Installs `GatherV2` and `UnsortedSegmentSum` for backend `wasm`. Idempotent. */
export function registerGatherKernels(): void {
  install("UnsortedSegmentSum", () => unsortedSegmentSum);
  install("GatherV2", (original) => gatherRows((original ?? kernelOf("GatherV2")).kernelFunc));
}
