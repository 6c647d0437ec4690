/**
 * The self-attention block of SAGAN (Zhang et al. 2019), for NHWC feature maps: every location
 * attends to every other, `y = gamma * o + x` with `gamma` starting at 0 (the net begins
 * local and learns how much non-local evidence to use). With `N = H * W` locations:
 *
 * ```
 * f = x Wf   [B, N, C/8]     g = x Wg   [B, N, C/8]     h = x Wh   [B, N, C/2]
 * beta = softmax(f g^T)      [B, N, N]   (row i: where location i looks)
 * o = (beta h) Wo            [B, N, C]
 * ```
 *
 * The four 1x1 projections are spectrally normalised, as in SAGAN. A custom layer class
 * (`SelfAttention`, registered for (de)serialisation).
 *
 * @module
 */
import * as tf from "../../_tf.ts";
import type { Initializer } from "./seeds.ts";
import { spectralNormalize } from "./spectral_norm.ts";

/** Settings of {@linkcode SelfAttention}. */
export interface SelfAttentionArgs {
  /** Initializer of the four projections (seeded, from `InitSeeds`). */
  kernelInitializer: Initializer | string;
  /** Layer name. */
  name?: string;
}

const PROJECTIONS = ["f", "g", "h", "o"] as const;

/** SAGAN's self-attention over the locations of a `[B, H, W, C]` feature map. */
export class SelfAttention extends tf.layers.Layer {
  /** Name under which the class is serialised. */
  static className = "SelfAttention";
  #init: Initializer | string;
  #w: Partial<
    Record<typeof PROJECTIONS[number], { kernel: tf.LayerVariable; u: tf.LayerVariable }>
  > = {};
  #gamma?: tf.LayerVariable;

  /** @param args Initializer and name. */
  constructor(args: SelfAttentionArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    this.#init = args.kernelInitializer;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const c = (inputShape as tf.Shape)[3]!;
    if (c < 8) {
      throw new RangeError(`Cannot build self-attention on ${c} channels: expected at least 8`);
    }
    const init = typeof this.#init === "string" ? tf.initializers.glorotUniform({}) : this.#init;
    const sizes = { f: [c, c / 8 | 0], g: [c, c / 8 | 0], h: [c, c / 2 | 0], o: [c / 2 | 0, c] };
    for (const p of PROJECTIONS) {
      const [fanIn, units] = sizes[p];
      this.#w[p] = {
        kernel: this.addWeight(`w_${p}`, [fanIn!, units!], "float32", init),
        u: this.addWeight(
          `sn_u_${p}`,
          [units!, 1],
          "float32",
          tf.initializers.ones(),
          undefined,
          false,
        ),
      };
    }
    this.#gamma = this.addWeight("gamma", [], "float32", tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return inputShape as tf.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const [b, h, w, c] = x.shape;
      const flat = tf.reshape(x, [b, h * w, c]); // [B, N, C]
      const project = (p: typeof PROJECTIONS[number], t: tf.Tensor) => {
        const { kernel, u } = this.#w[p]!;
        const k = spectralNormalize(
          kernel.read(),
          u.read() as tf.Variable,
          kwargs.training === true,
        );
        const [n, d] = [t.shape[1]!, t.shape[2]!];
        return tf.reshape(tf.matMul(tf.reshape(t, [-1, d]), k as tf.Tensor2D), [b, n, -1]);
      };
      const f = project("f", flat); // [B, N, C/8]
      const g = project("g", flat); // [B, N, C/8]
      const v = project("h", flat); // [B, N, C/2]
      const beta = tf.softmax(tf.matMul(f, g, false, true)); // [B, N, N]
      const o = project("o", tf.matMul(beta, v)); // [B, N, C]
      return tf.add(x, tf.mul(this.#gamma!.read(), tf.reshape(o, [b, h, w, c])));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kernelInitializer: "glorotUniform" };
  }
}
tf.serialization.registerClass(SelfAttention);
