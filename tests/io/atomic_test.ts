import assert from "node:assert/strict";
import { writeDirAtomic, writeFileAtomic } from "../../src/io/atomic.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cgan_atomic_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function names(dir: string): Promise<string[]> {
  return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
}

Deno.test("writeFileAtomic() writes and replaces a file, leaving no temp file", async () => {
  await withTempDir(async (dir) => {
    await writeFileAtomic(`${dir}/a.txt`, "first");
    await writeFileAtomic(`${dir}/a.txt`, new TextEncoder().encode("second"));
    assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "second");
    assert.deepEqual(await names(dir), ["a.txt"]);
  });
});

Deno.test("writeFileAtomic() creates missing parent directories", async () => {
  await withTempDir(async (dir) => {
    await writeFileAtomic(`${dir}/x/y/b.bin`, new Uint8Array([1, 2, 3]));
    assert.deepEqual(await Deno.readFile(`${dir}/x/y/b.bin`), new Uint8Array([1, 2, 3]));
  });
});

Deno.test("writeFileAtomic() fails cleanly when the target is a directory", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(`${dir}/target/inner`, { recursive: true });
    await assert.rejects(
      writeFileAtomic(`${dir}/target`, "data"),
      (err: Error) => err.message.startsWith(`Cannot write "${dir}/target" atomically`),
    );
    assert.deepEqual(await names(dir), ["target"]);
    assert.deepEqual(await names(`${dir}/target`), ["inner"]);
  });
});

Deno.test("writeDirAtomic() writes every file, including nested ones", async () => {
  await withTempDir(async (dir) => {
    await writeDirAtomic(`${dir}/parent/model`, {
      "a.json": '{"a":1}',
      "sub/b.bin": new Uint8Array([9, 8]),
    });
    assert.equal(await Deno.readTextFile(`${dir}/parent/model/a.json`), '{"a":1}');
    assert.deepEqual(await Deno.readFile(`${dir}/parent/model/sub/b.bin`), new Uint8Array([9, 8]));
    assert.deepEqual(await names(`${dir}/parent`), ["model"]);
  });
});

Deno.test("writeDirAtomic() refuses an existing target unless overwrite is set", async () => {
  await withTempDir(async (dir) => {
    await writeDirAtomic(`${dir}/m`, { "old.txt": "old" });
    await assert.rejects(
      writeDirAtomic(`${dir}/m`, { "new.txt": "new" }),
      (err: Error) => err.message.includes(`"${dir}/m"`) && err.message.includes("existing"),
    );
    assert.deepEqual(await names(`${dir}/m`), ["old.txt"]);
  });
});

Deno.test("writeDirAtomic() with overwrite replaces the whole directory and leaves no temp", async () => {
  await withTempDir(async (dir) => {
    await writeDirAtomic(`${dir}/m`, { "old.txt": "old", "shared.txt": "v1" });
    await writeDirAtomic(`${dir}/m`, { "shared.txt": "v2" }, { overwrite: true });
    assert.deepEqual(await names(`${dir}/m`), ["shared.txt"]);
    assert.equal(await Deno.readTextFile(`${dir}/m/shared.txt`), "v2");
    assert.deepEqual(await names(dir), ["m"]);
  });
});

Deno.test("writeDirAtomic() rejects file names that leave the directory", async () => {
  await withTempDir(async (dir) => {
    for (const bad of ["../escape.txt", "/abs.txt", ""]) {
      await assert.rejects(writeDirAtomic(`${dir}/m`, { [bad]: "x" }), RangeError);
    }
    assert.deepEqual(await names(dir), []);
  });
});

Deno.test("writeDirAtomic() removes its temp directory when a write fails", async () => {
  await withTempDir(async (dir) => {
    // "a" as a file and as a folder cannot both exist.
    await assert.rejects(
      writeDirAtomic(`${dir}/m`, { "a": "file", "a/b": "nested" }),
      (err: Error) => err.message.startsWith(`Cannot write directory "${dir}/m" atomically`),
    );
    assert.deepEqual(await names(dir), []);
  });
});
