import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { DEFAULTS } from "../../src/train/config.ts";
import { disposeTrainables, startOrResume } from "../../src/train/start_or_resume.ts";

const dataset = {
  name: "toy",
  images: new Uint8Array(2 * 16),
  labels: new Uint8Array([0, 1]),
  shape: [4, 4, 1] as [number, number, number],
  classNames: ["a", "b"],
  source: "memory",
};
const progress = { update() {}, log() {}, stop() {} };

/** The learning rates of G's and D's optimizers for a config's lr and lrD. */
async function rates(lr: number, lrD: number) {
  await tf.setBackend("cpu");
  const run = await startOrResume({
    config: { ...DEFAULTS, latentDim: 4, emaDecay: 0, lr, lrD },
    dataset,
    runDir: "runs/none",
    progress,
    resume: false,
  });
  const rate = (o: tf.Optimizer) => o.getConfig()["learningRate"];
  const out = {
    gen: rate(run.trainables.optimizers.gen),
    disc: rate(run.trainables.optimizers.disc),
  };
  disposeTrainables(run.trainables);
  return out;
}

Deno.test("lrD gives D its own Adam learning rate (two time-scales); 0 keeps lr for both", async () => {
  assert.deepEqual(await rates(1e-4, 4e-4), { gen: 1e-4, disc: 4e-4 });
  assert.deepEqual(await rates(2e-4, 0), { gen: 2e-4, disc: 2e-4 });
});
