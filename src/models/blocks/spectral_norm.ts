/**
 * Spectral normalization (Miyato et al. 2018), as SAGAN uses it: a layer's kernel `W` is
 * divided by an estimate of its largest singular value, `sigma = v^T W u`, where `u` and `v`
 * come from power iteration on `W` reshaped to `[fanIn, units]`. `u` is a persistent,
 * non-trainable weight of the layer: one iteration per training call refines it, and it is
 * saved and loaded with the other weights (checkpoints resume it exactly). `u` and `v` are
 * treated as constants by the gradient, as in the paper.
 *
 * The layers are custom classes (`SNConv2D`, `SNDense`, registered for (de)serialisation):
 * a model file that uses them loads where this module has been imported.
 *
 * @module
 */
import * as tf from "../../_tf.ts";
import type { Initializer } from "./seeds.ts";

/** Identity whose gradient is zero: `u` and `v` are constants of the normalisation. */
const stopGradient = tf.customGrad(
  ((x: tf.Tensor) => ({
    value: tf.clone(x),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  })) as unknown as Parameters<typeof tf.customGrad>[0],
) as (x: tf.Tensor) => tf.Tensor;

function l2normalize(x: tf.Tensor): tf.Tensor {
  return tf.div(x, tf.add(tf.norm(x), 1e-12));
}

/**
 * Divides `kernel` by the power-iteration estimate of its largest singular value.
 *
 * @param kernel A kernel whose last axis is the output units (`[kh, kw, in, out]` or `[in, out]`).
 * @param u The persistent left vector `[out, 1]`; updated when `update` is true.
 * @param update Write the refined `u` back (training calls).
 * @param iterations Power iterations per call (SAGAN: 1).
 * @returns `kernel / sigma`, differentiable in `kernel` (with `u`, `v` held constant).
 *
 * @example The normalised matrix has largest singular value ~1
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { spectralNormalize } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const w = tf.tensor2d([[3, 0], [0, 1]]);
 * const u = tf.variable(tf.tensor2d([[1], [1]]));
 * const sn = spectralNormalize(w, u, true, 20);
 * const values = await sn.data(); // W / sigma(W), sigma = 3
 * assert.ok([1, 0, 0, 1 / 3].every((v, i) => Math.abs(values[i]! - v) < 1e-6));
 * ```
 */
export function spectralNormalize(
  kernel: tf.Tensor,
  u: tf.Variable,
  update: boolean,
  iterations = 1,
): tf.Tensor {
  const units = kernel.shape[kernel.rank - 1]!;
  const mat = tf.reshape(kernel, [-1, units]); // [fanIn, units]
  const fixed = stopGradient(mat);
  let uu: tf.Tensor = u;
  let v: tf.Tensor = tf.zeros([mat.shape[0]!, 1]);
  for (let i = 0; i < iterations; i++) {
    v = l2normalize(tf.matMul(fixed, uu)); // [fanIn, 1]
    uu = l2normalize(tf.matMul(fixed, v, true, false)); // [units, 1]
  }
  const sigma = tf.sum(tf.mul(v, tf.matMul(mat, stopGradient(uu)))); // v^T W u
  if (update) u.assign(stopGradient(uu));
  return tf.div(kernel, sigma);
}

/**
 * What the spectrally normalised layers share: a kernel whose last axis is the output units,
 * an optional bias, the persistent power-iteration vector `u` (non-trainable, saved with the
 * weights), and the config keys that rebuild them.
 */
abstract class SpectralLayer extends tf.layers.Layer {
  #init: Initializer | string;
  #useBias: boolean;
  #iterations: number;
  #kernel?: tf.LayerVariable;
  #bias?: tf.LayerVariable;
  #u?: tf.LayerVariable;

  constructor(
    args: {
      name?: string;
      kernelInitializer: Initializer | string;
      useBias?: boolean;
      powerIterations?: number;
    },
  ) {
    super(args.name === undefined ? {} : { name: args.name });
    this.#init = args.kernelInitializer;
    this.#useBias = args.useBias ?? true;
    this.#iterations = args.powerIterations ?? 1;
  }

  /** Creates the kernel (`[..., units]`), the bias and `u`. */
  protected buildSpectral(kernelShape: number[]): void {
    const units = kernelShape[kernelShape.length - 1]!;
    const init = typeof this.#init === "string" ? tf.initializers.glorotUniform({}) : this.#init;
    this.#kernel = this.addWeight("kernel", kernelShape, "float32", init);
    if (this.#useBias) {
      this.#bias = this.addWeight("bias", [units], "float32", tf.initializers.zeros());
    }
    this.#u = this.addWeight(
      "sn_u",
      [units, 1],
      "float32",
      tf.initializers.ones(),
      undefined,
      false,
    );
    this.built = true;
  }

  /** The normalised kernel; a training call also refines `u`. */
  protected normalizedKernel(training: boolean): tf.Tensor {
    return spectralNormalize(
      this.#kernel!.read(),
      this.#u!.read() as tf.Variable,
      training,
      this.#iterations,
    );
  }

  /** `y` plus the bias, when the layer has one. */
  protected withBias(y: tf.Tensor): tf.Tensor {
    return this.#bias === undefined ? y : tf.add(y, this.#bias.read());
  }

  /** The shared config keys (the initializer is only used before weights are loaded). */
  protected spectralConfig(): tf.serialization.ConfigDict {
    return {
      useBias: this.#useBias,
      powerIterations: this.#iterations,
      kernelInitializer: "glorotUniform",
    };
  }
}

/** Settings of {@linkcode SNConv2D}. */
export interface SNConv2DArgs {
  /** Output channels. */
  filters: number;
  /** Square kernel side. */
  kernelSize: number;
  /** Stride (both axes). */
  strides?: number;
  /** "same" or "valid". */
  padding?: "same" | "valid";
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Kernel initializer (seeded, from `InitSeeds`). */
  kernelInitializer: Initializer | string;
  /** Power iterations per training call (default 1). */
  powerIterations?: number;
  /** Layer name. */
  name?: string;
}

/** A 2-D convolution (NHWC) with a spectrally normalised kernel. */
export class SNConv2D extends SpectralLayer {
  /** Name under which the class is serialised. */
  static className = "SNConv2D";
  #filters: number;
  #kernelSize: number;
  #strides: number;
  #padding: "same" | "valid";

  /** @param args Filters, kernel, stride, padding, initializer. */
  constructor(args: SNConv2DArgs) {
    super(args);
    this.#filters = args.filters;
    this.#kernelSize = args.kernelSize;
    this.#strides = args.strides ?? 1;
    this.#padding = args.padding ?? "same";
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const k = this.#kernelSize;
    this.buildSpectral([k, k, (inputShape as tf.Shape)[3]!, this.#filters]);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w] = inputShape as tf.Shape;
    const [s, k] = [this.#strides, this.#kernelSize];
    const side = (x: number | null) =>
      x === null ? null : this.#padding === "same" ? Math.ceil(x / s) : Math.ceil((x - k + 1) / s);
    return [n ?? null, side(h ?? null), side(w ?? null), this.#filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const kernel = this.normalizedKernel(kwargs.training === true) as tf.Tensor4D;
      return this.withBias(tf.conv2d(x, kernel, this.#strides, this.#padding));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      ...this.spectralConfig(),
      filters: this.#filters,
      kernelSize: this.#kernelSize,
      strides: this.#strides,
      padding: this.#padding,
    };
  }
}
tf.serialization.registerClass(SNConv2D);

/** Settings of {@linkcode SNDense}. */
export interface SNDenseArgs {
  /** Output units. */
  units: number;
  /** Add a bias (default true). */
  useBias?: boolean;
  /** Kernel initializer (seeded, from `InitSeeds`). */
  kernelInitializer: Initializer | string;
  /** Power iterations per training call (default 1). */
  powerIterations?: number;
  /** Layer name. */
  name?: string;
}

/** A dense layer `[N, in] -> [N, units]` with a spectrally normalised kernel. */
export class SNDense extends SpectralLayer {
  /** Name under which the class is serialised. */
  static className = "SNDense";
  #units: number;

  /** @param args Units, bias, initializer. */
  constructor(args: SNDenseArgs) {
    super(args);
    this.#units = args.units;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    this.buildSpectral([(inputShape as tf.Shape)[1]!, this.#units]);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape)[0] ?? null, this.#units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor2D;
      const kernel = this.normalizedKernel(kwargs.training === true) as tf.Tensor2D;
      return this.withBias(tf.matMul(x, kernel));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.spectralConfig(), units: this.#units };
  }
}
tf.serialization.registerClass(SNDense);
