/**
 * Tensors saved for backprop without a kernel call. tfjs's engine keeps each tensor a gradient
 * will need (a kernel's inputs and outputs, a custom op's saved values) as a clone, and makes
 * every clone by dispatching the `Identity` kernel: ~400 of the MLP cGAN step's 1,100 kernel
 * calls, each with the engine's full dispatch overhead. On every backend cgan runs (cpu,
 * webgpu, and wasm with cgan's `Identity`) that kernel only adds a reference to the same
 * memory, so this makes the clone directly: one more reference (`backend.incRef`), a new tensor
 * on the same data, and the same tape node as the engine's clone, so second derivatives
 * (WGAN-GP) flow through saved tensors as before. Values, tensor counts and bytes are those of
 * the engine's clone; only the kernel call is gone.
 *
 * @module
 */
import * as tf from "../_tf.ts";

/** The engine internals the clone reads (not part of tfjs's public API). */
interface EngineInternals {
  clone(x: tf.Tensor): tf.Tensor;
  makeTensorFromTensorInfo(info: tf.TensorInfo, backend?: tf.KernelBackend): tf.Tensor;
  addTapeNode(
    kernelName: string,
    inputs: tf.NamedTensorMap,
    outputs: tf.Tensor[],
    gradientsFunc: (dy: tf.Tensor) => Record<string, () => tf.Tensor>,
    saved: tf.Tensor[],
    attrs: tf.NamedAttrMap,
  ): void;
  state: {
    activeScope: { name: string };
    tensorInfo: WeakMap<object, { backend: tf.KernelBackend & { incRef?(dataId: object): void } }>;
  };
}

/** Backends whose `Identity` adds a reference instead of copying (wasm: cgan's own). */
const ALIASING = new Set(["cpu", "wasm", "webgpu", "webgl"]);

let original: ((x: tf.Tensor) => tf.Tensor) | null = null;

/** The engine's clone, less its `Identity` kernel call. */
function cloneByReference(this: EngineInternals, x: tf.Tensor): tf.Tensor {
  const backend = this.state.tensorInfo.get(x.dataId)?.backend;
  if (
    x.dtype === "string" || x.dtype === "complex64" || backend?.incRef === undefined ||
    !ALIASING.has(tf.getBackend())
  ) {
    return original!.call(this, x);
  }
  backend.incRef(x.dataId);
  const y = this.makeTensorFromTensorInfo({ dataId: x.dataId, shape: x.shape, dtype: x.dtype });
  // The engine's clone records this node (its gradient casts dy to float32).
  const grad = (dy: tf.Tensor) => ({
    x: () => tf.engine().runKernel("Cast", { x: dy }, { dtype: "float32" }) as tf.Tensor,
  });
  this.addTapeNode(this.state.activeScope.name, { x }, [y], grad, [], {});
  return y;
}

/**
 * Makes the engine save tensors for backprop without an `Identity` kernel call (`on`, the
 * default), or restores its own clone (`false`, to compare). Idempotent.
 *
 * @param on Whether saves skip the kernel call.
 * @returns Nothing.
 *
 * @example The same gradient with one kernel call less per saved tensor
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { countKernels, saveWithoutKernels } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const x = tf.tensor1d([1, -2, 3]);
 * const grad = () => tf.grad((x) => tf.sum(tf.square(x)))(x);
 * saveWithoutKernels(false);
 * const stock = countKernels(grad);
 * saveWithoutKernels(true);
 * const direct = countKernels(grad);
 * assert.deepEqual(Array.from(direct.result.dataSync()), Array.from(stock.result.dataSync()));
 * assert.equal(direct.count.byName.get("Identity"), undefined);
 * assert.ok(direct.count.total < stock.count.total);
 * tf.dispose([x, stock.result, direct.result]);
 * ```
 */
export function saveWithoutKernels(on = true): void {
  const engine = tf.engine() as unknown as EngineInternals;
  if (on && original === null) {
    original = engine.clone;
    engine.clone = cloneByReference;
  } else if (!on && original !== null) {
    engine.clone = original;
    original = null;
  }
}
