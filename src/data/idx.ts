/**
 * Reader (and a tiny writer) for the IDX format of the MNIST family: a 4-byte magic number
 * `0x0000TTRR` (element type `TT`, rank `RR`), `RR` big-endian uint32 dimensions, then the
 * values, row-major. These datasets use only unsigned bytes in rank 1 (labels, magic
 * `0x00000801`) and rank 3 (images, magic `0x00000803`), so only those are accepted.
 *
 * @module
 */
import { gunzip } from "../io/gzip.ts";
import type { Dataset } from "./dataset.ts";

/** A parsed IDX file. */
export interface IdxArray {
  /** Dimensions, e.g. `[60000, 28, 28]`. */
  dims: number[];
  /** The values, row-major (a view into the file's bytes). */
  data: Uint8Array;
}

/** How {@linkcode idxToDataset} and {@linkcode readIdxPair} label the dataset. */
export interface IdxPairOptions {
  /** Dataset name, e.g. "mnist". */
  name: string;
  /** Class names; every label must be below their count. */
  classNames: string[];
  /** Where the data came from; default: the images file. */
  source?: string;
}

const UBYTE = 0x08;
const RANKS = [1, 3];
/** Sanity bound on any dimension: larger values mean a corrupt header. */
const MAX_DIM = 1 << 24;
const TYPE_NAMES: Record<number, string> = {
  0x08: "unsigned byte",
  0x09: "signed byte",
  0x0b: "int16",
  0x0c: "int32",
  0x0d: "float32",
  0x0e: "float64",
};

function hex(n: number, digits: number): string {
  return `0x${n.toString(16).padStart(digits, "0")}`;
}

/**
 * Parses an unsigned-byte IDX file of rank 1 or 3, rejecting any other magic number, a
 * zero or absurd dimension, and a length that differs from what the dimensions say.
 *
 * @param bytes The file's bytes (already decompressed).
 * @param name The file name, for error messages.
 * @returns Dimensions and data (a view into `bytes`).
 * @throws {TypeError} On a wrong magic number or an element type other than unsigned byte.
 * @throws {RangeError} On a bad dimension, a truncated file or trailing bytes.
 *
 * @example Parse a file of four labels
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIdx } from "@cgan/cgan/internal";
 * const bytes = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 4, 3, 1, 4, 1]);
 * const { dims, data } = parseIdx(bytes, "labels.idx");
 * assert.deepEqual(dims, [4]);
 * assert.deepEqual(data, new Uint8Array([3, 1, 4, 1]));
 * ```
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  const what = `Cannot read IDX file "${name}"`;
  if (bytes.length < 4) {
    throw new RangeError(
      `${what}: expected at least 4 bytes (the magic number), found ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = bytes[2]!;
  const rank = bytes[3]!;
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new TypeError(
      `${what}: expected magic 0x00000801 or 0x00000803, found ${hex(magic, 8)}`,
    );
  }
  if (type !== UBYTE) {
    const known = TYPE_NAMES[type] === undefined ? "unknown" : TYPE_NAMES[type];
    throw new TypeError(
      `${what}: expected element type 0x08 (unsigned byte), found ${hex(type, 2)} (${known})`,
    );
  }
  if (!RANKS.includes(rank)) {
    throw new TypeError(
      `${what}: expected magic 0x00000801 (rank 1) or 0x00000803 (rank 3), found ${
        hex(magic, 8)
      } (rank ${rank})`,
    );
  }
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    throw new RangeError(
      `${what}: truncated header, expected ${header} bytes, found ${bytes.length}`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i);
    if (d === 0 || d > MAX_DIM) {
      throw new RangeError(`${what}: expected dimension ${i} in 1..${MAX_DIM}, found ${d}`);
    }
    dims.push(d);
  }
  const expected = header + dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) {
    const problem = bytes.length < expected ? "truncated" : "trailing bytes";
    throw new RangeError(
      `${what}: ${problem}, expected ${expected} bytes for dims [${dims}], found ${bytes.length}`,
    );
  }
  return { dims, data: bytes.subarray(header) };
}

/**
 * Encodes unsigned bytes as an IDX file of rank 1 or 3 (the inverse of {@linkcode parseIdx}).
 *
 * @param dims Dimensions: `[count]` or `[count, height, width]`.
 * @param data The values, row-major; their count must be the product of `dims`.
 * @returns The file's bytes.
 * @throws {RangeError} If the rank is not 1 or 3, a dimension is out of range, or `data`
 * has the wrong length.
 *
 * @example Encode three labels
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeIdx } from "@cgan/cgan/internal";
 * const bytes = encodeIdx([3], new Uint8Array([7, 0, 9]));
 * assert.deepEqual(bytes, new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9]));
 * ```
 */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  if (!RANKS.includes(dims.length)) {
    throw new RangeError(`Cannot encode IDX: expected 1 or 3 dims, found [${dims}]`);
  }
  if (dims.some((d) => !Number.isInteger(d) || d < 1 || d > MAX_DIM)) {
    throw new RangeError(`Cannot encode IDX: expected dims in 1..${MAX_DIM}, found [${dims}]`);
  }
  const size = dims.reduce((a, b) => a * b, 1);
  if (data.length !== size) {
    throw new RangeError(
      `Cannot encode IDX: expected ${size} values for dims [${dims}], found ${data.length}`,
    );
  }
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + size);
  const view = new DataView(out.buffer);
  view.setUint32(0, (UBYTE << 8) | dims.length);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, header);
  return out;
}

/**
 * Reads the bytes of an IDX file, raw or gzip-compressed (detected by the gzip magic bytes
 * `1f 8b`, and undone).
 *
 * @param path The file.
 * @returns The file's IDX bytes, for {@linkcode parseIdx}.
 * @throws {Error} If the file cannot be read or decompressed, naming it.
 *
 * @example Read a label file of the MNIST fixture
 * ```ts
 * import assert from "node:assert/strict";
 * import { readIdxBytes } from "@cgan/cgan/internal";
 * const bytes = await readIdxBytes("fixtures/mnist/t10k-labels-idx1-ubyte");
 * assert.deepEqual(bytes.subarray(0, 4), new Uint8Array([0, 0, 8, 1])); // unsigned bytes, rank 1
 * ```
 */
export async function readIdxBytes(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    throw new Error(`Cannot read IDX file "${path}": ${(err as Error).message}`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = await gunzip(bytes, `IDX file "${path}"`);
  return bytes;
}

/**
 * Reads an IDX file, raw or gzip-compressed (detected by the gzip magic bytes `1f 8b`).
 *
 * @param path The file.
 * @returns Dimensions and data.
 * @throws {Error} If the file cannot be read or decompressed; see {@linkcode parseIdx} for
 * format errors. Every message names the file.
 *
 * @example Read a gzip-compressed label file
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { readIdxFile } from "@cgan/cgan/internal";
 * const { dims } = await readIdxFile("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
 * assert.deepEqual(dims, [10000]);
 * ```
 */
export async function readIdxFile(path: string): Promise<IdxArray> {
  return parseIdx(await readIdxBytes(path), path);
}

/**
 * Pairs parsed image and label arrays into a {@linkcode Dataset}, checking ranks, that
 * there is one label per image and that every label is a valid class.
 *
 * @param images `[count, height, width]` pixels, from the file `files[0]`.
 * @param labels `[count]` class indices, from the file `files[1]`.
 * @param opts Dataset name, class names, source, and the two file names for messages.
 * @returns The dataset (one channel; views of the arrays' data).
 * @throws {TypeError} If a rank is wrong.
 * @throws {RangeError} On a count mismatch or a label outside `0..classNames.length - 1`.
 *
 * @example Pair two images with their labels
 * ```ts
 * import assert from "node:assert/strict";
 * import { idxToDataset } from "@cgan/cgan/internal";
 * const ds = idxToDataset(
 *   { dims: [2, 1, 2], data: new Uint8Array([0, 255, 255, 0]) },
 *   { dims: [2], data: new Uint8Array([1, 0]) },
 *   { name: "toy", classNames: ["a", "b"], files: ["img.idx", "lbl.idx"] },
 * );
 * assert.deepEqual(ds.shape, [1, 2, 1]);
 * ```
 */
export function idxToDataset(
  images: IdxArray,
  labels: IdxArray,
  opts: IdxPairOptions & { files: [string, string] },
): Dataset {
  const [imagesFile, labelsFile] = opts.files;
  if (images.dims.length !== 3) {
    throw new TypeError(
      `Cannot read images "${imagesFile}": expected dims [count, height, width], found [${images.dims}]`,
    );
  }
  if (labels.dims.length !== 1) {
    throw new TypeError(
      `Cannot read labels "${labelsFile}": expected dims [count], found [${labels.dims}]`,
    );
  }
  const count = images.dims[0]!;
  if (labels.dims[0] !== count) {
    throw new RangeError(
      `Cannot pair "${imagesFile}" with "${labelsFile}": expected ${count} labels (one per image), found ${
        labels.dims[0]
      }`,
    );
  }
  const classes = opts.classNames.length;
  const bad = labels.data.findIndex((v) => v >= classes);
  if (bad >= 0) {
    throw new RangeError(
      `Cannot read labels "${labelsFile}": expected labels in 0..${classes - 1}, found ${
        labels.data[bad]
      } at index ${bad}`,
    );
  }
  return {
    name: opts.name,
    images: images.data,
    labels: labels.data,
    shape: [images.dims[1]!, images.dims[2]!, 1],
    classNames: opts.classNames,
    source: opts.source ?? imagesFile,
  };
}

/**
 * Reads an image file and a label file (each raw or gzip) into a {@linkcode Dataset}; see
 * {@linkcode idxToDataset} for the checks.
 *
 * @param imagesPath IDX file of rank 3 (`[count, height, width]`).
 * @param labelsPath IDX file of rank 1 (`[count]`).
 * @param opts Dataset name, class names and source.
 * @returns The dataset.
 *
 * @example Read the MNIST test fixture
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { readIdxPair } from "@cgan/cgan/internal";
 * const ds = await readIdxPair(
 *   "fixtures/mnist/t10k-images-idx3-ubyte",
 *   "fixtures/mnist/t10k-labels-idx1-ubyte",
 *   { name: "mnist", classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"] },
 * );
 * assert.equal(ds.labels.length, 200);
 * ```
 */
export async function readIdxPair(
  imagesPath: string,
  labelsPath: string,
  opts: IdxPairOptions,
): Promise<Dataset> {
  const [images, labels] = await Promise.all([readIdxFile(imagesPath), readIdxFile(labelsPath)]);
  return idxToDataset(images, labels, { ...opts, files: [imagesPath, labelsPath] });
}
