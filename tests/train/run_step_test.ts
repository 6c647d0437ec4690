/**
 * `runStep()`, the loop's step (and the page's): with `nCritic` 2 it updates G and G's average
 * only on every second step, and a step is a function of (seed, step) alone.
 */
import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { BatchSource } from "../../src/data/batches.ts";
import { resolveConfig } from "../../src/train/config.ts";
import { createEma } from "../../src/train/ema.ts";
import { runStep, stepPlan } from "../../src/train/run_step.ts";
import { disposeTrainables, newTrainables } from "../../src/train/trainables.ts";

await initBackend({ requested: "cpu" });

const dataset = {
  name: "toy",
  images: Uint8Array.from({ length: 8 * 16 }, (_, i) => (i * 37) % 256),
  labels: new Uint8Array([0, 1, 2, 0, 1, 2, 0, 1]),
  shape: [4, 4, 1] as [number, number, number],
  classNames: ["a", "b", "c"],
  source: "memory",
};
/** A net's trainable weights (BatchNorm's moving statistics move whenever G runs in training). */
const weights = (m: tf.LayersModel) => m.trainableWeights.map((w) => w.read().dataSync().join());
const same = (a: string[], b: string[]) => a.every((w, i) => w === b[i]);

Deno.test("runStep() with nCritic 2 updates G and its average on every second step only", async () => {
  const cfg = resolveConfig({ latentDim: 4, batchSize: 4, nCritic: 2, emaDecay: 0.9 });
  const run = newTrainables(cfg, dataset);
  run.ema = await createEma(run.nets.gen);
  const source = new BatchSource(dataset, cfg.batchSize, cfg.seed);
  const plan = stepPlan(cfg, dataset);
  const [gen0, ema0, disc0] = [weights(run.nets.gen), weights(run.ema), weights(run.nets.disc)];
  const critic = runStep(run, source, plan, 0);
  assert.equal(critic.gLoss, undefined, "step 0 trains the critic only");
  assert.ok(same(weights(run.nets.gen), gen0), "step 0 moved G");
  assert.ok(same(weights(run.ema), ema0), "step 0 moved G's average");
  assert.ok(!same(weights(run.nets.disc), disc0), "step 0 did not move D");
  const both = runStep(run, source, plan, 1);
  assert.ok(both.gLoss !== undefined, "step 1 updates G");
  assert.ok(!same(weights(run.nets.gen), gen0), "step 1 did not move G");
  assert.ok(!same(weights(run.ema), ema0), "step 1 did not move G's average");
  tf.dispose([critic.dLoss, both.dLoss, both.gLoss!]);
  source.dispose();
  disposeTrainables(run);
});

Deno.test("runStep() is a function of (seed, step): two fresh runs give the same losses", () => {
  const cfg = resolveConfig({ latentDim: 4, batchSize: 4, emaDecay: 0, seed: 7 });
  const losses = () => {
    const run = newTrainables(cfg, dataset);
    const source = new BatchSource(dataset, cfg.batchSize, cfg.seed);
    const plan = stepPlan(cfg, dataset);
    const out: number[] = [];
    for (let step = 0; step < 3; step++) {
      const { dLoss, gLoss } = runStep(run, source, plan, step);
      out.push(dLoss.dataSync()[0]!, gLoss!.dataSync()[0]!);
      tf.dispose([dLoss, gLoss!]);
    }
    source.dispose();
    disposeTrainables(run);
    return out;
  };
  assert.deepEqual(losses(), losses());
});
