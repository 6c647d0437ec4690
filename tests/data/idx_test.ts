import assert from "node:assert/strict";
import { parseIdx, readIdxFile, readIdxPair } from "../../src/data/idx.ts";
import { MNIST_CLASSES } from "../../src/data/mnist.ts";

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

Deno.test("parseIdx() reads dims and data of a well-formed file", () => {
  const { dims, data } = parseIdx(idx(8, [2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), "x");
  assert.deepEqual(dims, [2, 2, 3]);
  assert.deepEqual([...data], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
});

Deno.test("parseIdx() rejects a wrong magic number, naming the file", () => {
  const bytes = idx(8, [2], [1, 2]);
  bytes[0] = 7;
  assert.throws(
    () => parseIdx(bytes, "bad.idx"),
    /Cannot read IDX file "bad.idx": expected magic 0x0000080N.*found 0x07000801/,
  );
});

Deno.test("parseIdx() rejects an unsupported element type", () => {
  assert.throws(
    () => parseIdx(idx(0x0d, [1], [0, 0, 0, 0]), "f.idx"),
    /expected unsigned bytes \(type 0x08\), found type 0x0d/,
  );
});

Deno.test("parseIdx() rejects a truncated file", () => {
  const bytes = idx(8, [3, 2], [1, 2, 3, 4, 5, 6]);
  assert.throws(
    () => parseIdx(bytes.subarray(0, bytes.length - 1), "t.idx"),
    /"t.idx": truncated, expected 18 bytes for dims \[3,2\], found 17/,
  );
  assert.throws(() => parseIdx(bytes.subarray(0, 6), "t.idx"), /truncated header/);
  assert.throws(() => parseIdx(new Uint8Array([0, 0]), "t.idx"), /expected at least 4 bytes/);
});

Deno.test("parseIdx() rejects trailing bytes and zero dimensions", () => {
  assert.throws(() => parseIdx(idx(8, [2], [1, 2, 3]), "x"), /trailing bytes, expected 10 bytes/);
  assert.throws(() => parseIdx(idx(8, [0], []), "x"), /dimension 0 is 0/);
});

Deno.test("readIdxFile() reads raw and gzip-compressed files alike", async () => {
  const raw = idx(8, [4], [9, 8, 7, 6]);
  await withFiles({ "a": raw, "a.gz": await gzip(raw) }, async (dir) => {
    assert.deepEqual(await readIdxFile(`${dir}/a`), await readIdxFile(`${dir}/a.gz`));
    assert.deepEqual([...(await readIdxFile(`${dir}/a.gz`)).data], [9, 8, 7, 6]);
  });
});

Deno.test("readIdxFile() names a missing file", async () => {
  await assert.rejects(
    () => readIdxFile("/nonexistent/x-idx3-ubyte"),
    /Cannot read IDX file "\/nonexistent\/x-idx3-ubyte"/,
  );
});

Deno.test("readIdxPair() rejects labels outside the classes and count mismatches", async () => {
  const images = idx(8, [2, 1, 1], [0, 255]);
  await withFiles({
    images,
    ok: idx(8, [2], [3, 9]),
    big: idx(8, [2], [3, 10]),
    short: idx(8, [1], [3]),
  }, async (dir) => {
    const ds = await readIdxPair(`${dir}/images`, `${dir}/ok`, {
      name: "t",
      classNames: MNIST_CLASSES,
    });
    assert.deepEqual(ds.shape, [1, 1, 1]);
    assert.deepEqual([...ds.labels], [3, 9]);
    await assert.rejects(
      () => readIdxPair(`${dir}/images`, `${dir}/big`, { name: "t", classNames: MNIST_CLASSES }),
      /labels ".*big": label 10 at index 1 is outside 0..9/,
    );
    await assert.rejects(
      () => readIdxPair(`${dir}/images`, `${dir}/short`, { name: "t", classNames: MNIST_CLASSES }),
      /expected 2 labels \(one per image\), found 1/,
    );
    await assert.rejects(
      () => readIdxPair(`${dir}/ok`, `${dir}/ok`, { name: "t", classNames: MNIST_CLASSES }),
      /expected rank 3 or 4/,
    );
  });
});
