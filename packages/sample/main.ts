/**
 * `@cgan/sample`: draw digits (or other classes) from a pretrained conditional generator that
 * ships inside this package, print them in the terminal and save them as PNG.
 *
 * ```sh
 * deno run -A jsr:@cgan/sample --digit 5
 * deno run -A jsr:@cgan/sample --digit 5 --count 200 --seed 7 --out-dir fives/
 * deno run -A jsr:@cgan/sample --weights runs/my-run --class 3      # a generator of your own
 * deno run -A jsr:@cgan/sample --weights runs/my-folder-run --class tulip  # classes by name
 * ```
 *
 * In a checkout the same CLI is `deno task sample`.
 *
 * @example Run the CLI from code
 * ```ts ignore
 * import { main } from "jsr:@cgan/sample";
 * const exitCode = await main(["--digit", "5", "--out", "five.png"]);
 * ```
 *
 * @module
 */
import {
  DATASET_CLASSES,
  DATASET_NAMES,
  describeBackend,
  encodePng,
  generatorInfo,
  imageGrid,
  initBackend,
  isDatasetName,
  loadGenerator,
  parseBackendName,
  renderImage,
  sampleImages,
  terminalMode,
  toUint8Pixels,
  writeFileAtomic,
} from "@cgan/cgan/generator";
import { intFlag, parseFlags, runTask } from "@cgan/cgan/task";
import { describeGenerators, GENERATORS, generatorUrl, pretrainedUrl } from "./pretrained.ts";

const HELP = `Draw samples of one class from a conditional generator.

Usage: sample (--digit N | --class NAME|N | --all) [flags]
  --digit N           MNIST digit 0-9
  --class NAME|N      class name or index (e.g. --class Sneaker for Fashion-MNIST; a run on
                      your own folder takes its class folders' names)
  --all               every class, a row each; column j of every row shares one z, so the
                      rows differ by the class alone (--count columns, default 10)
  --dataset NAME      mnist | fashion | cifar10 (default: the generator's recorded classes,
                      else its run's dataset, else mnist)
  --generator NAME    a shipped generator (default: the dataset's first below)
  --weights PATH|URL  your own generator instead: a run directory, a checkpoint, a model folder,
                      or a model.json URL
  --count K           how many samples (default: 1)
  --seed S            seed of the noise (default: 0)
  --out FILE.png      the samples as one PNG grid (default: sample.png)
  --out-dir DIR       also one PNG per sample at native resolution
  --backend NAME      auto | webgpu | wasm | cpu (default: auto)
  -h, --help          show this help

Examples (from JSR, deno run -A jsr:@cgan/sample in place of deno task sample):
  deno task sample --digit 5 --count 10 --out fives.png
  deno task sample --dataset fashion --class Sneaker --count 4

Shipped generators, with their recorded scores (cgan's own evaluators, not Inception; the
gate reads 1,000 samples, FID compares 10,000 with the test images):
${describeGenerators().map((line) => `  ${line}`).join("\n")}`;

/** The dataset and class names a run directory's config.json records, if it is one. */
async function runRecord(weights: string): Promise<{ dataset?: string; classNames?: string[] }> {
  try {
    const text = await Deno.readTextFile(`${weights.replace(/\/+$/, "")}/config.json`);
    const record = JSON.parse(text);
    return { dataset: record.config?.dataset, classNames: record.classNames };
  } catch {
    return {};
  }
}

/** The class names a generator's model file records (training writes them), if any. */
function recordedClassNames(metadata: object | undefined): string[] | undefined {
  const names = (metadata as { classNames?: unknown } | undefined)?.classNames;
  return Array.isArray(names) && names.every((n) => typeof n === "string") ? names : undefined;
}

function resolveClass(raw: string, names: readonly string[], flag: string): number {
  const byName = names.findIndex((n) => n.toLowerCase() === raw.toLowerCase());
  if (byName >= 0) return byName;
  const n = Number(raw);
  if (raw.trim() !== "" && Number.isInteger(n) && n >= 0 && n < names.length) return n;
  // A class of another built-in dataset (--class Sneaker on MNIST): say which --dataset has it.
  const other = DATASET_NAMES.find((d) =>
    DATASET_CLASSES[d].some((n) => n.toLowerCase() === raw.toLowerCase())
  );
  throw new RangeError(
    `Invalid ${flag} "${raw}": expected ${
      flag === "--digit" ? "a digit 0-9" : `one of ${names.join(", ")} or 0-${names.length - 1}`
    }${other === undefined ? "" : `; "${raw}" is a ${other} class: add --dataset ${other}`}`,
  );
}

/** One line on an exported generator's quality gate (from its model.json), or null. */
function gateLine(metadata: object | undefined): string | null {
  const cgan = (metadata as { cgan?: Record<string, unknown> } | undefined)?.cgan;
  const gate = cgan?.gate as
    | {
      n: number;
      accuracy: number;
      minRatio: number;
      passed: boolean;
      thresholds: { minAccuracy: number };
    }
    | undefined;
  if (cgan === undefined || gate === undefined) return null;
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return `generator: ${cgan.model} on ${cgan.dataset}, step ${cgan.step}; quality gate ${
    gate.passed ? "passed" : "not met"
  }: cgan's evaluator reads ${pct(gate.accuracy)} of ${gate.n} samples as the requested class ` +
    `(needs ${pct(gate.thresholds.minAccuracy)}), diversity ratio >= ${gate.minRatio.toFixed(2)}`;
}

/**
 * Runs the sample CLI.
 *
 * @param args Command-line arguments (e.g. `Deno.args`).
 * @returns The exit code (0). Bad flags and missing weights throw an Error whose message
 *   names the flag or file; {@linkcode runTask} prints it as one line and exits 2.
 *
 * @example
 * ```ts ignore
 * await main(["--digit", "5", "--count", "10", "--out", "fives.png"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const values = parseFlags(args, {
    weights: { type: "string" },
    generator: { type: "string" },
    digit: { type: "string" },
    class: { type: "string" },
    all: { type: "boolean", default: false },
    dataset: { type: "string" },
    count: { type: "string" },
    seed: { type: "string", default: "0" },
    out: { type: "string", default: "sample.png" },
    "out-dir": { type: "string" },
    backend: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const picked = [values.digit, values.class].filter((v) => v !== undefined).length +
    (values.all ? 1 : 0);
  if (picked !== 1) {
    throw new TypeError("Expected exactly one of --digit N, --class NAME|N or --all; see --help");
  }
  if (values.all && values["out-dir"] !== undefined) {
    throw new TypeError("Cannot use --out-dir with --all: --all writes one grid (--out)");
  }
  if (values.weights !== undefined && values.generator !== undefined) {
    throw new TypeError(
      "Cannot combine --weights with --generator: --generator picks a shipped generator",
    );
  }
  const shipped = values.generator === undefined ? undefined : generatorUrl(values.generator);
  const shippedDataset = values.generator === undefined
    ? undefined
    : GENERATORS[values.generator]!.dataset;
  if (shippedDataset !== undefined && values.dataset !== undefined) {
    if (values.dataset !== shippedDataset) {
      throw new TypeError(
        `Cannot use --dataset ${values.dataset} with --generator ${values.generator}: it draws ${shippedDataset}`,
      );
    }
  }
  const run = values.weights === undefined ? {} : await runRecord(values.weights);
  const dataset = values.dataset ?? shippedDataset ?? run.dataset ?? "mnist";
  // A run on a folder (or on data from code) names its own classes; other names are checked here.
  if (!isDatasetName(dataset) && dataset !== run.dataset) {
    throw new RangeError(
      `Invalid --dataset "${dataset}": expected one of ${DATASET_NAMES.join(", ")}`,
    );
  }
  if (values.digit !== undefined && dataset !== "mnist") {
    throw new TypeError(`Cannot use --digit with --dataset ${dataset}: use --class`);
  }
  const count = intFlag("count", values.count ?? (values.all ? "10" : "1"), 1);
  const seed = intFlag("seed", values.seed, 0);
  if (!values.out.endsWith(".png")) {
    throw new TypeError(`Invalid --out "${values.out}": expected a .png file name`);
  }
  const weights = values.weights ?? shipped ?? pretrainedUrl(dataset);

  const backend = await initBackend({
    requested: parseBackendName(values.backend ?? Deno.env.get("CGAN_BACKEND"), "--backend"),
  });
  const gen = await loadGenerator(weights);
  const info = generatorInfo(gen);
  const names =
    (values.dataset === undefined
      ? recordedClassNames(gen.getUserDefinedMetadata()) ?? run.classNames
      : undefined) ?? (isDatasetName(dataset) ? DATASET_CLASSES[dataset] : undefined);
  if (names === undefined) {
    throw new TypeError(
      `Cannot sample "${weights}": its model.json records no class names and its run's dataset ` +
        `"${dataset}" has none built in; pass --dataset ${DATASET_NAMES.join("|")}`,
    );
  }
  if (info.numClasses !== names.length) {
    throw new RangeError(
      `Cannot sample "${weights}" as ${dataset}: the generator knows ${info.numClasses} classes, ${dataset} has ${names.length}`,
    );
  }
  const label = values.all
    ? -1
    : values.digit !== undefined
    ? resolveClass(values.digit, names, "--digit")
    : resolveClass(values.class!, names, "--class");
  const mode = terminalMode({
    noColor: Deno.env.get("NO_COLOR"),
    colorTerm: Deno.env.get("COLORTERM"),
    isTerminal: Deno.stdout.isTerminal(),
  });
  if (values.all) {
    // The same seed and count draw the same z for every class: column j shares z_j.
    const rows = [];
    for (let c = 0; c < names.length; c++) {
      rows.push(await sampleImages(gen, new Array(count).fill(c), seed));
    }
    const all = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
    rows.forEach((r, c) => all.set(r, c * r.length));
    const total = count * names.length;
    const grid = imageGrid(all, total, info.imageShape, { cols: count, pad: 1, background: 0 });
    console.log(renderImage(grid.pixels, grid.width, grid.height, grid.channels, mode));
    console.log(
      `${names.join(", ")}: a row each, x${count}, seed ${seed}; ${describeBackend(backend)}`,
    );
    const gate = gateLine(gen.getUserDefinedMetadata());
    if (gate !== null) console.log(gate);
    const big = imageGrid(all, total, info.imageShape, { cols: count, pad: 2, scale: 2 });
    await writeFileAtomic(values.out, encodePng(big.pixels, big.width, big.height, big.channels));
    console.log(`wrote ${values.out}`);
    gen.dispose();
    return 0;
  }
  const images = await sampleImages(gen, new Array(count).fill(label), seed);
  const [h, w, c] = info.imageShape;

  const cols = Math.min(count, 10);
  const grid = imageGrid(images, count, info.imageShape, { cols, pad: 1, background: 0 });
  console.log(renderImage(grid.pixels, grid.width, grid.height, grid.channels, mode));
  console.log(`${names[label]} x${count}, seed ${seed}; ${describeBackend(backend)}`);
  const gate = gateLine(gen.getUserDefinedMetadata());
  if (gate !== null) console.log(gate);

  const big = imageGrid(images, count, info.imageShape, { cols, pad: 2, scale: 4 });
  await writeFileAtomic(values.out, encodePng(big.pixels, big.width, big.height, big.channels));
  console.log(`wrote ${values.out}`);
  const outDir = values["out-dir"];
  if (outDir !== undefined) {
    await Deno.mkdir(outDir, { recursive: true });
    const size = h * w * c;
    for (let i = 0; i < count; i++) {
      const pixels = toUint8Pixels(images.subarray(i * size, (i + 1) * size));
      const file = `${outDir}/${label}-${String(i).padStart(5, "0")}.png`;
      await writeFileAtomic(file, encodePng(pixels, w, h, c as 1 | 3 | 4));
    }
    console.log(`wrote ${count} PNGs to ${outDir}`);
  }
  gen.dispose();
  return 0;
}

if (import.meta.main) await runTask(() => main(Deno.args), (key) => Deno.env.get(key));
