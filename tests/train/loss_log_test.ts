import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import type { LossPoint } from "../../src/train/checkpoint.ts";
import { LossLog, type LossLogOptions } from "../../src/train/loss_log.ts";
import type { ProgressInfo } from "../../src/train/progress.ts";

await initBackend({ requested: "cpu" });

/** A loss log over `history` with a clock that advances `tick` ms per reading. */
function lossLog(
  history: LossPoint[],
  opts: Partial<LossLogOptions> & { tick?: number } = {},
): { log: LossLog; lines: string[]; updates: ProgressInfo[] } {
  const lines: string[] = [];
  const updates: ProgressInfo[] = [];
  let clock = 0;
  const log = new LossLog(history, {
    stepsPerEpoch: 4,
    total: 8,
    batchSize: 2,
    now: () => (clock += opts.tick ?? 100),
    progress: { update: (i) => updates.push(i), log: (l) => lines.push(l), stop: () => {} },
    ...opts,
  });
  return { log, lines, updates };
}

function step(d: number, g?: number): { dLoss: tf.Scalar; gLoss?: tf.Scalar } {
  return g === undefined ? { dLoss: tf.scalar(d) } : { dLoss: tf.scalar(d), gLoss: tf.scalar(g) };
}

Deno.test("LossLog.flush() appends the interval's mean losses as one history point and reports it", async () => {
  const history: LossPoint[] = [];
  const { log, updates } = lossLog(history);
  log.push(step(1, 4));
  log.push(step(2, 6));
  log.push(step(6, 8));
  assert.equal(await log.flush(3, null), true);
  assert.deepEqual(history, [{ step: 3, epoch: 0, dLoss: 3, gLoss: 6 }]);
  assert.equal(updates.length, 1);
  // 3 steps of 2 images in the 100 ms between the clock's first two readings.
  assert.deepEqual(updates[0], {
    step: 3,
    total: 8,
    epoch: 1,
    epochs: 2,
    imagesPerSecond: 60,
    dLoss: 3,
    gLoss: 6,
  });
});

Deno.test("LossLog.flush() averages G over the steps that updated G, and repeats the last G loss without any", async () => {
  const history: LossPoint[] = [{ step: 2, epoch: 0, dLoss: 1, gLoss: 0.25 }];
  const { log } = lossLog(history);
  log.push(step(1));
  log.push(step(3, 0.5));
  assert.equal(await log.flush(4, null), true);
  log.push(step(2));
  log.push(step(4));
  assert.equal(await log.flush(6, null), true);
  assert.deepEqual(history.slice(1), [
    { step: 4, epoch: 0, dLoss: 2, gLoss: 0.5 },
    { step: 6, epoch: 1, dLoss: 3, gLoss: 0.5 },
  ]);
});

Deno.test("LossLog.flush() stops at a non-finite loss naming its step and the last good checkpoint", async () => {
  const before = tf.memory().numTensors;
  const history: LossPoint[] = [];
  const { log, lines, updates } = lossLog(history);
  // Steps 5..8: G's loss at step 7 is NaN.
  log.push(step(1, 1));
  log.push(step(1, 1));
  log.push(step(1, NaN));
  log.push(step(Infinity, 1));
  assert.equal(await log.flush(8, "runs/a/checkpoints/step-00000004"), false);
  assert.deepEqual(lines, [
    "Stopping: non-finite G loss (NaN) at step 7; last good checkpoint: runs/a/checkpoints/step-00000004",
  ]);
  assert.deepEqual(history, [], "no history point from a diverged interval");
  assert.deepEqual(updates, []);
  assert.equal(tf.memory().numTensors, before, "the interval's losses are disposed");

  const { log: fresh, lines: freshLines } = lossLog([]);
  fresh.push(step(-Infinity, 1));
  assert.equal(await fresh.flush(1, null), false);
  assert.deepEqual(freshLines, [
    "Stopping: non-finite D loss (-Infinity) at step 1; last good checkpoint: none",
  ]);
});

Deno.test("LossLog.flush() throws when tensors leak between logging points, naming the step", async () => {
  const { log } = lossLog([]);
  log.push(step(1, 1));
  assert.equal(await log.flush(1, null), true);
  log.push(step(1, 1));
  assert.equal(await log.flush(2, null), true);
  const leaked = tf.zeros([2]);
  log.push(step(1, 1));
  await assert.rejects(
    () => log.flush(3, null),
    /^Error: Tensor leak at step 3: \d+ tensors alive, \d+ after warm-up$/,
  );
  leaked.dispose();
});

Deno.test("LossLog counts tensors with countTensors, and checks none with null (a loop sharing tfjs)", async () => {
  let alive = 10;
  const counted = lossLog([], { countTensors: () => alive }).log;
  counted.push(step(1, 1));
  assert.equal(await counted.flush(1, null), true);
  alive = 11;
  counted.push(step(1, 1));
  await assert.rejects(
    () => counted.flush(2, null),
    /^Error: Tensor leak at step 2: 11 tensors alive, 10 after warm-up$/,
  );
  const unchecked = lossLog([], { countTensors: null }).log;
  unchecked.push(step(1, 1));
  assert.equal(await unchecked.flush(1, null), true);
  const other = tf.zeros([2]); // the explorer's, say
  unchecked.push(step(1, 1));
  assert.equal(await unchecked.flush(2, null), true);
  other.dispose();
});

Deno.test("LossLog.imagesPerSecond() times the intervals after the first, and flush() without pending steps does nothing", async () => {
  // The clock advances 100 ms per reading: each interval lasts 100 ms.
  const history: LossPoint[] = [];
  const { log, updates } = lossLog(history);
  log.push(step(1, 1));
  await log.flush(1, null); // warm-up interval: not timed
  assert.equal(log.imagesPerSecond(), 0);
  for (let i = 0; i < 3; i++) log.push(step(1, 1));
  await log.flush(4, null); // 3 steps x 2 images in 100 ms
  assert.equal(log.imagesPerSecond(), 60);
  assert.equal(await log.flush(4, null), true);
  assert.equal(history.length, 2);
  assert.equal(updates.length, 2);
});

Deno.test("LossLog.logEpoch() logs the mean losses of the epoch's history points", async () => {
  const history: LossPoint[] = [];
  const { log, lines } = lossLog(history);
  for (const [s, d] of [[2, 1], [4, 2], [6, 5]] as const) {
    log.push(step(d, d / 2));
    log.push(step(d, d / 2));
    await log.flush(s, null);
  }
  log.logEpoch(1);
  log.logEpoch(2);
  log.logEpoch(3);
  assert.deepEqual(lines, [
    "epoch 1: mean D loss 1.5000, G loss 0.7500",
    "epoch 2: mean D loss 5.0000, G loss 2.5000",
  ]);
});

Deno.test("LossLog.dispose() releases the losses still pending", () => {
  const before = tf.memory().numTensors;
  const { log } = lossLog([]);
  log.push(step(1, 1));
  log.push(step(1));
  log.dispose();
  assert.equal(tf.memory().numTensors, before);
});
