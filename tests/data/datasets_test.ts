import assert from "node:assert/strict";
import { DATASET_NAMES, isDatasetName, loadDataset } from "../../src/data/datasets.ts";
import { FASHION_CLASSES, MNIST_CLASSES } from "../../src/data/mnist.ts";

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
