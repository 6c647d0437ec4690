/**
 * `deno task compare`: the papers' comparisons, measured. Trains each variant with the same
 * budget and seed through `deno task train` (so every run is an ordinary, resumable run
 * directory), scores each with `deno task eval`, and prints one table: FID, intra-FID,
 * conditional accuracy, the classes the generator actually produces and per-class accuracy, in
 * the feature space of cgan's own evaluator (not Inception), plus each run's 10x10 grid and
 * its per-epoch history (`eval.csv`).
 *
 * - Paper 002's table (mode collapse of c-DCGAN vs c-WGAN vs c-WGAN-GP on CIFAR-10):
 *   `deno task compare --dataset cifar10 -- --preset small --epochs 5`
 * - Paper 004's MNIST cGAN (MLP) vs conditional DCGAN:
 *   `deno task compare --dataset mnist --variants mlp:bce,dcgan:bce -- --epochs 5`
 *
 * A variant whose run directory already has a checkpoint is resumed, not restarted.
 *
 * @module
 */
import { intFlag, parseFlags, runTask } from "../src/cli.ts";
import { DATASET_NAMES } from "../src/data/datasets.ts";
import type { GeneratorScores } from "../src/eval/score_generator.ts";
import { writeFileAtomic } from "../src/io/atomic.ts";
import { LOSSES } from "../src/train/losses.ts";
import { MODEL_NAMES } from "../src/train/config.ts";
import { evaluatorName, readJson } from "./_run_files.ts";

const DEFAULT_VARIANTS: Record<string, string> = {
  cifar10: "dcgan:bce,dcgan:wgan,dcgan:wgan-gp",
  mnist: "mlp:bce,dcgan:bce",
  fashion: "mlp:bce,dcgan:bce",
};

/** A paper's study: its variants and the budget they share, as one command. */
interface Study {
  dataset: string;
  variants: string;
  /** Train flags of every variant (flags after `--` come later, so they override these). */
  train: string[];
  /** What the paper did and how the budget is scaled, printed at the top of the report. */
  about: string;
}

/** `--study NAME`: the papers' grids. */
export const STUDIES: Record<string, Study> = {
  paper000: {
    dataset: "mnist",
    variants: [
      "mlp:bce:activation=leaky:lr=0.0002",
      "mlp:bce:activation=relu:lr=0.0002",
      "mlp:bce:activation=leaky:lr=0.001",
      "mlp:bce:activation=relu:lr=0.001",
    ].join(","),
    train: ["--epochs", "12", "--eval-every", "3"],
    about: "Ramagiri's study of the MLP cGAN (after Mirza & Osindero): ReLU vs LeakyReLU hidden " +
      "units, learning rates 2e-4 (the paper's) and 1e-3. The paper trains 120 epochs and shows " +
      "grids at epochs 30, 60, 90 and 120; by default every variant here trains 12 epochs (a " +
      "tenth) and is scored at 3, 6, 9 and 12, the same points scaled. Equal budget: the same " +
      "images seen.",
  },
  paper004: {
    dataset: "mnist",
    variants: "gan:bce,dcgan:bce:conditioning=none,mlp:bce,acgan:bce,mlp:lsgan",
    train: ["--epochs", "2", "--eval-every", "1"],
    about: "Roy & Gangopadhyay's baselines and conditional models on MNIST: the GAN and DCGAN " +
      "(unconditional), the cGAN, ACGAN and LSGAN (conditional MLPs). Equal budget: the same " +
      "images seen (2 epochs by default), so the conv DCGAN costs far more wall time than the " +
      "MLPs. The " +
      "unconditional models draw no requested class: their accuracy and intra-FID are n/a; " +
      "'classes produced' still shows their mode coverage.",
  },
};

const HELP = `Train several GAN variants with the same budget and compare their scores.

Usage: deno task compare [flags] [-- train flags]
  --dataset NAME    ${DATASET_NAMES.join(" | ")} (default: cifar10, or the study's)
  --variants LIST   comma-separated model:loss[:flag=value...] (default: cifar10
                    ${DEFAULT_VARIANTS.cifar10}, mnist/fashion ${DEFAULT_VARIANTS.mnist});
                    flag=value pairs are train flags of that variant only, e.g.
                    mlp:bce:activation=relu:lr=0.001
  --study NAME      a paper's study (${Object.keys(STUDIES).join(" | ")}): its variants and budget
  --out DIR         one run directory per variant goes here (default: runs/compare-<dataset>,
                    or runs/study-<name>)
  --n N             images per score (default: 1000)
  -h, --help        show this help
Flags after -- go to every deno task train run (same budget for all), e.g.
  -- --preset small --epochs 5 --data-dir ~/cifar-10-batches-bin --backend wasm

Examples:
  deno task compare --dataset mnist --variants mlp:bce,mlp:lsgan -- --epochs 2
  deno task compare --study ${Object.keys(STUDIES)[0]} --n 2000`;

/** Flags that compare sets itself, for every variant. */
const OWN_FLAGS = ["model", "loss", "dataset", "out", "resume"];

/** A variant: its model, loss and own train flags, and its name (the run folder). */
interface Variant {
  model: string;
  loss: string;
  flags: string[];
  name: string;
}

/**
 * Parses one `--variants` entry, `model:loss[:flag=value...]`.
 *
 * @param entry E.g. `mlp:bce:activation=relu:lr=0.001`.
 * @returns The variant, named `mlp-bce-activation=relu-lr=0.001`.
 * @throws {TypeError} Naming the entry and what was expected.
 */
export function parseVariant(entry: string): Variant {
  const [model, loss, ...pairs] = entry.trim().split(":");
  if (
    !(MODEL_NAMES as readonly string[]).includes(model ?? "") || loss === undefined ||
    !(loss in LOSSES)
  ) {
    throw new TypeError(
      `Invalid --variants entry "${entry}": expected model:loss[:flag=value...] with a model of ${
        MODEL_NAMES.join(", ")
      } and a loss of ${Object.keys(LOSSES).join(", ")}`,
    );
  }
  const flags: string[] = [];
  for (const pair of pairs) {
    const m = pair.match(/^([a-z][a-z0-9-]*)=(.+)$/);
    if (m === null || OWN_FLAGS.includes(m[1]!)) {
      throw new TypeError(
        `Invalid --variants entry "${entry}": "${pair}" is not flag=value of a train flag ` +
          `(compare sets ${OWN_FLAGS.map((f) => `--${f}`).join(", ")} itself)`,
      );
    }
    flags.push(`--${m[1]}`, m[2]!);
  }
  return { model: model!, loss, flags, name: [`${model}-${loss}`, ...pairs].join("-") };
}

/** One variant's numbers in the comparison. */
interface Row {
  variant: string;
  run: string;
  fid: number;
  fidReal: number;
  intraFid: number;
  accuracy: number;
  produced: number;
  classes: number;
  perClassAccuracy: number[];
  history: { epoch: number; fid: number; accuracy: number }[];
  /** Wall seconds of this compare's training call (a resumed run: of its last part only). */
  trainSeconds: number;
  resumed: boolean;
}

const TRAIN = new URL("./train.ts", import.meta.url).pathname;
const EVAL = new URL("./eval.ts", import.meta.url).pathname;

async function deno(args: string[]): Promise<void> {
  const { code } = await new Deno.Command("deno", {
    args,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`Cannot compare: \`deno ${args.join(" ")}\` exited with ${code}`);
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function readHistory(run: string): Promise<Row["history"]> {
  const file = `${run}/eval.csv`;
  if (!await exists(file)) return [];
  const [header, ...lines] = (await Deno.readTextFile(file)).trim().split("\n");
  const cols = header!.split(",");
  const at = (name: string) => cols.indexOf(name);
  return lines.map((line) => {
    const v = line.split(",").map(Number);
    return { epoch: v[at("epoch")]!, fid: v[at("fid")]!, accuracy: v[at("accuracy")]! };
  });
}

function minutes(r: Row): string {
  return `${(r.trainSeconds / 60).toFixed(1)} min${r.resumed ? " (resumed part)" : ""}`;
}

function pct(x: number): string {
  return Number.isNaN(x) ? "n/a" : `${(100 * x).toFixed(1)}%`;
}

/**
 * The paper's words for the mode-collapse ranking, worst first: fewer classes produced is more
 * collapse; between equals, the higher intra-FID (less like each real class) is worse.
 */
function collapseWords(rows: Row[]): Map<string, string> {
  const sorted = [...rows].sort((a, b) => a.produced - b.produced || b.intraFid - a.intraFid);
  const words = sorted.length === 1
    ? ["-"]
    : sorted.map((_, i) => i === 0 ? "most" : i === sorted.length - 1 ? "least" : "less");
  return new Map(sorted.map((r, i) => [r.variant, words[i]!]));
}

function markdown(
  rows: Row[],
  dataset: string,
  n: number,
  evaluator: string,
  about: string | undefined,
  trainFlags: string[],
): string {
  const words = collapseWords(rows);
  const lines = [
    `# Comparison on ${dataset}`,
    "",
    ...(about === undefined ? [] : [about, ""]),
    `Train flags of every variant: \`${trainFlags.join(" ") || "(defaults)"}\`.`,
    "",
    `Scores in the feature space of cgan's ${evaluator} evaluator, N = ${n} generated vs ${n} real`,
    "test images. These are not Inception-network numbers (no Inception weights are reachable",
    "offline): compare them with each other, not with published IS/FID.",
    "",
    "| variant | FID | intra-FID | accuracy | classes produced | mode collapse | train time | grid |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows.map((r) =>
      `| ${r.variant} | ${r.fid.toFixed(2)} | ${
        Number.isNaN(r.intraFid) ? "n/a" : r.intraFid.toFixed(2)
      } | ${pct(r.accuracy)} | ` +
      `${r.produced} of ${r.classes} | ${words.get(r.variant)} | ${minutes(r)} | ` +
      `![](${r.variant}/samples/final.png) |`
    ),
    "",
    `Real-data floor (FID of a train subset vs test): ${rows[0]?.fidReal.toFixed(2) ?? "n/a"}.`,
    "",
    "Accuracy per class:",
    "",
    `| variant | ${rows[0]?.perClassAccuracy.map((_, c) => c).join(" | ")} |`,
    `| --- | ${rows[0]?.perClassAccuracy.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.variant} | ${r.perClassAccuracy.map(pct).join(" | ")} |`),
  ];
  if (rows.some((r) => r.history.length > 0)) {
    lines.push("", "History (FID / accuracy at epoch ends, from each run's eval.csv):", "");
    for (const r of rows) {
      const points = r.history.map((h) => `${h.epoch}: ${h.fid.toFixed(1)} / ${pct(h.accuracy)}`);
      lines.push(`- ${r.variant}: ${points.join(", ") || "none"}`);
    }
  }
  return lines.join("\n") + "\n";
}

async function main(): Promise<number> {
  const dash = Deno.args.indexOf("--");
  const own = dash < 0 ? Deno.args : Deno.args.slice(0, dash);
  const trainFlags = dash < 0 ? [] : Deno.args.slice(dash + 1);
  const values = parseFlags(own, {
    dataset: { type: "string" },
    variants: { type: "string" },
    study: { type: "string" },
    out: { type: "string" },
    n: { type: "string", default: "1000" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const study = values.study === undefined ? undefined : STUDIES[values.study];
  if (values.study !== undefined && study === undefined) {
    throw new RangeError(
      `Invalid --study "${values.study}": expected one of ${Object.keys(STUDIES).join(", ")}`,
    );
  }
  if (study !== undefined && values.variants !== undefined) {
    throw new TypeError(`Cannot combine --study with --variants: the study sets its variants`);
  }
  const dataset = values.dataset ?? study?.dataset ?? "cifar10";
  if (!(DATASET_NAMES as readonly string[]).includes(dataset)) {
    throw new RangeError(
      `Invalid --dataset "${dataset}": expected one of ${DATASET_NAMES.join(", ")}`,
    );
  }
  const variants = (values.variants ?? study?.variants ?? DEFAULT_VARIANTS[dataset]!).split(",")
    .map(parseVariant);
  for (const flag of OWN_FLAGS.map((f) => `--${f}`)) {
    if (trainFlags.includes(flag)) {
      throw new TypeError(`Cannot pass ${flag} after --: compare sets it for each variant`);
    }
  }
  trainFlags.unshift(...study?.train ?? []);
  const n = intFlag("n", values.n, 20);
  const out = (values.out ??
    (values.study !== undefined ? `runs/study-${values.study}` : `runs/compare-${dataset}`))
    .replace(/\/+$/, "");
  const evaluatorDir = new URL(`../fixtures/evaluators/${dataset}`, import.meta.url).pathname;
  const meta = await readJson<{ architecture?: string }>(
    `${evaluatorDir}/evaluator.json`,
    `the ${dataset} evaluator (train it with deno task train-evaluator --dataset ${dataset})`,
  );
  const evalEvery = trainFlags.includes("--eval-every") ? [] : ["--eval-every", "1"];
  const at = trainFlags.indexOf("--backend");
  const backend = at >= 0 && trainFlags[at + 1] !== undefined
    ? ["--backend", trainFlags[at + 1]!]
    : [];

  const rows: Row[] = [];
  for (const v of variants) {
    const run = `${out}/${v.name}`;
    console.log(`\n== ${v.name} (${run}) ==`);
    const resumed = await exists(`${run}/checkpoints/latest.json`);
    const start = performance.now();
    if (resumed) {
      await deno(["run", "-P=train", TRAIN, "--resume", run]);
    } else {
      await deno([
        ...["run", "-P=train", TRAIN, "--model", v.model, "--loss", v.loss],
        ...["--dataset", dataset, "--out", run, ...evalEvery, ...trainFlags, ...v.flags],
      ]);
    }
    const trainSeconds = (performance.now() - start) / 1000;
    await deno(["run", "-P=train", EVAL, "--checkpoint", run, "--n", String(n), ...backend]);
    const s = await readJson<GeneratorScores>(`${run}/eval.json`, "scores");
    rows.push({
      variant: v.name,
      run,
      fid: s.fid,
      fidReal: s.fidReal,
      // JSON holds NaN (an unconditional G's per-class numbers) as null.
      intraFid: s.intraFid.mean ?? NaN,
      accuracy: s.accuracy ?? NaN,
      produced: s.coverage.produced,
      classes: s.intraFid.perClass.length,
      perClassAccuracy: s.coverage.perClassAccuracy.map((a) => a ?? NaN),
      history: await readHistory(run),
      trainSeconds,
      resumed,
    });
  }
  const name = evaluatorName(meta.architecture);
  const report = markdown(rows, dataset, n, name, study?.about, trainFlags);
  await writeFileAtomic(`${out}/compare.md`, report);
  await writeFileAtomic(
    `${out}/compare.json`,
    JSON.stringify(
      {
        dataset,
        study: values.study ?? null,
        n,
        trainFlags,
        featureSpace: `${name} (not Inception)`,
        rows,
      },
      null,
      2,
    ) +
      "\n",
  );
  console.log(`\n${report}\nwrote ${out}/compare.md and ${out}/compare.json`);
  return 0;
}

if (import.meta.main) await runTask(main, (key) => Deno.env.get(key));
