import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { TOY_TRAINING, trainToy } from "../../src/train/toy.ts";

Deno.test("trainToy() moves G toward the parabola without leaking tensors (wasm)", async () => {
  await initBackend({ requested: "wasm" });
  const before = tf.memory().numTensors;
  let seen = 0;
  const history = await trainToy(
    { ...TOY_TRAINING, epochs: 12, points: 2000, batchSize: 50, seed: 1 },
    {
      onEpoch: (h, state) => {
        seen++;
        assert.equal(state.fake.length, 2000);
        assert.equal(h.epoch, seen);
      },
    },
  );
  assert.equal(tf.memory().numTensors, before, "tensors leaked");
  assert.equal(history.length, 12);
  for (const h of history) {
    for (const v of Object.values(h)) assert.ok(Number.isFinite(v), JSON.stringify(h));
    assert.ok(h.dReal >= 0 && h.dReal <= 1 && h.dFake >= 0 && h.dFake <= 1);
  }
  // Untrained G puts points near (0, 0), about 11 below the curve; training must close most of it.
  const first = history[0]!.curveError;
  const best = Math.min(...history.map((h) => h.curveError));
  assert.ok(first > 3, `epoch 1 curve error ${first}`);
  assert.ok(best < first / 3, `best ${best} vs first ${first}`);
});
