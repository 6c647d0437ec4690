import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { createAdam } from "../../src/backend/optimizer.ts";
import { type GanTrainables, latestCheckpoint, type RunState } from "../../src/train/checkpoint.ts";
import { CheckpointPolicy } from "../../src/train/checkpoint_policy.ts";

await initBackend({ requested: "cpu" });

function net(seed: number): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        units: 2,
        inputShape: [3],
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
    ],
  });
}

function trainables(withEma = false): GanTrainables {
  const adam = { lr: 1e-3, beta1: 0.5, beta2: 0.999, epsilon: 1e-7 };
  return {
    nets: { gen: net(1), disc: net(2) },
    optimizers: { gen: createAdam(adam), disc: createAdam(adam) },
    ...(withEma ? { ema: net(3) } : {}),
  };
}

function dispose(t: GanTrainables): void {
  for (const owned of [t.nets.gen, t.nets.disc, t.optimizers.gen, t.optimizers.disc]) {
    owned.dispose();
  }
  t.ema?.dispose();
}

/** Sets every value of `model`'s first weight to `value`. */
function poison(model: tf.LayersModel, value: number): void {
  const weights = model.getWeights();
  const bad = tf.fill(weights[0]!.shape, value);
  model.setWeights([bad, ...weights.slice(1)]);
  bad.dispose();
}

function policy(
  runDir: string,
  t: GanTrainables,
  state: RunState,
  lines: string[] = [],
): CheckpointPolicy {
  return new CheckpointPolicy({
    runDir,
    trainables: t,
    state,
    stepsPerEpoch: 10,
    config: { saveEvery: 4, keepCheckpoints: 2 },
    progress: { update: () => {}, log: (l) => lines.push(l), stop: () => {} },
    latest: null,
  });
}

Deno.test("CheckpointPolicy.due() is true at epoch ends and every saveEvery steps", () => {
  const t = trainables();
  const p = policy("unused", t, { step: 0, history: [] });
  const due = Array.from({ length: 21 }, (_, s) => s).filter((s) => s > 0 && p.due(s));
  assert.deepEqual(due, [4, 8, 10, 12, 16, 20]);
  dispose(t);
});

Deno.test("CheckpointPolicy.save() writes finite weights and makes them the latest checkpoint", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "cgan-policy-" });
  const t = trainables(true);
  try {
    const state: RunState = { step: 4, history: [] };
    const p = policy(tmp, t, state);
    assert.equal(await p.save(), true);
    assert.equal(p.latest, `${tmp}/checkpoints/step-00000004`);
    assert.equal(await latestCheckpoint(tmp), p.latest);
  } finally {
    dispose(t);
    await Deno.remove(tmp, { recursive: true });
  }
});

for (const [net, value] of [["gen", NaN], ["disc", Infinity], ["ema", -Infinity]] as const) {
  Deno.test(`CheckpointPolicy.save() refuses non-finite weights (${value} in ${net}): the last good checkpoint stays the latest`, async () => {
    const tmp = await Deno.makeTempDir({ prefix: "cgan-policy-nan-" });
    const t = trainables(true);
    try {
      const state: RunState = { step: 4, history: [] };
      const lines: string[] = [];
      const p = policy(tmp, t, state, lines);
      assert.equal(await p.save(), true);
      const good = p.latest;
      poison(net === "ema" ? t.ema! : t.nets[net], value);
      state.step = 8;
      const before = tf.memory().numTensors;
      assert.equal(await p.save(), false);
      assert.equal(tf.memory().numTensors, before, "the check leaves no tensors");
      assert.equal(p.latest, good);
      assert.equal(await latestCheckpoint(tmp), good);
      const names = [...Deno.readDirSync(`${tmp}/checkpoints`)].map((e) => e.name).sort();
      assert.deepEqual(names, ["latest.json", "step-00000004"]);
      assert.deepEqual(lines, [
        `Stopping: non-finite weights at step 8; last good checkpoint: ${good}`,
      ]);
    } finally {
      dispose(t);
      await Deno.remove(tmp, { recursive: true });
    }
  });
}

Deno.test("CheckpointPolicy.save() with non-finite weights and no checkpoint yet says none", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "cgan-policy-none-" });
  const t = trainables();
  try {
    poison(t.nets.gen, NaN);
    const lines: string[] = [];
    const p = policy(tmp, t, { step: 3, history: [] }, lines);
    assert.equal(await p.save(), false);
    assert.equal(p.latest, null);
    assert.equal(await latestCheckpoint(tmp), null);
    assert.deepEqual(lines, ["Stopping: non-finite weights at step 3; last good checkpoint: none"]);
  } finally {
    dispose(t);
    await Deno.remove(tmp, { recursive: true });
  }
});
