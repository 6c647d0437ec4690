import assert from "node:assert/strict";
import { holdOut, loadFolder } from "../../src/data/folder.ts";
import { FIXTURE_COLORS, writeFolderFixture, writeImage } from "./_folder_fixture.ts";

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "cgan-folder-" });
}

/** The mean of channel `k` over the border pixels (row 0) of image `i`. */
function edge(images: Uint8Array, i: number, shape: number[], k: number): number {
  const [, w, c] = shape as [number, number, number];
  const start = i * shape.reduce((a, b) => a * b, 1);
  let sum = 0;
  for (let x = 0; x < w; x++) sum += images[start + x * c + k]!;
  return sum / w;
}

Deno.test("loadFolder() maps class folders to labels in sorted order, interleaved, each image its class's", async () => {
  const dir = await writeFolderFixture(await tempDir(), 3);
  try {
    const { dataset, report } = await loadFolder({ dataDir: dir, size: 8 });
    assert.deepEqual(dataset.classNames, ["daisy", "rose", "tulip"]);
    assert.deepEqual([...dataset.labels], [0, 1, 2, 0, 1, 2, 0, 1, 2]);
    assert.deepEqual(dataset.shape, [8, 8, 3]);
    assert.equal(dataset.images.length, 9 * 8 * 8 * 3);
    assert.equal(dataset.source, dir);
    for (let i = 0; i < 9; i++) {
      const color = FIXTURE_COLORS[dataset.classNames[dataset.labels[i]!]!]!;
      for (let k = 0; k < 3; k++) {
        // JPEG is lossy: within a few levels of the class's colour.
        assert.ok(
          Math.abs(edge(dataset.images, i, dataset.shape, k) - color[k]!) < 12,
          `image ${i}`,
        );
      }
    }
    assert.deepEqual([report.ignored, report.converted, report.skipped], [[], 0, []]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadFolder() crops and resizes any size to --size; defaults are 32 for colour and 28 for gray", async () => {
  const dir = await writeFolderFixture(await tempDir(), 2);
  const gray = await tempDir();
  try {
    for (const size of [4, 16, 64]) {
      const { dataset } = await loadFolder({ dataDir: dir, size });
      assert.deepEqual(dataset.shape, [size, size, 3]);
      assert.equal(dataset.images.length, 6 * size * size * 3);
    }
    assert.deepEqual((await loadFolder({ dataDir: dir })).dataset.shape, [32, 32, 3]);
    assert.deepEqual((await loadFolder({ dataDir: dir, channels: 1 })).dataset.shape, [28, 28, 1]);
    for (const name of ["a", "b"]) {
      await Deno.mkdir(`${gray}/${name}`);
      await writeImage(`${gray}/${name}/1.png`, {
        width: 30,
        height: 20,
        color: [90, 0, 0],
        channels: 1,
      });
    }
    const { dataset } = await loadFolder({ dataDir: gray });
    assert.deepEqual(dataset.shape, [28, 28, 1]);
    // The centre square survives the crop: the middle pixel is white, the corner the class's gray.
    assert.equal(dataset.images[14 * 28 + 14], 255);
    assert.equal(dataset.images[0], 90);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(gray, { recursive: true });
  }
});

Deno.test("loadFolder() re-uses its cache while the folder is unchanged and rebuilds it when it changes", async () => {
  const dir = await writeFolderFixture(await tempDir(), 2);
  try {
    const first = await loadFolder({ dataDir: dir, size: 8 });
    assert.deepEqual(first.report.cache, {
      file: `${dir}/.cgan-cache-8-auto.bin`,
      reused: false,
      note: "written (no cache yet)",
    });
    const second = await loadFolder({ dataDir: dir, size: 8 });
    assert.equal(second.report.cache.note, "re-used (the folder is unchanged)");
    assert.deepEqual(second.dataset, first.dataset);

    // Another size is another cache file; the first stays valid.
    assert.equal((await loadFolder({ dataDir: dir, size: 4 })).report.cache.reused, false);
    assert.equal((await loadFolder({ dataDir: dir, size: 8 })).report.cache.reused, true);

    // A new image: rebuilt, and counted.
    await writeImage(`${dir}/rose/new.png`, { width: 9, height: 9, color: [1, 2, 3] });
    const grown = await loadFolder({ dataDir: dir, size: 8 });
    assert.equal(grown.report.cache.note, "rewritten (the folder changed)");
    assert.equal(grown.dataset.labels.length, 7);

    // A changed image (same name, new content and size): rebuilt.
    await writeImage(`${dir}/rose/new.png`, { width: 12, height: 9, color: [1, 2, 3] });
    const changed = await loadFolder({ dataDir: dir, size: 8 });
    assert.equal(changed.report.cache.note, "rewritten (the folder changed)");

    // A damaged cache file fails its checksum and is rebuilt.
    const file = `${dir}/.cgan-cache-8-auto.bin`;
    const bytes = await Deno.readFile(file);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    await Deno.writeFile(file, bytes);
    const repaired = await loadFolder({ dataDir: dir, size: 8 });
    assert.equal(repaired.report.cache.note, "rewritten (checksum mismatch)");
    assert.deepEqual(repaired.dataset, changed.dataset);
    assert.equal((await loadFolder({ dataDir: dir, size: 8 })).report.cache.reused, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadFolder() stops on a corrupt image, naming its path, and skips it with a warning under skipBad", async () => {
  const dir = await writeFolderFixture(await tempDir(), 2);
  try {
    await Deno.writeFile(`${dir}/daisy/broken.png`, new TextEncoder().encode("not really a png"));
    const cut = await Deno.readFile(`${dir}/tulip/01.jpg`);
    await Deno.writeFile(`${dir}/tulip/cut.jpg`, cut.subarray(0, cut.length / 2));
    await assert.rejects(
      () => loadFolder({ dataDir: dir, size: 8 }),
      (err: Error) => {
        assert.equal(
          err.message,
          `Cannot read image "${dir}/daisy/broken.png": expected a PNG or JPEG file, found bytes ` +
            `6e 6f 74 20 (and 1 more unreadable images in "${dir}"); fix or remove it, or skip ` +
            `unreadable images with --skip-bad`,
        );
        return true;
      },
    );
    const { dataset, report } = await loadFolder({ dataDir: dir, size: 8, skipBad: true });
    assert.equal(dataset.labels.length, 6);
    assert.deepEqual(dataset.classNames, ["daisy", "rose", "tulip"]);
    assert.deepEqual(report.skipped.map((b) => b.file), [
      `${dir}/daisy/broken.png`,
      `${dir}/tulip/cut.jpg`,
    ]);
    assert.match(
      report.skipped[1]!.reason,
      /^Cannot read image ".*cut.jpg": expected a valid JPEG/,
    );
    assert.equal(report.cache.reused, true, "the cache written by the failed load is re-used");
    // Without skipBad the cached bad files still stop the load.
    await assert.rejects(() => loadFolder({ dataDir: dir, size: 8 }), /--skip-bad$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadFolder() ignores and counts files that are not images, and hidden ones silently", async () => {
  const dir = await writeFolderFixture(await tempDir(), 2);
  try {
    await Deno.writeTextFile(`${dir}/README.txt`, "my flowers");
    await Deno.writeTextFile(`${dir}/rose/labels.csv`, "a,b");
    await Deno.writeTextFile(`${dir}/rose/.DS_Store`, "");
    await Deno.mkdir(`${dir}/.thumbnails`);
    await writeImage(`${dir}/.thumbnails/x.png`, { width: 4, height: 4, color: [0, 0, 0] });
    await Deno.mkdir(`${dir}/tulip/more`);
    await writeImage(`${dir}/tulip/more/deep.png`, { width: 5, height: 5, color: [200, 30, 40] });
    const { dataset, report } = await loadFolder({ dataDir: dir, size: 4 });
    assert.deepEqual(report.ignored, ["README.txt", "rose/labels.csv"]);
    assert.equal(dataset.labels.length, 7, "a nested folder's images belong to their class");
    assert.deepEqual(dataset.classNames, ["daisy", "rose", "tulip"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadFolder() converts mixed gray and RGB images to one channel count and counts them", async () => {
  const dir = await tempDir();
  try {
    await Deno.mkdir(`${dir}/a`);
    await Deno.mkdir(`${dir}/b`);
    await writeImage(`${dir}/a/1.png`, { width: 6, height: 6, color: [100, 0, 0], channels: 1 });
    await writeImage(`${dir}/a/2.png`, { width: 6, height: 6, color: [100, 0, 0], channels: 1 });
    await writeImage(`${dir}/b/1.png`, { width: 6, height: 6, color: [0, 200, 0], channels: 4 });
    const rgb = await loadFolder({ dataDir: dir, size: 6 });
    assert.deepEqual(rgb.dataset.shape, [6, 6, 3]);
    assert.equal(rgb.report.converted, 2, "two gray images became RGB");
    assert.deepEqual([...rgb.dataset.images.subarray(0, 3)], [100, 100, 100]);
    const gray = await loadFolder({ dataDir: dir, size: 6, channels: 1 });
    assert.deepEqual(gray.dataset.shape, [6, 6, 1]);
    assert.equal(gray.report.converted, 1, "one RGB image became gray");
    assert.equal(gray.dataset.images[36], Math.round(0.587 * 200));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadFolder() refuses an empty class folder, a folder without classes and colliding class names", async () => {
  const dir = await tempDir();
  try {
    await assert.rejects(
      () => loadFolder({ dataDir: dir }),
      {
        message: `Cannot read folder dataset "${dir}": expected one subfolder of PNG/JPEG images ` +
          `per class, found no subfolders`,
      },
    );
    await writeImage(`${dir}/loose.png`, { width: 4, height: 4, color: [1, 2, 3] });
    await assert.rejects(
      () => loadFolder({ dataDir: dir }),
      /but 1 images at its top level \(train on them without classes with --unconditional\)$/,
    );
    const flat = await loadFolder({ dataDir: dir, flat: true, size: 4 });
    assert.deepEqual([flat.dataset.classNames, flat.dataset.labels.length], [
      [dir.split("/").pop()],
      1,
    ]);

    await Deno.mkdir(`${dir}/Cat`);
    await writeImage(`${dir}/Cat/1.png`, { width: 4, height: 4, color: [1, 2, 3] });
    await Deno.mkdir(`${dir}/dog`);
    await Deno.writeTextFile(`${dir}/dog/notes.txt`, "");
    await assert.rejects(() => loadFolder({ dataDir: dir }), {
      message: `Cannot read folder dataset "${dir}": class folder "dog" holds no PNG or JPEG ` +
        `images (only dog/notes.txt)`,
    });
    await writeImage(`${dir}/dog/1.jpg`, { width: 4, height: 4, color: [1, 2, 3] });
    await Deno.mkdir(`${dir}/cat `);
    await assert.rejects(() => loadFolder({ dataDir: dir }), {
      message:
        `Cannot read folder dataset "${dir}": class folders "Cat" and "cat " name the same ` +
        `class (names are compared ignoring case and surrounding spaces); rename one`,
    });
    await assert.rejects(
      () => loadFolder({ dataDir: `${dir}/missing` }),
      /^Error: Cannot read folder dataset ".*\/missing": .*; expected a folder with one subfolder of PNG\/JPEG images per class$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadFolder() refuses, before decoding, a dataset above the memory budget with its size and the limit", async () => {
  const dir = await writeFolderFixture(await tempDir(), 2);
  try {
    // Never loaded at 48: refused from the file count alone, so no cache file appears.
    // 6 x 48 x 48 x 3 x 4 bytes = 0.16 MiB.
    await assert.rejects(() => loadFolder({ dataDir: dir, size: 48, maxBytes: 2 ** 17 }), {
      name: "RangeError",
      message: `Cannot load folder dataset "${dir}": 6 images at 48x48x3 take 0.2 MiB as float32 ` +
        `training tensors, above the limit of 0.1 MiB (--max-data-mb); use a smaller --size, ` +
        `fewer images, or raise --max-data-mb`,
    });
    assert.equal([...Deno.readDirSync(dir)].some((e) => e.name.startsWith(".cgan-cache")), false);
    // Under the limit it loads; a cached dataset is held to the limit too.
    await loadFolder({ dataDir: dir, size: 48, maxBytes: 2 ** 20 });
    await assert.rejects(
      () => loadFolder({ dataDir: dir, size: 48, maxBytes: 2 ** 17 }),
      /6 images at 48x48x3 take 0.2 MiB as float32 training tensors, above the limit of 0.1 MiB/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("holdOut() takes one image in `every` of each class for the test split", () => {
  const labels = Uint8Array.from([0, 1, 0, 1, 0, 1, 0, 0]);
  const ds = {
    name: "toy",
    images: Uint8Array.from(labels.keys()),
    labels,
    shape: [1, 1, 1] as [number, number, number],
    classNames: ["a", "b"],
    source: "memory",
  };
  // Class a is at 0, 2, 4, 6, 7 (its 1st and 4th are held out), class b at 1, 3, 5 (its 1st).
  const { train, test } = holdOut(ds, 3);
  assert.deepEqual([...test.images], [0, 1, 6]);
  assert.deepEqual([...test.labels], [0, 1, 0]);
  assert.deepEqual([...train.images], [2, 3, 4, 5, 7]);
  assert.deepEqual([...train.labels], [0, 1, 0, 1, 0]);
  assert.deepEqual(train.classNames, ["a", "b"]);
});
