/**
 * CIFAR-10 (32x32 colour images, 10 classes) in its official binary format, as in
 * `cifar-10-batches-bin/` of `cifar-10-binary.tar.gz`: `data_batch_1.bin` … `data_batch_5.bin`
 * (10,000 records each) and `test_batch.bin` (10,000). A record is 1 label byte (0..9) and
 * 3072 pixel bytes: the 32x32 red plane, then green, then blue, each row-major. Records are
 * converted to the interleaved NHWC layout of {@linkcode Dataset} (`[N, 32, 32, 3]`).
 *
 * Krizhevsky, "Learning Multiple Layers of Features from Tiny Images", 2009;
 * https://www.cs.toronto.edu/~kriz/cifar.html
 *
 * @module
 */
import { gunzip } from "../io/gzip.ts";
import { join } from "node:path";
import { writeDirAtomic } from "../io/atomic.ts";
import type { Dataset, LoadOptions } from "./dataset.ts";
import { verifySha256 } from "./mnist.ts";
import { readTar } from "./_tar.ts";
import { CIFAR10_CLASSES } from "./class_names.ts";

export { CIFAR10_CLASSES } from "./class_names.ts";

/** Options of {@linkcode loadCifar10}: the common ones plus the download cache. */
export interface Cifar10Options extends LoadOptions {
  /**
   * Where {@linkcode downloadCifar10} keeps its copy, read when `dataDir` is not given; see
   * {@linkcode cifar10CacheDir} for the usual place.
   */
  cacheDir?: string;
}

/** Options of {@linkcode downloadCifar10}. */
export interface DownloadCifar10Options {
  /** The fetch to use (tests inject one); default: the global `fetch`. */
  fetchFn?: typeof fetch;
  /** Where to download from; default {@linkcode CIFAR10_URL}. */
  url?: string;
  /** Expected SHA-256 of the archive, lower-case hex; default {@linkcode CIFAR10_SHA256}. */
  sha256?: string;
}

/** One parsed batch file. */
export interface CifarBatch {
  /** `[count, 32, 32, 3]` interleaved RGB pixels, row-major. */
  images: Uint8Array;
  /** One class index (0..9) per image. */
  labels: Uint8Array;
}

/** Bytes per image: 32 x 32 pixels x 3 colours. */
export const CIFAR10_PIXEL_BYTES = 3072;
/** Bytes per record: one label byte, then {@linkcode CIFAR10_PIXEL_BYTES} pixel bytes. */
export const CIFAR10_RECORD_BYTES = 3073;
/** The training batch files, in the order they are read. */
export const CIFAR10_TRAIN_FILES = [
  "data_batch_1.bin",
  "data_batch_2.bin",
  "data_batch_3.bin",
  "data_batch_4.bin",
  "data_batch_5.bin",
] as const;
/** The test batch file. */
export const CIFAR10_TEST_FILE = "test_batch.bin";
/** A partial test file read when {@linkcode CIFAR10_TEST_FILE} is absent: its first 1,000 records. */
export const CIFAR10_TEST_PARTIAL_FILE = "test_batch_first1000.bin";
/** The folder the official archive unpacks to; the files are also looked for inside it. */
export const CIFAR10_FOLDER = "cifar-10-batches-bin";
/** The official binary archive. */
export const CIFAR10_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
/**
 * SHA-256 of {@linkcode CIFAR10_URL} (170,052,171 bytes; the site publishes its MD5,
 * `c32a1d4ab5d03f1284b67883e8d87530`). The SHA-256 is the one pinned by MLDatasets.jl and
 * torchvision-ruby for the same file.
 */
export const CIFAR10_SHA256 = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd";

const PLANE = 1024;
const CLASSES = CIFAR10_CLASSES.length;

function batchError(name: string): string {
  return `Cannot read CIFAR-10 batch "${name}"`;
}

/** The record count of a batch file of `length` bytes, or a RangeError naming the file. */
function recordCount(length: number, name: string): number {
  if (length === 0) {
    throw new RangeError(
      `${
        batchError(name)
      }: expected at least one ${CIFAR10_RECORD_BYTES}-byte record, found an empty file`,
    );
  }
  if (length % CIFAR10_RECORD_BYTES !== 0) {
    throw new RangeError(
      `${
        batchError(name)
      }: expected a multiple of ${CIFAR10_RECORD_BYTES} bytes (1 label byte + ${CIFAR10_PIXEL_BYTES} pixel bytes per record), found ${length} (${
        Math.floor(length / CIFAR10_RECORD_BYTES)
      } records and ${length % CIFAR10_RECORD_BYTES} bytes over)`,
    );
  }
  return length / CIFAR10_RECORD_BYTES;
}

function badLabel(name: string, record: number, label: number): RangeError {
  return new RangeError(
    `${batchError(name)}: expected labels 0..${
      CLASSES - 1
    }, found ${label} in record ${record} (byte ${record * CIFAR10_RECORD_BYTES})`,
  );
}

/**
 * Decodes the first `count` records of `bytes` into `images`/`labels` from image `first` on,
 * planar RGB to interleaved.
 */
function decodeRecords(
  bytes: Uint8Array,
  name: string,
  count: number,
  out: CifarBatch,
  first: number,
): void {
  const { images, labels } = out;
  for (let r = 0; r < count; r++) {
    const src = r * CIFAR10_RECORD_BYTES;
    const label = bytes[src]!;
    if (label >= CLASSES) throw badLabel(name, r, label);
    labels[first + r] = label;
    const red = src + 1;
    const dst = (first + r) * CIFAR10_PIXEL_BYTES;
    for (let p = 0; p < PLANE; p++) {
      const o = dst + 3 * p;
      images[o] = bytes[red + p]!;
      images[o + 1] = bytes[red + PLANE + p]!;
      images[o + 2] = bytes[red + 2 * PLANE + p]!;
    }
  }
}

/**
 * Parses a CIFAR-10 binary batch file into interleaved RGB images and labels.
 *
 * @param bytes The file's bytes: records of 1 label byte and 3072 planar pixel bytes.
 * @param name The file name, for error messages.
 * @returns `[count, 32, 32, 3]` pixels and `count` labels (new arrays).
 * @throws {RangeError} If the file is empty, its length is not a multiple of 3073, or a
 * label is above 9; the message names the file and, for a label, the record.
 *
 * @example Parse a one-record batch whose red, green and blue planes hold 1, 2 and 3
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCifarBatch } from "@cgan/cgan/internal";
 * const bytes = new Uint8Array(3073);
 * bytes[0] = 6; // frog
 * bytes.fill(1, 1, 1025).fill(2, 1025, 2049).fill(3, 2049);
 * const { images, labels } = parseCifarBatch(bytes, "one.bin");
 * assert.equal(labels[0], 6);
 * assert.deepEqual(images.subarray(0, 6), new Uint8Array([1, 2, 3, 1, 2, 3])); // interleaved RGB
 * ```
 */
export function parseCifarBatch(bytes: Uint8Array, name: string): CifarBatch {
  const count = recordCount(bytes.length, name);
  const out = {
    images: new Uint8Array(count * CIFAR10_PIXEL_BYTES),
    labels: new Uint8Array(count),
  };
  decodeRecords(bytes, name, count, out, 0);
  return out;
}

/** Checks a batch's length and labels without decoding its pixels. */
function checkBatch(bytes: Uint8Array, name: string): void {
  const count = recordCount(bytes.length, name);
  for (let r = 0; r < count; r++) {
    const label = bytes[r * CIFAR10_RECORD_BYTES]!;
    if (label >= CLASSES) throw badLabel(name, r, label);
  }
}

/**
 * The usual download cache of CIFAR-10: `$XDG_CACHE_HOME/cgan/cifar10`, else
 * `$HOME/.cache/cgan/cifar10`, else `%LOCALAPPDATA%/cgan/cifar10` (Windows). The caller
 * passes the environment, e.g. `Deno.env.toObject()`.
 *
 * @param env Environment variables.
 * @returns The folder, or undefined if none of the variables is set.
 *
 * @example Resolve the cache from a Linux environment
 * ```ts
 * import assert from "node:assert/strict";
 * import { cifar10CacheDir } from "@cgan/cgan/internal";
 * assert.equal(cifar10CacheDir({ HOME: "/home/ada" }), "/home/ada/.cache/cgan/cifar10");
 * ```
 */
export function cifar10CacheDir(
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "cgan", "cifar10");
  if (env.HOME) return join(env.HOME, ".cache", "cgan", "cifar10");
  if (env.LOCALAPPDATA) return join(env.LOCALAPPDATA, "cgan", "cifar10");
  return undefined;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw new Error(`Cannot read "${path}": ${(err as Error).message}`);
  }
}

/** The split's files found in one folder, and how to describe them. */
interface SplitFiles {
  dir: string;
  /** Present files, in reading order. */
  files: string[];
  /** What is absent or partial, for `source`; empty when the split is complete. */
  note: string;
}

/** Looks for the split's files in `root`, then in `root/cifar-10-batches-bin`. */
async function findSplitFiles(root: string, split: "train" | "test"): Promise<SplitFiles | null> {
  for (const dir of [root, join(root, CIFAR10_FOLDER)]) {
    if (split === "train") {
      const present: string[] = [];
      const missing: string[] = [];
      for (const name of CIFAR10_TRAIN_FILES) {
        (await isFile(join(dir, name)) ? present : missing).push(name);
      }
      if (present.length > 0) {
        return {
          dir,
          files: present,
          note: missing.length === 0 ? "" : `; missing ${missing.join(", ")}`,
        };
      }
    } else {
      if (await isFile(join(dir, CIFAR10_TEST_FILE))) {
        return { dir, files: [CIFAR10_TEST_FILE], note: "" };
      }
      if (await isFile(join(dir, CIFAR10_TEST_PARTIAL_FILE))) {
        return {
          dir,
          files: [CIFAR10_TEST_PARTIAL_FILE],
          note: `: only the first 1,000 of the 10,000 test images, ${CIFAR10_TEST_FILE} missing`,
        };
      }
    }
  }
  return null;
}

function describeFiles(files: readonly string[]): string {
  const all = files.length === CIFAR10_TRAIN_FILES.length &&
    files.every((f, i) => f === CIFAR10_TRAIN_FILES[i]);
  return all ? "data_batch_1..5.bin" : files.join(", ");
}

/**
 * Loads a CIFAR-10 split from the official binary files: `data_batch_1..5.bin` (train; any
 * that exist, at least one) or `test_batch.bin` (test; else `test_batch_first1000.bin`),
 * found in `dataDir` (or its `cifar-10-batches-bin/` subfolder), else in `cacheDir`, where
 * {@linkcode downloadCifar10} puts them. `source` names the folder and the files read, and
 * says when the copy is partial.
 *
 * @param opts Split, optional folder, optional download cache and optional limit (the first
 * `limit` images in file order; files past it are not read).
 * @returns The dataset "cifar10" (32x32x3 interleaved RGB, the 10 {@linkcode CIFAR10_CLASSES}).
 * @throws {Error} If neither folder holds the split's files, saying how to get them.
 * @throws {RangeError} If a file is corrupt (see {@linkcode parseCifarBatch}) or `limit` is
 * not a positive integer.
 *
 * @example Load the test split of the fixture
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { loadCifar10 } from "@cgan/cgan/internal";
 * const test = await loadCifar10({ split: "test", dataDir: "fixtures/cifar10" });
 * assert.deepEqual(test.shape, [32, 32, 3]);
 * assert.equal(test.labels.length, 50);
 * ```
 */
export async function loadCifar10(opts: Cifar10Options): Promise<Dataset> {
  const { limit } = opts;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
    throw new RangeError(
      `Cannot limit dataset "cifar10": expected a positive integer limit, found ${limit}`,
    );
  }
  const root = opts.dataDir ?? opts.cacheDir;
  const hint =
    `pass --data-dir DIR with the CIFAR-10 binary files (${CIFAR10_FOLDER}/ of ${CIFAR10_URL}) or download them into the cache with "deno task download-cifar10"`;
  if (root === undefined) {
    throw new Error(
      `Cannot load CIFAR-10: expected a data folder or a cache folder, found neither; ${hint}`,
    );
  }
  const found = await findSplitFiles(root, opts.split);
  if (found === null) {
    const where = opts.dataDir === undefined ? `the cache "${root}"` : `"${root}"`;
    const wanted = opts.split === "train"
      ? `${CIFAR10_TRAIN_FILES.join(", ")} (at least one)`
      : `${CIFAR10_TEST_FILE} (or ${CIFAR10_TEST_PARTIAL_FILE})`;
    throw new Error(
      `Cannot load CIFAR-10 (${opts.split}) from ${where}: expected ${wanted} there or in ${CIFAR10_FOLDER}/, found none; ${hint}`,
    );
  }
  const paths = found.files.map((f) => join(found.dir, f));
  const counts: number[] = [];
  for (const path of paths) {
    let size: number;
    try {
      size = (await Deno.stat(path)).size;
    } catch (err) {
      throw new Error(`Cannot read "${path}": ${(err as Error).message}`);
    }
    counts.push(recordCount(size, path));
  }
  const total = counts.reduce((a, b) => a + b, 0);
  const n = Math.min(limit ?? total, total);
  const out = { images: new Uint8Array(n * CIFAR10_PIXEL_BYTES), labels: new Uint8Array(n) };
  const read: string[] = [];
  let filled = 0;
  for (const [i, path] of paths.entries()) {
    if (filled >= n) break;
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (err) {
      throw new Error(`Cannot read "${path}": ${(err as Error).message}`);
    }
    if (bytes.length !== counts[i]! * CIFAR10_RECORD_BYTES) {
      throw new Error(
        `Cannot read CIFAR-10 batch "${path}": expected ${
          counts[i]! * CIFAR10_RECORD_BYTES
        } bytes (its size a moment ago), found ${bytes.length}`,
      );
    }
    const take = Math.min(counts[i]!, n - filled);
    decodeRecords(bytes, path, take, out, filled);
    filled += take;
    read.push(found.files[i]!);
  }
  return {
    name: "cifar10",
    images: out.images,
    labels: out.labels,
    shape: [32, 32, 3],
    classNames: [...CIFAR10_CLASSES],
    source: `${found.dir} (${describeFiles(read)}${found.note})`,
  };
}

/**
 * Downloads the official CIFAR-10 binary archive, checks its SHA-256, and unpacks it into
 * `cacheDir` (as `cacheDir/cifar-10-batches-bin/…`) atomically: the files are written to a
 * temporary folder beside it that is renamed into place, replacing an older copy. The six
 * batch files must be in the archive and well formed. On any failure nothing is written.
 *
 * @param cacheDir The folder to unpack into, e.g. {@linkcode cifar10CacheDir}'s.
 * @param opts The fetch to use, the URL and the expected SHA-256 (defaults: the official ones).
 * @returns The folder holding the batch files (`cacheDir/cifar-10-batches-bin`).
 * @throws {Error} If the download fails, the checksum differs, the archive cannot be
 * decompressed or lacks a batch file, or the folder cannot be written.
 * @throws {RangeError} If the tar archive or a batch file in it is corrupt.
 *
 * @example Download into the usual cache, then load the training split
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { cifar10CacheDir, downloadCifar10, loadCifar10 } from "@cgan/cgan/internal";
 * const cacheDir = cifar10CacheDir(Deno.env.toObject())!;
 * await downloadCifar10(cacheDir); // about 170 MB
 * const train = await loadCifar10({ split: "train", cacheDir });
 * assert.equal(train.labels.length, 50000);
 * ```
 */
export async function downloadCifar10(
  cacheDir: string,
  opts: DownloadCifar10Options = {},
): Promise<string> {
  const url = opts.url ?? CIFAR10_URL;
  const fetchFn = opts.fetchFn ?? fetch;
  let archive: Uint8Array;
  try {
    const response = await fetchFn(url);
    if (!response.ok) {
      await response.body?.cancel();
      const text = response.statusText === "" ? "" : ` ${response.statusText}`;
      throw new Error(`expected HTTP 200, found ${response.status}${text}`);
    }
    archive = new Uint8Array(await response.arrayBuffer());
  } catch (err) {
    throw new Error(`Cannot download CIFAR-10 from "${url}": ${(err as Error).message}`, {
      cause: err,
    });
  }
  await verifySha256(archive, opts.sha256 ?? CIFAR10_SHA256, url);
  const entries = readTar(await gunzip(archive, `"${url}"`), url);
  const files: Record<string, Uint8Array> = {};
  for (const entry of entries) files[entry.path.replace(/^(\.\/)+/, "")] = entry.data;
  for (const name of [...CIFAR10_TRAIN_FILES, CIFAR10_TEST_FILE]) {
    const path = `${CIFAR10_FOLDER}/${name}`;
    const data = files[path];
    if (data === undefined) {
      throw new Error(
        `Cannot unpack "${url}": expected "${path}" in the archive, found ${
          entries.length === 0 ? "no files" : entries.map((e) => `"${e.path}"`).join(", ")
        }`,
      );
    }
    checkBatch(data, `${url}: ${path}`);
  }
  await writeDirAtomic(cacheDir, files, { overwrite: true });
  return join(cacheDir, CIFAR10_FOLDER);
}
