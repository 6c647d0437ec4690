import assert from "node:assert/strict";
import { decodePng } from "../../src/io/png.ts";
import { latestCheckpoint } from "../../src/train/checkpoint.ts";
import { writeFolderFixture } from "../data/_folder_fixture.ts";
import { writePairedFixture } from "../data/_paired_fixture.ts";

const TRAIN = new URL("../../tasks/train.ts", import.meta.url).pathname;
const FIXTURE = new URL("../../fixtures/mnist", import.meta.url).pathname;
const SAMPLE = new URL("../../packages/sample/main.ts", import.meta.url).pathname;

function train(args: string[]): Deno.ChildProcess {
  return new Deno.Command("deno", {
    args: ["run", "-P=train", TRAIN, ...args],
    env: { NO_COLOR: "1", CI: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function collect(
  child: Deno.ChildProcess,
): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await child.output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

Deno.test("deno task train --help lists every flag with its default", async () => {
  const { code, out } = await collect(train(["--help"]));
  assert.equal(code, 0);
  for (
    const flag of [
      "--model",
      "--dataset",
      "--loss",
      "--backend",
      "--out",
      "--steps",
      "--resume",
      "--seed",
      "--preset",
    ]
  ) {
    assert.ok(out.includes(flag), `${flag} missing from --help`);
  }
  assert.match(
    out,
    /--lr N +Adam learning rate \(G's, and D's unless --lr-d\) \(default: 0.0002\)/,
  );
  assert.match(out, /--lr-d N +D's own Adam learning rate.* \(default: 0\)/);
});

Deno.test("bad flags end in one clear line and exit code 2, never a stack trace", async () => {
  for (
    const [args, pattern] of [
      [["--epochs", "five"], /^error: Invalid --epochs "five": expected an integer in 1\.\.inf$/],
      [
        ["--dataset", "svhn"],
        /^error: Invalid --dataset "svhn": expected one of mnist, fashion, cifar10, facades, paired, folder$/,
      ],
      [["--frobnicate"], /^error: Invalid arguments: .*frobnicate.*; see --help$/],
      [["--resume", "/nonexistent/run"], /^error: Cannot resume "\/nonexistent\/run": cannot read/],
      [
        ["--model", "pix2pix"],
        /^error: Missing --data-dir for --dataset facades: expected the folder holding its train\/ and val\/ A\|B JPEG or PNG files$/,
      ],
      [
        ["--dataset", "facades", "--data-dir", "x"],
        /^error: Invalid --dataset "facades" for --model mlp: it is a paired \(image-to-image\) dataset; train it with --model pix2pix$/,
      ],
      [
        ["--model", "pix2pix", "--dataset", "mnist"],
        /^error: Invalid --dataset "mnist" for --model pix2pix: expected a paired dataset \(facades, paired\)$/,
      ],
      [
        ["--model", "pix2pix", "--size", "48"],
        /^error: Invalid --size "48": expected a power of two \(pix2pix's U-Net halves it down to 1x1\)$/,
      ],
      [
        ["--dataset", "folder"],
        /^error: Missing --data-dir for --dataset folder: expected a folder with one subfolder of PNG\/JPEG images per class$/,
      ],
      [
        ["--dataset", "folder", "--data-dir", "/nonexistent/flowers"],
        /^error: Cannot read folder dataset "\/nonexistent\/flowers": .*; expected a folder with one subfolder of PNG\/JPEG images per class$/,
      ],
      [
        ["--model", "pix2pix", "--data-dir", "x", "--loss", "wgan-gp"],
        /^error: Invalid --loss "wgan-gp" for --model pix2pix: expected bce, lsgan or hinge$/,
      ],
    ] as const
  ) {
    const { code, err } = await collect(train([...args]));
    assert.equal(code, 2, `exit code for ${args.join(" ")}`);
    const lines = err.split("\n").filter((l) =>
      l.trim() !== "" && !l.includes("experimental feature")
    );
    assert.equal(lines.length, 1, `expected one line for ${args.join(" ")}, got:\n${err}`);
    assert.match(lines[0]!, pattern);
  }
});

for (const [signal, exitCode] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test({
    name: `${
      signal === "SIGINT" ? "Ctrl-C (SIGINT)" : "kill (SIGTERM)"
    } saves a checkpoint, exits ${exitCode} and the run resumes from it`,
    // The child process owns its own resources; the test only waits for it.
    sanitizeResources: false,
    async fn() {
      const out = await Deno.makeTempDir({ prefix: "cgan-sigint-" });
      try {
        const args = [
          "--data-dir",
          FIXTURE,
          "--backend",
          "cpu",
          "--limit",
          "64",
          "--batch-size",
          "8",
          "--log-every",
          "1",
          "--epochs",
          "1000",
        ];
        const child = train([...args, "--out", out]);
        // Wait for the first progress line, then interrupt.
        const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
        let seen = "";
        while (!/step \d+\/\d+/.test(seen)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`train ended early:\n${seen}`);
          seen += value;
        }
        child.kill(signal);
        while (true) {
          const { value, done } = await reader.read();
          if (done) break;
          seen += value;
        }
        const { code } = await child.status;
        await child.stderr.cancel();
        assert.equal(code, exitCode, seen);
        await assert.rejects(
          () => Deno.stat(`${out}/train.lock`),
          Deno.errors.NotFound,
          "the run's lock is released on the way out",
        );
        assert.match(seen, new RegExp(`Interrupted \\(${signal}\\): saving a checkpoint`));
        assert.match(seen, /interrupted at step (\d+)/);
        assert.match(seen, new RegExp(`resume with: deno task train --resume ${out}`));
        const step = Number(seen.match(/interrupted at step (\d+)/)![1]);
        const ckpt = await latestCheckpoint(out);
        assert.ok(
          ckpt?.endsWith(`step-${String(step).padStart(8, "0")}`),
          `${ckpt} vs step ${step}`,
        );
        // Resume and finish two more steps.
        const resumed = await collect(train(["--resume", out, "--steps", String(step + 2)]));
        assert.equal(resumed.code, 0, resumed.err);
        assert.match(
          resumed.out,
          new RegExp(`resumed from .*step-${String(step).padStart(8, "0")} at step ${step}`),
        );
        assert.match(resumed.out, new RegExp(`done at step ${step + 2}`));
      } finally {
        await Deno.remove(out, { recursive: true });
      }
    },
  });
}

Deno.test("deno task train --model dcgan --dataset cifar10 --loss wgan-gp --noise uniform trains paper 002's nets, G every 5th step", async () => {
  const out = await Deno.makeTempDir({ prefix: "cgan-train-cifar-" });
  const cifar = new URL("../../fixtures/cifar10", import.meta.url).pathname;
  const { code, err } = await collect(train([
    ...["--model", "dcgan", "--dataset", "cifar10", "--data-dir", cifar, "--loss", "wgan-gp"],
    ...["--width", "0.0625", "--batch-size", "8", "--steps", "10", "--log-every", "5"],
    ...["--noise", "uniform", "--backend", "wasm", "--out", out],
  ]));
  assert.equal(code, 0, err);
  const { config } = JSON.parse(await Deno.readTextFile(`${out}/config.json`));
  assert.deepEqual([config.nCritic, config.lambdaGp, config.width], [5, 10, 0.0625]);
  const rows = (await Deno.readTextFile(`${out}/losses.csv`)).trim().split("\n").slice(1);
  assert.equal(rows.length, 2, "one row per 5 steps");
  for (const row of rows) {
    const [, , d, g] = row.split(",").map(Number);
    assert.ok(Number.isFinite(d) && Number.isFinite(g), row);
  }
  const gen = JSON.parse(
    await Deno.readTextFile(`${(await latestCheckpoint(out))!}/gen/model.json`),
  );
  assert.equal(gen.modelTopology.config.name, "dcgan_cifar_generator");
  assert.equal(gen.userDefinedMetadata.noise, "uniform", "G's file records its noise");
  await Deno.remove(out, { recursive: true });
});

Deno.test("deno task train --model pix2pix trains the facades layout at --size, scores val pairs per epoch and writes condition | output | target grids", async () => {
  const out = await Deno.makeTempDir({ prefix: "cgan-train-pix2pix-" });
  try {
    const data = await writePairedFixture(`${out}/data`, { train: 3, val: 2, test: 1 });
    const { code, out: stdout, err } = await collect(train([
      ...["--model", "pix2pix", "--data-dir", data, "--size", "32", "--width", "0.125"],
      ...["--epochs", "2", "--log-every", "1", "--backend", "wasm", "--out", `${out}/run`],
    ]));
    assert.equal(code, 0, err);
    assert.match(stdout, /data: facades \(3 32x32 pairs, BtoA, from .*\/train\)/);
    assert.match(
      stdout,
      /epoch 2: val PSNR [\d.]+ dB, SSIM -?[\d.]+, L1 [\d.]+ \(N = 2 pairs, on \[0, 1\]\)/,
    );
    const { config } = JSON.parse(await Deno.readTextFile(`${out}/run/config.json`));
    assert.deepEqual(
      [config.dataset, config.batchSize, config.lambdaL1, config.labelSmoothing, config.direction],
      ["facades", 1, 100, 0, "BtoA"],
      "pix2pix's defaults: batch 1, L1 weight 100, no label smoothing",
    );
    const evals = (await Deno.readTextFile(`${out}/run/eval.csv`)).trim().split("\n");
    assert.deepEqual(evals.slice(1).map((r) => r.split(",").slice(0, 3).join(",")), [
      "1,3,2",
      "2,6,2",
    ]);
    const rows = (await Deno.readTextFile(`${out}/run/losses.csv`)).trim().split("\n").slice(1);
    assert.equal(rows.length, 6);
    for (const row of rows) assert.ok(row.split(",").map(Number).every(Number.isFinite), row);
    const grid = decodePng(await Deno.readFile(`${out}/run/samples/epoch-002.png`));
    assert.deepEqual([grid.width, grid.height], [2 * (3 * 32 + 4), 2 * (2 * 32 + 2)]);
    assert.ok((await latestCheckpoint(`${out}/run`))?.endsWith("step-00000006"));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("deno task train --dataset folder stops on a bad image before training, trains with --skip-bad, and sample --class NAME draws its classes", async () => {
  const out = await Deno.makeTempDir({ prefix: "cgan-train-folder-" });
  try {
    const data = await writeFolderFixture(`${out}/flowers`, 3);
    await Deno.writeTextFile(`${data}/rose/notes.txt`, "not an image");
    await Deno.writeFile(`${data}/daisy/broken.png`, new TextEncoder().encode("broken"));
    const args = ["--dataset", "folder", "--data-dir", data, "--steps", "2", "--batch-size", "4"];
    const run = `${out}/run`;

    const bad = await collect(train([...args, "--backend", "cpu", "--out", run]));
    assert.equal(bad.code, 2);
    assert.match(
      bad.err,
      new RegExp(
        `^error: Cannot read image "${data}/daisy/broken.png": expected a PNG or JPEG file, found bytes 62 72 6f 6b; fix or remove it, or skip unreadable images with --skip-bad$`,
        "m",
      ),
    );
    await assert.rejects(() => Deno.stat(run), Deno.errors.NotFound, "no run starts");

    const ok = await collect(train([...args, "--skip-bad", "--backend", "cpu", "--out", run]));
    assert.equal(ok.code, 0, ok.err);
    assert.match(
      ok.out,
      /folder: 9 images, 32x32x3, 3 classes \(daisy, rose, tulip\) in [\d.]+ s; cache .*\.cgan-cache-auto-auto\.bin re-used \(the folder is unchanged\)/,
    );
    assert.match(
      ok.out,
      /warning: ignored 1 file \(not PNG\/JPEG images in a class folder\), e.g. "rose\/notes.txt"/,
    );
    assert.match(ok.out, /warning: skipped \(--skip-bad\): Cannot read image ".*broken.png"/);
    assert.match(ok.out, /done at step 2/);
    const record = JSON.parse(await Deno.readTextFile(`${run}/config.json`));
    assert.deepEqual(
      [record.config.dataset, record.config.skipBad, record.classNames, record.shape],
      ["folder", true, ["daisy", "rose", "tulip"], [32, 32, 3]],
    );

    const sample = (more: string[]) =>
      new Deno.Command("deno", {
        args: ["run", "-P=train", SAMPLE, "--backend", "cpu", "--weights", run, ...more],
        env: { NO_COLOR: "1" },
      }).output();
    const drawn = await sample(["--class", "Rose", "--count", "2", "--out", `${out}/rose.png`]);
    const text = new TextDecoder().decode(drawn.stdout);
    assert.equal(drawn.code, 0, new TextDecoder().decode(drawn.stderr));
    assert.match(text, /^rose x2, seed 0; backend: cpu/m);
    const grid = decodePng(await Deno.readFile(`${out}/rose.png`));
    assert.deepEqual([grid.height, grid.channels], [32 * 4, 3]);
    const wrong = await sample(["--class", "lily"]);
    assert.match(
      new TextDecoder().decode(wrong.stderr),
      /error: Invalid --class "lily": expected one of daisy, rose, tulip or 0-2/,
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test({
  name: "SIGTERM stops a run between steps, not at the next logging point",
  sanitizeResources: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "cgan-sigterm-" });
    try {
      const child = train([
        // 1,000 fixture digits at batch 1: the first logging point is the epoch's end, step 1,000.
        ...["--data-dir", FIXTURE, "--backend", "cpu", "--batch-size", "1"],
        ...["--log-every", "1000000", "--epochs", "1000", "--out", out],
      ]);
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let seen = "";
      while (!/^run: /m.test(seen)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`train ended early:\n${seen}`);
        seen += value;
      }
      await new Promise((resolve) => setTimeout(resolve, 3000)); // some steps, no log line
      child.kill("SIGTERM");
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += value;
      }
      const { code } = await child.status;
      await child.stderr.cancel();
      assert.equal(code, 143, seen);
      const step = Number(seen.match(/interrupted at step (\d+)/)?.[1]);
      // Before the first logging point (step 1,000): it stopped between steps.
      assert.ok(step > 0 && step < 1000, seen);
      assert.ok((await latestCheckpoint(out))?.endsWith(`step-${String(step).padStart(8, "0")}`));
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
