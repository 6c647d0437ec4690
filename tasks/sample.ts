/**
 * `deno task sample --weights RUN --digit 5`: draws samples of a class from a trained
 * generator, prints them in the terminal and writes a PNG grid (`--out`) and/or one PNG per
 * sample at native resolution (`--out-dir`, for other tools to score).
 *
 * @module
 */
import { describeBackend, initBackend, parseBackendName } from "../src/backend/mod.ts";
import { intFlag, parseFlags, runTask } from "../src/cli.ts";
import { FASHION_CLASSES, MNIST_CLASSES } from "../src/data/mnist.ts";
import { writeFileAtomic } from "../src/io/atomic.ts";
import { imageGrid, toUint8Pixels } from "../src/io/grid.ts";
import { encodePng } from "../src/io/png.ts";
import { renderImage, terminalMode } from "../src/io/terminal.ts";
import { generatorInfo, loadGenerator, sampleImages } from "../src/models/generator.ts";

const CLASS_NAMES: Record<string, string[]> = { mnist: MNIST_CLASSES, fashion: FASHION_CLASSES };

const HELP = `Draw samples of one class from a trained conditional generator.

Usage: deno task sample --weights PATH|URL (--digit N | --class NAME|N) [flags]
  --weights PATH|URL  a run directory, a checkpoint, a model folder, or a model.json URL
  --digit N           MNIST digit 0-9
  --class NAME|N      class name or index (e.g. --class Sneaker for Fashion-MNIST)
  --dataset NAME      mnist | fashion: class names (default: the run's, else mnist)
  --count K           how many samples (default: 1)
  --seed S            seed of the noise (default: 0)
  --out FILE.png      the samples as one PNG grid (default: sample.png)
  --out-dir DIR       also one PNG per sample at native resolution
  --backend NAME      auto | webgpu | wasm | cpu (default: auto)
  --help              show this help`;

async function runDataset(weights: string): Promise<string | undefined> {
  try {
    const text = await Deno.readTextFile(`${weights.replace(/\/+$/, "")}/config.json`);
    return JSON.parse(text).config?.dataset;
  } catch {
    return undefined;
  }
}

function resolveClass(raw: string, names: string[], flag: string): number {
  const byName = names.findIndex((n) => n.toLowerCase() === raw.toLowerCase());
  if (byName >= 0) return byName;
  const n = Number(raw);
  if (raw.trim() !== "" && Number.isInteger(n) && n >= 0 && n < names.length) return n;
  throw new RangeError(
    `Invalid ${flag} "${raw}": expected ${
      flag === "--digit" ? "a digit 0-9" : `one of ${names.join(", ")} or 0-${names.length - 1}`
    }`,
  );
}

async function main(): Promise<number> {
  const values = parseFlags(Deno.args, {
    weights: { type: "string" },
    digit: { type: "string" },
    class: { type: "string" },
    dataset: { type: "string" },
    count: { type: "string", default: "1" },
    seed: { type: "string", default: "0" },
    out: { type: "string", default: "sample.png" },
    "out-dir": { type: "string" },
    backend: { type: "string" },
    help: { type: "boolean", default: false },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.weights === undefined) {
    throw new TypeError(
      "Missing --weights PATH|URL: no pretrained generator ships yet; pass a run directory",
    );
  }
  if ((values.digit === undefined) === (values.class === undefined)) {
    throw new TypeError("Expected exactly one of --digit N or --class NAME|N; see --help");
  }
  const dataset = values.dataset ?? await runDataset(values.weights) ?? "mnist";
  const names = CLASS_NAMES[dataset];
  if (names === undefined) {
    throw new RangeError(
      `Invalid --dataset "${dataset}": expected one of ${Object.keys(CLASS_NAMES).join(", ")}`,
    );
  }
  if (values.digit !== undefined && dataset !== "mnist") {
    throw new TypeError(`Cannot use --digit with --dataset ${dataset}: use --class`);
  }
  const label = values.digit !== undefined
    ? resolveClass(values.digit, names, "--digit")
    : resolveClass(values.class!, names, "--class");
  const count = intFlag("count", values.count, 1);
  const seed = intFlag("seed", values.seed, 0);
  if (!values.out.endsWith(".png")) {
    throw new TypeError(`Invalid --out "${values.out}": expected a .png file name`);
  }

  const backend = await initBackend({
    requested: parseBackendName(values.backend ?? Deno.env.get("CGAN_BACKEND"), "--backend"),
  });
  const gen = await loadGenerator(values.weights);
  const info = generatorInfo(gen);
  if (info.numClasses !== names.length) {
    throw new RangeError(
      `Cannot sample "${values.weights}" as ${dataset}: the generator knows ${info.numClasses} classes, ${dataset} has ${names.length}`,
    );
  }
  const images = await sampleImages(gen, new Array(count).fill(label), seed);
  const [h, w, c] = info.imageShape;

  const cols = Math.min(count, 10);
  const grid = imageGrid(images, count, info.imageShape, { cols, pad: 1, background: 0 });
  const mode = terminalMode({
    noColor: Deno.env.get("NO_COLOR"),
    colorTerm: Deno.env.get("COLORTERM"),
    isTerminal: Deno.stdout.isTerminal(),
  });
  console.log(renderImage(grid.pixels, grid.width, grid.height, grid.channels, mode));
  console.log(`${names[label]} x${count}, seed ${seed}; ${describeBackend(backend)}`);

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

if (import.meta.main) await runTask(main, (key) => Deno.env.get(key));
