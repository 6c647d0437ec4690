/**
 * The Train panel's session, in Deno on the wasm backend: it is `deno task train`'s step, so it
 * logs the very losses the CLI's loop logs for the same data and settings; pausing between
 * steps changes nothing; the tensor count stays flat; a paused session's clock leaves the pause
 * out of the images/s.
 */
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend/mod.ts";
import { limitDataset } from "../../src/data/dataset.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { resolveConfig } from "../../src/train/config.ts";
import { train } from "../../src/train/loop.ts";
import { type LogPoint, TrainSession } from "../../web/train_session.ts";

await initBackend({ requested: "wasm" });
const dataset = limitDataset(await loadMnist({ split: "train", dataDir: "fixtures/mnist" }), 48);
const SETTINGS = { epochs: 2, batchSize: 16, logEvery: 2, seed: 3 };
const GIVEN = { latentDim: 16 };
const losses = (log: LogPoint[]) =>
  log.map(({ step, epoch, dLoss, gLoss }) => ({ step, epoch, dLoss, gLoss }));

Deno.test("TrainSession logs the losses deno task train's loop logs for the same data and settings (wasm)", async () => {
  const session = await TrainSession.start(dataset, SETTINGS, GIVEN);
  assert.equal(await session.run(), "done");
  assert.equal(session.step, 2 * 3);
  const runDir = await Deno.makeTempDir({ prefix: "cgan-session-" });
  try {
    const cli = await train({
      config: resolveConfig({ model: "mlp", dataset: "memory", ...GIVEN, ...SETTINGS }),
      dataset,
      runDir,
      progress: { update() {}, log() {}, stop() {} },
      now: () => performance.now(),
    });
    // Epoch ends log too (step 3), as in the loop.
    assert.deepEqual(cli.history.map((p) => p.step), [2, 3, 4, 6]);
    assert.deepEqual(losses(session.log), cli.history);
  } finally {
    session.dispose();
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("TrainSession: a pause between steps changes no loss, and the tensor count stays flat", async () => {
  const unbroken = await TrainSession.start(dataset, SETTINGS, GIVEN);
  await unbroken.run();
  const expected = losses(unbroken.log);
  const speed = unbroken.log.map((p) => p.imagesPerSecond);
  unbroken.dispose();

  const session = await TrainSession.start(dataset, SETTINGS, GIVEN);
  const state = await session.run((point) => {
    if (point.step === 2) session.pause();
  });
  assert.equal(state, "paused");
  assert.equal(session.step, 2, "it stops after the step under way");
  await new Promise((resolve) => setTimeout(resolve, 2000));
  assert.equal(await session.run(), "done");
  assert.deepEqual(losses(session.log), expected);
  const counts = session.log.map((p) => p.tensors);
  assert.ok(counts.every((n) => n === counts[0]), `tensors at logging points: ${counts}`);
  // The 2 s paused are not training time: the interval after the pause (step 3, some 0.1 s)
  // is about as fast as the unbroken session's, not 10 times slower.
  const ratio = session.log[1]!.imagesPerSecond / speed[1]!;
  assert.ok(ratio > 0.25, `after the pause ${ratio.toFixed(2)} times the unbroken speed`);
  const grid = await session.grid();
  assert.deepEqual([grid.count, grid.cols, grid.shape], [10 * 10, 10, [28, 28, 1]]);
  session.dispose();
});
