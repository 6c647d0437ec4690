/**
 * Adversarial losses as paired halves: `d` is what the discriminator minimises, `g` what the
 * generator minimises. Every half takes raw logits (D has no final sigmoid). pix2pix adds an L1
 * reconstruction term to G's half ({@linkcode l1Loss}).
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { canFuseBce, fusedBceWithLogits } from "../backend/fused_loss.ts";

/** Options of a discriminator half. */
export interface DLossOptions {
  /** One-sided label smoothing: real targets become `1 - labelSmoothing` (paper 000: 0.1). */
  labelSmoothing: number;
}

/** A GAN loss: one half per network. */
export interface GanLoss {
  /** Loss name, as given to `--loss`. */
  name: string;
  /** Discriminator loss from its logits on real and on generated images. */
  d(realLogits: tf.Tensor, fakeLogits: tf.Tensor, opts: DLossOptions): tf.Scalar;
  /** Generator loss from D's logits on generated images. */
  g(fakeLogits: tf.Tensor): tf.Scalar;
  /**
   * How the step keeps D (the critic) Lipschitz for a Wasserstein loss: "clip" its weights to
   * `[-clipValue, clipValue]` after each update (WGAN), or add `lambdaGp` times a gradient
   * "penalty" to its loss (WGAN-GP). Absent for the other losses.
   */
  lipschitz?: "clip" | "penalty";
}

/**
 * Mean binary cross-entropy of `sigmoid(logits)` against a constant target, in the stable
 * form `max(x, 0) - x * t + log(1 + exp(-|x|))`.
 *
 * @param logits Raw scores.
 * @param target The target probability, the same for every element.
 * @returns The mean loss.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { bceWithLogits } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const loss = bceWithLogits(tf.tensor([0]), 1).dataSync()[0]!;
 * assert.ok(Math.abs(loss - Math.LN2) < 1e-6); // -ln(sigmoid(0))
 * ```
 */
export function bceWithLogits(logits: tf.Tensor, target: number): tf.Scalar {
  // On wasm one kernel call forward and one backward (src/backend/fused_loss.ts).
  if (canFuseBce(logits)) return fusedBceWithLogits(logits, target);
  return tf.tidy(() => {
    const positive = tf.relu(logits);
    const softTail = tf.log1p(tf.exp(tf.neg(tf.abs(logits))));
    return tf.mean(tf.add(tf.sub(positive, tf.mul(logits, target)), softTail)) as tf.Scalar;
  });
}

/**
 * The original GAN loss (Goodfellow et al. 2014) with the non-saturating generator half:
 * D minimises `(BCE(D(x), 1 - smoothing) + BCE(D(G(z)), 0)) / 2`, G minimises `BCE(D(G(z)), 1)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { BCE_LOSS } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const d = BCE_LOSS.d(tf.tensor([5]), tf.tensor([-5]), { labelSmoothing: 0 });
 * assert.ok(d.dataSync()[0]! < 0.01); // D tells real from fake
 * ```
 */
export const BCE_LOSS: GanLoss = {
  name: "bce",
  d(realLogits, fakeLogits, { labelSmoothing }) {
    return tf.tidy(() =>
      tf.mul(
        tf.add(bceWithLogits(realLogits, 1 - labelSmoothing), bceWithLogits(fakeLogits, 0)),
        0.5,
      ) as tf.Scalar
    );
  },
  g(fakeLogits) {
    return bceWithLogits(fakeLogits, 1);
  },
};

/**
 * Least-squares GAN loss (Mao et al. 2017, the LSGAN of paper 004) with the 0-1 coding: D
 * minimises `((D(x) - (1 - smoothing))^2 + D(G(z))^2) / 2`, G minimises `(D(G(z)) - 1)^2 / 2`,
 * on D's raw outputs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { LSGAN_LOSS } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * assert.equal(LSGAN_LOSS.g(tf.tensor([1, 1])).dataSync()[0], 0);
 * ```
 */
export const LSGAN_LOSS: GanLoss = {
  name: "lsgan",
  d(realOut, fakeOut, { labelSmoothing }) {
    return tf.tidy(() =>
      tf.mul(
        tf.add(
          tf.mean(tf.square(tf.sub(realOut, 1 - labelSmoothing))),
          tf.mean(tf.square(fakeOut)),
        ),
        0.5,
      ) as tf.Scalar
    );
  },
  g(fakeOut) {
    return tf.tidy(() => tf.mul(tf.mean(tf.square(tf.sub(fakeOut, 1))), 0.5) as tf.Scalar);
  },
};

/**
 * Hinge loss (Lim & Ye 2017; used by SAGAN): D minimises
 * `mean(relu(1 - D(x))) + mean(relu(1 + D(G(z))))`, G minimises `-mean(D(G(z)))`.
 * Label smoothing does not apply to a margin loss and is ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { HINGE_LOSS } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const d = HINGE_LOSS.d(tf.tensor([2]), tf.tensor([-2]), { labelSmoothing: 0 });
 * assert.equal(d.dataSync()[0], 0); // both beyond the margin
 * ```
 */
export const HINGE_LOSS: GanLoss = {
  name: "hinge",
  d(realOut, fakeOut) {
    return tf.tidy(() =>
      tf.add(
        tf.mean(tf.relu(tf.sub(1, realOut))),
        tf.mean(tf.relu(tf.add(1, fakeOut))),
      ) as tf.Scalar
    );
  },
  g(fakeOut) {
    return tf.tidy(() => tf.neg(tf.mean(fakeOut)) as tf.Scalar);
  },
};

/**
 * The Wasserstein GAN loss (Arjovsky et al. 2017; paper 002's c-WGAN) with weight clipping: the
 * critic minimises `mean(D(G(z))) - mean(D(x))` (the negated estimate of the Wasserstein-1
 * distance), G minimises `-mean(D(G(z)))`. The step clips D's weights after each update.
 * Label smoothing does not apply and is ignored.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { WGAN_LOSS } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const d = WGAN_LOSS.d(tf.tensor([3, 1]), tf.tensor([0, -2]), { labelSmoothing: 0 });
 * assert.equal(d.dataSync()[0], -3); // mean(fake) - mean(real) = -1 - 2
 * ```
 */
export const WGAN_LOSS: GanLoss = {
  name: "wgan",
  lipschitz: "clip",
  d(realOut, fakeOut) {
    return tf.tidy(() => tf.sub(tf.mean(fakeOut), tf.mean(realOut)) as tf.Scalar);
  },
  g(fakeOut) {
    return tf.tidy(() => tf.neg(tf.mean(fakeOut)) as tf.Scalar);
  },
};

/**
 * WGAN-GP (Gulrajani et al. 2017; paper 002's c-WGAN-GP): the Wasserstein halves of
 * {@linkcode WGAN_LOSS}, and instead of clipping the step adds `lambdaGp` (paper: 10) times
 * `mean((||grad_x D(x_hat)||_2 - 1)^2)` on random interpolates `x_hat` of real and generated
 * images (`src/train/gradient_penalty.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { WGAN_GP_LOSS } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * assert.equal(WGAN_GP_LOSS.g(tf.tensor([1, 3])).dataSync()[0], -2); // -mean(fake)
 * assert.equal(WGAN_GP_LOSS.lipschitz, "penalty");
 * ```
 */
export const WGAN_GP_LOSS: GanLoss = {
  name: "wgan-gp",
  lipschitz: "penalty",
  d: WGAN_LOSS.d,
  g: WGAN_LOSS.g,
};

/**
 * pix2pix's reconstruction term (Isola et al. 2017; paper 003): the mean absolute error
 * `mean |target - output|` between G's output and the real target of its input. G minimises
 * the adversarial half plus `lambdaL1` (paper: 100) times this.
 *
 * @param target The real target images.
 * @param output G's images, the same shape.
 * @returns The mean L1 distance.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { l1Loss } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const l1 = l1Loss(tf.tensor([1, -1, 0, 0.5]), tf.tensor([0, -1, 0.5, 0.5]));
 * assert.equal(l1.dataSync()[0], 0.375); // (1 + 0 + 0.5 + 0) / 4
 * ```
 */
export function l1Loss(target: tf.Tensor, output: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(target, output))) as tf.Scalar);
}

/** Losses selectable with `--loss`. */
export const LOSSES = {
  bce: BCE_LOSS,
  lsgan: LSGAN_LOSS,
  hinge: HINGE_LOSS,
  wgan: WGAN_LOSS,
  "wgan-gp": WGAN_GP_LOSS,
} as const satisfies Record<string, GanLoss>;
/** A key of {@linkcode LOSSES}. */
export type LossName = keyof typeof LOSSES;
