import assert from "node:assert/strict";
import {
  DATASET_NAMES,
  isDatasetName,
  isPairedDatasetName,
  loadDataset,
  loadPairedDataset,
  PAIRED_DATASET_NAMES,
} from "../../src/data/datasets.ts";
import { FASHION_CLASSES, MNIST_CLASSES } from "../../src/data/mnist.ts";
import { writePairedFixture } from "./_paired_fixture.ts";

Deno.test("loadDataset() rejects unknown names, listing the valid ones", async () => {
  await assert.rejects(
    () => loadDataset("cifar100", { split: "train" }),
    {
      name: "TypeError",
      message: 'Unknown dataset "cifar100": expected one of mnist, fashion, cifar10',
    },
  );
  await assert.rejects(() => loadDataset("MNIST", { split: "train" }), TypeError);
});

Deno.test("loadDataset() routes each name to its reader", async () => {
  // The fixture has the standard file names, so both MNIST-family readers can read it.
  const opts = { split: "test", dataDir: "fixtures/mnist", limit: 5 } as const;
  const mnist = await loadDataset("mnist", opts);
  assert.equal(mnist.name, "mnist");
  assert.deepEqual(mnist.classNames, MNIST_CLASSES);
  assert.equal(mnist.labels.length, 5);
  const fashion = await loadDataset("fashion", opts);
  assert.equal(fashion.name, "fashion");
  assert.deepEqual(fashion.classNames, FASHION_CLASSES);
});

Deno.test("isDatasetName() accepts exactly DATASET_NAMES", () => {
  assert.deepEqual([...DATASET_NAMES], ["mnist", "fashion", "cifar10"]);
  for (const name of DATASET_NAMES) assert.ok(isDatasetName(name));
  assert.ok(!isDatasetName("cifar10x"));
  assert.ok(!isDatasetName(""));
});

Deno.test("loadPairedDataset() gives targets as images and inputs as conditions, by direction", async () => {
  const dir = await writePairedFixture(await Deno.makeTempDir({ prefix: "cgan-pairs-" }));
  try {
    const ba = await loadPairedDataset("facades", {
      dataDir: dir,
      split: "val",
      direction: "BtoA",
      size: 32,
    });
    assert.deepEqual([ba.name, ba.labels.length, ba.shape, ba.classNames], [
      "facades",
      2,
      [32, 32, 3],
      [],
    ]);
    const ab = await loadPairedDataset("facades", {
      dataDir: dir,
      split: "val",
      direction: "AtoB",
      size: 32,
    });
    assert.deepEqual(ab.conditions, ba.images, "AtoB's inputs are BtoA's targets");
    assert.deepEqual(ab.images, ba.conditions);
    // The fixture's label maps (B) are red windows on blue: mostly blue.
    const blue = (img: Uint8Array) => img.filter((_, i) => i % 3 === 2).reduce((a, v) => a + v, 0);
    assert.ok(blue(ba.conditions!) > blue(ba.images), "BtoA: G's inputs are the label maps");
    const limited = await loadPairedDataset("facades", {
      dataDir: dir,
      split: "train",
      direction: "BtoA",
      size: 32,
      limit: 3,
    });
    assert.equal(limited.labels.length, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  await assert.rejects(
    () => loadPairedDataset("mnist", { dataDir: "x", split: "val", direction: "BtoA", size: 32 }),
    /Unknown paired dataset "mnist": expected one of facades/,
  );
  await assert.rejects(
    () => loadPairedDataset("facades", { dataDir: "", split: "val", direction: "BtoA", size: 32 }),
    /Cannot load facades: expected the folder/,
  );
  await assert.rejects(
    () =>
      loadPairedDataset("facades", {
        dataDir: "x",
        split: "val",
        direction: "BtoA",
        size: 32,
        limit: 0,
      }),
    /Cannot load facades: expected a positive integer limit, found 0/,
  );
  assert.deepEqual([...PAIRED_DATASET_NAMES], ["facades", "paired"]);
  assert.ok(isPairedDatasetName("facades") && !isPairedDatasetName("mnist"));
});
