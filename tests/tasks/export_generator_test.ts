import assert from "node:assert/strict";
import { initBackend } from "../../src/backend/mod.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { DEFAULTS } from "../../src/train/config.ts";
import { train } from "../../src/train/loop.ts";

const EXPORT = new URL("../../tasks/export_generator.ts", import.meta.url).pathname;
const DOWNLOAD = new URL("../../tasks/download_cifar10.ts", import.meta.url).pathname;
const FIXTURE = new URL("../../fixtures/mnist", import.meta.url).pathname;

Deno.test("deno task export-generator writes a float16 model with its provenance and gate verdict", async () => {
  await initBackend({ requested: "cpu" });
  const runDir = await Deno.makeTempDir({ prefix: "cgan-export-" });
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
    await Deno.writeTextFile(
      `${runDir}/config.json`,
      JSON.stringify({ config, command: "deno task train --steps 2" }),
    );
    const out = `${runDir}/shipped`;
    const exportTo = () =>
      new Deno.Command("deno", {
        args: [
          "run",
          "-P=train",
          EXPORT,
          "--checkpoint",
          runDir,
          "--out",
          out,
          "--per-class",
          "5",
          "--backend",
          "cpu",
        ],
        env: { NO_COLOR: "1" },
      }).output();
    const { code, stdout, stderr } = await exportTo();
    const text = new TextDecoder().decode(stdout);
    // Two steps of training cannot pass the gate: exit code 3, and it says so.
    assert.equal(code, 3, new TextDecoder().decode(stderr));
    assert.match(text, /gate \(accuracy >= 98\.0%.*\): FAILED/);
    const model = JSON.parse(await Deno.readTextFile(`${out}/model.json`));
    const cgan = model.userDefinedMetadata.cgan;
    assert.equal(cgan.trainCommand, "deno task train --steps 2");
    assert.equal(cgan.quantize, "float16");
    assert.equal(cgan.gate.n, 50);
    assert.equal(cgan.gate.perClass.length, 10);
    assert.equal(cgan.gate.passed, false);
    assert.match(cgan.gate.evaluatorSha256, /^[0-9a-f]{64}$/);
    assert.ok(
      model.weightsManifest[0].weights.every((
        w: { dtype: string; quantization?: { dtype: string } },
      ) => w.dtype !== "float32" || w.quantization?.dtype === "float16"),
    );
    const latest = JSON.parse(await Deno.readTextFile(`${runDir}/checkpoints/latest.json`));
    const full =
      (await Deno.stat(`${runDir}/checkpoints/${latest.checkpoint}/gen/weights.bin`)).size;
    const half = (await Deno.stat(`${out}/weights.bin`)).size;
    assert.ok(half < full * 0.51, `${half} bytes vs ${full}`);
    const readme = await Deno.readTextFile(`${out}/README.md`);
    assert.match(readme, /^# mlp generator for mnist/);
    assert.match(readme, /`deno task train --steps 2`/);
    assert.match(readme, /not an Inception network/);
    assert.ok(readme.includes(text.match(/ {2}class {2}accuracy.*FAILED/s)![0]), "the gate table");
    // Exporting again replaces the model and its README in the same folder, and the README's
    // hash is that of the weights beside it.
    const again = await exportTo();
    assert.equal(again.code, 3, new TextDecoder().decode(again.stderr));
    const bytes = await Deno.readFile(`${out}/weights.bin`);
    const sha = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)))
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    assert.match(await Deno.readTextFile(`${out}/README.md`), new RegExp(`sha256 ${sha};`));
  } finally {
    await Deno.remove(runDir, { recursive: true });
  }
});

Deno.test("deno task download-cifar10 fails in one line when the download is impossible", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgan-dl-" });
  try {
    // No --allow-net: the fetch is refused, as on a machine without internet.
    const { code, stderr } = await new Deno.Command("deno", {
      args: ["run", "-R", "-W", "-E", DOWNLOAD, "--dir", `${dir}/cache`],
      env: { NO_COLOR: "1" },
    }).output();
    const err = new TextDecoder().decode(stderr).trim();
    assert.equal(code, 2);
    assert.match(
      err,
      /^error: Cannot download CIFAR-10 from "https:\/\/www\.cs\.toronto\.edu\/~kriz\/cifar-10-binary\.tar\.gz": /,
    );
    assert.equal(err.split("\n").length, 1, err);
    assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing is written");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
