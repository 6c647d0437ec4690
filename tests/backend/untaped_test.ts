import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { untaped } from "../../src/backend/untaped.ts";

await initBackend({ requested: "cpu" });

type Engine = { isTapeOn(): boolean; state: { activeTape: unknown[] | null } };
const engine = () => tf.engine() as unknown as Engine;

Deno.test("untaped() hides its kernels from the gradient around it and restores the tape", () => {
  const x = tf.scalar(3);
  let inside: boolean | undefined;
  let after: boolean | undefined;
  let tapeLength = -1;
  const dx = tf.grad((x: tf.Tensor) => {
    const y = tf.mul(x, x);
    const before = engine().state.activeTape!.length;
    // x³ computed untaped is a constant to this gradient: d/dx (x² + c) = 2x.
    const c = untaped(() => {
      inside = engine().isTapeOn();
      return tf.mul(tf.mul(x, x), x);
    });
    tapeLength = engine().state.activeTape!.length - before;
    after = engine().isTapeOn();
    return tf.add(y, c);
  })(x);
  assert.equal(dx.dataSync()[0], 6);
  assert.equal(inside, false, "the tape recorded inside untaped()");
  assert.equal(tapeLength, 0, "untaped() added nodes to the outer tape");
  assert.equal(after, true, "the tape was not restored");
  tf.dispose([x, dx]);
});

Deno.test("untaped() lets a gradient run inside another's function, on a tape of its own", () => {
  const x = tf.scalar(2);
  const w = tf.variable(tf.scalar(5));
  const before = tf.memory().numTensors;
  const dx = tf.grad((x: tf.Tensor) => {
    // An inner update of w (as D's update inside G's tape): its gradient is d(w·x)/dw = x.
    untaped(() => {
      const { grads } = tf.variableGrads(() => tf.mul(w, x) as tf.Scalar, [w]);
      w.assign(tf.sub(w, grads[w.name]!));
      tf.dispose(grads);
    });
    return tf.mul(w, x); // with the updated w = 3: d/dx = 3
  })(x);
  assert.equal(w.dataSync()[0], 3);
  assert.equal(dx.dataSync()[0], 3);
  tf.dispose(dx);
  assert.equal(tf.memory().numTensors, before, "tensors left by the inner gradient");
  tf.dispose([x, w]);
});

Deno.test("untaped() restores the tape when its function throws", () => {
  const x = tf.scalar(1);
  let after: boolean | undefined;
  const dx = tf.grad((x: tf.Tensor) => {
    assert.throws(() => untaped(() => assert.fail("thrown inside")), /thrown inside/);
    after = engine().isTapeOn();
    return tf.mul(x, 4);
  })(x);
  assert.equal(after, true);
  assert.equal(dx.dataSync()[0], 4);
  tf.dispose([x, dx]);
});
