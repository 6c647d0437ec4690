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
import * as tf from "@tensorflow/tfjs";
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
 * import * as tf from "@tensorflow/tfjs";
 * import { spectralNormalize } from "./spectral_norm.ts";
 * await tf.setBackend("cpu");
 * const w = tf.tensor2d([[3, 0], [0, 1]]);
 * const u = tf.variable(tf.tensor2d([[1], [1]]));
 * const sn = spectralNormalize(w, u, true, 20);
 * console.log(sn.arraySync()); // [[1, 0], [0, 0.333...]]
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
export class SNConv2D extends tf.layers.Layer {
  /** Name under which the class is serialised. */
  static className = "SNConv2D";
  #args: Required<Omit<SNConv2DArgs, "name" | "kernelInitializer">>;
  #init: Initializer | string;
  #kernel?: tf.LayerVariable;
  #bias?: tf.LayerVariable;
  #u?: tf.LayerVariable;

  /** @param args Filters, kernel, stride, padding, initializer. */
  constructor(args: SNConv2DArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    this.#args = {
      filters: args.filters,
      kernelSize: args.kernelSize,
      strides: args.strides ?? 1,
      padding: args.padding ?? "same",
      useBias: args.useBias ?? true,
      powerIterations: args.powerIterations ?? 1,
    };
    this.#init = args.kernelInitializer;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const k = this.#args.kernelSize;
    const init = typeof this.#init === "string" ? tf.initializers.glorotUniform({}) : this.#init;
    this.#kernel = this.addWeight("kernel", [k, k, shape[3]!, this.#args.filters], "float32", init);
    if (this.#args.useBias) {
      this.#bias = this.addWeight("bias", [this.#args.filters], "float32", tf.initializers.zeros());
    }
    this.#u = this.addWeight(
      "sn_u",
      [this.#args.filters, 1],
      "float32",
      tf.initializers.ones(),
      undefined,
      false,
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w] = inputShape as tf.Shape;
    const { strides: s, padding, kernelSize: k, filters } = this.#args;
    const side = (x: number | null) =>
      x === null ? null : padding === "same" ? Math.ceil(x / s) : Math.ceil((x - k + 1) / s);
    return [n ?? null, side(h ?? null), side(w ?? null), filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const kernel = spectralNormalize(
        this.#kernel!.read(),
        this.#u!.read() as tf.Variable,
        kwargs.training === true,
        this.#args.powerIterations,
      ) as tf.Tensor4D;
      const y = tf.conv2d(x, kernel, this.#args.strides, this.#args.padding);
      return this.#bias === undefined ? y : tf.add(y, this.#bias.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { filters, kernelSize, strides, padding, useBias, powerIterations } = this.#args;
    return {
      ...super.getConfig(),
      filters,
      kernelSize,
      strides,
      padding,
      useBias,
      powerIterations,
      kernelInitializer: "glorotUniform",
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
export class SNDense extends tf.layers.Layer {
  /** Name under which the class is serialised. */
  static className = "SNDense";
  #args: Required<Omit<SNDenseArgs, "name" | "kernelInitializer">>;
  #init: Initializer | string;
  #kernel?: tf.LayerVariable;
  #bias?: tf.LayerVariable;
  #u?: tf.LayerVariable;

  /** @param args Units, bias, initializer. */
  constructor(args: SNDenseArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    this.#args = {
      units: args.units,
      useBias: args.useBias ?? true,
      powerIterations: args.powerIterations ?? 1,
    };
    this.#init = args.kernelInitializer;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const init = typeof this.#init === "string" ? tf.initializers.glorotUniform({}) : this.#init;
    this.#kernel = this.addWeight("kernel", [shape[1]!, this.#args.units], "float32", init);
    if (this.#args.useBias) {
      this.#bias = this.addWeight("bias", [this.#args.units], "float32", tf.initializers.zeros());
    }
    this.#u = this.addWeight(
      "sn_u",
      [this.#args.units, 1],
      "float32",
      tf.initializers.ones(),
      undefined,
      false,
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(inputShape as tf.Shape)[0] ?? null, this.#args.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor2D;
      const kernel = spectralNormalize(
        this.#kernel!.read(),
        this.#u!.read() as tf.Variable,
        kwargs.training === true,
        this.#args.powerIterations,
      ) as tf.Tensor2D;
      const y = tf.matMul(x, kernel);
      return this.#bias === undefined ? y : tf.add(y, this.#bias.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { units, useBias, powerIterations } = this.#args;
    return {
      ...super.getConfig(),
      units,
      useBias,
      powerIterations,
      kernelInitializer: "glorotUniform",
    };
  }
}
tf.serialization.registerClass(SNDense);
