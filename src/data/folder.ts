/**
 * A folder of your own images as a labelled dataset (`--dataset folder --data-dir DIR`), in the
 * layout of torchvision's `ImageFolder` and Keras' `image_dataset_from_directory`: one
 * subfolder per class, named after the class (classes in sorted order), holding PNG and JPEG
 * files of any size, at any depth. Each image is centre-cropped to a square and resized to
 * `size` (default 32 for colour, 28 for gray) with `channels` channels (default 3 if any image
 * has colour, else 1; the others are converted and counted). Images are interleaved across
 * classes (one of each class in turn), so the first N images cover every class.
 *
 * Decoding happens once: the result is cached beside the data, in
 * `DIR/.cgan-cache-<size>-<channels>.bin` (a checksummed uint8 array), and re-used while the
 * folder's manifest (each image's relative path, size and modification time) is unchanged.
 * Hidden files and folders (names starting with ".") are not read.
 *
 * @module
 */
import { basename } from "node:path";
import { sha256Hex } from "../io/hash.ts";
import { convertChannels, decodeImageFile, imageFileInfo } from "../io/image_file.ts";
import { centerCropResize } from "../io/resize.ts";
import { type CacheHeader, readCacheFile, readCacheHeader, writeCacheFile } from "./_cache_file.ts";
import type { Dataset } from "./dataset.ts";

/** Files read as images, by name. */
const IMAGE_NAME = /\.(png|jpe?g)$/i;
/** Format of the cache file; a different one is rebuilt. */
const CACHE_VERSION = 1;
/** Bytes read to find an image's header before its channels are known (a JPEG's may lie later). */
const HEADER_BYTES = 64 * 1024;

/** Options of {@linkcode loadFolder}. */
export interface FolderOptions {
  /** The folder holding one subfolder of images per class. */
  dataDir: string;
  /** Side of the square images; 0 or absent: 32 for colour, 28 for gray. */
  size?: number;
  /** 1 (gray) or 3 (RGB); 0 or absent: 3 if any image has colour, else 1. */
  channels?: number;
  /** Leave out unreadable images (listed in the report) instead of stopping. */
  skipBad?: boolean;
  /**
   * Accept a folder of images without class subfolders, as one class named after the folder
   * (for an unconditional model).
   */
  flat?: boolean;
  /**
   * Refuse, before decoding, a dataset whose images would take more than this many bytes as
   * float32 training tensors (the form training holds them in). Default: no limit.
   */
  maxBytes?: number;
  /** Called after each decoded image: `(done, total)`. */
  onProgress?: (done: number, total: number) => void;
}

/** An image that could not be read. */
export interface BadImage {
  /** Its path. */
  file: string;
  /** What was wrong, in one line that names the file. */
  reason: string;
}

/** What {@linkcode loadFolder} found besides the images. */
export interface FolderReport {
  /** Files left out because they are not PNG/JPEG files inside a class folder (relative paths). */
  ignored: string[];
  /** Images converted to the dataset's channels (gray to RGB, or RGB to gray). */
  converted: number;
  /** Unreadable images left out (with `skipBad`). */
  skipped: BadImage[];
  /**
   * The cache file, whether it was re-used, and what happened to it in words ("re-used (the
   * folder is unchanged)", "written (no cache yet)", "rewritten (the folder changed)", "not
   * written (...)").
   */
  cache: { file: string; reused: boolean; note: string };
}

/** A folder dataset and its report. */
export interface FolderLoad {
  /** The images, labels, shape and class names. */
  dataset: Dataset;
  /** Ignored files, conversions, skipped images and the cache's fate. */
  report: FolderReport;
}

interface ImageEntry {
  /** Full path. */
  path: string;
  /** Path relative to the dataset folder. */
  rel: string;
  /** Class index. */
  label: number;
  /** Size in bytes and modification time, for the manifest. */
  size: number;
  mtime: number;
}

interface FolderCacheHeader extends CacheHeader {
  version: number;
  manifest: string;
  shape: [number, number, number];
  count: number;
  classNames: string[];
  converted: number;
  bad: BadImage[];
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The visible entries of a folder, symlinks followed, sorted by name. */
async function entries(
  dir: string,
): Promise<{ name: string; isDir: boolean; info: Deno.FileInfo }[]> {
  const out = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.name.startsWith(".")) continue;
    const info = await Deno.stat(`${dir}/${e.name}`);
    out.push({ name: e.name, isDir: info.isDirectory, info });
  }
  return out.sort((a, b) => byName(a.name, b.name));
}

/**
 * The image files of `label`'s folder `rel` of `root` at any depth, and its other files (paths
 * relative to `root`).
 */
async function walk(
  root: string,
  folder: { rel: string; label: number },
): Promise<{ images: ImageEntry[]; others: string[] }> {
  const { rel, label } = folder;
  const found = { images: [] as ImageEntry[], others: [] as string[] };
  for (const e of await entries(rel === "" ? root : `${root}/${rel}`)) {
    const path = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDir) {
      const inner = await walk(root, { rel: path, label });
      found.images.push(...inner.images);
      found.others.push(...inner.others);
    } else if (IMAGE_NAME.test(e.name)) {
      const mtime = e.info.mtime?.getTime() ?? 0;
      found.images.push({ path: `${root}/${path}`, rel: path, label, size: e.info.size, mtime });
    } else {
      found.others.push(path);
    }
  }
  return found;
}

/** How class names are compared for collisions: Unicode NFC, trimmed, lower case. */
function normalClassName(name: string): string {
  return name.normalize("NFC").trim().toLowerCase();
}

/** Lists the classes and their images; throws on a folder that holds no usable classes. */
async function scanFolder(
  dir: string,
  flat: boolean,
): Promise<{ classNames: string[]; images: ImageEntry[][]; ignored: string[] }> {
  let top;
  try {
    top = await entries(dir);
  } catch (err) {
    throw new Error(
      `Cannot read folder dataset "${dir}": ${(err as Error).message}; expected a folder ` +
        `with one subfolder of PNG/JPEG images per class`,
    );
  }
  const files = top.filter((e) => !e.isDir).map((e) => e.name);
  const classDirs = top.filter((e) => e.isDir).map((e) => e.name);
  const topImages = files.filter((f) => IMAGE_NAME.test(f));
  if (classDirs.length === 0) {
    if (flat && topImages.length > 0) {
      const found = await walk(dir, { rel: "", label: 0 });
      return { classNames: [basename(dir)], images: [found.images], ignored: found.others };
    }
    throw new Error(
      `Cannot read folder dataset "${dir}": expected one subfolder of PNG/JPEG images per ` +
        `class, found no subfolders${
          topImages.length > 0
            ? ` but ${topImages.length} images at its top level (train on them without ` +
              `classes with --unconditional)`
            : ""
        }`,
    );
  }
  const seen = new Map<string, string>();
  for (const name of classDirs) {
    const key = normalClassName(name);
    const other = seen.get(key);
    if (other !== undefined) {
      throw new Error(
        `Cannot read folder dataset "${dir}": class folders "${other}" and "${name}" name the ` +
          `same class (names are compared ignoring case and surrounding spaces); rename one`,
      );
    }
    seen.set(key, name);
  }
  const images: ImageEntry[][] = [];
  const ignored = [...files];
  for (const [label, name] of classDirs.entries()) {
    const found = await walk(dir, { rel: name, label });
    if (found.images.length === 0) {
      throw new Error(
        `Cannot read folder dataset "${dir}": class folder "${name}" holds no PNG or JPEG ` +
          `images${found.others.length > 0 ? ` (only ${found.others.join(", ")})` : ""}`,
      );
    }
    images.push(found.images);
    ignored.push(...found.others);
  }
  return { classNames: classDirs, images, ignored };
}

/** One of each class in turn until every class is used up. */
function interleave(perClass: ImageEntry[][]): ImageEntry[] {
  const out: ImageEntry[] = [];
  const longest = Math.max(...perClass.map((c) => c.length));
  for (let i = 0; i < longest; i++) {
    for (const images of perClass) if (i < images.length) out.push(images[i]!);
  }
  return out;
}

/**
 * The channels and side a folder's images get: the options, else what the images' headers say
 * (and the images whose header is unreadable).
 */
async function resolveShape(
  images: ImageEntry[],
  opts: { size: number; channels: number },
): Promise<{ size: number; channels: 1 | 3; bad: BadImage[] }> {
  const bad: BadImage[] = [];
  let channels = opts.channels;
  if (channels === 0) {
    channels = 1;
    for (const image of images) {
      const head = await readHead(image.path).catch((err: Error) => err);
      const info = head instanceof Error ? null : imageFileInfo(head);
      if (info === null) bad.push({ file: image.path, reason: await badReason(image.path) });
      else if (info.channels === 3) channels = 3;
    }
  }
  const c = channels as 1 | 3;
  return { size: opts.size || (c === 3 ? 32 : 28), channels: c, bad };
}

async function readHead(path: string): Promise<Uint8Array> {
  const file = await Deno.open(path, { read: true });
  try {
    const buf = new Uint8Array(HEADER_BYTES);
    let at = 0;
    while (at < buf.length) {
      const got = await file.read(buf.subarray(at));
      if (got === null) break;
      at += got;
    }
    const head = buf.subarray(0, at);
    // A JPEG whose frame header lies beyond the first bytes (large metadata): read it all.
    return at === HEADER_BYTES && imageFileInfo(head) === null ? await Deno.readFile(path) : head;
  } finally {
    file.close();
  }
}

/** Why an image cannot be read (decoding it, or reading the file, fails). */
async function badReason(path: string): Promise<string> {
  try {
    decodeImageFile(await Deno.readFile(path), path);
    return `Cannot read image "${path}": expected an image header, found none`;
  } catch (err) {
    return (err as Error).message;
  }
}

function mib(bytes: number): string {
  return bytes >= 1024 ** 3
    ? `${(bytes / 1024 ** 3).toFixed(1)} GiB`
    : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

function checkBudget(
  dir: string,
  { count, shape, maxBytes }: { count: number; shape: number[]; maxBytes: number },
): void {
  const bytes = count * shape.reduce((a, b) => a * b, 1) * 4;
  if (bytes > maxBytes) {
    throw new RangeError(
      `Cannot load folder dataset "${dir}": ${count} images at ${shape.join("x")} take ` +
        `${mib(bytes)} as float32 training tensors, above the limit of ${mib(maxBytes)} ` +
        `(--max-data-mb); use a smaller --size, fewer images, or raise --max-data-mb`,
    );
  }
}

/**
 * Reads a folder of class subfolders of PNG/JPEG images as a {@linkcode Dataset}, decoding them
 * once into a cache file beside the data and re-using it while the folder is unchanged.
 *
 * @param opts The folder, the size and channels wanted, and how to treat bad input.
 * @returns The dataset (named after the folder, images interleaved across classes) and a report
 *   of ignored files, converted and skipped images and the cache.
 * @throws {Error} Naming the folder, file or flag: an unreadable folder, no class folders, a
 *   class folder without images, two class names that differ only in case or spaces, an
 *   unreadable image (unless `skipBad`); {RangeError} for a dataset above `maxBytes`.
 *
 * @example Read two classes of tiny PNGs
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodePng, loadFolder } from "@cgan/cgan";
 * const dir = await Deno.makeTempDir();
 * for (const [name, value] of [["dark", 20], ["light", 230]] as const) {
 *   await Deno.mkdir(`${dir}/${name}`);
 *   await Deno.writeFile(`${dir}/${name}/a.png`, encodePng(new Uint8Array(64).fill(value), 8, 8, 1));
 * }
 * const { dataset } = await loadFolder({ dataDir: dir, size: 4 });
 * assert.deepEqual(dataset.classNames, ["dark", "light"]);
 * assert.deepEqual(dataset.shape, [4, 4, 1]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadFolder(opts: FolderOptions): Promise<FolderLoad> {
  const dir = opts.dataDir.replace(/(.)\/+$/, "$1");
  const size = opts.size ?? 0;
  const wanted = opts.channels ?? 0;
  if (!Number.isInteger(size) || size < 0) {
    throw new RangeError(`Invalid --size "${size}": expected a positive integer (0 = default)`);
  }
  if (![0, 1, 3].includes(wanted)) {
    throw new RangeError(`Invalid --channels "${wanted}": expected 1 (gray) or 3 (RGB)`);
  }
  const maxBytes = opts.maxBytes ?? Infinity;
  const scan = await scanFolder(dir, opts.flat ?? false);
  const { classNames } = scan;
  const images = interleave(scan.images);
  const manifest = await sha256Hex(new TextEncoder().encode(
    [
      `cgan folder ${CACHE_VERSION} ${JSON.stringify(classNames)}`,
      ...images.map((e) => `${e.label}\t${e.rel}\t${e.size}\t${e.mtime}`),
    ].join("\n"),
  ));
  const cacheFile = `${dir}/.cgan-cache-${size || "auto"}-${wanted || "auto"}.bin`;
  const report = (
    cache: FolderReport["cache"],
    header: { converted: number; bad: BadImage[] },
  ) => ({ ignored: scan.ignored, converted: header.converted, skipped: header.bad, cache });

  // Re-use the cache when the folder is unchanged.
  let note: string;
  const head = await readCacheHeader<FolderCacheHeader>(cacheFile);
  if ("problem" in head) {
    note = head.problem === "none yet" ? "written (no cache yet)" : `rewritten (${head.problem})`;
  } else if (head.header.version !== CACHE_VERSION) {
    note = `rewritten (format ${head.header.version}, expected ${CACHE_VERSION})`;
  } else if (head.header.manifest !== manifest) {
    note = "rewritten (the folder changed)";
  } else {
    checkBudget(dir, { ...head.header, maxBytes });
    const cached = await readCacheFile<FolderCacheHeader>(cacheFile);
    if ("problem" in cached) {
      note = `rewritten (${cached.problem})`;
    } else {
      const { header, payload } = cached;
      throwOnBad(dir, header.bad, opts.skipBad ?? false);
      return {
        dataset: folderDataset(dir, header, payload),
        report: report(
          { file: cacheFile, reused: true, note: "re-used (the folder is unchanged)" },
          header,
        ),
      };
    }
  }

  // Decode every image once.
  const resolved = await resolveShape(images, { size, channels: wanted });
  const { size: side, channels } = resolved;
  const bad = new Map(resolved.bad.map((b) => [b.file, b]));
  const shape: [number, number, number] = [side, side, channels];
  checkBudget(dir, { count: images.length, shape, maxBytes });
  const per = side * side * channels;
  let payload = new Uint8Array(images.length * (1 + per));
  let [count, converted] = [0, 0];
  for (const [i, image] of images.entries()) {
    if (!bad.has(image.path)) {
      try {
        const decoded = decodeImageFile(await Deno.readFile(image.path), image.path);
        if (decoded.channels !== channels) converted++;
        const pixels = centerCropResize(convertChannels(decoded, channels), side);
        payload.set(pixels, images.length + count * per);
        payload[count++] = image.label;
      } catch (err) {
        const reason =
          err instanceof Deno.errors.NotFound || err instanceof Deno.errors.PermissionDenied
            ? `Cannot read image "${image.path}": ${(err as Error).message}`
            : (err as Error).message;
        bad.set(image.path, { file: image.path, reason });
      }
    }
    opts.onProgress?.(i + 1, images.length);
  }
  if (count < images.length) {
    // Close the gaps the unreadable images left: labels, then images.
    const compact = new Uint8Array(count * (1 + per));
    compact.set(payload.subarray(0, count));
    compact.set(payload.subarray(images.length, images.length + count * per), count);
    payload = compact;
  }
  const header = {
    version: CACHE_VERSION,
    manifest,
    shape,
    count,
    classNames,
    converted,
    // In the dataset's order, whether the header or the decoder found them.
    bad: images.flatMap((image) => bad.get(image.path) ?? []),
  };
  let written = note;
  try {
    await writeCacheFile(cacheFile, header, payload);
  } catch (err) {
    written = `not written (${(err as Error).message})`;
  }
  throwOnBad(dir, header.bad, opts.skipBad ?? false);
  if (count === 0) {
    throw new Error(
      `Cannot load folder dataset "${dir}": none of its ${images.length} images could be read`,
    );
  }
  return {
    dataset: folderDataset(dir, header, payload),
    report: report({ file: cacheFile, reused: false, note: written }, header),
  };
}

function throwOnBad(dir: string, bad: BadImage[], skip: boolean): void {
  if (bad.length === 0 || skip) return;
  const more = bad.length > 1 ? ` (and ${bad.length - 1} more unreadable images in "${dir}")` : "";
  throw new Error(
    `${bad[0]!.reason}${more}; fix or remove it, or skip unreadable images with --skip-bad`,
  );
}

function folderDataset(
  dir: string,
  header: { count: number; shape: [number, number, number]; classNames: string[] },
  payload: Uint8Array,
): Dataset {
  const { count } = header;
  return {
    name: basename(dir),
    labels: payload.subarray(0, count),
    images: payload.subarray(count),
    shape: header.shape,
    classNames: header.classNames,
    source: dir,
  };
}

/**
 * A folder dataset's held-out split: every `every`-th image of each class (its 1st, its
 * (every+1)-th, ...) is the test split, the rest the training split, both in the dataset's
 * order. A folder has no test split of its own; this one is what an evaluator trained on the
 * folder is tested on, and what generated images are compared with.
 *
 * @param ds The whole folder.
 * @param every One test image in this many, per class (e.g. 10).
 * @returns The two splits (copies).
 *
 * @example Hold out one image in two
 * ```ts
 * import assert from "node:assert/strict";
 * import { holdOut } from "@cgan/cgan/internal";
 * const ds = { name: "toy", images: new Uint8Array([0, 1, 2, 3]), labels: new Uint8Array([0, 1, 0, 1]),
 *   shape: [1, 1, 1] as [number, number, number], classNames: ["a", "b"], source: "memory" };
 * const { train, test } = holdOut(ds, 2);
 * assert.deepEqual(test.images, new Uint8Array([0, 1]));
 * assert.deepEqual(train.images, new Uint8Array([2, 3]));
 * ```
 */
export function holdOut(ds: Dataset, every: number): { train: Dataset; test: Dataset } {
  const per = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const rank = new Array<number>(ds.classNames.length).fill(0);
  const picks: [number[], number[]] = [[], []];
  ds.labels.forEach((label, i) => picks[rank[label]!++ % every === 0 ? 1 : 0].push(i));
  const [train, test] = picks.map((idx) => {
    const images = new Uint8Array(idx.length * per);
    idx.forEach((i, j) => images.set(ds.images.subarray(i * per, (i + 1) * per), j * per));
    return { ...ds, images, labels: Uint8Array.from(idx, (i) => ds.labels[i]!) };
  });
  return { train: train!, test: test! };
}
