import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CIFAR10_CLASSES,
  CIFAR10_RECORD_BYTES,
  CIFAR10_SHA256,
  CIFAR10_URL,
  cifar10CacheDir,
  downloadCifar10,
  loadCifar10,
  parseCifarBatch,
} from "../../src/data/cifar10.ts";
import { encodeTar, readTar } from "../../src/data/_tar.ts";
import { sha256Hex } from "../../src/io/hash.ts";

const FIXTURE = "fixtures/cifar10";
const SHARED = "../shared/data/cifar10";
const HINT = /--data-dir DIR .*"deno task download-cifar10"/;

function classCounts(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const l of labels) counts[l]!++;
  return counts;
}

/** The raw records `[from, to)` of a batch file. */
function records(bytes: Uint8Array, from: number, to: number): Uint8Array {
  return bytes.slice(from * CIFAR10_RECORD_BYTES, to * CIFAR10_RECORD_BYTES);
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cgan-cifar10-" });
  try {
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

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// parseCifarBatch

Deno.test("parseCifarBatch() turns planar R, G, B planes into interleaved RGB pixels", () => {
  const red = (p: number) => p % 256;
  const green = (p: number) => (7 * p + 3) % 256;
  const blue = (p: number) => 255 - (p % 200);
  const bytes = new Uint8Array(CIFAR10_RECORD_BYTES);
  bytes[0] = 4;
  for (let p = 0; p < 1024; p++) {
    bytes[1 + p] = red(p);
    bytes[1025 + p] = green(p);
    bytes[2049 + p] = blue(p);
  }
  const { images, labels } = parseCifarBatch(bytes, "one.bin");
  assert.deepEqual([...labels], [4]);
  assert.equal(images.length, 32 * 32 * 3);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      const p = 32 * y + x;
      const at = 3 * p;
      assert.deepEqual([images[at], images[at + 1], images[at + 2]], [red(p), green(p), blue(p)]);
    }
  }
  // Pixel (row 1, column 2) = plane position 34, spelled out once.
  assert.deepEqual([...images.subarray(102, 105)], [34, 241, 221]);
});

Deno.test("parseCifarBatch() keeps record order and places each record's pixels", () => {
  const bytes = new Uint8Array(3 * CIFAR10_RECORD_BYTES);
  for (let r = 0; r < 3; r++) {
    bytes[r * CIFAR10_RECORD_BYTES] = 9 - r;
    bytes.fill(10 * r + 1, r * CIFAR10_RECORD_BYTES + 1, (r + 1) * CIFAR10_RECORD_BYTES);
  }
  const { images, labels } = parseCifarBatch(bytes, "three.bin");
  assert.deepEqual([...labels], [9, 8, 7]);
  assert.deepEqual([images[0], images[3072], images[3 * 3072 - 1]], [1, 11, 21]);
});

Deno.test("parseCifarBatch() reads the fixture: 20 records of each class, then 5", async () => {
  const train = parseCifarBatch(await Deno.readFile(`${FIXTURE}/data_batch_1.bin`), "train");
  assert.equal(train.labels.length, 200);
  assert.equal(train.images.length, 200 * 32 * 32 * 3);
  assert.deepEqual(classCounts(train.labels), new Array(10).fill(20));
  // The first records of the real data_batch_1: frog, truck, truck, deer, automobile.
  assert.deepEqual([...train.labels.subarray(0, 5)], [6, 9, 9, 4, 1]);
  // The first image's first red values (SOURCE.md of the shared copy): 59, 43, 50, 68.
  assert.deepEqual([0, 3, 6, 9].map((i) => train.images[i]), [59, 43, 50, 68]);
  const test = parseCifarBatch(await Deno.readFile(`${FIXTURE}/test_batch.bin`), "test");
  assert.deepEqual(classCounts(test.labels), new Array(10).fill(5));
  assert.equal(test.labels[0], 3); // the first test image is a cat
});

Deno.test("parseCifarBatch() rejects a length that is not a whole number of records", () => {
  assert.throws(() => parseCifarBatch(new Uint8Array(3074), "data_batch_1.bin"), {
    name: "RangeError",
    message:
      'Cannot read CIFAR-10 batch "data_batch_1.bin": expected a multiple of 3073 bytes (1 label byte + 3072 pixel bytes per record), found 3074 (1 records and 1 bytes over)',
  });
  assert.throws(
    () => parseCifarBatch(new Uint8Array(3072), "x.bin"),
    (err: Error) => err instanceof RangeError && /"x\.bin".*3073.*found 3072/.test(err.message),
  );
});

Deno.test("parseCifarBatch() rejects an empty file", () => {
  assert.throws(() => parseCifarBatch(new Uint8Array(0), "empty.bin"), {
    name: "RangeError",
    message:
      'Cannot read CIFAR-10 batch "empty.bin": expected at least one 3073-byte record, found an empty file',
  });
});

Deno.test("parseCifarBatch() rejects a label above 9, naming the record", () => {
  const bytes = new Uint8Array(3 * CIFAR10_RECORD_BYTES);
  bytes[CIFAR10_RECORD_BYTES] = 10;
  assert.throws(() => parseCifarBatch(bytes, "bad.bin"), {
    name: "RangeError",
    message:
      'Cannot read CIFAR-10 batch "bad.bin": expected labels 0..9, found 10 in record 1 (byte 3073)',
  });
  bytes[CIFAR10_RECORD_BYTES] = 9;
  bytes[2 * CIFAR10_RECORD_BYTES] = 255;
  assert.throws(() => parseCifarBatch(bytes, "bad.bin"), /found 255 in record 2/);
});

// ---------------------------------------------------------------------------------------------
// loadCifar10

Deno.test("loadCifar10() reads the fixture's one training batch and says the others are missing", async () => {
  const train = await loadCifar10({ split: "train", dataDir: FIXTURE });
  const raw = parseCifarBatch(await Deno.readFile(`${FIXTURE}/data_batch_1.bin`), "fixture");
  assert.equal(train.name, "cifar10");
  assert.deepEqual(train.shape, [32, 32, 3]);
  assert.deepEqual(train.classNames, CIFAR10_CLASSES);
  assert.equal(train.classNames[0], "airplane");
  assert.equal(train.classNames[9], "truck");
  assert.deepEqual(train.labels, raw.labels);
  assert.deepEqual(train.images, raw.images);
  assert.equal(
    train.source,
    `${FIXTURE} (data_batch_1.bin; missing data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin)`,
  );
});

Deno.test("loadCifar10() reads the fixture's test batch and honours limit", async () => {
  const test = await loadCifar10({ split: "test", dataDir: FIXTURE });
  assert.equal(test.labels.length, 50);
  assert.equal(test.source, `${FIXTURE} (test_batch.bin)`);
  const few = await loadCifar10({ split: "test", dataDir: FIXTURE, limit: 7 });
  assert.equal(few.labels.length, 7);
  assert.equal(few.images.length, 7 * 3072);
  assert.deepEqual(few.images, test.images.subarray(0, 7 * 3072));
  const more = await loadCifar10({ split: "test", dataDir: FIXTURE, limit: 1000 });
  assert.equal(more.labels.length, 50);
  for (const limit of [0, -1, 2.5]) {
    await assert.rejects(() => loadCifar10({ split: "test", dataDir: FIXTURE, limit }), {
      name: "RangeError",
      message: `Cannot limit dataset "cifar10": expected a positive integer limit, found ${limit}`,
    });
  }
});

Deno.test("loadCifar10() reads batches in order from a cifar-10-batches-bin/ subfolder, stopping at limit", async () => {
  const fixture = await Deno.readFile(`${FIXTURE}/data_batch_1.bin`);
  await withDir(async (dir) => {
    const inner = join(dir, "cifar-10-batches-bin");
    await Deno.mkdir(inner);
    // Batch 3 holds records 100..199 and batch 1 records 0..99: reading order is by file number.
    await Deno.writeFile(join(inner, "data_batch_3.bin"), records(fixture, 100, 200));
    await Deno.writeFile(join(inner, "data_batch_1.bin"), records(fixture, 0, 100));
    const all = await loadCifar10({ split: "train", dataDir: dir });
    assert.deepEqual(all.images, parseCifarBatch(fixture, "fixture").images);
    assert.equal(
      all.source,
      `${inner} (data_batch_1.bin, data_batch_3.bin; missing data_batch_2.bin, data_batch_4.bin, data_batch_5.bin)`,
    );
    // With limit inside the first file, the second is not read (nor named in source): a bad
    // label there goes unnoticed, and is rejected once the file is read.
    const badLabel = new Uint8Array(CIFAR10_RECORD_BYTES);
    badLabel[0] = 10;
    await Deno.writeFile(join(inner, "data_batch_3.bin"), badLabel);
    const first = await loadCifar10({ split: "train", dataDir: dir, limit: 100 });
    assert.equal(first.labels.length, 100);
    assert.match(first.source, /\(data_batch_1\.bin; missing/);
    await assert.rejects(
      () => loadCifar10({ split: "train", dataDir: dir, limit: 101 }),
      /data_batch_3\.bin": expected labels 0\.\.9, found 10 in record 0/,
    );
  });
});

Deno.test("loadCifar10() rejects a batch whose size is not whole records before reading any", async () => {
  const fixture = await Deno.readFile(`${FIXTURE}/data_batch_1.bin`);
  await withDir(async (dir) => {
    await Deno.writeFile(join(dir, "data_batch_1.bin"), fixture);
    await Deno.writeFile(join(dir, "data_batch_2.bin"), fixture.subarray(0, 5000));
    await assert.rejects(
      () => loadCifar10({ split: "train", dataDir: dir, limit: 3 }),
      (err: Error) =>
        err instanceof RangeError && err.message.includes(join(dir, "data_batch_2.bin")) &&
        err.message.includes("found 5000"),
    );
  });
});

Deno.test("loadCifar10() falls back to test_batch_first1000.bin for the test split and says so", async () => {
  const fixture = await Deno.readFile(`${FIXTURE}/test_batch.bin`);
  await withDir(async (dir) => {
    // A shared-data-like partial copy: all training batches (here tiny), a partial test file.
    for (let i = 1; i <= 5; i++) {
      await Deno.writeFile(join(dir, `data_batch_${i}.bin`), records(fixture, i - 1, i));
    }
    await Deno.writeFile(join(dir, "test_batch_first1000.bin"), records(fixture, 0, 20));
    const test = await loadCifar10({ split: "test", dataDir: dir });
    assert.equal(test.labels.length, 20);
    assert.equal(
      test.source,
      `${dir} (test_batch_first1000.bin: only the first 1,000 of the 10,000 test images, test_batch.bin missing)`,
    );
    const train = await loadCifar10({ split: "train", dataDir: dir });
    assert.equal(train.labels.length, 5);
    assert.equal(train.source, `${dir} (data_batch_1..5.bin)`);
    // The full test file wins when both are present.
    await Deno.writeFile(join(dir, "test_batch.bin"), fixture);
    const full = await loadCifar10({ split: "test", dataDir: dir });
    assert.equal(full.labels.length, 50);
    assert.equal(full.source, `${dir} (test_batch.bin)`);
  });
});

Deno.test("loadCifar10() says how to get the data when there is none", async () => {
  await assert.rejects(() => loadCifar10({ split: "train" }), HINT);
  await withDir(async (dir) => {
    await assert.rejects(
      () => loadCifar10({ split: "train", dataDir: dir }),
      (err: Error) =>
        err.message.startsWith(
          `Cannot load CIFAR-10 (train) from "${dir}": expected data_batch_1.bin`,
        ) &&
        HINT.test(err.message),
    );
    await assert.rejects(
      () => loadCifar10({ split: "test", cacheDir: join(dir, "cache") }),
      (err: Error) =>
        err.message.startsWith(
          `Cannot load CIFAR-10 (test) from the cache "${join(dir, "cache")}"`,
        ) &&
        err.message.includes("test_batch.bin (or test_batch_first1000.bin)") &&
        HINT.test(err.message),
    );
    // A training batch alone does not make a test split.
    await Deno.copyFile(`${FIXTURE}/data_batch_1.bin`, join(dir, "data_batch_1.bin"));
    await assert.rejects(() => loadCifar10({ split: "test", dataDir: dir }), HINT);
  });
});

Deno.test("loadCifar10() reads cacheDir when no dataDir is given, and dataDir wins over it", async () => {
  await withDir(async (dir) => {
    const test = await loadCifar10({ split: "test", cacheDir: FIXTURE });
    assert.equal(test.labels.length, 50);
    await assert.rejects(
      () => loadCifar10({ split: "test", cacheDir: FIXTURE, dataDir: dir }),
      HINT,
    );
  });
});

Deno.test("cifar10CacheDir() prefers XDG_CACHE_HOME, then HOME, then LOCALAPPDATA", () => {
  assert.equal(
    cifar10CacheDir({ XDG_CACHE_HOME: "/x/cache", HOME: "/home/a" }),
    "/x/cache/cgan/cifar10",
  );
  assert.equal(
    cifar10CacheDir({ XDG_CACHE_HOME: "", HOME: "/home/a" }),
    "/home/a/.cache/cgan/cifar10",
  );
  assert.equal(cifar10CacheDir({ LOCALAPPDATA: "/appdata" }), "/appdata/cgan/cifar10");
  assert.equal(cifar10CacheDir({}), undefined);
});

// ---------------------------------------------------------------------------------------------
// downloadCifar10

/** A small archive with the official layout: five 40-record training batches and the test batch. */
async function smallArchive(opts: { skip?: string } = {}): Promise<Uint8Array> {
  const train = await Deno.readFile(`${FIXTURE}/data_batch_1.bin`);
  const test = await Deno.readFile(`${FIXTURE}/test_batch.bin`);
  const text = new TextEncoder();
  const entries = [
    {
      path: "cifar-10-batches-bin/batches.meta.txt",
      data: text.encode(CIFAR10_CLASSES.join("\n")),
    },
    ...[1, 2, 3, 4, 5].map((i) => ({
      path: `cifar-10-batches-bin/data_batch_${i}.bin`,
      data: records(train, 40 * (i - 1), 40 * i),
    })),
    { path: "cifar-10-batches-bin/readme.html", data: text.encode("<html></html>") },
    { path: "cifar-10-batches-bin/test_batch.bin", data: test },
  ].filter((e) => e.path !== opts.skip);
  return await gzip(encodeTar(entries));
}

function serve(body: Uint8Array, urls: string[], status = 200): typeof fetch {
  return (input) => {
    urls.push(String(input));
    return Promise.resolve(
      new Response(status === 200 ? body as Uint8Array<ArrayBuffer> : "nope", { status }),
    );
  };
}

Deno.test("downloadCifar10() verifies, unpacks and replaces the cache; loadCifar10() reads it", async () => {
  const archive = await smallArchive();
  await withDir(async (dir) => {
    const cacheDir = join(dir, "cgan", "cifar10");
    await Deno.mkdir(cacheDir, { recursive: true });
    await Deno.writeTextFile(join(cacheDir, "stale.txt"), "old copy");
    const urls: string[] = [];
    const out = await downloadCifar10(cacheDir, {
      fetchFn: serve(archive, urls),
      sha256: await sha256Hex(archive),
    });
    assert.deepEqual(urls, [CIFAR10_URL]);
    assert.equal(out, join(cacheDir, "cifar-10-batches-bin"));
    const names = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.deepEqual(names, [
      "batches.meta.txt",
      "data_batch_1.bin",
      "data_batch_2.bin",
      "data_batch_3.bin",
      "data_batch_4.bin",
      "data_batch_5.bin",
      "readme.html",
      "test_batch.bin",
    ]);
    assert.ok(!(await exists(join(cacheDir, "stale.txt"))), "the old copy was replaced");
    assert.deepEqual([...Deno.readDirSync(join(dir, "cgan"))].map((e) => e.name), ["cifar10"]);
    const train = await loadCifar10({ split: "train", cacheDir });
    assert.equal(train.source, `${out} (data_batch_1..5.bin)`);
    const fixture = await loadCifar10({ split: "train", dataDir: FIXTURE });
    assert.deepEqual(train.labels, fixture.labels);
    assert.deepEqual(train.images, fixture.images);
    assert.equal((await loadCifar10({ split: "test", cacheDir })).labels.length, 50);
  });
});

Deno.test("downloadCifar10() rejects a wrong checksum and leaves nothing behind", async () => {
  const archive = await smallArchive();
  await withDir(async (dir) => {
    const cacheDir = join(dir, "cifar10");
    // Default checksum: the official archive's, which the small one does not have.
    const found = await sha256Hex(archive);
    await assert.rejects(() => downloadCifar10(cacheDir, { fetchFn: serve(archive, []) }), {
      name: "Error",
      message: `Cannot verify "${CIFAR10_URL}": expected SHA-256 ${CIFAR10_SHA256}, found ${found}`,
    });
    const corrupt = archive.slice();
    corrupt[corrupt.length - 20]! ^= 1;
    await assert.rejects(
      () => downloadCifar10(cacheDir, { fetchFn: serve(corrupt, []), sha256: found }),
      /expected SHA-256/,
    );
    assert.deepEqual([...Deno.readDirSync(dir)], [], "no file or temporary folder is left");
  });
});

Deno.test("downloadCifar10() rejects an HTTP error and an archive without a batch", async () => {
  await withDir(async (dir) => {
    const cacheDir = join(dir, "cifar10");
    await assert.rejects(
      () => downloadCifar10(cacheDir, { fetchFn: serve(new Uint8Array(), [], 404) }),
      { message: `Cannot download CIFAR-10 from "${CIFAR10_URL}": expected HTTP 200, found 404` },
    );
    const partial = await smallArchive({ skip: "cifar-10-batches-bin/data_batch_4.bin" });
    const sha256 = await sha256Hex(partial);
    await assert.rejects(
      () => downloadCifar10(cacheDir, { fetchFn: serve(partial, []), sha256 }),
      /expected "cifar-10-batches-bin\/data_batch_4\.bin" in the archive, found "cifar-10-batches-bin\/batches\.meta\.txt"/,
    );
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

// ---------------------------------------------------------------------------------------------
// The tar reader (src/data/_tar.ts)

// Made with GNU tar 1.35 (`--owner=0 --group=0 --mtime=@0`), gzip -9n, base64.
const GNU_TAR_GZ =
  "H4sIAAAAAAACA+3WSwqDMBQF0Iy7imzAz9PETLsANxGtrVJR0BS6/KYdqihCtL97JgmY2eVdX16ddedR6GXa5GXRe1nVBMyt0FJSvk5reI7vFJMSjEu2g1tvdMc569rWzL1b+v6l8qn8tW/uxm3+iRAz+SeD/AVJYjxE/psri7puDwz+1OT811Vzdd3/Sq3ofxnGEeOR4x7C/I/5gR8c07a5pG4zX9P/pOQgf0rsL4Gn6P/Nnd5kh8mGD8l/ef8bzH8c07P/sf9tr7bVj/UPAAAAAAAAAAAAAADgdzwAS3cYPwAoAAA=";
const USTAR_TAR_GZ =
  "H4sIAAAAAAACA+3TQQrCMBCF4Vl7ip7ANCZjzuPCbjvECB7f4M4KVdQUAv+3mcAEQng8MyetjVVSfcxqOV/P3scQZVDZwPVSTrk+n+e5rN17t19+rhNmzppxX+Yf9KCB/Lcw/WBfbuXT/h9jXMlfn/NXnzTJMPacf9Ni/bH/+TztBAAAAAAAAAAAAAAAAL26AzQvYuMAKAAA";
const PAX_TAR_GZ =
  "H4sIAAAAAAACA+3TzQqCQBiF4Vl3FV6Bzq/lwn3LbmFIqaAydAIvP8tNGOQiMqT32cwwZ2D4GE6cbHy7Ln1R1k1SfIfspNYK2Ruu0jztH+dGae1E1IoJXJvg6+558Z+UsdHFh31e/Egc2rDQWeTD4VTmapk5l2pnV3GqVkalOruH29fQ9qHAR6b44rH+S+kG/bfWaBHJKftfV1V4d28sHw43E8fqvKNEAAAAAAAAAAAAAAAA83UDxRlD4wAoAAA=";

async function decodeTar(base64: string): Promise<Uint8Array> {
  return await gunzip(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
}

function asText(entries: { path: string; data: Uint8Array }[]): [string, string][] {
  return entries.map((e) => [e.path, new TextDecoder().decode(e.data)]);
}

Deno.test("readTar() reads GNU, ustar and pax archives made by GNU tar, skipping dirs and links", async () => {
  const long = `${"d".repeat(120)}.txt`;
  assert.deepEqual(asText(readTar(await decodeTar(GNU_TAR_GZ), "gnu.tar")), [
    ["cifar-10-batches-bin/a.txt", "hello\n"],
    [long, "long\n"],
  ]);
  assert.deepEqual(asText(readTar(await decodeTar(USTAR_TAR_GZ), "ustar.tar")), [
    [`pp/${"p".repeat(90)}/${"f".repeat(60)}.txt`, "pref\n"],
  ]);
  assert.deepEqual(asText(readTar(await decodeTar(PAX_TAR_GZ), "pax.tar")), [[long, "long\n"]]);
});

Deno.test("readTar() reads back what encodeTar() wrote, including empty and block-sized files", () => {
  const entries = [
    { path: "a", data: new Uint8Array(0) },
    { path: "b/c.bin", data: new Uint8Array(512).fill(7) },
    { path: "d", data: new Uint8Array([1, 2, 3]) },
  ];
  const tar = encodeTar(entries);
  assert.equal(tar.length, 512 * (3 + 1 + 1 + 2));
  assert.deepEqual(readTar(tar, "t.tar"), entries);
  assert.throws(() => encodeTar([{ path: "x".repeat(101), data: new Uint8Array() }]), RangeError);
});

Deno.test("readTar() rejects a header whose checksum does not match", async () => {
  const tar = encodeTar([
    { path: "ok.txt", data: new Uint8Array(10) },
    { path: "cifar-10-batches-bin/data_batch_1.bin", data: new Uint8Array(3) },
  ]);
  tar[1024 + 100]! ^= 0x01; // the second header's mode field: "0000644" becomes "1000644"
  assert.throws(() => readTar(tar, "bad.tar"), {
    name: "RangeError",
    message:
      /^Cannot read tar archive "bad\.tar": header checksum mismatch at byte 1024 \(entry "cifar-10-batches-bin\/data_batch_1\.bin"\): expected \d+, found \d+$/,
  });
  const gnu = await decodeTar(GNU_TAR_GZ);
  gnu[600]! ^= 0x10; // inside the header of a.txt (the second header)
  assert.throws(() => readTar(gnu, "gnu.tar"), /header checksum mismatch at byte 512/);
});

Deno.test("readTar() rejects a truncated entry and a malformed size", () => {
  const tar = encodeTar([{ path: "big.bin", data: new Uint8Array(2000) }]);
  assert.throws(() => readTar(tar.subarray(0, 1536), "cut.tar"), {
    name: "RangeError",
    message:
      'Cannot read tar archive "cut.tar": truncated, entry "big.bin" at byte 0 needs 2000 bytes of data, found 1024',
  });
  const bad = encodeTar([{ path: "a", data: new Uint8Array(1) }]);
  bad.set(new TextEncoder().encode("0000000009x"), 124);
  // Keep the checksum right so the size check is what fails.
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : bad[i]!;
  bad.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, "0")}\0 `), 148);
  assert.throws(
    () => readTar(bad, "size.tar"),
    /expected an octal size at byte 0 \(entry "a"\), found "0000000009x"/,
  );
});

// ---------------------------------------------------------------------------------------------
// The real data, when this checkout has it

const hasShared = await exists(join(SHARED, "data_batch_1.bin"));
if (!hasShared) {
  console.log(`Skipping the CIFAR-10 real-data test: "${SHARED}/data_batch_1.bin" not found`);
}

Deno.test({
  name:
    "the real data_batch_1.bin has 10,000 records, its published digest, and the fixture's records",
  ignore: !hasShared,
  fn: async () => {
    const path = join(SHARED, "data_batch_1.bin");
    const bytes = await Deno.readFile(path);
    const sums = await Deno.readTextFile(join(SHARED, "SHA256SUMS"));
    const expected = sums.split("\n").find((l) => l.endsWith("  data_batch_1.bin"))?.split(" ")[0];
    assert.equal(await sha256Hex(bytes), expected);
    const batch = parseCifarBatch(bytes, path);
    assert.equal(batch.labels.length, 10000);
    assert.deepEqual(classCounts(batch.labels), [
      1005,
      974,
      1032,
      1016,
      999,
      937,
      1030,
      1001,
      1025,
      981,
    ]);
    // The fixture is the first 20 records of each class, in order, byte for byte.
    const taken = new Array<number>(10).fill(0);
    const picked: Uint8Array[] = [];
    batch.labels.forEach((label, i) => {
      if (taken[label]!++ < 20) picked.push(records(bytes, i, i + 1));
    });
    const fixture = await Deno.readFile(`${FIXTURE}/data_batch_1.bin`);
    assert.equal(fixture.length, picked.length * CIFAR10_RECORD_BYTES);
    picked.forEach((record, k) => assert.deepEqual(records(fixture, k, k + 1), record));
    // This copy's test split is the partial file.
    const test = await loadCifar10({ split: "test", dataDir: SHARED });
    assert.equal(test.labels.length, 1000);
    assert.match(test.source, /test_batch_first1000\.bin: only the first 1,000/);
  },
});
