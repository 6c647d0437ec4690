/**
 * `deno task eval --checkpoint DIR`: scores a trained generator (a run directory or one of its
 * checkpoints) with IS, FID, intra-FID, conditional accuracy and precision/recall, computed in
 * the feature space of cgan's own evaluator classifier, beside real-data references. A pix2pix
 * run is scored instead by PSNR, SSIM and L1 of its outputs against the targets of a held-out
 * split (`--split test|val`). Prints a table and writes `eval.json` into the run directory (or
 * `--json FILE`).
 *
 * @module
 */
import { intFlag, parseFlags, runTask } from "../src/cli.ts";
import { describeBackend, initBackend, parseBackendName } from "../src/backend/mod.ts";
import { FOLDER_DATASET, loadPairedDataset } from "../src/data/datasets.ts";
import { SSIM_PARAMS } from "../src/eval/image_metrics.ts";
import { type GeneratorScores, scoreGenerator } from "../src/eval/score_generator.ts";
import { scoreMeanImage, scoreTranslation } from "../src/eval/score_translation.ts";
import { writeFileAtomic } from "../src/io/atomic.ts";
import { loadLayersModel } from "../src/io/layers_io.ts";
import { modelDef } from "../src/models/registry.ts";
import { samplingGeneratorDir } from "../src/train/checkpoint.ts";
import { pairGridPng } from "../src/train/sample_grid.ts";
import type { TrainConfig } from "../src/train/config.ts";
import {
  evaluatorName,
  folderEvaluatorDir,
  loadSplits,
  readJson,
  relative,
  resolveCheckpoint,
} from "./_run_files.ts";

const HELP = `Score a trained generator in the evaluator's feature space.

Usage: deno task eval --checkpoint DIR [flags]
  --checkpoint DIR  a run directory (its latest checkpoint) or a checkpoints/step-XXXXXXXX
                    folder (required)
  --n N             generated images, and real images per reference (default: 10000)
  --evaluator DIR   evaluator model (default: fixtures/evaluators/<dataset>; a run on your own
                    folder: the one train-evaluator --dataset folder wrote, DIR/.cgan-evaluator)
  --seed N          seed of the generated samples (default: 0)
  --k N             neighbourhood size of precision/recall (default: 3)
  --backend NAME    auto | webgpu | wasm | cpu (default: auto)
  --json FILE       where to write the scores (default: <run>/eval.json)
  --split NAME      pix2pix runs: test | val, the pairs to score (default: test)
  --net NAME        average | gen: G's moving average (gen_ema/) when the run kept one, or G
                    itself (default: average)
  -h, --help        show this help

A pix2pix run is scored by PSNR, SSIM and L1 of G's outputs against the targets (N = at most
--n pairs of --split), not in an evaluator's feature space.

Examples:
  deno task eval --checkpoint runs/acgan-mnist
  deno task eval --checkpoint runs/acgan-mnist/checkpoints/step-00004690 --n 2000 --net gen`;

function fmt(x: number, digits = 3): string {
  return Number.isNaN(x) ? "n/a (unconditional G)" : x.toFixed(digits);
}

function table(
  s: GeneratorScores,
  evaluator: { dir: string; sha: string; name: string },
  dataset: string,
): string {
  const rows = [
    ["metric", "generated", "real reference"],
    [
      "IS (10 splits)",
      `${fmt(s.is.mean)} ± ${fmt(s.is.std)}`,
      `${fmt(s.isReal.mean)} ± ${fmt(s.isReal.std)} (test, ceiling)`,
    ],
    ["FID vs test", fmt(s.fid), `${fmt(s.fidReal)} (train subset, floor)`],
    ["intra-FID (mean of classes)", fmt(s.intraFid.mean), fmt(s.intraFidReal.mean)],
    [
      "conditional accuracy",
      Number.isNaN(s.accuracy) ? fmt(NaN) : `${fmt(s.accuracy * 100, 2)}%`,
      `${fmt(s.accuracyReal * 100, 2)}% (test)`,
    ],
    [
      "classes produced",
      `${s.coverage.produced} of ${s.coverage.shares.length}`,
      "",
    ],
    [
      "precision / recall",
      `${fmt(s.precisionRecall.precision)} / ${fmt(s.precisionRecall.recall)}`,
      `${fmt(s.precisionRecallReal.precision)} / ${fmt(s.precisionRecallReal.recall)}`,
    ],
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  "));
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return [
    `Scores in the feature space of cgan's ${evaluator.name} evaluator (${evaluator.dir}, weights sha256 ${
      evaluator.sha.slice(0, 16)
    }...),`,
    `N = ${s.n} generated vs ${s.n} real ${dataset} images. These are not Inception-network numbers:`,
    `no Inception weights are reachable offline, so do not compare them with published IS/FID.`,
    ...(s.fidEps > 0
      ? [`A covariance was singular: FID used eps = ${s.fidEps} on the diagonal.`]
      : []),
    "",
    ...lines,
    "",
    `intra-FID per class: ${s.intraFid.perClass.map((v) => fmt(v, 1)).join(", ")}`,
    ...(Number.isNaN(s.accuracy) ? [] : [
      `accuracy per class: ${
        s.coverage.perClassAccuracy.map((v) => `${(v * 100).toFixed(0)}%`).join(", ")
      }`,
    ]),
  ].join("\n");
}

async function main(): Promise<void> {
  const values = parseFlags(Deno.args, {
    checkpoint: { type: "string" },
    n: { type: "string", default: "10000" },
    evaluator: { type: "string" },
    seed: { type: "string", default: "0" },
    k: { type: "string", default: "3" },
    backend: { type: "string" },
    json: { type: "string" },
    split: { type: "string" },
    net: { type: "string", default: "average" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) return console.log(HELP);
  if (values.checkpoint === undefined) {
    throw new TypeError("Missing --checkpoint DIR: expected a run directory; see --help");
  }
  const n = intFlag("n", values.n, 20);
  const seed = intFlag("seed", values.seed, 0);
  const k = intFlag("k", values.k, 1);
  if (values.net !== "average" && values.net !== "gen") {
    throw new RangeError(`Invalid --net "${values.net}": expected average or gen`);
  }

  const { runDir, checkpoint } = await resolveCheckpoint(values.checkpoint, "--checkpoint");
  const { config } = await readJson<{ config: TrainConfig }>(`${runDir}/config.json`, "run config");
  if (modelDef(config.model).conditioning === "image") {
    return await evalTranslation({ ...values, n, seed, runDir, checkpoint, config });
  }
  if (values.split !== undefined) {
    throw new TypeError(
      `Invalid --split for a ${config.model} run: it applies to image-to-image (pix2pix) runs`,
    );
  }
  const folder = config.dataset === FOLDER_DATASET;
  const evaluatorDir = values.evaluator ?? (folder ? folderEvaluatorDir(config.dataDir) : relative(
    new URL(`../fixtures/evaluators/${config.dataset}`, import.meta.url).pathname,
  ));
  const meta = await readJson<
    { weightsSha256: string; testAccuracy: number; architecture?: string }
  >(
    `${evaluatorDir}/evaluator.json`,
    "evaluator metadata",
  ).catch((err) => {
    if (!folder || values.evaluator !== undefined) throw err;
    throw new Error(
      `Cannot score a run on --dataset folder: cgan ships no evaluator for your images, and ` +
        `FID and precision/recall need one's features; train one with deno task ` +
        `train-evaluator --dataset folder --data-dir ${config.dataDir} (it writes ` +
        `${evaluatorDir}, where eval looks), or pass --evaluator DIR`,
    );
  });

  const backend = await initBackend({
    requested: parseBackendName(values.backend ?? Deno.env.get("CGAN_BACKEND"), "--backend"),
  });
  console.log(describeBackend(backend));
  const { train, test } = await loadSplits(config);
  // A folder's held-out split may be smaller than --n.
  const scored = Math.min(n, test.labels.length, train.labels.length);
  if (scored < n) console.log(`--n ${n} is more than the real images: scoring N = ${scored}`);
  const genDir = values.net === "gen"
    ? `${checkpoint}/gen`
    : await samplingGeneratorDir(checkpoint);
  const gen = await loadLayersModel(genDir);
  const evaluator = await loadLayersModel(evaluatorDir);
  console.log(`generator: ${genDir}`);
  const t0 = performance.now();
  const scores = await scoreGenerator(gen, evaluator, test, train, {
    n: scored,
    latentDim: config.latentDim,
    seed,
    splits: 10,
    k,
  });
  const name = evaluatorName(meta.architecture);
  console.log(table(scores, { dir: evaluatorDir, sha: meta.weightsSha256, name }, config.dataset));
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const out = values.json ?? `${runDir}/eval.json`;
  await writeFileAtomic(
    out,
    JSON.stringify(
      {
        checkpoint,
        generator: genDir,
        dataset: config.dataset,
        featureSpace: `cgan ${name} evaluator penultimate layer (not Inception)`,
        evaluator: evaluatorDir,
        evaluatorSha256: meta.weightsSha256,
        seed,
        ...scores,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`wrote ${out}`);
}

/** Pairs in the picture a pix2pix evaluation writes beside its JSON. */
const PICTURE_PAIRS = 8;

/** Scores a pix2pix run's G on a held-out split: PSNR, SSIM and L1 against the targets. */
async function evalTranslation(args: {
  split?: string | undefined;
  backend?: string | undefined;
  json?: string | undefined;
  net: string;
  n: number;
  seed: number;
  runDir: string;
  checkpoint: string;
  config: TrainConfig;
}): Promise<void> {
  const { config, checkpoint } = args;
  const split = args.split ?? "test";
  if (split !== "test" && split !== "val") {
    throw new TypeError(`Invalid --split "${split}": expected test or val`);
  }
  const backend = await initBackend({
    requested: parseBackendName(args.backend ?? Deno.env.get("CGAN_BACKEND"), "--backend"),
  });
  console.log(describeBackend(backend));
  const pairs = await loadPairedDataset(config.dataset, {
    split,
    dataDir: config.dataDir,
    direction: config.direction,
    size: config.size,
  });
  const genDir = args.net === "gen" ? `${checkpoint}/gen` : await samplingGeneratorDir(checkpoint);
  const gen = await loadLayersModel(genDir);
  console.log(`generator: ${genDir}`);
  const t0 = performance.now();
  const scores = await scoreTranslation(gen, pairs, { n: args.n, seed: args.seed });
  const out = args.json ?? `${args.runDir}/eval.json`;
  // What the numbers score, to look at: the split's first pairs as input | output | target.
  const picture = `${out.replace(/\.json$/, "")}-${split}-pairs.png`;
  const rows = Math.min(PICTURE_PAIRS, scores.n);
  await writeFileAtomic(picture, await pairGridPng(gen, pairs, { rows, seed: args.seed }));
  gen.dispose();
  const train = await loadPairedDataset(config.dataset, {
    split: "train",
    dataDir: config.dataDir,
    direction: config.direction,
    size: config.size,
  });
  const mean = scoreMeanImage(train, pairs, { n: args.n });
  const beats = (ours: number, base: number, higher: boolean) =>
    (higher ? ours > base : ours < base) ? "yes" : "no";
  const { window, sigma, k1, k2 } = SSIM_PARAMS;
  console.log(
    [
      `pix2pix on ${config.dataset} ${split} (${pairs.source}): N = ${scores.n} pairs, ` +
      `${config.size}x${config.size}, ${config.direction}`,
      "",
      "metric  G          mean training photo  G better",
      "------  ---------  -------------------  --------",
      `PSNR    ${scores.psnr.toFixed(2)} dB   ${mean.psnr.toFixed(2)} dB             ${
        beats(scores.psnr, mean.psnr, true)
      }`,
      `SSIM    ${scores.ssim.toFixed(4)}     ${mean.ssim.toFixed(4)}               ${
        beats(scores.ssim, mean.ssim, true)
      }`,
      `L1      ${scores.l1.toFixed(4)}     ${mean.l1.toFixed(4)}               ${
        beats(scores.l1, mean.l1, false)
      }`,
      "",
      `The baseline gives the mean target of the ${train.labels.length} training pairs as every output.`,
      "",
      `On [0, 1] per pair, then averaged; SSIM: Gaussian ${window}x${window} window, sigma ` +
      `${sigma}, K1 ${k1}, K2 ${k2}; L1: mean |target - output|.`,
    ].join("\n"),
  );
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  console.log(`wrote ${picture} (the first ${rows} ${split} pairs: input | output | target)`);
  await writeFileAtomic(
    out,
    JSON.stringify(
      {
        checkpoint,
        generator: genDir,
        dataset: config.dataset,
        split,
        size: config.size,
        direction: config.direction,
        seed: args.seed,
        range: "[0, 1]",
        ...scores,
        meanTrainingPhoto: mean,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`wrote ${out}`);
}

if (import.meta.main) await runTask(main, (key) => Deno.env.get(key));
