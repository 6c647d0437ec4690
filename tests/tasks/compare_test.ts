import assert from "node:assert/strict";

const COMPARE = new URL("../../tasks/compare.ts", import.meta.url).pathname;
const FIXTURE = new URL("../../fixtures/mnist", import.meta.url).pathname;

Deno.test("deno task compare trains each variant with the same budget and tabulates their scores", async () => {
  const out = await Deno.makeTempDir({ prefix: "cgan-compare-" });
  try {
    const { code, stdout, stderr } = await new Deno.Command("deno", {
      args: [
        ...["run", "-P=train", "--allow-run=deno", COMPARE, "--dataset", "mnist"],
        ...["--variants", "mlp:bce,mlp:lsgan", "--out", out, "--n", "100", "--"],
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
    ]);
    for (const row of report.rows) {
      assert.ok(Number.isFinite(row.fid) && Number.isFinite(row.intraFid), JSON.stringify(row));
      assert.ok(row.produced >= 1 && row.produced <= 10);
      assert.equal(row.perClassAccuracy.length, 10);
      assert.deepEqual(row.history.map((h: { epoch: number }) => h.epoch), [1, 2]);
      const config = JSON.parse(await Deno.readTextFile(`${row.run}/config.json`)).config;
      assert.deepEqual([config.epochs, config.batchSize, config.seed], [2, 50, 0], "same budget");
      await Deno.stat(`${row.run}/samples/final.png`);
    }
    const md = await Deno.readTextFile(`${out}/compare.md`);
    assert.match(md, /not Inception-network numbers/);
    assert.match(md, /\| mlp-lsgan \| [\d.]+ \| [\d.]+ \| [\d.]+% \| \d+ of 10 \| (most|least) \|/);
    assert.match(new TextDecoder().decode(stdout), /wrote .*compare\.md/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
