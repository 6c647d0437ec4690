/**
 * Atomic writes: a file or a whole directory is first written under a temporary name beside
 * its target, flushed to disk, then renamed into place, so readers (and a crash at any moment)
 * see either the old content or the new one, never a partial write.
 *
 * @module
 */
import { basename, dirname, isAbsolute, join, normalize } from "node:path";

/** Options of {@linkcode writeDirAtomic}. */
export interface WriteDirOptions {
  /**
   * Replace an existing directory at the target (default false: an existing target is an
   * error). The old directory is first renamed aside, the new one renamed into place, then the
   * old one removed: at every moment a complete old or new directory exists, and the target
   * path is absent only between those two renames.
   */
  overwrite?: boolean;
}

/**
 * Writes a file atomically: the data goes to a temporary file in the same directory, is
 * flushed with fsync, and the temporary file is renamed over the target. On failure the
 * temporary file is removed and the target is left untouched. Missing parent directories are
 * created.
 *
 * @param path The target file.
 * @param data Bytes, text written as UTF-8, or chunks of bytes written one after another.
 * @returns Resolves once the file is in place.
 *
 * @example Write a file and read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFileAtomic } from "@cgan/cgan/internal";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a.txt`, "hello");
 * assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "hello");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string | readonly Uint8Array[],
): Promise<void> {
  const parent = dirname(path);
  const tmp = join(parent, `.${basename(path)}.tmp-${randomSuffix()}`);
  try {
    await Deno.mkdir(parent, { recursive: true });
    await writeAndSync(tmp, data);
    await Deno.rename(tmp, path);
  } catch (err) {
    await removeQuietly(tmp);
    throw new Error(`Cannot write "${path}" atomically: ${messageOf(err)}`, { cause: err });
  }
  await syncDir(parent);
}

/**
 * Writes a whole directory atomically: every file is written (and flushed) into a temporary
 * directory beside the target, which is then renamed into place. The target must not exist
 * unless `opts.overwrite` is set. Missing parent directories are created. File names may
 * contain `/` to create subdirectories but must stay inside the directory.
 *
 * @param dir The target directory.
 * @param files File contents by relative path.
 * @param opts Whether an existing directory may be replaced.
 * @returns Resolves once the directory is in place.
 *
 * @example Write a directory of two files
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeDirAtomic } from "@cgan/cgan/internal";
 * const root = await Deno.makeTempDir();
 * await writeDirAtomic(`${root}/model`, { "a.json": "{}", "b.bin": new Uint8Array([1, 2]) });
 * assert.deepEqual(await Deno.readFile(`${root}/model/b.bin`), new Uint8Array([1, 2]));
 * await Deno.remove(root, { recursive: true });
 * ```
 */
export async function writeDirAtomic(
  dir: string,
  files: Record<string, Uint8Array | string>,
  opts: WriteDirOptions = {},
): Promise<void> {
  const names = Object.keys(files);
  for (const name of names) {
    const clean = normalize(name);
    if (name === "" || isAbsolute(name) || clean === "." || clean.startsWith("..")) {
      throw new RangeError(
        `Cannot write directory "${dir}": expected file names inside it, found "${name}"`,
      );
    }
  }
  const existing = await statOrNull(dir);
  if (existing !== null && !opts.overwrite) {
    throw new Error(
      `Cannot write directory "${dir}": expected no file there, found an existing one`,
    );
  }
  if (existing !== null && !existing.isDirectory) {
    throw new Error(`Cannot replace "${dir}": expected a directory, found a file`);
  }
  const parent = dirname(dir);
  const suffix = randomSuffix();
  const tmp = join(parent, `.${basename(dir)}.tmp-${suffix}`);
  try {
    await Deno.mkdir(parent, { recursive: true });
    await Deno.mkdir(tmp);
    for (const name of names) {
      const target = join(tmp, name);
      await Deno.mkdir(dirname(target), { recursive: true });
      await writeAndSync(target, files[name] as Uint8Array | string);
    }
    await syncDir(tmp);
    if (existing === null) {
      await Deno.rename(tmp, dir);
    } else {
      await swapIn(tmp, dir, join(parent, `.${basename(dir)}.old-${suffix}`));
    }
  } catch (err) {
    await removeQuietly(tmp);
    throw new Error(`Cannot write directory "${dir}" atomically: ${messageOf(err)}`, {
      cause: err,
    });
  }
  await syncDir(parent);
}

/** Moves `dir` aside to `old`, `tmp` to `dir`, then removes `old` (restoring it on failure). */
async function swapIn(tmp: string, dir: string, old: string): Promise<void> {
  await Deno.rename(dir, old);
  try {
    await Deno.rename(tmp, dir);
  } catch (err) {
    await Deno.rename(old, dir);
    throw err;
  }
  await removeQuietly(old);
}

async function writeAndSync(
  path: string,
  data: Uint8Array | string | readonly Uint8Array[],
): Promise<void> {
  const chunks = typeof data === "string"
    ? [new TextEncoder().encode(data)]
    : data instanceof Uint8Array
    ? [data]
    : data;
  const file = await Deno.open(path, { write: true, createNew: true });
  try {
    for (const bytes of chunks) {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
    }
    await file.sync();
  } finally {
    file.close();
  }
}

/** Flushes a directory's entries (the renames) where the platform allows it. */
async function syncDir(path: string): Promise<void> {
  try {
    const handle = await Deno.open(path, { read: true });
    try {
      await handle.sync();
    } finally {
      handle.close();
    }
  } catch {
    // Not every platform can open or fsync a directory (Windows); the rename is still atomic.
  }
}

async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.lstat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await Deno.remove(path, { recursive: true });
  } catch {
    // Already gone or never created.
  }
}

function randomSuffix(): string {
  return crypto.randomUUID().slice(0, 8);
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
