/**
 * Paired images in the pix2pix layout (Isola et al. 2017; paper 003): a folder per split
 * (`train/`, `val/`, `test/`) of JPEG or PNG files, each holding a pair side by side, A on the
 * left and B on the right (facades: A is the photo, B the label map, and labels -> photo is
 * `BtoA`). Files are decoded (`src/io/image_file.ts`; gray becomes RGB), split, and resized to the preset's side on the
 * host; `jitterPairs` (`jitter.ts`, re-exported here) is pix2pix's random jitter (upscale
 * 286/256, random crop) and mirroring, the same for both images of a pair.
 *
 * @module
 */
import { convertChannels, decodeImageFile } from "../io/image_file.ts";

export { jitterPairs } from "./jitter.ts";

/** `--direction`: which half of each file is G's input. */
export const DIRECTIONS = ["AtoB", "BtoA"] as const;
/** One of {@linkcode DIRECTIONS}. */
export type Direction = typeof DIRECTIONS[number];

/** Paired images of one split, resized to `shape`. */
export interface PairedDataset {
  /** Dataset name, e.g. "facades". */
  name: string;
  /** G's inputs `[count, h, w, 3]`, uint8, row-major. */
  inputs: Uint8Array;
  /** The matching targets, the same layout. */
  targets: Uint8Array;
  /** `[h, w, 3]` of one image. */
  shape: [number, number, number];
  /** Number of pairs. */
  count: number;
  /** The file of each pair, in order. */
  files: string[];
  /** Where the pairs were read from. */
  source: string;
}

/** Options of {@linkcode loadPaired}. */
export interface PairedOptions {
  /** The dataset folder holding `train/`, `val/`, `test/`. */
  dataDir: string;
  /** Which split. */
  split: "train" | "val" | "test";
  /** Which half is the input. */
  direction: Direction;
  /** Side of the square images after resizing (pix2pix: 256). */
  size: number;
  /** Read only the first N files (in numeric order). */
  limit?: number;
  /** Dataset name (default: the folder's name). */
  name?: string;
}

/**
 * Bilinear resize of interleaved RGB pixels (align-corners off, like tf.image.resizeBilinear).
 *
 * @param pixels `[h, w, 3]` uint8.
 * @param w Source width.
 * @param h Source height.
 * @param size Target side (square).
 * @returns `[size, size, 3]` uint8.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resizeRgb } from "@cgan/cgan/internal";
 * const out = resizeRgb(new Uint8Array(4 * 4 * 3).fill(200), 4, 4, 2);
 * assert.equal(out.length, 12); // 2x2x3
 * assert.equal(out[0], 200);
 * ```
 */
export function resizeRgb(pixels: Uint8Array, w: number, h: number, size: number): Uint8Array {
  if (w === size && h === size) return pixels.slice();
  const out = new Uint8Array(size * size * 3);
  const sy = h / size;
  const sx = w / size;
  for (let y = 0; y < size; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(h - 1, Math.floor(fy));
    const y1 = Math.min(h - 1, y0 + 1);
    const dy = fy - y0;
    for (let x = 0; x < size; x++) {
      const fx = Math.max(0, (x + 0.5) * sx - 0.5);
      const x0 = Math.min(w - 1, Math.floor(fx));
      const x1 = Math.min(w - 1, x0 + 1);
      const dx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const at = (yy: number, xx: number) => pixels[(yy * w + xx) * 3 + c]!;
        const top = at(y0, x0) * (1 - dx) + at(y0, x1) * dx;
        const bottom = at(y1, x0) * (1 - dx) + at(y1, x1) * dx;
        out[(y * size + x) * 3 + c] = Math.round(top * (1 - dy) + bottom * dy);
      }
    }
  }
  return out;
}

/**
 * Decodes one pix2pix pair file (JPEG or PNG) and splits it into its left and right halves.
 *
 * @param bytes The file.
 * @param file Its name, for errors.
 * @returns The halves as RGB, and their size.
 * @throws {SyntaxError} If it is neither a JPEG nor a PNG, or corrupt; {RangeError} if it is
 *   not two squares side by side.
 */
export function splitPair(
  bytes: Uint8Array,
  file: string,
): { left: Uint8Array; right: Uint8Array; side: number } {
  const image = decodeImageFile(bytes, file, { what: "pix2pix pair" });
  const { width, height, data } = convertChannels(image, 3);
  if (width !== 2 * height) {
    throw new RangeError(
      `Cannot read pix2pix pair "${file}": expected two squares side by side (width = 2 x height), found ${width}x${height}`,
    );
  }
  const left = new Uint8Array(height * height * 3);
  const right = new Uint8Array(height * height * 3);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    left.set(data.subarray(row, row + height * 3), y * height * 3);
    right.set(data.subarray(row + height * 3, row + width * 3), y * height * 3);
  }
  return { left, right, side: height };
}

/**
 * Reads a split of a pix2pix dataset: every `*.jpg` (or `.jpeg`, `.png`) of
 * `<dataDir>/<split>/`, in numeric order of their names (1.jpg, 2.jpg, ..., 10.jpg).
 *
 * @param opts Folder, split, direction, size.
 * @returns The pairs, inputs and targets by `direction`.
 *
 * @example
 * ```ts ignore
 * const facades = await loadPaired({ dataDir: "data/facades", split: "train", direction: "BtoA", size: 64 });
 * ```
 */
export async function loadPaired(opts: PairedOptions): Promise<PairedDataset> {
  const dir = `${opts.dataDir.replace(/\/+$/, "")}/${opts.split}`;
  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)].filter((e) => e.isFile && /\.(jpe?g|png)$/i.test(e.name))
      .map((e) => e.name);
  } catch (err) {
    throw new Error(
      `Cannot read pix2pix pairs from "${dir}": ${
        (err as Error).message
      }; expected a folder of A|B JPEG or PNG images`,
    );
  }
  if (names.length === 0) {
    throw new Error(
      `Cannot read pix2pix pairs from "${dir}": expected *.jpg or *.png files, found none`,
    );
  }
  const key = (n: string) => Number(n.match(/\d+/)?.[0] ?? NaN);
  names.sort((a, b) => key(a) - key(b) || a.localeCompare(b));
  if (opts.limit !== undefined) names = names.slice(0, opts.limit);
  const { size } = opts;
  const per = size * size * 3;
  const inputs = new Uint8Array(names.length * per);
  const targets = new Uint8Array(names.length * per);
  for (const [i, name] of names.entries()) {
    const { left, right, side } = splitPair(
      await Deno.readFile(`${dir}/${name}`),
      `${dir}/${name}`,
    );
    const [a, b] = [left, right].map((half) => resizeRgb(half, side, side, size));
    inputs.set(opts.direction === "AtoB" ? a! : b!, i * per);
    targets.set(opts.direction === "AtoB" ? b! : a!, i * per);
  }
  return {
    name: opts.name ?? opts.dataDir.replace(/\/+$/, "").split("/").pop()!,
    inputs,
    targets,
    shape: [size, size, 3],
    count: names.length,
    files: names,
    source: dir,
  };
}
