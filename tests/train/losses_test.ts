import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import {
  BCE_LOSS,
  bceWithLogits,
  HINGE_LOSS,
  l1Loss,
  LSGAN_LOSS,
  WGAN_GP_LOSS,
  WGAN_LOSS,
} from "../../src/train/losses.ts";

await initBackend({ requested: "cpu" });

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const bce = (x: number, t: number) =>
  -(t * Math.log(sigmoid(x)) + (1 - t) * Math.log(1 - sigmoid(x)));

Deno.test("bceWithLogits() equals the textbook formula on hand-picked logits", () => {
  const logits = [-3, -0.5, 0, 0.25, 4];
  for (const t of [0, 0.9, 1]) {
    const want = logits.reduce((a, x) => a + bce(x, t), 0) / logits.length;
    const got = tf.tidy(() => bceWithLogits(tf.tensor(logits), t).dataSync()[0]!);
    assert.ok(Math.abs(got - want) < 1e-5, `target ${t}: ${got} vs ${want}`);
  }
});

Deno.test("bceWithLogits() stays finite for huge logits", () => {
  const got = tf.tidy(() => bceWithLogits(tf.tensor([-1000, 1000]), 1).dataSync()[0]!);
  assert.ok(Number.isFinite(got));
  assert.ok(Math.abs(got - 500) < 1e-3, `${got}`);
});

Deno.test("BCE_LOSS.d applies one-sided label smoothing to real targets only", () => {
  const real = [1.5, -0.2];
  const fake = [0.3, -2];
  const want = 0.5 * ((bce(1.5, 0.9) + bce(-0.2, 0.9)) / 2 + (bce(0.3, 0) + bce(-2, 0)) / 2);
  const got = tf.tidy(() =>
    BCE_LOSS.d(tf.tensor(real), tf.tensor(fake), { labelSmoothing: 0.1 }).dataSync()[0]!
  );
  assert.ok(Math.abs(got - want) < 1e-5, `${got} vs ${want}`);
});

Deno.test("BCE_LOSS.g is the non-saturating loss -log D(G(z))", () => {
  const got = tf.tidy(() => BCE_LOSS.g(tf.tensor([-4, 0.5])).dataSync()[0]!);
  const want = (-Math.log(sigmoid(-4)) - Math.log(sigmoid(0.5))) / 2;
  assert.ok(Math.abs(got - want) < 1e-5, `${got} vs ${want}`);
});

Deno.test("LSGAN_LOSS matches hand-computed least squares, smoothing the real target", () => {
  const got = tf.tidy(() =>
    LSGAN_LOSS.d(tf.tensor([0.5, 1.5]), tf.tensor([0.2, -0.4]), { labelSmoothing: 0.1 })
      .dataSync()[0]!
  );
  const want = 0.5 * (((0.5 - 0.9) ** 2 + (1.5 - 0.9) ** 2) / 2 + (0.2 ** 2 + 0.4 ** 2) / 2);
  assert.ok(Math.abs(got - want) < 1e-6, `${got} vs ${want}`);
  const g = tf.tidy(() => LSGAN_LOSS.g(tf.tensor([0, 3])).dataSync()[0]!);
  assert.ok(Math.abs(g - 0.5 * ((1 + 4) / 2)) < 1e-6, `${g}`);
});

Deno.test("HINGE_LOSS is zero beyond the margins and linear inside", () => {
  const d = tf.tidy(() =>
    HINGE_LOSS.d(tf.tensor([2, 0.5]), tf.tensor([-3, 0]), { labelSmoothing: 0.1 }).dataSync()[0]!
  );
  assert.ok(Math.abs(d - ((0 + 0.5) / 2 + (0 + 1) / 2)) < 1e-6, `${d}`);
  const g = tf.tidy(() => HINGE_LOSS.g(tf.tensor([1, 3])).dataSync()[0]!);
  assert.ok(Math.abs(g + 2) < 1e-6, `${g}`);
});

Deno.test("WGAN_LOSS: the critic minimises mean D(fake) - mean D(real), G minimises -mean D(fake), smoothing ignored", () => {
  const real = tf.tensor([2, 4, -1]);
  const fake = tf.tensor([0.5, -1.5]);
  for (const labelSmoothing of [0, 0.1]) {
    assert.ok(
      Math.abs(WGAN_LOSS.d(real, fake, { labelSmoothing }).dataSync()[0]! - (-0.5 - 5 / 3)) < 1e-6,
    );
  }
  assert.ok(Math.abs(WGAN_LOSS.g(fake).dataSync()[0]! - 0.5) < 1e-6);
  assert.equal(WGAN_LOSS.lipschitz, "clip");
  assert.equal(WGAN_GP_LOSS.lipschitz, "penalty");
  assert.equal(
    WGAN_GP_LOSS.d(real, fake, { labelSmoothing: 0 }).dataSync()[0],
    WGAN_LOSS.d(real, fake, { labelSmoothing: 0 }).dataSync()[0],
  );
  tf.dispose([real, fake]);
});

Deno.test("l1Loss() is the mean absolute difference and is symmetric", () => {
  const [a, b] = tf.tidy(() => {
    const t = tf.tensor4d([0.5, -1, 1, 0], [1, 2, 2, 1]);
    const o = tf.tensor4d([0, -1, -1, 0.25], [1, 2, 2, 1]);
    return [l1Loss(t, o).dataSync()[0]!, l1Loss(o, t).dataSync()[0]!];
  });
  assert.equal(a, (0.5 + 0 + 2 + 0.25) / 4);
  assert.equal(b, a);
});
