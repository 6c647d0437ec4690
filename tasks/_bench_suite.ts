/**
 * `deno task bench --suite`: every row of the performance table in one run, each model beside
 * its PyTorch twin, and one summary with the ratios and their targets. Each row runs as a few
 * child `deno task bench --vs-torch --runs 1` processes in turn (a fresh engine and heap each, as
 * a user's run has), each timing cgan and then PyTorch: a pair. The summary reads their JSONs; a
 * row's ratio is the median of its pairs' ratios, so drift of the machine between minutes
 * (this VM's is ±20%) falls mostly inside a pair rather than between the two sides.
 *
 * @module
 */
import { dirname } from "node:path";
import { readJson } from "./_run_files.ts";

/** One row of the suite: what it runs and the ratio to PyTorch it aims at per variant. */
export interface SuiteRow {
  /** What `--rows` names it by. */
  id: string;
  /** The model and batch, as the table prints them. */
  title: string;
  /** `deno task bench` flags that pick the model, data, batch and backends. */
  args: readonly string[];
  /** Timed steps per run: enough for a second or more a run. */
  steps: number;
  /** Target ratio to PyTorch's img/s by bench row label (`wasm+openblas`, `wasm-simd`). */
  targets: Readonly<Record<string, number>>;
}

/** The rows of issue 21's table, in its order. */
export const SUITE: readonly SuiteRow[] = [
  {
    id: "mlp",
    title: "MLP cGAN (64)",
    args: ["--model", "mlp", "--backends", "wasm,wasm-simd"],
    steps: 50,
    targets: { "wasm+openblas": 1.5, "wasm-simd": 0.6 },
  },
  {
    id: "dcgan128",
    title: "Gazali's DCGAN, MNIST (128)",
    args: ["--model", "dcgan", "--batch-size", "128", "--backends", "wasm"],
    steps: 10,
    targets: { "wasm+openblas": 2 },
  },
  {
    id: "cifar025",
    title: "CIFAR DCGAN, width 0.25 (64)",
    args: ["--model", "dcgan", "--dataset", "cifar10", "--width", "0.25", "--backends", "wasm"],
    steps: 20,
    targets: { "wasm+openblas": 1.5 },
  },
  {
    id: "cifar1",
    title: "CIFAR DCGAN, width 1 (64)",
    args: ["--model", "dcgan", "--dataset", "cifar10", "--width", "1", "--backends", "wasm"],
    steps: 4,
    targets: { "wasm+openblas": 1.5 },
  },
  {
    id: "pix2pix",
    title: "pix2pix 64x64 (1)",
    args: ["--model", "pix2pix", "--backends", "wasm"],
    steps: 20,
    targets: { "wasm+openblas": 1 },
  },
];

/** The fields of a `deno task bench --vs-torch` JSON the summary reads. */
export interface BenchReport {
  rows: { backend: string; trainImagesPerSecond: number; msPerStep: number }[];
  torch: { trainImagesPerSecond: number; msPerStep: number } | null;
}

/** One line of the summary: a variant of a row beside PyTorch. */
export interface SuiteResult {
  title: string;
  backend: string;
  imagesPerSecond: number;
  msPerStep: number;
  torchImagesPerSecond: number;
  torchMsPerStep: number;
  ratio: number;
  /** null where the row has no target for this variant (wasm-simd where OpenBLAS is absent). */
  target: number | null;
  /** The ratio of each cgan / PyTorch pair when several ran (`ratio` is their median). */
  ratios?: number[];
}

/** The summary lines of one row from its bench report. */
export function suiteResults(row: SuiteRow, report: BenchReport): SuiteResult[] {
  if (report.torch === null) {
    throw new Error(`The bench of ${row.title} has no PyTorch result: it ran without --vs-torch`);
  }
  const torch = report.torch;
  return report.rows.map((r) => ({
    title: row.title,
    backend: r.backend,
    imagesPerSecond: r.trainImagesPerSecond,
    msPerStep: r.msPerStep,
    torchImagesPerSecond: torch.trainImagesPerSecond,
    torchMsPerStep: torch.msPerStep,
    ratio: r.trainImagesPerSecond / torch.trainImagesPerSecond,
    target: row.targets[r.backend] ?? null,
  }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1]!;

/**
 * One line per variant from the lines of several pairs (each a cgan run and a PyTorch run, one
 * after the other): the median of each number, and every pair's ratio. The ratio is the median
 * of the pairs' ratios, not a ratio of medians, so a pair's drift stays inside the pair.
 */
export function combinePairs(pairs: readonly SuiteResult[][]): SuiteResult[] {
  const first = pairs[0];
  if (first === undefined) throw new RangeError("Cannot combine no pairs of bench results");
  return first.map((line, i) => {
    const same = pairs.map((pair) => {
      const r = pair[i];
      if (r === undefined || r.backend !== line.backend) {
        throw new Error(`The pairs of ${line.title} ran different backends`);
      }
      return r;
    });
    const of = (key: "imagesPerSecond" | "msPerStep" | "torchImagesPerSecond" | "torchMsPerStep") =>
      median(same.map((r) => r[key]));
    const ratios = same.map((r) => r.ratio);
    return {
      ...line,
      imagesPerSecond: of("imagesPerSecond"),
      msPerStep: of("msPerStep"),
      torchImagesPerSecond: of("torchImagesPerSecond"),
      torchMsPerStep: of("torchMsPerStep"),
      ratio: median(ratios),
      ratios,
    };
  });
}

/** A rate to 3 significant digits below 100, else whole, with thousands separated. */
const rate = (x: number) => x < 100 ? x.toPrecision(3) : Math.round(x).toLocaleString("en-US");

/** The summary as a Markdown table: img/s (ms a step) of each side, the ratio, the target. */
export function formatSuite(results: readonly SuiteResult[]): string[] {
  const head = ["model (batch)", "backend", "cgan img/s (ms/step)", "PyTorch", "cgan / torch"];
  // Medians; with several pairs the ratio's range follows it.
  const rows = results.map((r) => [
    r.title,
    r.backend,
    `${rate(r.imagesPerSecond)} (${r.msPerStep.toFixed(1)})`,
    `${rate(r.torchImagesPerSecond)} (${r.torchMsPerStep.toFixed(1)})`,
    `${r.ratio.toFixed(2)}x` +
    ((r.ratios?.length ?? 0) > 1
      ? ` (${Math.min(...r.ratios!).toFixed(2)}-${Math.max(...r.ratios!).toFixed(2)})`
      : ""),
    r.target === null ? "-" : `${r.target}x ${r.ratio >= r.target ? "met" : "not met"}`,
  ]);
  const table = [[...head, "target"], ...rows];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
  return [
    line(table[0]!),
    `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
    ...rows.map(line),
  ];
}

/** Which rows `--rows` names (all when undefined); the error lists the ids. */
export function pickRows(ids: string | undefined): SuiteRow[] {
  if (ids === undefined) return [...SUITE];
  return ids.split(",").map((id) => {
    const row = SUITE.find((r) => r.id === id.trim());
    if (row === undefined) {
      throw new TypeError(
        `Invalid --rows "${id}": expected a list of ${SUITE.map((r) => r.id).join(", ")}`,
      );
    }
    return row;
  });
}

/** What `runSuite` needs from the bench's own flags. */
export interface SuiteOptions {
  rows: readonly SuiteRow[];
  /** cgan / PyTorch pairs per row, one after the other (each a child bench with `--runs 1`). */
  pairs: number;
  /** Steps per run in place of each row's own (a smoke run), or undefined. */
  steps?: number | undefined;
  /** The suite's JSON; each pair's bench JSON goes beside it as `<name>-<id>-<pair>.json`. */
  json: string;
  python: string;
}

/**
 * Runs each row as `pairs` child `deno task bench --vs-torch --runs 1` processes in turn (their
 * output shown as they run; each times cgan, then PyTorch), then prints the summary and writes it
 * to `options.json`. Returns the exit code: the first child's that failed, else 0. Targets not met
 * are reported, not failed: they are goals, not tests.
 */
export async function runSuite(options: SuiteOptions): Promise<number> {
  const bench = new URL("./bench.ts", import.meta.url).pathname;
  const base = options.json.replace(/\.json$/, "");
  await Deno.mkdir(dirname(options.json), { recursive: true });
  const results: SuiteResult[] = [];
  const reports: Record<string, string[]> = {};
  for (const row of options.rows) {
    const steps = options.steps ?? row.steps;
    const pairs: SuiteResult[][] = [];
    reports[row.id] = [];
    for (let pair = 1; pair <= options.pairs; pair++) {
      const json = `${base}-${row.id}-${pair}.json`;
      console.log(
        `\n== ${row.title}, pair ${pair} of ${options.pairs}: deno task bench ${
          row.args.join(" ")
        } --vs-torch`,
      );
      const { code } = await new Deno.Command("deno", {
        args: [
          ...["run", "-R", "-W", "-E", "-S", "--allow-ffi", "--allow-run=/usr/bin/python3,python3"],
          ...[bench, ...row.args, "--vs-torch", "--steps", String(steps)],
          ...["--runs", "1", "--json", json, "--python", options.python],
        ],
        stdout: "inherit",
        stderr: "inherit",
      }).output();
      if (code !== 0) {
        console.error(`The bench of ${row.title} failed (exit code ${code}); the suite stops here`);
        return code;
      }
      pairs.push(suiteResults(row, await readJson<BenchReport>(json, "a bench report")));
      reports[row.id]!.push(json);
    }
    results.push(...combinePairs(pairs));
  }
  console.log(
    `\nbench suite, ${new Date().toISOString()}: medians of ${options.pairs} pair(s) per row, ` +
      `each cgan then PyTorch (2 threads) in one child bench; the ratio is the median of the ` +
      `pairs' ratios (their range in brackets):`,
  );
  for (const line of formatSuite(results)) console.log(line);
  await Deno.writeTextFile(
    options.json,
    JSON.stringify(
      { date: new Date().toISOString(), pairs: options.pairs, results, reports },
      null,
      2,
    ) + "\n",
  );
  console.log(`wrote ${options.json}`);
  return 0;
}
