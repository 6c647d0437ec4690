/**
 * The plumbing shared by cgan's kernels for the tfjs `wasm` backend (the fixes in this folder,
 * the OpenBLAS ones in `blas/`): the backend's heap API, a scope that frees intermediates, calls
 * into other registered wasm kernels, conv geometry checks, and idempotent kernel replacement.
 * Internal: not exported from the library. It does not import tfjs-backend-wasm itself
 * (importing it registers the backend, which then becomes tfjs's default): `mod.ts` and the
 * backend picker do.
 *
 * @module
 */
import * as tf from "../../_tf.ts";

/** The tfjs backend these kernels are registered for. */
export const BACKEND = "wasm";

/** A tensor as kernels see it. */
export type Info = tf.TensorInfo;

/** A rank-4 shape. */
export type Shape4 = [number, number, number, number];

/** The key of a tensor's memory on the backend. */
export type DataId = Info["dataId"];

/** The parts of tfjs-backend-wasm's `BackendWasm` the fixes use. */
export interface WasmBackend {
  disposeData(dataId: DataId): boolean;
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(info: Info): Float32Array | Int32Array | Uint8Array;
  /** The Emscripten module; its exports hold the heap's memory (tfjs-backend-wasm 4.22). */
  wasm?: { asm?: { memory?: WebAssembly.Memory } };
}

/**
 * The whole wasm heap as 32-bit values of `type`, and where `info`'s data starts in it (in
 * values), for kernels that copy or multiply across tensors with one view. Take it after
 * allocating: an allocation can grow (and detach) the heap.
 */
export function wholeHeap<T extends Float32Array | Int32Array>(
  backend: WasmBackend,
  info: Info,
  type: new (buffer: ArrayBufferLike) => T,
): { heap: T; at: number } {
  const view = backend.typedArrayFromHeap(info);
  return { heap: new type(view.buffer), at: view.byteOffset / 4 };
}

/** The kernel functions installed by this module, to keep registration idempotent. */
export const INSTALLED = new WeakSet<tf.KernelFunc>();

/** Collects intermediate results and frees them all at once. */
export class Scope {
  readonly #backend: WasmBackend;
  readonly #infos: Info[] = [];

  constructor(backend: WasmBackend) {
    this.#backend = backend;
  }

  /** Marks `info` for disposal and returns it. */
  track(info: Info): Info {
    this.#infos.push(info);
    return info;
  }

  /** Frees every tracked result. */
  dispose(): void {
    for (const info of this.#infos) this.#backend.disposeData(info.dataId);
    this.#infos.length = 0;
  }
}

/** Size of `axis` of `shape` (negative counts from the end); throws past the rank. */
export function dim(shape: readonly number[], axis: number): number {
  const size = shape[axis < 0 ? shape.length + axis : axis];
  if (size === undefined) {
    throw new RangeError(`Cannot read axis ${axis} of shape [${shape}]: rank is ${shape.length}`);
  }
  return size;
}

/** Number of elements of `shape`. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** `shape` as a rank-4 tuple, or a RangeError naming the kernel and operand. */
export function asShape4(shape: readonly number[], what: string, kernel: string): Shape4 {
  if (shape.length !== 4) {
    throw new RangeError(
      `Cannot run wasm ${kernel}: expected ${what} of rank 4, found shape [${shape}]`,
    );
  }
  return [dim(shape, 0), dim(shape, 1), dim(shape, 2), dim(shape, 3)];
}

/** The one output of a kernel call. */
export function single(out: Info | Info[], kernel: string): Info {
  if (!Array.isArray(out)) return out;
  const [first] = out;
  if (out.length !== 1 || first === undefined) {
    throw new Error(`Cannot use wasm kernel "${kernel}": expected 1 output, found ${out.length}`);
  }
  return first;
}

/** The wasm kernel registered under `name`, or an error saying it is missing. */
export function kernelOf(name: string): tf.KernelConfig {
  const kernel = tf.getKernel(name, BACKEND);
  if (kernel === undefined) {
    throw new Error(
      `Cannot use wasm kernel "${name}": it is not registered for backend ` +
        `"${BACKEND}" (import @tensorflow/tfjs-backend-wasm first)`,
    );
  }
  return kernel;
}

/** Runs the currently registered wasm kernel `name`. */
export function run(
  name: string,
  backend: WasmBackend,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
): Info {
  return single(kernelOf(name).kernelFunc({ inputs, backend, attrs }), name);
}

/** Runs the wasm `Transpose` kernel. */
export function transpose(backend: WasmBackend, x: Info, perm: number[]): Info {
  return run("Transpose", backend, { x }, { perm });
}

/** Runs the wasm `Reshape` kernel (no copy). */
export function reshape(backend: WasmBackend, x: Info, shape: number[]): Info {
  return run("Reshape", backend, { x }, { shape });
}

/** Runs the wasm `Slice` kernel. */
export function slice(backend: WasmBackend, x: Info, begin: number[], size: number[]): Info {
  return run("Slice", backend, { x }, { begin, size });
}

/** The conv geometry for a backprop kernel, after checking its data format. */
export function convInfo(
  attrs: tf.NamedAttrMap,
  inShape: Shape4,
  filterShape: Shape4,
  kernel: string,
): tf.backend_util.Conv2DInfo {
  const dataFormat = attrs["dataFormat"] ?? "NHWC";
  if (dataFormat !== "NHWC") {
    throw new TypeError(
      `Cannot run wasm ${kernel}: expected dataFormat "NHWC", found "${String(dataFormat)}"`,
    );
  }
  const strides = attrs["strides"] as number | [number, number];
  const pad = attrs["pad"] as "same" | "valid" | number | tf.backend_util.ExplicitPadding;
  const rounding = attrs["dimRoundingMode"] as "floor" | "round" | "ceil" | undefined;
  return tf.backend_util.computeConv2DInfo(
    inShape,
    filterShape,
    strides,
    1,
    pad,
    rounding,
    false,
    "channelsLast",
  );
}

export function checkDy(dy: Info, info: tf.backend_util.Conv2DInfo, kernel: string): void {
  const expected = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dy.shape.length !== 4 || expected.some((n, i) => dy.shape[i] !== n)) {
    throw new RangeError(
      `Cannot run wasm ${kernel}: expected dy of shape [${expected}], found [${dy.shape}]`,
    );
  }
}

/** The broadcast batch shape of two matmul operands, or undefined when they do not broadcast. */
export function batchShape(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const p = a[a.length - rank + i] ?? 1;
    const q = b[b.length - rank + i] ?? 1;
    if (p !== q && p !== 1 && q !== 1) return undefined;
    out.push(Math.max(p, q));
  }
  return out;
}

/**
 * For each item of the broadcast batch `out`, the index of the item of an operand with batch
 * shape `own` (its axes of size 1 repeat).
 */
export function itemIndices(out: readonly number[], own: readonly number[]): number[] {
  const rank = out.length;
  const total = sizeOf(out);
  const indices: number[] = [];
  for (let i = 0; i < total; i++) {
    let rest = i;
    let index = 0;
    let stride = 1;
    for (let axis = rank - 1; axis >= 0; axis--) {
      const size = dim(out, axis);
      const ownSize = own[own.length - rank + axis] ?? 1;
      if (ownSize !== 1) index += (rest % size) * stride;
      rest = Math.floor(rest / size);
      stride *= ownSize;
    }
    indices.push(index);
  }
  return indices;
}

/**
 * Replaces the wasm kernel `name` by `make(current)`, keeping the current setup/dispose
 * functions; a second call for a kernel this module installed changes nothing.
 */
export function install(
  name: string,
  make: (original: tf.KernelConfig | undefined) => tf.KernelFunc,
): void {
  const current = tf.getKernel(name, BACKEND);
  if (current !== undefined && INSTALLED.has(current.kernelFunc)) return;
  const kernelFunc = make(current);
  INSTALLED.add(kernelFunc);
  const config: tf.KernelConfig = { kernelName: name, backendName: BACKEND, kernelFunc };
  // Keep the original setup so a re-initialised backend still binds the C++ function we call.
  if (current?.setupFunc !== undefined) config.setupFunc = current.setupFunc;
  if (current?.disposeFunc !== undefined) config.disposeFunc = current.disposeFunc;
  if (current !== undefined) tf.unregisterKernel(name, BACKEND);
  tf.registerKernel(config);
}
