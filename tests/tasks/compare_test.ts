import assert from "node:assert/strict";

const COMPARE = new URL("../../tasks/compare.ts", import.meta.url).pathname;
const FIXTURE = new URL("../../fixtures/mnist", import.meta.url).pathname;

Deno.test("deno task compare trains each variant with the same budget and tabulates their scores", async () => {
  const out = await Deno.makeTempDir({ prefix: "cgan-compare-" });
  try {
    const { code, stdout, stderr } = await new Deno.Command("deno", {
      args: [
        ...["run", "-P=train", "--allow-run=deno", COMPARE, "--dataset", "mnist"],
        ...["--variants", "mlp:bce,mlp:lsgan,gan:bce", "--out", out, "--n", "100", "--"],
        ...["--data-dir", FIXTURE, "--batch-size", "50", "--epochs", "2", "--eval-n", "100"],
        ...["--limit", "200", "--backend", "wasm"],
      ],
      env: { NO_COLOR: "1", CI: "1" },
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const report = JSON.parse(await Deno.readTextFile(`${out}/compare.json`));
    assert.deepEqual(report.rows.map((r: { variant: string }) => r.variant), [
      "mlp-bce",
      "mlp-lsgan",
      "gan-bce", // unconditional: no accuracy, but the classes it produces
    ]);
    for (const row of report.rows) {
      const conditional = row.variant !== "gan-bce";
      assert.ok(Number.isFinite(row.fid), JSON.stringify(row));
      // An unconditional G has no per-class FID or accuracy (NaN, written as null).
      assert.equal(Number.isFinite(row.intraFid), conditional, JSON.stringify(row));
      assert.equal(Number.isFinite(row.accuracy), conditional, JSON.stringify(row));
      assert.ok(row.produced >= 1 && row.produced <= 10);
      assert.equal(row.perClassAccuracy.length, 10);
      assert.deepEqual(row.history.map((h: { epoch: number }) => h.epoch), [1, 2]);
      const config = JSON.parse(await Deno.readTextFile(`${row.run}/config.json`)).config;
      assert.deepEqual([config.epochs, config.batchSize, config.seed], [2, 50, 0], "same budget");
      await Deno.stat(`${row.run}/samples/final.png`);
    }
    const md = await Deno.readTextFile(`${out}/compare.md`);
    assert.match(md, /not Inception-network numbers/);
    assert.match(
      md,
      /\| mlp-lsgan \| [\d.]+ \| [\d.]+ \| [\d.]+% \| \d+ of 10 \| (most|less|least) \|/,
    );
    assert.match(md, /\| gan-bce \| [\d.]+ \| n\/a \| n\/a \| \d+ of 10 \|/);
    assert.match(new TextDecoder().decode(stdout), /wrote .*compare\.md/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("deno task compare --study paper000 runs the paper's grid: activations x learning rates", async () => {
  const out = await Deno.makeTempDir({ prefix: "cgan-study-" });
  try {
    const { code, stderr } = await new Deno.Command("deno", {
      args: [
        ...["run", "-P=train", "--allow-run=deno", COMPARE, "--study", "paper000"],
        ...["--out", out, "--n", "100", "--"],
        // The study's 12 epochs, cut for the fixture: flags after -- override the study's.
        ...["--data-dir", FIXTURE, "--batch-size", "50", "--epochs", "1", "--eval-every", "1"],
        ...["--eval-n", "100", "--limit", "100", "--backend", "wasm"],
      ],
      env: { NO_COLOR: "1", CI: "1" },
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const report = JSON.parse(await Deno.readTextFile(`${out}/compare.json`));
    assert.equal(report.study, "paper000");
    const seen = [];
    for (const row of report.rows) {
      const config = JSON.parse(await Deno.readTextFile(`${row.run}/config.json`)).config;
      seen.push(
        `${row.variant} ${config.model} ${config.activation} ${config.lr} ${config.epochs}`,
      );
      assert.ok(row.trainSeconds > 0);
    }
    assert.deepEqual(seen, [
      "mlp-bce-activation=leaky-lr=0.0002 mlp leaky 0.0002 1",
      "mlp-bce-activation=relu-lr=0.0002 mlp relu 0.0002 1",
      "mlp-bce-activation=leaky-lr=0.001 mlp leaky 0.001 1",
      "mlp-bce-activation=relu-lr=0.001 mlp relu 0.001 1",
    ]);
    const md = await Deno.readTextFile(`${out}/compare.md`);
    assert.match(md, /ReLU vs LeakyReLU/);
    assert.match(
      md,
      /Train flags of every variant: `--epochs 12 --eval-every 3 --data-dir .* --epochs 1 /,
    );
    assert.match(
      md,
      /\| mlp-bce-activation=relu-lr=0\.001 \| [\d.]+ \| [\d.]+ \| [\d.]+% \| \d+ of 10 \| \w+ \| [\d.]+ min \|/,
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("deno task compare rejects a bad variant or study in one line", async () => {
  for (
    const [args, pattern] of [
      [
        ["--variants", "mlp:bce:lr"],
        /^error: Invalid --variants entry "mlp:bce:lr": "lr" is not flag=value/,
      ],
      [
        ["--variants", "mlp:bce:out=x"],
        /compare sets --model, --loss, --dataset, --out, --resume itself/,
      ],
      [
        ["--study", "paper999"],
        /^error: Invalid --study "paper999": expected one of paper000, paper004$/,
      ],
      [
        ["--study", "paper000", "--variants", "mlp:bce"],
        /^error: Cannot combine --study with --variants/,
      ],
    ] as const
  ) {
    const { code, stderr } = await new Deno.Command("deno", {
      args: ["run", "-P=train", "--allow-run=deno", COMPARE, ...args],
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(code, 2, args.join(" "));
    const lines = new TextDecoder().decode(stderr).split("\n").filter((l) =>
      l.trim() !== "" && !l.includes("experimental feature")
    );
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(lines[0]!, pattern);
  }
});
