/**
 * `deno task bench --suite`: the summary's ratios and targets from the rows' reports, its flag
 * errors, and (with Debian's python3-torch) one row run end to end as a child bench.
 */
import assert from "node:assert/strict";
import {
  type BenchReport,
  combinePairs,
  formatSuite,
  pickRows,
  SUITE,
  suiteResults,
} from "../../tasks/_bench_suite.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const CONFIG = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
  tasks: Record<string, { command: string }>;
};
/** `deno task bench` as deno.json runs it, less "deno". */
const BENCH = CONFIG.tasks.bench!.command.split(" ").slice(1);
const TORCH = "/usr/lib/python3/dist-packages/torch/__init__.py";
const noTorch = (() => {
  try {
    Deno.statSync("/usr/bin/python3");
    Deno.statSync(TORCH);
    return null;
  } catch {
    return `ignored: no /usr/bin/python3 with Debian's python3-torch (${TORCH})`;
  }
})();

const mlp = SUITE.find((r) => r.id === "mlp")!;

Deno.test("bench suite: each variant's ratio is its img/s over PyTorch's from the same report", () => {
  const report: BenchReport = {
    rows: [
      { backend: "wasm+openblas", trainImagesPerSecond: 1500, msPerStep: 42.7 },
      { backend: "wasm-simd", trainImagesPerSecond: 500, msPerStep: 128 },
    ],
    torch: { trainImagesPerSecond: 1000, msPerStep: 64 },
  };
  const results = suiteResults(mlp, report);
  assert.deepEqual(results.map((r) => [r.backend, r.ratio, r.target]), [
    ["wasm+openblas", 1.5, 1.5],
    ["wasm-simd", 0.5, 0.6],
  ]);
  const lines = formatSuite(results);
  assert.equal(lines.length, 4);
  assert.match(
    lines[2]!,
    /^\| MLP cGAN \(64\) +\| wasm\+openblas \| 1,500 \(42\.7\) +\| 1,000 \(64\.0\) \| 1\.50x +\| 1\.5x met +\|$/,
  );
  assert.match(lines[3]!, /\| 500 \(128\.0\) +\| 1,000 \(64\.0\) \| 0\.50x +\| 0\.6x not met \|$/);
  // A row without a target for a variant (wasm-simd where OpenBLAS is absent) says so.
  const pix2pix = SUITE.find((r) => r.id === "pix2pix")!;
  const [alone] = suiteResults(pix2pix, {
    rows: [{ backend: "wasm-simd", trainImagesPerSecond: 1.234, msPerStep: 810 }],
    torch: { trainImagesPerSecond: 2, msPerStep: 500 },
  });
  assert.equal(alone!.target, null);
  assert.match(
    formatSuite([alone!])[2]!,
    /\| 1\.23 \(810\.0\) +\| 2\.00 \(500\.0\) \| 0\.62x +\| - +\|$/,
  );
  assert.throws(() => suiteResults(mlp, { rows: report.rows, torch: null }), /no PyTorch result/);
});

Deno.test("bench suite: pairs combine to medians, the ratio the median of the pairs' ratios", () => {
  const pair = (ours: number, simd: number, torch: number) =>
    suiteResults(mlp, {
      rows: [
        { backend: "wasm+openblas", trainImagesPerSecond: ours, msPerStep: 64_000 / ours },
        { backend: "wasm-simd", trainImagesPerSecond: simd, msPerStep: 64_000 / simd },
      ],
      torch: { trainImagesPerSecond: torch, msPerStep: 64_000 / torch },
    });
  // The machine's speed moves between pairs: the ratio of the medians (1,200 / 857) says 1.4x;
  // the pairs say 1.5x, 1.6x and 1.4x, and their median 1.5x.
  const [blas, simd] = combinePairs([
    pair(1500, 400, 1000),
    pair(800, 300, 500),
    pair(1200, 660, 1200 / 1.4),
  ]);
  assert.equal(blas!.imagesPerSecond, 1200);
  assert.equal(blas!.torchImagesPerSecond.toFixed(1), "857.1");
  assert.deepEqual(blas!.ratios!.map((r) => r.toFixed(2)), ["1.50", "1.60", "1.40"]);
  assert.equal(blas!.ratio.toFixed(2), "1.50");
  assert.equal(simd!.ratio.toFixed(2), "0.60");
  assert.match(formatSuite([blas!, simd!])[2]!, /\| 1\.50x \(1\.40-1\.60\) \| 1\.5x met +\|$/);
  assert.match(formatSuite([blas!, simd!])[3]!, /\| 0\.60x \(0\.40-0\.77\) \| 0\.6x met +\|$/);
  assert.throws(() => combinePairs([]), /no pairs/);
  assert.throws(
    () => combinePairs([pair(1, 1, 1), pair(1, 1, 1).reverse()]),
    /ran different backends/,
  );
});

Deno.test("bench suite: --rows picks rows in the order given and names the ids it takes", () => {
  assert.deepEqual(pickRows("pix2pix,mlp").map((r) => r.id), ["pix2pix", "mlp"]);
  assert.deepEqual(pickRows(undefined).map((r) => r.id), SUITE.map((r) => r.id));
  assert.throws(
    () => pickRows("mlp,gan"),
    /^TypeError: Invalid --rows "gan": expected a list of mlp, dcgan128, cifar025, cifar1, pix2pix$/,
  );
});

async function bench(args: string[]) {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: [...BENCH, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", OPENBLAS_NUM_THREADS: "1" },
  }).output();
  return {
    code,
    stdout: new TextDecoder().decode(stdout),
    stderr: new TextDecoder().decode(stderr),
  };
}

Deno.test("bench --suite refuses the flags it sets itself, and --rows without --suite, in one line", async () => {
  const model = await bench(["--suite", "--model", "mlp"]);
  assert.equal(model.code, 2, model.stderr);
  assert.match(
    model.stderr.trim(),
    /^error: Cannot use --model with --suite: .*\(--rows picks rows\)$/,
  );
  const rows = await bench(["--rows", "mlp"]);
  assert.equal(rows.code, 2, rows.stderr);
  assert.match(rows.stderr.trim(), /^error: Invalid --rows: it picks rows of --suite$/);
});

Deno.test({
  name: `bench --suite runs a row as a child bench beside PyTorch and writes the summary${
    noTorch ? ` (${noTorch})` : ""
  }`,
  ignore: noTorch !== null,
  fn: async () => {
    const out = await Deno.makeTempDir({ prefix: "cgan-bench-suite-" });
    try {
      const json = `${out}/nested/suite.json`;
      const run = await bench(
        ["--suite", "--rows", "mlp", "--steps", "1", "--runs", "2", "--json", json],
      );
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
      const summary = JSON.parse(await Deno.readTextFile(json));
      assert.deepEqual(Object.keys(summary.reports), ["mlp"]);
      assert.equal(summary.reports.mlp.length, 2);
      const reports = await Promise.all(
        summary.reports.mlp.map(async (f: string) => JSON.parse(await Deno.readTextFile(f))),
      );
      assert.equal(summary.results.length, reports[0].rows.length);
      for (const [i, r] of summary.results.entries()) {
        // Each pair's ratio from its own report; the line's ratio their median (the lower of two).
        const ratios = reports.map((p) =>
          p.rows[i].trainImagesPerSecond / p.torch.trainImagesPerSecond
        );
        assert.equal(r.backend, reports[0].rows[i].backend);
        assert.deepEqual(r.ratios, ratios);
        assert.equal(r.ratio, Math.min(...ratios));
      }
      assert.match(
        run.stdout,
        /^\| MLP cGAN \(64\) +\| wasm-simd +\| .* \| 0\.6x (met|not met) \|$/m,
      );
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
