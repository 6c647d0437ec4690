import assert from "node:assert/strict";
import { parseTrainArgs, trainHelp } from "../src/cli.ts";
import { DEFAULTS } from "../src/train/config.ts";

Deno.test("parseTrainArgs() maps each kebab-case flag to its config field", () => {
  const { config } = parseTrainArgs(
    [
      "--latent-dim",
      "64",
      "--batch-size",
      "32",
      "--lr",
      "0.001",
      "--activation",
      "relu",
      "--out",
      "x",
    ],
    {},
  );
  assert.equal(config.latentDim, 64);
  assert.equal(config.batchSize, 32);
  assert.equal(config.lr, 0.001);
  assert.equal(config.activation, "relu");
  assert.equal(config.out, "x");
  assert.equal(config.epochs, DEFAULTS.epochs);
});

Deno.test("parseTrainArgs() applies a preset under explicit flags", () => {
  assert.equal(parseTrainArgs(["--preset", "paper"], {}).config.epochs, 120);
  assert.equal(parseTrainArgs(["--preset", "paper", "--epochs", "3"], {}).config.epochs, 3);
});

Deno.test("parseTrainArgs(): the Wasserstein losses train the critic 5 times per G step unless --n-critic says otherwise", () => {
  assert.equal(parseTrainArgs([], {}).config.nCritic, 1);
  assert.equal(parseTrainArgs(["--loss", "wgan"], {}).config.nCritic, 5);
  const gp =
    parseTrainArgs(["--loss", "wgan-gp", "--n-critic", "2", "--lambda-gp", "5"], {}).config;
  assert.deepEqual([gp.nCritic, gp.lambdaGp, gp.clipValue], [2, 5, 0.01]);
  assert.equal(parseTrainArgs(["--preset", "small"], {}).config.width, 0.25);
});

Deno.test("parseTrainArgs() rejects unknown flags, bad values and bad choices, naming the flag", () => {
  assert.throws(() => parseTrainArgs(["--learning-rate", "1"], {}), /learning-rate/);
  assert.throws(
    () => parseTrainArgs(["--epochs", "two"], {}),
    /--epochs "two": expected an integer/,
  );
  assert.throws(() => parseTrainArgs(["--epochs", "1.5"], {}), /--epochs/);
  assert.throws(() => parseTrainArgs(["--batch-size", "0"], {}), /--batch-size/);
  assert.throws(() => parseTrainArgs(["--model", "vae"], {}), /--model "vae": expected one of mlp/);
  assert.throws(() => parseTrainArgs(["--preset", "fast"], {}), /--preset "fast"/);
  assert.throws(() => parseTrainArgs(["--backend", "cuda"], {}), /--backend "cuda"/);
  assert.throws(() => parseTrainArgs(["extra"], {}), /Invalid arguments/);
});

Deno.test("CGAN_BACKEND sets the backend and --backend overrides it", () => {
  assert.equal(parseTrainArgs([], { CGAN_BACKEND: "cpu" }).config.backend, "cpu");
  assert.equal(
    parseTrainArgs(["--backend", "wasm"], { CGAN_BACKEND: "cpu" }).config.backend,
    "wasm",
  );
  assert.throws(() => parseTrainArgs([], { CGAN_BACKEND: "tpu" }), /CGAN_BACKEND "tpu"/);
});

Deno.test("--resume allows schedule flags only", () => {
  const args = parseTrainArgs(["--resume", "runs/a", "--epochs", "9"], {});
  assert.equal(args.resume, "runs/a");
  assert.deepEqual(args.explicit, { epochs: 9 });
  assert.throws(
    () => parseTrainArgs(["--resume", "runs/a", "--lr", "1"], {}),
    /Cannot combine --resume with --lr/,
  );
});

Deno.test("trainHelp() lists every config field as a flag with its default", () => {
  const help = trainHelp();
  for (const key of Object.keys(DEFAULTS)) {
    const flag = "--" + key.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
    assert.ok(help.includes(flag), `${flag} missing from --help`);
  }
  assert.match(help, /--latent-dim N +size of the latent vector z \(default: 100\)/);
});

Deno.test("parseTrainArgs(): --model sagan defaults to the hinge loss and Adam (0, 0.9), flags and presets still win", () => {
  const sagan = parseTrainArgs(["--model", "sagan"], {}).config;
  assert.deepEqual([sagan.loss, sagan.beta1, sagan.beta2], ["hinge", 0, 0.9]);
  const own = parseTrainArgs(["--model", "sagan", "--loss", "bce", "--beta1", "0.5"], {}).config;
  assert.deepEqual([own.loss, own.beta1], ["bce", 0.5]);
  assert.throws(() => parseTrainArgs(["--model", "sagan", "--unconditional"], {}), /--model sagan/);
});

Deno.test("parseTrainArgs(): G's average is on by default (0.999), off with --ema-decay 0 and for pix2pix", () => {
  assert.equal(parseTrainArgs([], {}).config.emaDecay, 0.999);
  assert.equal(parseTrainArgs(["--ema-decay", "0"], {}).config.emaDecay, 0);
  assert.equal(parseTrainArgs(["--model", "pix2pix", "--data-dir", "f"], {}).config.emaDecay, 0);
  assert.equal(
    parseTrainArgs(["--model", "pix2pix", "--data-dir", "f", "--ema-decay", "0.99"], {}).config
      .emaDecay,
    0.99,
  );
});

Deno.test("parseTrainArgs(): --noise picks the distribution of z and rejects others", () => {
  assert.equal(parseTrainArgs([], {}).config.noise, "normal");
  assert.equal(parseTrainArgs(["--noise", "uniform"], {}).config.noise, "uniform");
  assert.throws(
    () => parseTrainArgs(["--noise", "cauchy"], {}),
    /Invalid --noise "cauchy": expected one of normal, uniform/,
  );
});

Deno.test("parseTrainArgs(): --model pix2pix trains facades at the 64x64 CPU preset with batch 1; --preset paper is 256x256", () => {
  const cpu = parseTrainArgs(["--model", "pix2pix", "--data-dir", "d"], {}).config;
  assert.deepEqual(
    [cpu.dataset, cpu.size, cpu.batchSize, cpu.lambdaL1, cpu.labelSmoothing, cpu.evalEvery],
    ["facades", 64, 1, 100, 0, 1],
  );
  assert.deepEqual([cpu.lr, cpu.beta1, cpu.loss, cpu.direction], [2e-4, 0.5, "bce", "BtoA"]);
  const paper = parseTrainArgs(["--model", "pix2pix", "--data-dir", "d", "--preset", "paper"], {});
  assert.deepEqual([paper.config.size, paper.config.epochs], [256, 100]);
  assert.equal(parseTrainArgs(["--preset", "paper"], {}).config.epochs, 120, "mlp keeps its own");
  const flags = parseTrainArgs(
    ["--model", "pix2pix", "--data-dir", "d", "--size", "128", "--lambda-l1", "10"],
    {},
  ).config;
  assert.deepEqual([flags.size, flags.lambdaL1], [128, 10]);
  assert.throws(
    () => parseTrainArgs(["--model", "pix2pix", "--data-dir", "d", "--direction", "up"], {}),
    /--direction "up": expected one of AtoB, BtoA/,
  );
  assert.throws(
    () => parseTrainArgs(["--model", "pix2pix", "--data-dir", "d", "--unconditional"], {}),
    /Invalid --unconditional for --model pix2pix: its G must be told an input image/,
  );
  assert.match(
    trainHelp(),
    /--size N +image side; pix2pix: a power of two, 64 = CPU preset, 256 = the paper; .*\(default: 0\)/,
  );
  assert.match(
    trainHelp(),
    /Models change: .*pix2pix \{"dataset":"facades","size":64,/,
  );
});

Deno.test("parseTrainArgs(): --dataset folder takes your folder, any --size, --channels 1|3 and the --skip-bad switch", () => {
  const { config } = parseTrainArgs(
    ["--dataset", "folder", "--data-dir", "my/flowers", "--size", "28", "--channels", "1"],
    {},
  );
  assert.deepEqual(
    [
      config.dataset,
      config.dataDir,
      config.size,
      config.channels,
      config.skipBad,
      config.maxDataMb,
    ],
    ["folder", "my/flowers", 28, 1, false, 2048],
  );
  const defaults = parseTrainArgs(["--dataset", "folder", "--data-dir", "d"], {}).config;
  assert.deepEqual([defaults.size, defaults.channels], [0, 0], "0 = the images' own");
  const skip = parseTrainArgs(["--dataset", "folder", "--data-dir", "d", "--skip-bad"], {});
  assert.deepEqual([skip.config.skipBad, skip.explicit.skipBad], [true, true]);
  assert.deepEqual(
    parseTrainArgs(["--resume", "runs/a", "--skip-bad", "--max-data-mb", "512"], {}).explicit,
    { skipBad: true, maxDataMb: 512 },
  );
  assert.throws(
    () => parseTrainArgs(["--dataset", "folder"], {}),
    /^TypeError: Missing --data-dir for --dataset folder: expected a folder with one subfolder of PNG\/JPEG images per class$/,
  );
  assert.throws(
    () => parseTrainArgs(["--dataset", "folder", "--data-dir", "d", "--channels", "2"], {}),
    /^RangeError: Invalid --channels "2": expected 1 \(gray\), 3 \(RGB\) or 0 \(the images'\)$/,
  );
  assert.throws(
    () => parseTrainArgs(["--skip-bad", "yes"], {}),
    /^TypeError: Invalid arguments: .*; see --help$/,
  );
  assert.throws(
    () => parseTrainArgs(["--model", "pix2pix", "--dataset", "folder", "--data-dir", "d"], {}),
    /Invalid --dataset "folder" for --model pix2pix: expected a paired dataset/,
  );
  assert.match(trainHelp(), /--skip-bad +folder: leave out unreadable images .*\(default: false\)/);
});

Deno.test("parseTrainArgs(): --dataset paired trains pix2pix on your own aligned pairs, and nothing else on them", () => {
  const { config } = parseTrainArgs(
    ["--model", "pix2pix", "--dataset", "paired", "--data-dir", "maps", "--direction", "AtoB"],
    {},
  );
  assert.deepEqual(
    [config.dataset, config.dataDir, config.direction, config.size],
    ["paired", "maps", "AtoB", 64],
  );
  assert.throws(
    () => parseTrainArgs(["--dataset", "paired", "--data-dir", "maps"], {}),
    /Invalid --dataset "paired" for --model mlp: it is a paired \(image-to-image\) dataset/,
  );
  assert.throws(
    () => parseTrainArgs(["--model", "pix2pix", "--dataset", "paired"], {}),
    /^TypeError: Missing --data-dir for --dataset paired: expected the folder holding its train\/ and val\/ A\|B JPEG or PNG files$/,
  );
});
