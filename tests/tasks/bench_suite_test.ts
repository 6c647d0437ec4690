/**
 * `deno task bench --suite`: the summary's ratios and targets from the rows' reports, its flag
 * errors, and (with Debian's python3-torch) one row run end to end as a child bench.
 */
import assert from "node:assert/strict";
import {
  type BenchReport,
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
      const run = await bench([
        "--suite",
        "--rows",
        "mlp",
        "--steps",
        "1",
        "--runs",
        "1",
        "--json",
        json,
      ]);
      assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
      const summary = JSON.parse(await Deno.readTextFile(json));
      assert.deepEqual(Object.keys(summary.reports), ["mlp"]);
      const report = JSON.parse(await Deno.readTextFile(summary.reports.mlp));
      assert.equal(summary.results.length, report.rows.length);
      for (const [i, r] of summary.results.entries()) {
        assert.equal(r.backend, report.rows[i].backend);
        assert.equal(
          r.ratio,
          report.rows[i].trainImagesPerSecond / report.torch.trainImagesPerSecond,
        );
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
