import assert from "node:assert/strict";
import { initBackend } from "../../src/backend/mod.ts";
import { decodePng } from "../../src/io/png.ts";
import * as tf from "../../src/_tf.ts";
import { evaluate } from "../../src/eval/evaluator.ts";
import { loadLayersModel, saveLayersModel } from "../../src/io/layers_io.ts";
import { sampleImages } from "../../src/models/generator.ts";
import { buildGan } from "../../src/models/registry.ts";
import { toUint8Pixels } from "../../src/io/grid.ts";
import { GENERATORS } from "../../packages/sample/pretrained.ts";

const SAMPLE = new URL("../../packages/sample/main.ts", import.meta.url).pathname;

async function sample(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: ["run", "-P=train", SAMPLE, "--backend", "cpu", ...args],
    env: { NO_COLOR: "1" },
  }).output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

await initBackend({ requested: "cpu" });
const tmp = await Deno.makeTempDir({ prefix: "cgan-sample-" });
const { gen } = buildGan("mlp", {
  latentDim: 100,
  numClasses: 10,
  imageShape: [28, 28, 1],
  activation: "leaky",
  seed: 0,
});
await saveLayersModel(gen, `${tmp}/gen`);

Deno.test("deno task sample prints the digits, writes a PNG grid and one native PNG per sample", async () => {
  const { code, out, err } = await sample([
    "--weights",
    `${tmp}/gen`,
    "--digit",
    "5",
    "--count",
    "3",
    "--seed",
    "7",
    "--out",
    `${tmp}/five.png`,
    "--out-dir",
    `${tmp}/fives`,
  ]);
  assert.equal(code, 0, err);
  assert.match(out, /^5 x3, seed 7; backend: cpu/m);
  // ASCII art of three 28x28 images side by side: 14 lines of 28 * 3 + 2 characters.
  const art = out.split("\n").slice(0, 14);
  assert.ok(art.every((l) => l.length === 86), "ASCII rows have the grid's width");
  const grid = decodePng(await Deno.readFile(`${tmp}/five.png`));
  assert.deepEqual([grid.width, grid.height], [(3 * 28 + 2 * 2) * 4, 28 * 4]); // pad 2 between cells, x4
  const files = [...Deno.readDirSync(`${tmp}/fives`)].map((e) => e.name).sort();
  assert.deepEqual(files, ["5-00000.png", "5-00001.png", "5-00002.png"]);
  const one = decodePng(await Deno.readFile(`${tmp}/fives/5-00000.png`));
  assert.deepEqual([one.width, one.height, one.channels], [28, 28, 1]);
});

Deno.test("the shipped generators draw what is asked: a 5 (mnist) and a Sneaker (fashion), as their evaluators read them", async () => {
  for (
    const [flags, dataset, label] of [[["--digit", "5"], "mnist", 5], [
      ["--dataset", "fashion", "--class", "Sneaker"],
      "fashion",
      7,
    ]] as const
  ) {
    const dir = `${tmp}/shipped-${dataset}`;
    const { code, out, err } = await sample([
      ...flags,
      "--count",
      "20",
      "--seed",
      "4",
      "--out",
      `${dir}.png`,
      "--out-dir",
      dir,
    ]);
    assert.equal(code, 0, err);
    assert.match(out, new RegExp(`^generator: acgan on ${dataset}, step \\d+; quality gate `, "m"));
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.equal(files.length, 20);
    const pixels = new Float32Array(20 * 28 * 28);
    files.forEach((name, i) => {
      const png = decodePng(Deno.readFileSync(`${dir}/${name}`));
      png.data.forEach((v, j) => pixels[i * 784 + j] = v / 127.5 - 1);
    });
    const evaluator = await loadLayersModel(`fixtures/evaluators/${dataset}`);
    const images = tf.tensor4d(pixels, [20, 28, 28, 1]);
    const { probs } = await evaluate(evaluator, images);
    images.dispose();
    let hits = 0;
    for (let i = 0; i < 20; i++) {
      const row = Array.from(probs.subarray(i * 10, i * 10 + 10));
      if (row.indexOf(Math.max(...row)) === label) hits++;
    }
    assert.ok(hits >= 18, `${dataset}: ${hits} of 20 samples read as class ${label}`);
    evaluator.dispose();
  }
});

Deno.test("sample --dataset cifar10 --class cat draws 32x32 colour images from the shipped CIFAR-10 generator", async () => {
  const [name, shipped] = Object.entries(GENERATORS).find(([, g]) => g.dataset === "cifar10")!;
  const dir = `${tmp}/shipped-cifar10`;
  const { code, out, err } = await sample([
    ...["--dataset", "cifar10", "--class", "cat", "--count", "20", "--seed", "4"],
    ...["--out", `${dir}.png`, "--out-dir", dir],
  ]);
  assert.equal(code, 0, err);
  assert.match(out, /^cat x20, seed 4;/m);
  assert.match(
    out,
    new RegExp(
      `^generator: ${shipped.model} on cifar10, step \\d+; quality gate ${
        shipped.gatePassed ? "passed" : "not met"
      }: `,
      "m",
    ),
    name,
  );
  const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  assert.equal(files.length, 20);
  const pixels = new Float32Array(20 * 32 * 32 * 3);
  files.forEach((file, i) => {
    const png = decodePng(Deno.readFileSync(`${dir}/${file}`));
    assert.deepEqual([png.width, png.height, png.channels], [32, 32, 3], file);
    png.data.forEach((v, j) => pixels[i * 3072 + j] = v / 127.5 - 1);
  });
  // Twenty different pictures with colour in them: not one image repeated, not a flat field.
  const first = pixels.subarray(0, 3072);
  for (let i = 1; i < 20; i++) {
    const other = pixels.subarray(i * 3072, (i + 1) * 3072);
    const dist = Math.sqrt(other.reduce((s, v, j) => s + (v - first[j]!) ** 2, 0) / 3072);
    assert.ok(dist > 0.05, `sample ${i} is sample 0 again (rms distance ${dist})`);
  }
  const mean = first.reduce((s, v) => s + v, 0) / 3072;
  const std = Math.sqrt(first.reduce((s, v) => s + (v - mean) ** 2, 0) / 3072);
  assert.ok(std > 0.05, `sample 0 is flat (std ${std})`);
  // Where the gate is met, its evaluator reads most of them as cats (class 3).
  if (shipped.gatePassed) {
    const evaluator = await loadLayersModel("fixtures/evaluators/cifar10");
    const images = tf.tensor4d(pixels, [20, 32, 32, 3]);
    const { probs } = await evaluate(evaluator, images);
    images.dispose();
    evaluator.dispose();
    let hits = 0;
    for (let i = 0; i < 20; i++) {
      const row = Array.from(probs.subarray(i * 10, i * 10 + 10));
      if (row.indexOf(Math.max(...row)) === 3) hits++;
    }
    assert.ok(hits >= 11, `${hits} of 20 samples read as cats`);
  }
});

Deno.test("deno task sample rejects bad flags in one line with a non-zero exit", async () => {
  for (
    const [args, pattern] of [
      [["--digit", "11"], /^error: Invalid --digit "11": expected a digit 0-9$/],
      [["--digit", "five"], /^error: Invalid --digit "five": expected a digit 0-9$/],
      [
        ["--digit", "1", "--class", "2"],
        /^error: Expected exactly one of --digit N, --class NAME\|N or --all/,
      ],
      [
        ["--digit", "3", "--dataset", "fashion"],
        /^error: Cannot use --digit with --dataset fashion: use --class$/,
      ],
    ] as const
  ) {
    const { code, err } = await sample(["--weights", `${tmp}/gen`, ...args]);
    assert.equal(code, 2, args.join(" "));
    const lines = err.split("\n").filter((l) =>
      l.trim() !== "" && !l.includes("experimental feature")
    );
    assert.equal(lines.length, 1, err);
    assert.match(lines[0]!, pattern);
  }
  const missing = await sample(["--weights", `${tmp}/none`, "--digit", "3"]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /error: Cannot load a generator from/);
});

Deno.test("sample --generator picks a shipped generator by name; --help lists them with their recorded scores", async () => {
  const help = await sample(["-h"]);
  assert.equal(help.code, 0, help.err);
  for (const name of Object.keys(GENERATORS)) {
    assert.match(
      help.out,
      new RegExp(
        `^  ${name} +\\w+ +[\\w-]+ +gate (passed|not met) +\\(\\d+\\.\\d%\\) +FID \\d+\\.\\d\\d$`,
        "m",
      ),
    );
  }
  const { code, out, err } = await sample([
    "--generator",
    "fashion-acgan",
    "--class",
    "Bag",
    "--out",
    `${tmp}/bag.png`,
  ]);
  assert.equal(code, 0, err);
  assert.match(out, /^Bag x1, seed 0;/m); // the dataset follows the generator
  assert.match(out, /^generator: acgan on fashion, step \d+;/m);
  for (
    const [args, pattern] of [
      [
        ["--generator", "mnist-vae", "--digit", "1"],
        /^error: Invalid --generator "mnist-vae": expected one of mnist-acgan, /,
      ],
      [
        ["--generator", "mnist-acgan", "--dataset", "fashion", "--class", "Bag"],
        /^error: Cannot use --dataset fashion with --generator mnist-acgan: it draws mnist$/,
      ],
      [
        ["--generator", "mnist-acgan", "--weights", `${tmp}/gen`, "--digit", "1"],
        /^error: Cannot combine --weights with --generator/,
      ],
    ] as const
  ) {
    const bad = await sample(args as unknown as string[]);
    assert.equal(bad.code, 2, args.join(" "));
    const lines = bad.err.split("\n").filter((l) =>
      l.trim() !== "" && !l.includes("experimental feature")
    );
    assert.equal(lines.length, 1, bad.err);
    assert.match(lines[0]!, pattern);
  }
});

Deno.test("sample --all draws a row per class whose column j shares one z: row 5 is what --digit 5 draws", async () => {
  const { code, out, err } = await sample([
    ...["--weights", `${tmp}/gen`, "--all", "--count", "3", "--seed", "7"],
    ...["--out", `${tmp}/all.png`],
  ]);
  assert.equal(code, 0, err);
  assert.match(out, /^0, 1, 2, 3, 4, 5, 6, 7, 8, 9: a row each, x3, seed 7;/m);
  const all = decodePng(await Deno.readFile(`${tmp}/all.png`));
  // 3 columns and 10 rows of 28x28 cells, 2 pixels apart, everything x2.
  assert.deepEqual([all.width, all.height], [(3 * 28 + 2 * 2) * 2, (10 * 28 + 9 * 2) * 2]);
  const five = await sample([
    ...["--weights", `${tmp}/gen`, "--digit", "5", "--count", "3", "--seed", "7"],
    ...["--out", `${tmp}/five3.png`, "--out-dir", `${tmp}/five3`],
  ]);
  assert.equal(five.code, 0, five.err);
  for (let j = 0; j < 3; j++) {
    const one = decodePng(await Deno.readFile(`${tmp}/five3/5-0000${j}.png`));
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const at = ((5 * 30 + y) * 2) * all.width + (j * 30 + x) * 2;
        assert.equal(all.data[at], one.data[y * 28 + x], `row 5, column ${j}, pixel (${y}, ${x})`);
      }
    }
  }
  const bad = await sample(["--weights", `${tmp}/gen`, "--all", "--out-dir", `${tmp}/x`]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /error: Cannot use --out-dir with --all/);
});

Deno.test("sample loads a SAGAN generator, its custom layers registered without the model builders, and draws what it draws in process", async () => {
  const { gen: sagan, disc } = buildGan("sagan", {
    latentDim: 16,
    numClasses: 10,
    imageShape: [28, 28, 1],
    activation: "leaky",
    seed: 3,
    width: 0.125,
  });
  disc.dispose();
  await saveLayersModel(sagan, `${tmp}/sagan`);
  const { code, out, err } = await sample([
    ...["--weights", `${tmp}/sagan`, "--digit", "3", "--count", "2", "--seed", "4"],
    ...["--out", `${tmp}/sagan.png`, "--out-dir", `${tmp}/sagan3`],
  ]);
  assert.equal(code, 0, err);
  assert.match(out, /^3 x2, seed 4; backend: cpu/m);
  const expected = toUint8Pixels(await sampleImages(sagan, [3, 3], 4));
  for (let i = 0; i < 2; i++) {
    const one = decodePng(await Deno.readFile(`${tmp}/sagan3/3-0000${i}.png`));
    assert.deepEqual(one.data, expected.subarray(i * 28 * 28, (i + 1) * 28 * 28), `sample ${i}`);
  }
  sagan.dispose();
});

Deno.test("cleanup", async () => {
  gen.dispose();
  await Deno.remove(tmp, { recursive: true });
});
