import assert from "node:assert/strict";
import { loadOpenBlas } from "../../src/backend/openblas.ts";

const BENCH = new URL("../../tasks/bench.ts", import.meta.url).pathname;

Deno.test("deno task bench times wasm with and without OpenBLAS and finds the tensor count flat", async () => {
  const out = await Deno.makeTempDir({ prefix: "cgan-bench-" });
  try {
    const json = `${out}/bench.json`;
    const { code, stdout, stderr } = await new Deno.Command("deno", {
      args: [
        ...["run", "-P=train", BENCH, "--backends", "wasm,wasm-simd", "--steps", "2"],
        ...["--runs", "1", "--profile", "--json", json],
      ],
      env: { NO_COLOR: "1" },
    }).output();
    const text = new TextDecoder().decode(stdout);
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const report = JSON.parse(await Deno.readTextFile(json));
    const expected = "sgemm" in loadOpenBlas() ? ["wasm+openblas", "wasm-simd"] : ["wasm-simd"];
    assert.deepEqual(report.rows.map((r: { backend: string }) => r.backend), expected);
    for (const row of report.rows) {
      assert.ok(row.trainImagesPerSecond > 0 && row.sampleImagesPerSecond > 0);
      assert.equal(row.tensorsAfter, row.tensorsBefore);
    }
    assert.match(text, /profile of one step on wasm: .* kernel calls:/);
    assert.match(text, /slowest calls:/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
