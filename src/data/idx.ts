/**
 * Reader for the IDX format of the MNIST family: a 4-byte magic (0, 0, type, rank), `rank`
 * big-endian uint32 dimensions, then the data. Only unsigned bytes (type 0x08) are used by
 * these datasets, so only they are accepted.
 *
 * @module
 */
import type { Dataset } from "./dataset.ts";

/** A parsed IDX file. */
export interface IdxArray {
  /** Dimensions, e.g. `[60000, 28, 28]`. */
  dims: number[];
  /** The values, row-major. */
  data: Uint8Array;
}

const UBYTE = 0x08;
/** Sanity bound on any dimension: larger values mean a corrupt header. */
const MAX_DIM = 1 << 24;

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

/**
 * Parses an unsigned-byte IDX file.
 *
 * @param bytes The file's bytes (already decompressed).
 * @param name The file name, for error messages.
 * @returns Dimensions and data (a view into `bytes`).
 *
 * @example Parse a 2x2 image file
 * ```ts
 * import { parseIdx } from "./idx.ts";
 * const bytes = new Uint8Array([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4]);
 * console.log(parseIdx(bytes, "x.idx").dims); // [2, 2]
 * ```
 */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  if (bytes.length < 4) {
    throw new RangeError(
      `Cannot read IDX file "${name}": expected at least 4 bytes, found ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = bytes[2]!;
  const rank = bytes[3]!;
  if (bytes[0] !== 0 || bytes[1] !== 0 || rank < 1 || rank > 4) {
    throw new TypeError(
      `Cannot read IDX file "${name}": expected magic 0x0000080N (N = rank 1..4), found ${
        hex(magic)
      }`,
    );
  }
  if (type !== UBYTE) {
    throw new TypeError(
      `Cannot read IDX file "${name}": expected unsigned bytes (type 0x08), found type 0x${
        type.toString(16).padStart(2, "0")
      }`,
    );
  }
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    throw new RangeError(
      `Cannot read IDX file "${name}": truncated header, expected ${header} bytes, found ${bytes.length}`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i);
    if (d === 0 || d > MAX_DIM) {
      throw new RangeError(
        `Cannot read IDX file "${name}": dimension ${i} is ${d}, expected 1..${MAX_DIM}`,
      );
    }
    dims.push(d);
  }
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + size) {
    const what = bytes.length < header + size ? "truncated" : "trailing bytes";
    throw new RangeError(
      `Cannot read IDX file "${name}": ${what}, expected ${
        header + size
      } bytes for dims [${dims}], found ${bytes.length}`,
    );
  }
  return { dims, data: bytes.subarray(header) };
}

/**
 * Reads an IDX file, raw or gzip-compressed (detected by the gzip magic bytes).
 *
 * @param path The file.
 * @returns Dimensions and data.
 *
 * @example
 * ```ts ignore
 * const { dims } = await readIdxFile("/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz");
 * ```
 */
export async function readIdxFile(path: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    throw new Error(`Cannot read IDX file "${path}": ${(err as Error).message}`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
        new DecompressionStream("gzip"),
      );
      bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    } catch (err) {
      throw new Error(`Cannot decompress IDX file "${path}": ${(err as Error).message}`);
    }
  }
  return parseIdx(bytes, path);
}

/**
 * Reads an image file and a label file into a {@linkcode Dataset}, checking that counts
 * match and every label is a valid class.
 *
 * @param imagesPath IDX file of rank 3 (`[count, height, width]`) or 4 (with channels).
 * @param labelsPath IDX file of rank 1 (`[count]`).
 * @param opts Dataset name, class names and a source description.
 * @returns The dataset.
 *
 * @example
 * ```ts ignore
 * const ds = await readIdxPair("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", {
 *   name: "mnist", classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
 * });
 * ```
 */
export async function readIdxPair(
  imagesPath: string,
  labelsPath: string,
  opts: { name: string; classNames: string[]; source?: string },
): Promise<Dataset> {
  const images = await readIdxFile(imagesPath);
  const labels = await readIdxFile(labelsPath);
  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw new TypeError(
      `Cannot read images "${imagesPath}": expected rank 3 or 4 ([count, height, width(, channels)]), found dims [${images.dims}]`,
    );
  }
  if (labels.dims.length !== 1) {
    throw new TypeError(
      `Cannot read labels "${labelsPath}": expected rank 1 ([count]), found dims [${labels.dims}]`,
    );
  }
  const count = images.dims[0]!;
  if (labels.dims[0] !== count) {
    throw new RangeError(
      `Cannot pair "${imagesPath}" with "${labelsPath}": expected ${count} labels (one per image), found ${
        labels.dims[0]
      }`,
    );
  }
  const classes = opts.classNames.length;
  const bad = labels.data.findIndex((v) => v >= classes);
  if (bad >= 0) {
    throw new RangeError(
      `Cannot read labels "${labelsPath}": label ${
        labels.data[bad]
      } at index ${bad} is outside 0..${classes - 1}`,
    );
  }
  return {
    name: opts.name,
    images: images.data,
    labels: labels.data,
    shape: [images.dims[1]!, images.dims[2]!, images.dims[3] ?? 1],
    classNames: opts.classNames,
    source: opts.source ?? imagesPath,
  };
}
