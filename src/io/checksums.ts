/**
 * A directory's SHA-256 manifest: `checksums.json` lists every file under the directory (by
 * relative path) with the SHA-256 of its bytes, so a file that changed on disk, even at the
 * same size, is found and named. Checkpoints carry one (`train/checkpoint.ts`).
 *
 * @module
 */
import { sha256Hex } from "./hash.ts";

/** The manifest's file name, in the directory it describes. */
export const CHECKSUMS_FILE = "checksums.json";

/** What `checksums.json` holds. */
export interface Checksums {
  /** SHA-256 (lower-case hex) of each file, by its path relative to the directory. */
  sha256: Record<string, string>;
}

/** A file whose bytes do not match the manifest. */
export interface ChecksumMismatch {
  /** The file's path (the directory joined with its relative path). */
  path: string;
  /** The SHA-256 the manifest records. */
  expected: string;
  /** The SHA-256 of the bytes on disk, or "missing" when the file is gone. */
  found: string;
}

/** Relative paths of the files under `dir`, sorted, without the manifest itself. */
async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(`${dir}/${prefix}`)) {
    const rel = `${prefix}${entry.name}`;
    if (entry.isDirectory) names.push(...await listFiles(dir, `${rel}/`));
    else if (entry.isFile && rel !== CHECKSUMS_FILE) names.push(rel);
  }
  return names.sort();
}

/**
 * Hashes every file under `dir` and writes `dir/checksums.json`.
 *
 * @param dir The directory, complete (write it last, before the directory is renamed into place).
 * @returns The manifest written.
 *
 * @example Write the manifest of a two-file folder
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeChecksums } from "@cgan/cgan/internal";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "");
 * await Deno.mkdir(`${dir}/sub`);
 * await Deno.writeTextFile(`${dir}/sub/b.txt`, "b");
 * const { sha256 } = await writeChecksums(dir);
 * assert.deepEqual(Object.keys(sha256), ["a.txt", "sub/b.txt"]);
 * assert.ok(sha256["a.txt"]!.startsWith("e3b0c442"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeChecksums(dir: string): Promise<Checksums> {
  const sha256: Record<string, string> = {};
  for (const rel of await listFiles(dir)) {
    sha256[rel] = await sha256Hex(await Deno.readFile(`${dir}/${rel}`));
  }
  const manifest: Checksums = { sha256 };
  await Deno.writeTextFile(`${dir}/${CHECKSUMS_FILE}`, JSON.stringify(manifest, null, 1) + "\n");
  return manifest;
}

/**
 * Checks the files under `dir` against its `checksums.json`.
 *
 * @param dir The directory.
 * @param opts `under`: check only the files under this relative folder (e.g. `"gen/"`).
 * @returns The files that do not match (empty when all do), or null when `dir` has no
 *   `checksums.json` (written before checksums were kept: nothing to check against).
 * @throws {SyntaxError} If `checksums.json` is not a manifest (it is corrupted itself).
 *
 * @example A byte changed at the same size is found
 * ```ts
 * import assert from "node:assert/strict";
 * import { verifyChecksums, writeChecksums } from "@cgan/cgan/internal";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/w.bin`, new Uint8Array([1, 2, 3]));
 * await writeChecksums(dir);
 * assert.deepEqual(await verifyChecksums(dir), []);
 * await Deno.writeFile(`${dir}/w.bin`, new Uint8Array([1, 2, 4]));
 * assert.equal((await verifyChecksums(dir))?.[0]?.path, `${dir}/w.bin`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function verifyChecksums(
  dir: string,
  opts: { under?: string } = {},
): Promise<ChecksumMismatch[] | null> {
  const file = `${dir}/${CHECKSUMS_FILE}`;
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  let manifest: Partial<Checksums>;
  try {
    manifest = JSON.parse(text);
  } catch (err) {
    throw new SyntaxError(`Cannot parse "${file}": ${(err as Error).message}`);
  }
  const sums = manifest.sha256;
  if (typeof sums !== "object" || sums === null || Array.isArray(sums)) {
    throw new SyntaxError(`Cannot read "${file}": expected {"sha256": {path: hex}}`);
  }
  const mismatches: ChecksumMismatch[] = [];
  for (const [rel, expected] of Object.entries(sums)) {
    if (opts.under !== undefined && !rel.startsWith(opts.under)) continue;
    const path = `${dir}/${rel}`;
    let found: string;
    try {
      found = await sha256Hex(await Deno.readFile(path));
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      found = "missing";
    }
    if (found !== expected) mismatches.push({ path, expected: String(expected), found });
  }
  return mismatches;
}
