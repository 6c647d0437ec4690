import assert from "node:assert/strict";
import { initBackend } from "../../src/backend/mod.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { DEFAULTS } from "../../src/train/config.ts";
import { train } from "../../src/train/loop.ts";

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
