import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { buildDiscriminator } from "../../src/models/dcgan_cifar.ts";
import { gradientPenalty } from "../../src/train/gradient_penalty.ts";

const SPEC = {
  latentDim: 4,
  numClasses: 3,
  imageShape: [8, 8, 3] as [number, number, number],
  activation: "leaky" as const,
  seed: 5,
  width: 1 / 16,
};
/** Scales every kernel: 4^5 lifts ||dD/dx|| of the fresh critic from ~0.0015 to ~1.5. */
const KERNEL_SCALE = 4;

/**
 * The penalty of a small conditional conv critic (LeakyReLU, label channel) on fixed inputs.
 * Its kernels are scaled up so that ||dD/dx|| is near 1, where the penalty moves with them.
 */
function setup() {
  const disc = buildDiscriminator(SPEC);
  for (const w of disc.trainableWeights) {
    if (/kernel(_\d+)?$/.test(w.name)) {
      const v = w.read() as tf.Variable;
      v.assign(tf.tidy(() => tf.mul(v, KERNEL_SCALE)));
    }
  }
  const data = tf.tidy(() => ({
    real: tf.randomUniform([3, 8, 8, 3], -1, 1, "float32", 1),
    fake: tf.randomUniform([3, 8, 8, 3], -1, 1, "float32", 2),
    alpha: tf.randomUniform([3, 1, 1, 1], 0, 1, "float32", 3),
    labels: tf.tensor2d([[0], [2], [1]], [3, 1], "int32"),
  }));
  const gp = () =>
    gradientPenalty(
      (x) => disc.apply([x, data.labels], { training: true }) as tf.Tensor,
      data.real,
      data.fake,
      data.alpha,
    );
  const vars = () => disc.trainableWeights.map((w) => w.read() as tf.Variable);
  const dispose = () => {
    tf.dispose(Object.values(data));
    disc.dispose();
  };
  return { disc, gp, vars, dispose };
}

/** Indices of center taps (`[kh, kw, in, out]` kernels), which no input pixel pads away. */
const PICKS: Record<string, number[]> = {
  "disc_down1/kernel": [(2 * 5 + 2) * 4 * 4, (2 * 5 + 2) * 4 * 4 + 5, (2 * 5 + 3) * 4 * 4 + 10],
  "disc_down3/kernel": [(2 * 5 + 2) * 8 * 16 + 3, (2 * 5 + 1) * 8 * 16 + 40],
  "disc_score/kernel": [(1 * 4 + 1) * 32, (1 * 4 + 1) * 32 + 17],
};

/**
 * Analytic gradients of the penalty for weights of three conv layers, and central differences
 * at two step sizes. D is piecewise linear, so the penalty is smooth only between LeakyReLU
 * kinks: a difference whose two step sizes disagree straddles a kink and is not a reference.
 */
function gradients() {
  const { gp, vars, dispose } = setup();
  const picked = vars().filter((v) => PICKS[v.name.replace(/_\d+$/, "")] !== undefined);
  assert.equal(picked.length, 3);
  const { grads, value } = tf.variableGrads(gp, picked);
  value.dispose();
  const rows: { name: string; analytic: number; numeric: number; smooth: boolean }[] = [];
  for (const v of picked) {
    const g = grads[v.name]!.dataSync();
    const base = v.dataSync().slice();
    const at = (i: number, delta: number) => {
      const w = base.slice();
      w[i] = w[i]! + delta;
      v.assign(tf.tensor(w, v.shape));
      return tf.tidy(() => gp().dataSync()[0]!);
    };
    const central = (i: number, h: number) => (at(i, h) - at(i, -h)) / (2 * h);
    for (const i of PICKS[v.name.replace(/_\d+$/, "")]!) {
      const coarse = central(i, 4e-3);
      const fine = central(i, 1e-3);
      const smooth = Math.abs(coarse - fine) <= 1e-2 * Math.max(Math.abs(fine), 1e-2);
      rows.push({ name: `${v.name}[${i}]`, analytic: g[i]!, numeric: fine, smooth });
    }
    v.assign(tf.tensor(base, v.shape));
  }
  tf.dispose(Object.values(grads));
  dispose();
  return rows;
}

let cpuGradients: number[] = [];
for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`gradientPenalty() parameter gradients match central finite differences through a LeakyReLU critic (${backend})`, async () => {
    await initBackend({ requested: backend });
    const rows = gradients();
    const smooth = rows.filter((r) => r.smooth);
    assert.ok(smooth.length >= 5, `most picks lie between kinks: ${JSON.stringify(rows)}`);
    const scale = Math.max(...smooth.map((r) => Math.abs(r.numeric)));
    assert.ok(scale > 1e-2, `the penalty depends on the picked weights: ${JSON.stringify(rows)}`);
    for (const r of smooth) {
      assert.ok(
        Math.abs(r.analytic - r.numeric) <= 2e-2 * Math.abs(r.numeric) + 1e-3 * scale,
        `${r.name}: analytic ${r.analytic} vs finite difference ${r.numeric}`,
      );
    }
    const analytic = rows.map((r) => r.analytic);
    if (backend === "cpu") cpuGradients = analytic;
    else {
      assert.equal(cpuGradients.length, analytic.length, "the cpu test ran first");
      for (let i = 0; i < analytic.length; i++) {
        assert.ok(
          Math.abs(analytic[i]! - cpuGradients[i]!) <= 1e-3 * scale,
          `${rows[i]!.name}: wasm ${analytic[i]} vs cpu ${cpuGradients[i]}`,
        );
      }
    }
  });
}

Deno.test("gradientPenalty() is 1 with a finite gradient where the critic's input gradient is zero", async () => {
  await initBackend({ requested: "cpu" });
  // D(x) = w * sum(x) at w = 0: ||dD/dx|| = 0, where an unguarded sqrt has a 0/0 gradient.
  const w = tf.variable(tf.scalar(0));
  const x = tf.ones([2, 2, 2, 1]);
  const critic = (t: tf.Tensor) => tf.reshape(tf.mul(tf.sum(t, [1, 2, 3]), w), [-1, 1]);
  const { value, grads } = tf.variableGrads(
    () => gradientPenalty(critic, x, tf.zerosLike(x), tf.fill([2, 1, 1, 1], 0.5)),
    [w],
  );
  assert.ok(Math.abs(value.dataSync()[0]! - 1) < 1e-5);
  assert.equal(grads[w.name]!.dataSync()[0], 0);
  tf.dispose([value, w, x, ...Object.values(grads)]);
});

Deno.test("gradientPenalty() leaks no tensors", async () => {
  await initBackend({ requested: "cpu" });
  const { gp, dispose } = setup();
  gp().dispose();
  const before = tf.memory().numTensors;
  gp().dispose();
  assert.equal(tf.memory().numTensors, before);
  dispose();
});
