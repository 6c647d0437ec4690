/**
 * Class-conditional batch normalisation (de Vries et al. 2017; the conditioning of SAGAN's and
 * BigGAN's generators): normalise with batch statistics (moving averages at inference), then
 * scale and shift with a `gamma` and `beta` looked up per sample from its class. Inputs are
 * `[x, labels]` with `x` `[N, C]` or `[N, H, W, C]` and labels `[N, 1]` int32. A custom layer
 * class (`ConditionalBatchNorm`, registered for (de)serialisation).
 *
 * @module
 */
import * as tf from "../../_tf.ts";
import type { Initializer } from "./seeds.ts";

/** Settings of {@linkcode ConditionalBatchNorm}. */
export interface ConditionalBatchNormArgs {
  /** Number of classes (rows of the gamma and beta tables). */
  numClasses: number;
  /** Moving-average momentum (Keras: 0.99). */
  momentum?: number;
  /** Added to the variance (Keras: 1e-3). */
  epsilon?: number;
  /** Layer name. */
  name?: string;
}

/** Batch normalisation whose scale and shift depend on each sample's class. */
export class ConditionalBatchNorm extends tf.layers.Layer {
  /** Name under which the class is serialised. */
  static className = "ConditionalBatchNorm";
  #args: Required<Omit<ConditionalBatchNormArgs, "name">>;
  #gamma?: tf.LayerVariable;
  #beta?: tf.LayerVariable;
  #mean?: tf.LayerVariable;
  #variance?: tf.LayerVariable;

  /** @param args Classes, momentum, epsilon. */
  constructor(args: ConditionalBatchNormArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    this.#args = {
      numClasses: args.numClasses,
      momentum: args.momentum ?? 0.99,
      epsilon: args.epsilon ?? 1e-3,
    };
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const [xShape] = inputShape as tf.Shape[];
    const c = xShape![xShape!.length - 1]!;
    const k = this.#args.numClasses;
    this.#gamma = this.addWeight("gamma", [k, c], "float32", tf.initializers.ones());
    this.#beta = this.addWeight("beta", [k, c], "float32", tf.initializers.zeros());
    const fixed = (name: string, init: Initializer) =>
      this.addWeight(name, [c], "float32", init, undefined, false);
    this.#mean = fixed("moving_mean", tf.initializers.zeros());
    this.#variance = fixed("moving_variance", tf.initializers.ones());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (inputShape as tf.Shape[])[0]!;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const [x, labels] = inputs as tf.Tensor[];
      const axes = Array.from({ length: x!.rank - 1 }, (_, i) => i); // all but channels
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (kwargs.training === true) {
        ({ mean, variance } = tf.moments(x!, axes));
        const m = this.#args.momentum;
        this.#mean!.write(tf.add(tf.mul(this.#mean!.read(), m), tf.mul(mean, 1 - m)));
        this.#variance!.write(tf.add(tf.mul(this.#variance!.read(), m), tf.mul(variance, 1 - m)));
      } else {
        mean = this.#mean!.read();
        variance = this.#variance!.read();
      }
      const normed = tf.div(tf.sub(x!, mean), tf.sqrt(tf.add(variance, this.#args.epsilon)));
      const ids = tf.cast(tf.reshape(labels!, [-1]), "int32");
      const shape = [x!.shape[0]!, ...axes.slice(1).map(() => 1), x!.shape[x!.rank - 1]!];
      const gamma = tf.reshape(tf.gather(this.#gamma!.read(), ids), shape);
      const beta = tf.reshape(tf.gather(this.#beta!.read(), ids), shape);
      return tf.add(tf.mul(normed, gamma), beta);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), ...this.#args };
  }
}
tf.serialization.registerClass(ConditionalBatchNorm);
