import assert from "node:assert/strict";
import { encodeIdx, idxToDataset, parseIdx, readIdxFile, readIdxPair } from "../../src/data/idx.ts";

const DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/** An IDX file built by hand: magic `0x0000TTRR`, big-endian dims, then `data`. */
function idx(type: number, dims: number[], data: number[]): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint32(0, (type << 8) | dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d));
  return new Uint8Array([...new Uint8Array(header.buffer), ...data]);
}

async function withFiles(
  files: Record<string, Uint8Array>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cgan-idx-" });
  try {
    for (const [name, bytes] of Object.entries(files)) {
      await Deno.writeFile(`${dir}/${name}`, bytes);
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("parseIdx() reads dims and data of rank-1 and rank-3 files", () => {
  const images = parseIdx(idx(8, [2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255]), "x");
  assert.deepEqual(images.dims, [2, 2, 3]);
  assert.deepEqual([...images.data], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 255]);
  const labels = parseIdx(idx(8, [3], [7, 0, 9]), "y");
  assert.deepEqual(labels.dims, [3]);
  assert.deepEqual([...labels.data], [7, 0, 9]);
});

Deno.test("parseIdx() accepts the MNIST fixture files", async () => {
  const images = parseIdx(
    await Deno.readFile("fixtures/mnist/train-images-idx3-ubyte"),
    "train-images-idx3-ubyte",
  );
  assert.deepEqual(images.dims, [1000, 28, 28]);
  const labels = parseIdx(
    await Deno.readFile("fixtures/mnist/t10k-labels-idx1-ubyte"),
    "t10k-labels-idx1-ubyte",
  );
  assert.deepEqual(labels.dims, [200]);
  assert.ok(labels.data.every((l) => l <= 9));
});

Deno.test("parseIdx() rejects a wrong magic number, naming the file", () => {
  const bytes = idx(8, [2], [1, 2]);
  bytes[0] = 7;
  assert.throws(
    () => parseIdx(bytes, "bad.idx"),
    {
      name: "TypeError",
      message:
        'Cannot read IDX file "bad.idx": expected magic 0x00000801 or 0x00000803, found 0x07000801',
    },
  );
});

Deno.test("parseIdx() rejects ranks other than 1 and 3", () => {
  assert.throws(
    () => parseIdx(idx(8, [2, 2], [1, 2, 3, 4]), "r2.idx"),
    /"r2.idx": expected magic 0x00000801 \(rank 1\) or 0x00000803 \(rank 3\), found 0x00000802 \(rank 2\)/,
  );
  assert.throws(() => parseIdx(idx(8, [], []), "r0.idx"), /found 0x00000800 \(rank 0\)/);
});

Deno.test("parseIdx() rejects an unsupported element type, naming it", () => {
  assert.throws(
    () => parseIdx(idx(0x0d, [1], [0, 0, 0, 0]), "f.idx"),
    {
      name: "TypeError",
      message:
        'Cannot read IDX file "f.idx": expected element type 0x08 (unsigned byte), found 0x0d (float32)',
    },
  );
  assert.throws(() => parseIdx(idx(0x42, [1], [0]), "u.idx"), /found 0x42 \(unknown\)/);
});

Deno.test("parseIdx() rejects a truncated file", () => {
  const bytes = idx(8, [3, 2, 1], [1, 2, 3, 4, 5, 6]);
  assert.throws(
    () => parseIdx(bytes.subarray(0, bytes.length - 1), "t.idx"),
    {
      name: "RangeError",
      message:
        'Cannot read IDX file "t.idx": truncated, expected 22 bytes for dims [3,2,1], found 21',
    },
  );
  assert.throws(() => parseIdx(bytes.subarray(0, 10), "t.idx"), /truncated header, expected 16/);
  assert.throws(() => parseIdx(new Uint8Array([0, 0]), "t.idx"), /expected at least 4 bytes/);
});

Deno.test("parseIdx() rejects trailing bytes", () => {
  assert.throws(
    () => parseIdx(idx(8, [2], [1, 2, 3]), "x.idx"),
    /"x.idx": trailing bytes, expected 10 bytes for dims \[2\], found 11/,
  );
});

Deno.test("parseIdx() rejects zero and absurd dimensions", () => {
  assert.throws(
    () => parseIdx(idx(8, [0], []), "z.idx"),
    /expected dimension 0 in 1\.\.\d+, found 0/,
  );
  assert.throws(
    () => parseIdx(idx(8, [1, 1, 0xffffffff], [0]), "a.idx"),
    /expected dimension 2 in 1\.\.16777216, found 4294967295/,
  );
});

Deno.test("encodeIdx() round-trips through parseIdx() and checks its input", () => {
  const data = Uint8Array.from({ length: 24 }, (_, i) => i * 10);
  const parsed = parseIdx(encodeIdx([2, 3, 4], data), "e");
  assert.deepEqual(parsed.dims, [2, 3, 4]);
  assert.deepEqual(parsed.data, data);
  assert.throws(() => encodeIdx([2, 3], new Uint8Array(6)), /expected 1 or 3 dims/);
  assert.throws(() => encodeIdx([5], new Uint8Array(4)), /expected 5 values/);
});

Deno.test("readIdxFile() reads raw and gzip-compressed files alike", async () => {
  const raw = idx(8, [4, 1, 1], [9, 8, 7, 6]);
  const gz = await gzip(raw);
  assert.deepEqual([...gz.subarray(0, 2)], [0x1f, 0x8b]);
  await withFiles({ "a": raw, "a.gz": gz }, async (dir) => {
    const fromRaw = await readIdxFile(`${dir}/a`);
    const fromGz = await readIdxFile(`${dir}/a.gz`);
    assert.deepEqual(fromGz.dims, [4, 1, 1]);
    assert.deepEqual([...fromGz.data], [9, 8, 7, 6]);
    assert.deepEqual(fromRaw, fromGz);
  });
});

Deno.test("readIdxFile() names the file in read, decompression and format errors", async () => {
  const gz = await gzip(idx(8, [4], [9, 8, 7, 6, 5]));
  await withFiles({ "broken.gz": gz.subarray(0, gz.length - 12), "long.gz": gz }, async (dir) => {
    await assert.rejects(
      () => readIdxFile(`${dir}/broken.gz`),
      new RegExp(`Cannot decompress IDX file "${dir}/broken.gz"`),
    );
    await assert.rejects(
      () => readIdxFile(`${dir}/long.gz`),
      new RegExp(`Cannot read IDX file "${dir}/long.gz": trailing bytes`),
    );
  });
  await assert.rejects(
    () => readIdxFile("/nonexistent/x-idx3-ubyte"),
    /Cannot read IDX file "\/nonexistent\/x-idx3-ubyte"/,
  );
});

Deno.test("readIdxPair() builds a dataset of images and their labels", async () => {
  await withFiles({
    images: idx(8, [2, 1, 3], [0, 1, 2, 253, 254, 255]),
    labels: idx(8, [2], [3, 9]),
  }, async (dir) => {
    const ds = await readIdxPair(`${dir}/images`, `${dir}/labels`, {
      name: "t",
      classNames: DIGITS,
    });
    assert.equal(ds.name, "t");
    assert.deepEqual(ds.shape, [1, 3, 1]);
    assert.deepEqual([...ds.images], [0, 1, 2, 253, 254, 255]);
    assert.deepEqual([...ds.labels], [3, 9]);
    assert.equal(ds.source, `${dir}/images`);
  });
});

Deno.test("readIdxPair() rejects a label outside the classes, naming the file", async () => {
  await withFiles({ images: idx(8, [2, 1, 1], [0, 255]), big: idx(8, [2], [3, 10]) }, async (d) => {
    await assert.rejects(
      () => readIdxPair(`${d}/images`, `${d}/big`, { name: "t", classNames: DIGITS }),
      {
        name: "RangeError",
        message: `Cannot read labels "${d}/big": expected labels in 0..9, found 10 at index 1`,
      },
    );
  });
});

Deno.test("readIdxPair() rejects an image/label count mismatch, naming both files", async () => {
  await withFiles({ images: idx(8, [2, 1, 1], [0, 255]), short: idx(8, [1], [3]) }, async (d) => {
    await assert.rejects(
      () => readIdxPair(`${d}/images`, `${d}/short`, { name: "t", classNames: DIGITS }),
      {
        name: "RangeError",
        message:
          `Cannot pair "${d}/images" with "${d}/short": expected 2 labels (one per image), found 1`,
      },
    );
  });
});

Deno.test("idxToDataset() rejects images and labels of the wrong rank", () => {
  const labels = { dims: [2], data: new Uint8Array([0, 1]) };
  const opts = { name: "t", classNames: DIGITS, files: ["i.idx", "l.idx"] as [string, string] };
  assert.throws(
    () => idxToDataset(labels, labels, opts),
    /Cannot read images "i.idx": expected dims \[count, height, width\], found \[2\]/,
  );
  const images = { dims: [2, 1, 1], data: new Uint8Array(2) };
  assert.throws(
    () => idxToDataset(images, images, opts),
    /Cannot read labels "l.idx": expected dims \[count\], found \[2,1,1\]/,
  );
});
