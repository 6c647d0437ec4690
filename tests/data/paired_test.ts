import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import jpeg from "jpeg-js";
import { initBackend } from "../../src/backend/mod.ts";
import { loadPairedDataset } from "../../src/data/datasets.ts";
import { jitterPairs, loadPaired, resizeRgb, splitPair } from "../../src/data/paired.ts";
import { encodePng } from "../../src/io/png.ts";

/** A synthetic pix2pix pair: A (left) is dark red, B (right) is light blue, `side` square. */
function pairJpeg(side: number, width = 2 * side): Uint8Array {
  const data = new Uint8Array(width * side * 4);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < width; x++) {
      const rgb = x < side ? [160, 20, 20] : [40, 120, 230];
      data.set([...rgb, 255], (y * width + x) * 4);
    }
  }
  return new Uint8Array(jpeg.encode({ width, height: side, data }, 95).data);
}

async function folder(files: Record<string, Uint8Array>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "cgan-paired-" });
  await Deno.mkdir(`${dir}/train`);
  for (const [name, bytes] of Object.entries(files)) {
    await Deno.writeFile(`${dir}/train/${name}`, bytes);
  }
  return dir;
}

const mean = (x: Uint8Array, c: number) => {
  let s = 0;
  for (let i = c; i < x.length; i += 3) s += x[i]!;
  return s / (x.length / 3);
};

Deno.test("loadPaired() splits A|B, orders files numerically, resizes, and swaps halves for BtoA", async () => {
  const dir = await folder({
    "10.jpg": pairJpeg(40),
    "2.jpg": pairJpeg(40),
    "1.jpg": pairJpeg(40),
  });
  try {
    const ab = await loadPaired({ dataDir: dir, split: "train", direction: "AtoB", size: 16 });
    assert.deepEqual(ab.files, ["1.jpg", "2.jpg", "10.jpg"]);
    assert.deepEqual([ab.count, ab.shape, ab.inputs.length], [3, [16, 16, 3], 3 * 16 * 16 * 3]);
    assert.ok(Math.abs(mean(ab.inputs, 0) - 160) < 8, "AtoB: inputs are the red left halves");
    assert.ok(Math.abs(mean(ab.targets, 2) - 230) < 8, "AtoB: targets are the blue right halves");
    const ba = await loadPaired({
      dataDir: dir,
      split: "train",
      direction: "BtoA",
      size: 16,
      limit: 2,
    });
    assert.equal(ba.count, 2);
    assert.deepEqual(ba.inputs, ab.targets.subarray(0, ba.inputs.length));
    assert.equal(ba.name, dir.split("/").pop());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadPaired() rejects a file that is not a JPEG or not two squares, naming it", async () => {
  for (
    const [bytes, pattern] of [
      [
        new TextEncoder().encode("not a jpeg"),
        /^SyntaxError: Cannot read pix2pix pair ".*3\.jpg": expected a PNG or JPEG file, found bytes 6e 6f 74 20$/,
      ],
      [pairJpeg(20, 30), /".*3\.jpg": expected two squares side by side .* found 30x20/],
    ] as const
  ) {
    const dir = await folder({ "1.jpg": pairJpeg(20), "3.jpg": bytes });
    try {
      await assert.rejects(
        loadPaired({ dataDir: dir, split: "train", direction: "AtoB", size: 8 }),
        pattern,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
  await assert.rejects(
    loadPaired({ dataDir: "/nonexistent", split: "val", direction: "AtoB", size: 8 }),
    /Cannot read pix2pix pairs from "\/nonexistent\/val"/,
  );
});

Deno.test("resizeRgb() keeps a left-to-right gradient in order; splitPair() halves a decoded JPEG", () => {
  const rgb = new Uint8Array(8 * 4 * 3);
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 8; x++) rgb.fill(x * 30, (y * 8 + x) * 3, (y * 8 + x) * 3 + 3);
  }
  const resized = resizeRgb(rgb, 8, 4, 4);
  const row = [0, 1, 2, 3].map((x) => resized[x * 3]!);
  assert.deepEqual(row, [15, 75, 135, 195], "each output column averages its two source columns");
  const bytes = new Uint8Array(
    jpeg.encode({ width: 8, height: 4, data: new Uint8Array(8 * 4 * 4).fill(128) }, 90).data,
  );
  const { left, right, side } = splitPair(bytes, "x.jpg");
  assert.deepEqual([left.length, right.length, side], [4 * 4 * 3, 4 * 4 * 3, 4]);
  assert.ok([...left, ...right].every((v) => Math.abs(v - 128) <= 2));
});

Deno.test("jitterPairs() applies the same crop and mirror to both images of a pair, repeatably", async () => {
  await initBackend({ requested: "cpu" });
  const x = tf.tidy(() => tf.randomUniform([6, 16, 16, 3], -1, 1, "float32", 1) as tf.Tensor4D);
  const [a, b] = jitterPairs(x, x, 5);
  assert.deepEqual(a.dataSync(), b.dataSync(), "identical inputs stay identical after jitter");
  const [c] = jitterPairs(x, x, 5);
  assert.deepEqual(c.dataSync(), a.dataSync(), "the same seed gives the same jitter");
  const [d] = jitterPairs(x, x, 6);
  assert.notDeepEqual(d.dataSync(), a.dataSync());
  assert.deepEqual(a.shape, [6, 16, 16, 3]);
  tf.dispose([x, a, b, c, d]);
});

Deno.test("loadPaired() reads PNG pairs beside JPEGs (gray ones as RGB); --dataset paired names your pairs after their folder", async () => {
  const side = 12;
  const gray = new Uint8Array(2 * side * side).map((_, i) => (i % (2 * side) < side ? 40 : 220));
  const dir = await folder({
    "1.png": encodePng(gray, 2 * side, side, 1),
    "2.jpg": pairJpeg(side),
    "notes.txt": new TextEncoder().encode("ignored"),
  });
  try {
    const ab = await loadPaired({ dataDir: dir, split: "train", direction: "AtoB", size: 8 });
    assert.deepEqual(ab.files, ["1.png", "2.jpg"]);
    assert.deepEqual([...ab.inputs.subarray(0, 3), ...ab.targets.subarray(0, 3)], [
      40,
      40,
      40,
      220,
      220,
      220,
    ]);
    const ds = await loadPairedDataset("paired", {
      dataDir: dir,
      split: "train",
      direction: "BtoA",
      size: 8,
    });
    assert.equal(ds.name, dir.split("/").pop());
    assert.deepEqual([ds.labels.length, ds.shape], [2, [8, 8, 3]]);
    assert.deepEqual([...ds.conditions!.subarray(0, 3)], [220, 220, 220], "BtoA: B is G's input");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
