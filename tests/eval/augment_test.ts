import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { randomCropFlip } from "../../src/eval/augment.ts";

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(`randomCropFlip() moves whole pixels and mirrors, repeatably (${backend})`, async () => {
    await initBackend({ requested: backend });
    const n = 16;
    const h = 6;
    // Image i holds the value 100 * i + 10 * row + col, so every pixel says where it came from.
    const values = new Float32Array(n * h * h);
    for (let i = 0; i < n; i++) {
      for (let r = 0; r < h; r++) {
        for (let c = 0; c < h; c++) values[(i * h + r) * h + c] = 100 * i + 10 * r + c;
      }
    }
    const x = tf.tensor4d(values, [n, h, h, 1]);
    const a = randomCropFlip(x, { pad: 2, flip: true }, 7);
    const b = randomCropFlip(x, { pad: 2, flip: true }, 7);
    const c = randomCropFlip(x, { pad: 2, flip: true }, 8);
    const av = await a.data();
    assert.deepEqual(av, await b.data(), "same seed, same augmentation");
    assert.notDeepEqual(av, await c.data(), "another seed, another augmentation");
    let shifted = 0;
    let mirrored = 0;
    for (let i = 0; i < n; i++) {
      const img = Array.from(av.subarray(i * h * h, (i + 1) * h * h));
      // Exact integer pixels from the same image (no blending between pixels or images).
      for (const v of img) {
        assert.ok(Math.abs(v - Math.round(v)) < 1e-3, `image ${i}: ${v} is a blend`);
        assert.equal(Math.floor(Math.round(v) / 100), i, `image ${i} took a pixel of another`);
      }
      // The centre row runs left to right (+1 per column) or mirrored (-1) away from borders.
      const row = img.slice(3 * h + 2, 3 * h + 4);
      if (row[1]! - row[0]! === -1) mirrored++;
      if (img[3 * h + 3] !== 100 * i + 33) shifted++;
    }
    assert.ok(mirrored > 2 && mirrored < n - 2, `${mirrored} of ${n} mirrored`);
    assert.ok(shifted > n / 2, `${shifted} of ${n} shifted`);
    tf.dispose([x, a, b, c]);
  });
}
