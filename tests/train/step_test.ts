import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { countKernels } from "../../src/backend/kernel_count.ts";
import { translate } from "../../src/models/pix2pix.ts";
import { buildGan } from "../../src/models/registry.ts";
import { BCE_LOSS, WGAN_LOSS } from "../../src/train/losses.ts";
import { createAdam } from "../../src/backend/optimizer.ts";
import { trainStep } from "../../src/train/step.ts";

await initBackend({ requested: "cpu" });

const SPEC = {
  latentDim: 8,
  numClasses: 3,
  imageShape: [4, 4, 1] as [number, number, number],
  activation: "leaky" as const,
  seed: 1,
};
const ADAM = { lr: 1e-3, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 };

function inputs() {
  return tf.tidy(() => ({
    images: tf.randomUniform([6, 4, 4, 1], -1, 1, "float32", 1) as tf.Tensor4D,
    labels: tf.tensor2d([0, 1, 2, 0, 1, 2], [6, 1], "int32"),
    z: tf.randomNormal([6, 8], 0, 1, "float32", 2) as tf.Tensor2D,
    fakeLabels: tf.tensor2d([2, 1, 0, 2, 1, 0], [6, 1], "int32"),
  }));
}

const snapshot = (m: tf.LayersModel) =>
  m.trainableWeights.map((w) => Array.from(w.read().dataSync()));

Deno.test("trainStep() changes D only in the D step and G only in the G step", () => {
  const nets = buildGan("mlp", SPEC);
  const gen0 = snapshot(nets.gen);
  const disc0 = snapshot(nets.disc);
  const x = inputs();
  // D step alone: an optimizer that would update G is given a zero learning rate.
  const frozen = { gen: createAdam({ ...ADAM, lr: 0 }), disc: createAdam(ADAM) };
  tf.dispose(Object.values(trainStep(nets, frozen, x, { loss: BCE_LOSS, labelSmoothing: 0.1 })));
  assert.deepEqual(snapshot(nets.gen), gen0, "the D step moved G");
  assert.notDeepEqual(snapshot(nets.disc), disc0, "the D step did not move D");
  // G step alone.
  const disc1 = snapshot(nets.disc);
  const genOnly = { gen: createAdam(ADAM), disc: createAdam({ ...ADAM, lr: 0 }) };
  tf.dispose(Object.values(trainStep(nets, genOnly, x, { loss: BCE_LOSS, labelSmoothing: 0.1 })));
  assert.deepEqual(snapshot(nets.disc), disc1, "the G step moved D");
  assert.notDeepEqual(snapshot(nets.gen), gen0, "the G step did not move G");
  tf.dispose(Object.values(x));
  nets.gen.dispose();
  nets.disc.dispose();
});

Deno.test("trainStep() draws D's dropout masks from dropoutSeed: the same seed, the same losses (dcgan)", () => {
  const nets = buildGan("dcgan", SPEC);
  // Zero learning rates: the nets stay as built, so only the masks can change the losses.
  const frozen = { gen: createAdam({ ...ADAM, lr: 0 }), disc: createAdam({ ...ADAM, lr: 0 }) };
  const x = inputs();
  const losses = (dropoutSeed: number) => {
    const l = trainStep(nets, frozen, x, { loss: BCE_LOSS, labelSmoothing: 0, dropoutSeed });
    const v = [l.dLoss.dataSync()[0]!, l.gLoss!.dataSync()[0]!];
    tf.dispose([l.dLoss, l.gLoss]);
    return v;
  };
  assert.deepEqual(losses(3), losses(3));
  assert.notDeepEqual(losses(4), losses(3));
  tf.dispose(Object.values(x));
  for (const o of Object.values(frozen)) o.dispose();
  nets.gen.dispose();
  nets.disc.dispose();
});

for (const [model, backend] of [["mlp", "cpu"], ["acgan", "cpu"], ["mlp", "wasm"]] as const) {
  Deno.test(`trainStep() runs G forward once, and its step equals a D update and a G update each with its own G forward (${model}, ${backend})`, async () => {
    await initBackend({ requested: backend });
    const aux = model === "acgan";
    const opts = {
      loss: BCE_LOSS,
      labelSmoothing: 0.1,
      auxClassifier: aux,
      auxLoss: "both" as const,
    };
    const x = inputs();
    // The step under test, counting G's applications.
    const once = buildGan(model, SPEC);
    let gCalls = 0;
    const apply = once.gen.apply.bind(once.gen);
    once.gen.apply = (...args: Parameters<typeof apply>) => (gCalls++, apply(...args));
    const onceOpt = { gen: createAdam(ADAM), disc: createAdam(ADAM) };
    const { result: a, count } = countKernels(() => trainStep(once, onceOpt, x, opts));
    assert.equal(gCalls, 1, "G ran forward more than once");
    // D's update is not recorded on G's tape, so its backward runs the fused gradients where
    // they exist (on wasm; tfjs's LeakyReLU gradient would call Greater and Select).
    if (backend === "wasm") assert.equal(count.byName.get("Greater"), undefined);
    // The reference: D alone (G forward for it), then G alone against the updated D (G forward
    // again; D's update there has a zero learning rate, so it leaves D as it is).
    const twice = buildGan(model, SPEC);
    const dOpt = createAdam(ADAM);
    const gOpt = createAdam(ADAM);
    const d = trainStep(twice, { gen: gOpt, disc: dOpt }, x, { ...opts, updateGen: false });
    const frozenD = createAdam({ ...ADAM, lr: 0 });
    const g = trainStep(twice, { gen: gOpt, disc: frozenD }, x, opts);
    assert.deepEqual(snapshot(once.disc), snapshot(twice.disc), "D's weights differ");
    assert.deepEqual(snapshot(once.gen), snapshot(twice.gen), "G's weights differ");
    assert.equal(a.dLoss.dataSync()[0], d.dLoss.dataSync()[0]);
    assert.equal(a.gLoss!.dataSync()[0], g.gLoss!.dataSync()[0]);
    tf.dispose([a.dLoss, a.gLoss, d.dLoss, g.dLoss, g.gLoss, ...Object.values(x)]);
    for (const o of [...Object.values(onceOpt), dOpt, gOpt, frozenD]) o.dispose();
    for (const n of [once, twice]) {
      n.gen.dispose();
      n.disc.dispose();
    }
    await initBackend({ requested: "cpu" });
  });
}

Deno.test("trainStep() leaks no tensors across steps", () => {
  const nets = buildGan("mlp", SPEC);
  const opts = { gen: createAdam(ADAM), disc: createAdam(ADAM) };
  const x = inputs();
  const run = () =>
    tf.dispose(Object.values(trainStep(nets, opts, x, { loss: BCE_LOSS, labelSmoothing: 0.1 })));
  run(); // warm-up: Adam creates its moments
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) run();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose(Object.values(x));
  opts.gen.dispose();
  opts.disc.dispose();
  nets.gen.dispose();
  nets.disc.dispose();
});

Deno.test("trainStep() on a critic-only step (updateGen false) moves D, leaves G and returns no G loss", () => {
  const nets = buildGan("mlp", SPEC);
  const gen0 = snapshot(nets.gen);
  const disc0 = snapshot(nets.disc);
  const opts = { gen: createAdam(ADAM), disc: createAdam(ADAM) };
  const x = inputs();
  const losses = trainStep(nets, opts, x, {
    loss: WGAN_LOSS,
    labelSmoothing: 0,
    clipValue: 0.05,
    updateGen: false,
  });
  assert.equal(losses.gLoss, undefined);
  assert.deepEqual(snapshot(nets.gen), gen0, "a critic-only step moved G");
  assert.notDeepEqual(snapshot(nets.disc), disc0, "a critic-only step did not move D");
  const max = snapshot(nets.disc).flat().reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(max <= 0.05 + 1e-7, `WGAN clipping bounds D's weights by 0.05: ${max}`);
  tf.dispose([losses.dLoss, ...Object.values(x)]);
  for (const o of Object.values(opts)) o.dispose();
  nets.gen.dispose();
  nets.disc.dispose();
});

Deno.test("trainStep() with auxLoss real leaves the class loss on G's samples out of ACGAN's D loss", () => {
  const nets = buildGan("acgan", SPEC);
  const frozen = { gen: createAdam({ ...ADAM, lr: 0 }), disc: createAdam({ ...ADAM, lr: 0 }) };
  const x = inputs();
  const dLoss = (auxLoss: "both" | "real") => {
    const l = trainStep(nets, frozen, x, {
      loss: BCE_LOSS,
      labelSmoothing: 0,
      auxClassifier: true,
      auxLoss,
    });
    const v = l.dLoss.dataSync()[0]!;
    tf.dispose([l.dLoss, l.gLoss]);
    return v;
  };
  const both = dLoss("both");
  const real = dLoss("real");
  // The difference is the cross-entropy of D's class logits on G(z) against the requested labels.
  const fakeTerm = tf.tidy(() => {
    const images = nets.gen.apply([x.z, x.fakeLabels], { training: true }) as tf.Tensor;
    const out = nets.disc.apply(images, { training: true }) as tf.Tensor;
    const logits = tf.slice(out, [0, 1], [-1, 3]);
    const target = tf.oneHot(tf.reshape(x.fakeLabels, [-1]) as tf.Tensor1D, 3);
    return tf.losses.softmaxCrossEntropy(target, logits).dataSync()[0]!;
  });
  assert.ok(fakeTerm > 0.1);
  assert.ok(Math.abs(both - real - fakeTerm) < 1e-4, `${both} - ${real} vs ${fakeTerm}`);
  tf.dispose(Object.values(x));
  for (const o of Object.values(frozen)) o.dispose();
  nets.gen.dispose();
  nets.disc.dispose();
});

Deno.test("trainStep() with auxClassifier refuses a D without class logits, naming the shape it found", () => {
  const plain = buildGan("mlp", SPEC);
  const frozen = { gen: createAdam({ ...ADAM, lr: 0 }), disc: createAdam({ ...ADAM, lr: 0 }) };
  const x = inputs();
  assert.throws(
    () => trainStep(plain, frozen, x, { loss: BCE_LOSS, labelSmoothing: 0, auxClassifier: true }),
    /auxiliary classifier: expected D's output \[N, 1 \+ classes\], found \[6,1\]/,
  );
  tf.dispose(Object.values(x));
  for (const o of Object.values(frozen)) o.dispose();
  plain.gen.dispose();
  plain.disc.dispose();
});

const PIX2PIX_SPEC = {
  latentDim: 1,
  numClasses: 0,
  imageShape: [32, 32, 3] as [number, number, number],
  activation: "leaky" as const,
  seed: 3,
  width: 1 / 8,
};

function pairInputs() {
  return tf.tidy(() => ({
    images: tf.randomUniform([1, 32, 32, 3], -1, 1, "float32", 4) as tf.Tensor4D,
    condition: tf.randomUniform([1, 32, 32, 3], -1, 1, "float32", 5) as tf.Tensor4D,
  }));
}

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`trainStep() with a condition image (pix2pix) moves G and D, keeps losses finite and leaks no tensors (${backend})`, async () => {
    await initBackend({ requested: backend });
    const nets = buildGan("pix2pix", PIX2PIX_SPEC);
    const opts = {
      gen: createAdam({ ...ADAM, lr: 2e-4 }),
      disc: createAdam({ ...ADAM, lr: 2e-4 }),
    };
    const x = pairInputs();
    const gen0 = snapshot(nets.gen);
    const disc0 = snapshot(nets.disc);
    const run = (step: number) => {
      const l = trainStep(nets, opts, x, {
        loss: BCE_LOSS,
        labelSmoothing: 0,
        lambdaL1: 100,
        dropoutSeed: step,
      });
      const values = [l.dLoss.dataSync()[0]!, l.gLoss!.dataSync()[0]!];
      tf.dispose([l.dLoss, l.gLoss]);
      return values;
    };
    const [d, g] = run(0); // warm-up: Adam creates its moments
    assert.ok(Number.isFinite(d) && Number.isFinite(g), `losses ${d}, ${g}`);
    assert.ok(g! > 10, `G's loss includes 100 x L1 of an untrained G: ${g}`);
    assert.notDeepEqual(snapshot(nets.gen), gen0, "the step did not move G");
    assert.notDeepEqual(snapshot(nets.disc), disc0, "the step did not move D");
    const before = tf.memory().numTensors;
    for (let i = 1; i <= 3; i++) {
      assert.ok(run(i).every(Number.isFinite), `step ${i}: non-finite loss`);
    }
    assert.equal(tf.memory().numTensors, before, "tensor count after 3 more steps");
    tf.dispose(Object.values(x));
    for (const o of Object.values(opts)) o.dispose();
    nets.gen.dispose();
    nets.disc.dispose();
  });
}

Deno.test("trainStep() adds lambdaL1 times mean |target - G(condition)| to G's loss, with the step's dropout masks (pix2pix)", async () => {
  await initBackend({ requested: "cpu" });
  const nets = buildGan("pix2pix", PIX2PIX_SPEC);
  // Zero learning rates: the nets stay as built, so both calls see the same G and D.
  const frozen = { gen: createAdam({ ...ADAM, lr: 0 }), disc: createAdam({ ...ADAM, lr: 0 }) };
  const x = pairInputs();
  const losses = (lambdaL1: number) => {
    const l = trainStep(nets, frozen, x, {
      loss: BCE_LOSS,
      labelSmoothing: 0,
      lambdaL1,
      dropoutSeed: 9,
    });
    const v = [l.dLoss.dataSync()[0]!, l.gLoss!.dataSync()[0]!];
    tf.dispose([l.dLoss, l.gLoss]);
    return v;
  };
  const [d0, g0] = losses(0);
  const [d100, g100] = losses(100);
  assert.equal(d100, d0, "the L1 weight does not enter D's loss");
  const l1 = tf.tidy(() => {
    const out = translate(nets.gen, x.condition, 9); // the same masks as the step's G
    return tf.mean(tf.abs(tf.sub(x.images, out))).dataSync()[0]!;
  });
  assert.ok(Math.abs(g100! - g0! - 100 * l1) < 1e-3, `${g100} - ${g0} vs 100 x ${l1}`);
  tf.dispose(Object.values(x));
  for (const o of Object.values(frozen)) o.dispose();
  nets.gen.dispose();
  nets.disc.dispose();
});
