/**
 * `deno task translate --checkpoint DIR --input FILE.jpg`: runs a trained pix2pix G on one
 * JPEG or PNG and writes the panels side by side as a PNG, each at the run's `--size`: an A|B pair
 * file (as in the dataset; the run's `--direction` or `--direction` picks G's input half) gives
 * input | output | target, any other image (resized to a square) input | output.
 *
 * @module
 */
import { describeBackend, initBackend, parseBackendName } from "../src/backend/mod.ts";
import { intFlag, parseFlags, runTask } from "../src/cli.ts";
import { type Direction, DIRECTIONS, resizeRgb } from "../src/data/paired.ts";
import { convertChannels, decodeImageFile } from "../src/io/image_file.ts";
import { writeFileAtomic } from "../src/io/atomic.ts";
import { imageGrid } from "../src/io/grid.ts";
import { loadLayersModel } from "../src/io/layers_io.ts";
import { encodePng } from "../src/io/png.ts";
import { translate } from "../src/models/pix2pix.ts";
import { modelDef } from "../src/models/registry.ts";
import { samplingGeneratorDir } from "../src/train/checkpoint.ts";
import type { TrainConfig } from "../src/train/config.ts";
import * as tf from "../src/_tf.ts";
import { readJson, resolveCheckpoint } from "./_run_files.ts";

const HELP = `Translate one image with a trained pix2pix generator.

Usage: deno task translate --checkpoint DIR --input FILE.jpg [flags]
  --checkpoint DIR  a pix2pix run directory (its latest checkpoint) or a
                    checkpoints/step-XXXXXXXX folder (required)
  --input FILE      a JPEG or PNG: an A|B pair as in the dataset (writes input | output | target)
                    or a single image, resized to the run's size (writes input | output)
                    (required)
  --out FILE        the PNG to write (default: <run>/translations/<input name>.png)
  --direction NAME  AtoB | BtoA: which half of a pair is G's input (default: the run's)
  --seed N          seed of G's dropout masks (default: 0)
  --backend NAME    auto | webgpu | wasm | cpu (default: auto)
  -h, --help        show this help

Examples:
  deno task translate --checkpoint runs/pix2pix-facades --input facades/test/1.jpg
  deno task translate --checkpoint runs/pix2pix-facades --input labels.png --out photo.png`;

/** Reads the input JPEG or PNG and returns G's input (and the target, for a pair) at `size`. */
async function readInput(
  file: string,
  direction: Direction,
  explicitDirection: boolean,
  size: number,
): Promise<{ input: Uint8Array; target: Uint8Array | null }> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound ? "no such file" : (err as Error).message;
    throw new Error(`Cannot read --input "${file}": ${why}`);
  }
  const image = decodeImageFile(bytes, file, { what: "--input" });
  const { width, height, data } = convertChannels(image, 3);
  if (width !== 2 * height) {
    if (explicitDirection) {
      throw new TypeError(
        `Invalid --direction for --input "${file}": it picks a half of an A|B pair ` +
          `(width = 2 x height), and this image is ${width}x${height}`,
      );
    }
    return { input: resizeRgb(data, width, height, size), target: null };
  }
  const half = (left: boolean) => {
    const out = new Uint8Array(height * height * 3);
    for (let y = 0; y < height; y++) {
      const row = (y * width + (left ? 0 : height)) * 3;
      out.set(data.subarray(row, row + height * 3), y * height * 3);
    }
    return resizeRgb(out, height, height, size);
  };
  const [a, b] = [half(true), half(false)];
  return direction === "AtoB" ? { input: a, target: b } : { input: b, target: a };
}

async function main(): Promise<void> {
  const values = parseFlags(Deno.args, {
    checkpoint: { type: "string" },
    input: { type: "string" },
    out: { type: "string" },
    direction: { type: "string" },
    seed: { type: "string", default: "0" },
    backend: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) return console.log(HELP);
  if (values.checkpoint === undefined) {
    throw new TypeError("Missing --checkpoint DIR: expected a pix2pix run directory; see --help");
  }
  if (values.input === undefined) {
    throw new TypeError("Missing --input FILE: expected a JPEG or PNG; see --help");
  }
  if (
    values.direction !== undefined && !(DIRECTIONS as readonly string[]).includes(values.direction)
  ) {
    throw new TypeError(
      `Invalid --direction "${values.direction}": expected one of ${DIRECTIONS.join(", ")}`,
    );
  }
  const seed = intFlag("seed", values.seed, 0);
  const { runDir, checkpoint } = await resolveCheckpoint(values.checkpoint, "--checkpoint");
  const { config } = await readJson<{ config: TrainConfig }>(`${runDir}/config.json`, "run config");
  if (modelDef(config.model).conditioning !== "image") {
    throw new TypeError(
      `Invalid --checkpoint "${values.checkpoint}": it is a ${config.model} run; translate ` +
        `needs a pix2pix run`,
    );
  }
  const direction = (values.direction ?? config.direction) as Direction;
  const size = config.size;
  const { input, target } = await readInput(
    values.input,
    direction,
    values.direction !== undefined,
    size,
  );

  const backend = await initBackend({
    requested: parseBackendName(values.backend ?? Deno.env.get("CGAN_BACKEND"), "--backend"),
  });
  console.log(describeBackend(backend));
  const gen = await loadLayersModel(await samplingGeneratorDir(checkpoint));
  const expected = [null, size, size, 3].join(",");
  if (gen.inputs.length !== 1 || gen.inputs[0]!.shape.join(",") !== expected) {
    throw new TypeError(
      `Invalid --checkpoint "${values.checkpoint}": expected a G taking one ${size}x${size}x3 ` +
        `image, found inputs ${JSON.stringify(gen.inputs.map((i) => i.shape))}`,
    );
  }
  const scaled = (pixels: Uint8Array) => Float32Array.from(pixels, (v) => v / 127.5 - 1);
  const x = tf.tensor4d(scaled(input), [1, size, size, 3]);
  const y = translate(gen, x, seed);
  const output = await y.data() as Float32Array;
  tf.dispose([x, y]);
  gen.dispose();

  const panels = [scaled(input), output, ...(target === null ? [] : [scaled(target)])];
  const cells = new Float32Array(panels.length * size * size * 3);
  panels.forEach((p, i) => cells.set(p, i * p.length));
  const grid = imageGrid(cells, panels.length, [size, size, 3], { cols: panels.length, pad: 0 });
  const stem = values.input.split("/").pop()!.replace(/\.[^.]*$/, "");
  const out = values.out ?? `${runDir}/translations/${stem}.png`;
  const dir = out.includes("/") ? out.slice(0, out.lastIndexOf("/")) : ".";
  await Deno.mkdir(dir, { recursive: true });
  await writeFileAtomic(out, encodePng(grid.pixels, grid.width, grid.height, 3));
  console.log(
    `generator: ${checkpoint} (${direction}, ${size}x${size})\n` +
      `wrote ${out} (${grid.width}x${grid.height}: ${
        target === null ? "input | output" : "input | output | target"
      })`,
  );
}

if (import.meta.main) await runTask(main, (key) => Deno.env.get(key));
