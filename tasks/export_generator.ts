/**
 * `deno task export-generator --checkpoint RUN --out DIR`: turns a trained run's generator
 * into a shippable model folder: quantized weights (float16 by default), checked against the
 * float32 original, then put through the quality gate (evaluator accuracy on 100 samples per
 * class, no blank samples, per-class diversity vs real test images). The provenance (training
 * command, checkpoint, gate results, evaluator hash) goes into `model.json`'s
 * `userDefinedMetadata.cgan`, so it travels with the weights.
 *
 * @module
 */
import * as tf from "../src/_tf.ts";
import { describeBackend, initBackend, parseBackendName } from "../src/backend/mod.ts";
import { intFlag, parseFlags, runTask } from "../src/cli.ts";
import { loadDataset } from "../src/data/datasets.ts";
import { DATASET_GATES, type GateReport, qualityGate } from "../src/eval/quality_gate.ts";
import { sha256Hex } from "../src/io/hash.ts";
import { loadLayersModel, saveLayersModel } from "../src/io/layers_io.ts";
import { generatorInfo, generatorNoise, latentNoise } from "../src/models/generator.ts";
import { QUANTIZE_DTYPES, type QuantizeDtype } from "../src/io/quantize.ts";
import { type RunState, samplingGeneratorDir } from "../src/train/checkpoint.ts";
import type { TrainConfig } from "../src/train/config.ts";
import { dataSource, readJson, relative, resolveCheckpoint } from "./_run_files.ts";

const HELP = `Export a trained generator for shipping: quantize, compare, quality-gate.

Usage: deno task export-generator --checkpoint DIR --out DIR [flags]
  --checkpoint DIR  a run directory (its latest checkpoint) or a checkpoints/step-XXXXXXXX
                    folder (required)
  --out DIR         the model folder to write, model.json + weights.bin (required)
  --quantize DTYPE  none | float16 | uint8 (default: float16)
  --per-class N     gate samples per class (default: 100, i.e. 1,000 MNIST digits)
  --seed N          seed of the gate samples (default: 0)
  --evaluator DIR   evaluator model (default: fixtures/evaluators/<dataset>)
  --backend NAME    auto | webgpu | wasm | cpu (default: auto)
  -h, --help        show this help

Examples:
  deno task export-generator --checkpoint runs/acgan-mnist --out /tmp/mnist-acgan
  deno task export-generator --checkpoint runs/acgan-mnist --out /tmp/acgan-u8 --quantize uint8`;

function gateTable(g: GateReport): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const rows = g.perClass.map((p) =>
    `  ${String(p.label).padStart(5)}  ${pct(p.accuracy).padStart(8)}  ${
      String(p.blank).padStart(5)
    }  ${p.diversity.toFixed(2).padStart(9)}  ${p.realDiversity.toFixed(2).padStart(6)}  ${
      p.ratio.toFixed(2).padStart(5)
    }`
  );
  return [
    "  class  accuracy  blank  diversity  (real)  ratio",
    ...rows,
    `  all    ${pct(g.accuracy).padStart(8)}  ${String(g.blank).padStart(5)}  ` +
    `min ratio ${g.minRatio.toFixed(2)}`,
    `classes produced: ${g.produced} of ${g.perClass.length}`,
    `gate (accuracy >= ${
      pct(g.thresholds.minAccuracy)
    }, ${g.thresholds.minClassesProduced} classes produced, no blank sample, every ratio >= ${g.thresholds.minDiversityRatio}): ${
      g.passed ? "PASSED" : "FAILED"
    }`,
  ].join("\n");
}

async function maxAbsDiff(a: tf.LayersModel, b: tf.LayersModel, seed: number): Promise<number> {
  const { latentDim, numClasses } = generatorInfo(a);
  const diff = tf.tidy(() => {
    const z = latentNoise(100, latentDim, seed, generatorNoise(a));
    const labels = tf.tensor2d(
      Array.from({ length: 100 }, (_, i) => i % numClasses),
      [100, 1],
      "int32",
    );
    const ya = a.predict([z, labels]) as tf.Tensor;
    const yb = b.predict([z, labels]) as tf.Tensor;
    return tf.max(tf.abs(tf.sub(ya, yb)));
  });
  const value = (await diff.data())[0]!;
  diff.dispose();
  return value;
}

async function main(): Promise<number> {
  const values = parseFlags(Deno.args, {
    checkpoint: { type: "string" },
    out: { type: "string" },
    quantize: { type: "string", default: "float16" },
    "per-class": { type: "string", default: "100" },
    seed: { type: "string", default: "0" },
    evaluator: { type: "string" },
    backend: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.checkpoint === undefined) {
    throw new TypeError("Missing --checkpoint DIR: expected a run directory; see --help");
  }
  if (values.out === undefined) throw new TypeError("Missing --out DIR; see --help");
  const quantize = values.quantize as QuantizeDtype;
  if (!QUANTIZE_DTYPES.includes(quantize)) {
    throw new TypeError(
      `Invalid --quantize "${values.quantize}": expected one of ${QUANTIZE_DTYPES.join(", ")}`,
    );
  }
  const perClass = intFlag("per-class", values["per-class"], 2);
  const seed = intFlag("seed", values.seed, 0);

  const { runDir, checkpoint } = await resolveCheckpoint(values.checkpoint, "--checkpoint");
  const run = await readJson<{ config: TrainConfig; command?: string; data?: string }>(
    `${runDir}/config.json`,
    "run config",
  );
  const state = await readJson<RunState>(`${checkpoint}/state.json`, "checkpoint state");
  const evaluatorDir = values.evaluator ??
    relative(new URL(`../fixtures/evaluators/${run.config.dataset}`, import.meta.url).pathname);
  const evaluatorMeta = await readJson<{ weightsSha256: string; testAccuracy: number }>(
    `${evaluatorDir}/evaluator.json`,
    "evaluator metadata",
  );
  const backend = await initBackend({
    requested: parseBackendName(values.backend ?? Deno.env.get("CGAN_BACKEND"), "--backend"),
  });
  console.log(describeBackend(backend));

  const genDir = await samplingGeneratorDir(checkpoint);
  const averaged = genDir.endsWith("/gen_ema");
  const original = await loadLayersModel(genDir);
  const tmp = await Deno.makeTempDir({ prefix: "cgan-export-" });
  try {
    await saveLayersModel(original, `${tmp}/model`, undefined, { quantize });
    const shipped = await loadLayersModel(`${tmp}/model`);
    const quantError = await maxAbsDiff(original, shipped, seed);
    console.log(
      `${quantize} weights: max |float32 - shipped| over 100 samples = ${
        quantError.toExponential(2)
      }`,
    );

    const dir = dataSource(run.config.dataDir);
    const test = await loadDataset(run.config.dataset, { split: "test", ...dir });
    const evaluator = await loadLayersModel(evaluatorDir);
    const gate = await qualityGate(shipped, evaluator, test, {
      ...DATASET_GATES[run.config.dataset],
      perClass,
      seed,
    });
    console.log(gateTable(gate));

    const provenance = {
      model: run.config.model,
      dataset: run.config.dataset,
      data: run.data ?? null,
      trainCommand: run.command ?? null,
      trainConfig: run.config,
      checkpoint: relative(checkpoint),
      weights: averaged ? `gen_ema (G's weights averaged, decay ${run.config.emaDecay})` : "gen",
      step: state.step,
      quantize,
      quantizationMaxAbsError: quantError,
      gate: {
        ...gate,
        seed,
        evaluator: evaluatorDir,
        evaluatorSha256: evaluatorMeta.weightsSha256,
        evaluatorTestAccuracy: evaluatorMeta.testAccuracy,
        featureSpace: "cgan evaluator penultimate layer (not Inception)",
      },
      exportCommand: `deno task export-generator ${Deno.args.join(" ")}`,
    };
    // The same weights as the gated copy in tmp (metadata lives in model.json only).
    const bytes = await Deno.readFile(`${tmp}/model/weights.bin`);
    const readme = [
      `# ${run.config.model} generator for ${run.config.dataset}`,
      "",
      `Trained by cgan: \`${
        provenance.trainCommand ?? "(command not recorded)"
      }\` (seed ${run.config.seed}),`,
      `exported from \`${provenance.checkpoint}\` (step ${state.step}${
        averaged ? `, the moving average of G's weights, decay ${run.config.emaDecay}` : ""
      }) with`,
      `\`${provenance.exportCommand}\`. Weights: ${quantize}, ${
        (bytes.length / 1e6).toFixed(2)
      } MB,`,
      `sha256 ${await sha256Hex(bytes)}; max |float32 - shipped| over 100 samples ${
        quantError.toExponential(2)
      }.`,
      "",
      `Quality gate, ${gate.n} samples (seed ${seed}), judged by cgan's own evaluator`,
      `(\`${evaluatorDir}\`, test accuracy ${
        (100 * evaluatorMeta.testAccuracy).toFixed(2)
      }%, weights sha256`,
      `${
        evaluatorMeta.weightsSha256.slice(0, 16)
      }...; not an Inception network). Diversity is the mean pairwise`,
      "pixel distance of a class's samples, beside that of real test images of the class:",
      "",
      "```",
      gateTable(gate),
      "```",
      "",
      "`model.json` carries the same record in `userDefinedMetadata.cgan`.",
      "",
    ].join("\n");
    await saveLayersModel(original, values.out, { cgan: provenance }, {
      quantize,
      extraFiles: { "README.md": readme },
    });
    console.log(
      `wrote ${values.out} (weights ${(bytes.length / 1e6).toFixed(2)} MB, sha256 ${
        (await sha256Hex(bytes)).slice(0, 16)
      }...)`,
    );
    for (const model of [original, shipped, evaluator]) model.dispose();
    return gate.passed ? 0 : 3;
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) await runTask(main, (key) => Deno.env.get(key));
