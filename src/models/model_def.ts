/**
 * What a model is, declared once in its own file: its two builders, what G is told (the class,
 * nothing, or an input image), whether D has ACGAN's auxiliary classifier, the data it accepts
 * and the training settings it changes. The registry lists the definitions; the CLI's choices
 * and rules, the config's model names and defaults, the loop and the step read these fields
 * instead of testing model names.
 *
 * @module
 */
import type * as tf from "../_tf.ts";

/** Everything a model builder may need, resolved from the run config and the dataset. */
export interface ModelSpec {
  /** Size of z. */
  latentDim: number;
  /** Number of classes of the dataset. */
  numClasses: number;
  /** Image shape `[height, width, channels]` of the dataset (pix2pix: of inputs and targets). */
  imageShape: [number, number, number];
  /** Hidden activation (MLP model). */
  activation: "leaky" | "relu";
  /** Weight initialisation seed. */
  seed: number;
  /** Condition G and D on the label (default true; false: an unconditional baseline). */
  conditional?: boolean;
  /** Channel multiplier of the CIFAR DCGAN and of pix2pix (default 1, the papers' widths). */
  width?: number;
}

/** A conditional GAN architecture: the builders of its two networks. */
export interface GanArchitecture {
  /**
   * Builds G: `(z [N, latentDim], labels [N, 1]) -> images [N, H, W, C]`, or for pix2pix
   * `input image [N, H, W, C] -> image`.
   */
  buildGenerator(spec: ModelSpec): tf.LayersModel;
  /**
   * Builds D: `(images, labels [N, 1]) -> logits [N, 1]`, for ACGAN `images -> [N, 1 + C]`, for
   * pix2pix `(input image, image) -> patch logits [N, P, P, 1]`.
   */
  buildDiscriminator(spec: ModelSpec): tf.LayersModel;
}

/**
 * What G is told besides z:
 * - "label": the class, always (`--unconditional` is refused);
 * - "optional": the class by default, nothing with `--unconditional` (a baseline);
 * - "none": nothing, ever (an unconditional model);
 * - "image": an input image instead of z and a class (image-to-image; trains on paired data).
 */
export type Conditioning = "label" | "optional" | "none" | "image";

/**
 * Training settings a model (or a preset, for this model) changes, by config field name
 * (`loss`, `beta1`, `size`, ...). They are checked against the config's fields by its tests.
 */
export type SettingsDiff = Readonly<Record<string, string | number | boolean>>;

/** One model of the family: its builders and what the rest of cgan needs to know about it. */
export interface ModelDef extends GanArchitecture {
  /** One line for `--help`: what it is and whose it is. */
  about: string;
  /** What G is told besides z; see {@linkcode Conditioning}. */
  conditioning: Conditioning;
  /**
   * D has ACGAN's auxiliary classifier: its output is `[N, 1 + classes]`, the real/fake logit
   * and class logits, and the step adds their cross-entropy to both losses.
   */
  auxClassifier: boolean;
  /** The only adversarial losses it trains with (absent: every loss). */
  losses?: readonly string[];
  /** Image sides it accepts, and why (absent: any side the builders take). */
  sizes?: { rule: "power-of-two"; why: string };
  /** Settings it trains with unless a preset or flag says otherwise. */
  defaults?: SettingsDiff;
  /** What a preset means for it, where that differs from the preset's general meaning. */
  presets?: Readonly<Record<string, SettingsDiff>>;
}
