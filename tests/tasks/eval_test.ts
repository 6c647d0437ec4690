import assert from "node:assert/strict";
import { initBackend } from "../../src/backend/mod.ts";
import { loadPairedDataset } from "../../src/data/datasets.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { scoreMeanImage, scoreTranslation } from "../../src/eval/score_translation.ts";
import { loadLayersModel } from "../../src/io/layers_io.ts";
import { decodePng } from "../../src/io/png.ts";
import { latestCheckpoint } from "../../src/train/checkpoint.ts";
import { DEFAULTS } from "../../src/train/config.ts";
import { train } from "../../src/train/loop.ts";
import { PAIRS, tinyPix2pixRun } from "./_pix2pix_run.ts";

const EVAL = new URL("../../tasks/eval.ts", import.meta.url).pathname;
const FIXTURE = new URL("../../fixtures/mnist", import.meta.url).pathname;

Deno.test("deno task eval scores a tiny checkpoint and writes a JSON with every field", async () => {
  await initBackend({ requested: "cpu" });
  const runDir = await Deno.makeTempDir({ prefix: "cgan-eval-" });
  try {
    const config = {
      ...DEFAULTS,
      dataDir: FIXTURE,
      batchSize: 8,
      steps: 2,
      limit: 64,
      backend: "cpu" as const,
    };
    const dataset = await loadMnist({ split: "train", dataDir: FIXTURE });
    await train({
      config,
      dataset,
      runDir,
      progress: { update() {}, log() {}, stop() {} },
      now: () => performance.now(),
    });
    await Deno.writeTextFile(`${runDir}/config.json`, JSON.stringify({ config }));
    const { code, stdout, stderr } = await new Deno.Command("deno", {
      args: ["run", "-P=train", EVAL, "--checkpoint", runDir, "--n", "100", "--backend", "cpu"],
      env: { NO_COLOR: "1" },
    }).output();
    const out = new TextDecoder().decode(stdout);
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    assert.match(out, /not Inception-network numbers/);
    const scores = JSON.parse(await Deno.readTextFile(`${runDir}/eval.json`));
    for (
      const key of [
        "checkpoint",
        "featureSpace",
        "evaluatorSha256",
        "n",
        "is",
        "isReal",
        "fid",
        "fidReal",
        "intraFid",
        "intraFidReal",
        "accuracy",
        "accuracyReal",
        "precisionRecall",
        "precisionRecallReal",
      ]
    ) assert.ok(key in scores, `eval.json lacks ${key}`);
    assert.equal(scores.n, 100);
    assert.equal(scores.intraFid.perClass.length, 10);
    // The real references are what a working evaluator gives on real digits.
    assert.ok(
      scores.accuracyReal > 0.9,
      `evaluator accuracy on fixture test digits ${scores.accuracyReal}`,
    );
    assert.ok(scores.isReal.mean > 5, `IS of real digits ${scores.isReal.mean}`);
    // An untrained generator is far from real digits.
    assert.ok(scores.fid > scores.fidReal, `FID ${scores.fid} vs floor ${scores.fidReal}`);
    // The run kept G's average (the default): it is what is scored unless --net gen says G.
    assert.match(scores.generator, /\/gen_ema$/);
    const own = await new Deno.Command("deno", {
      args: [
        ...["run", "-P=train", EVAL, "--checkpoint", runDir, "--n", "100", "--backend", "cpu"],
        ...["--net", "gen", "--json", `${runDir}/eval-gen.json`],
      ],
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(own.code, 0, new TextDecoder().decode(own.stderr));
    const genScores = JSON.parse(await Deno.readTextFile(`${runDir}/eval-gen.json`));
    assert.match(genScores.generator, /\/gen$/);
    assert.notEqual(genScores.fid, scores.fid, "G and its average are different nets");
    assert.equal(genScores.fidReal, scores.fidReal, "the same real references");
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("deno task eval without --checkpoint explains itself in one line", async () => {
  const { code, stderr } = await new Deno.Command("deno", {
    args: ["run", "-P=train", EVAL],
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(code, 2);
  const lines = new TextDecoder().decode(stderr).split("\n").filter((l) => l.startsWith("error"));
  assert.deepEqual(lines, [
    "error: Missing --checkpoint DIR: expected a run directory; see --help",
  ]);
});

Deno.test("deno task eval scores a pix2pix run by PSNR, SSIM and L1 on its test pairs", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "cgan-eval-pix2pix-" });
  try {
    const { runDir, data } = await tinyPix2pixRun(tmp, 3);
    const pairs = { ...PAIRS, dataDir: data };
    const { code, stdout, stderr } = await new Deno.Command("deno", {
      args: ["run", "-P=train", EVAL, "--checkpoint", runDir, "--backend", "wasm"],
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const out = new TextDecoder().decode(stdout);
    assert.match(out, /pix2pix on facades test .*: N = 3 pairs, 32x32, BtoA/);
    assert.match(
      out,
      /PSNR +[\d.]+ dB +[\d.]+ dB +(yes|no)\nSSIM +-?[\d.]+ +-?[\d.]+ +(yes|no)\nL1 +[\d.]+ +[\d.]+ +(yes|no)/,
    );
    const scores = JSON.parse(await Deno.readTextFile(`${runDir}/eval.json`));
    assert.deepEqual([scores.split, scores.n, scores.range], ["test", 3, "[0, 1]"]);
    // The picture of what was scored: a row per test pair, input | output | target, 32x32 x2.
    assert.match(
      out,
      /wrote .*eval-test-pairs\.png \(the first 3 test pairs: input \| output \| target\)/,
    );
    const picture = decodePng(await Deno.readFile(`${runDir}/eval-test-pairs.png`));
    assert.deepEqual([picture.width, picture.height], [(3 * 32 + 2 * 2) * 2, (3 * 32 + 2 * 2) * 2]);
    // The same numbers as scoring in-process, on the same pairs with the same seed.
    const gen = await loadLayersModel(`${(await latestCheckpoint(runDir))!}/gen`);
    const want = await scoreTranslation(
      gen,
      await loadPairedDataset("facades", { ...pairs, split: "test" }),
      { n: 3, seed: 0 },
    );
    gen.dispose();
    for (const key of ["psnr", "ssim", "l1"] as const) {
      assert.ok(Math.abs(scores[key] - want[key]) < 1e-6, `${key}: ${scores[key]} vs ${want[key]}`);
    }
    // Beside G, the mean training photo as every output, on the same pairs.
    const base = scoreMeanImage(
      await loadPairedDataset("facades", { ...pairs, split: "train" }),
      await loadPairedDataset("facades", { ...pairs, split: "test" }),
      { n: 3 },
    );
    assert.deepEqual(scores.meanTrainingPhoto, base);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
