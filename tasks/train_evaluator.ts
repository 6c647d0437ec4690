/**
 * `deno task train-evaluator --dataset mnist|fashion`: trains the LeNet-style evaluator whose
 * features the metrics use, from scratch and deterministically (seeded init and batch order),
 * tests it on the test split and writes it in the tfjs Layers format with `evaluator.json`:
 * the command, data source, test accuracy and the SHA-256 of `weights.bin`.
 *
 * @module
 */
import { intFlag, parseFlags, runTask } from "../src/cli.ts";
import { sha256Hex } from "../src/io/hash.ts";
import { describeBackend, initBackend, parseBackendName } from "../src/backend/mod.ts";
import { DATASET_NAMES, loadDataset } from "../src/data/datasets.ts";
import { buildEvaluator, EVALUATOR_ARCHS, evaluatorArch } from "../src/eval/evaluator.ts";
import { evaluatorAccuracy, trainEvaluator } from "../src/eval/train_evaluator.ts";
import { writeFileAtomic } from "../src/io/atomic.ts";
import { saveLayersModel } from "../src/io/layers_io.ts";
import { dataSource } from "./_run_files.ts";

const HELP = `Train the evaluator classifier used by IS/FID.

Usage: deno task train-evaluator [flags]
  --dataset NAME    ${DATASET_NAMES.join(" | ")} (default: mnist)
  --data-dir DIR    read the dataset from this folder
  --epochs N        passes over the training set (default: 5)
  --batch-size N    images per step (default: 128)
  --lr N            Adam learning rate (default: 0.001)
  --seed N          seed of weights, batch order and augmentation (default: 0)
  --augment KIND    none | crop-flip: shifts of up to 4 pixels and mirroring
                    (default: crop-flip for colour datasets, none otherwise)
  --schedule KIND   constant | cosine learning rate (default: constant)
  --backend NAME    auto | webgpu | wasm | cpu (default: auto)
  --out DIR         where to write it (default: fixtures/evaluators/<dataset>)`;

/** Removes a previous evaluator in `dir` (only its own three files), so the new one can be saved. */
async function replaceEvaluatorDir(dir: string): Promise<void> {
  const own = new Set(["model.json", "weights.bin", "evaluator.json"]);
  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)].map((e) => e.name);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  const other = names.filter((n) => !own.has(n));
  if (other.length > 0) {
    throw new Error(`Cannot replace the evaluator in "${dir}": it also holds ${other.join(", ")}`);
  }
  await Deno.remove(`${dir}/evaluator.json`).catch(() => {});
}

async function main(): Promise<void> {
  const values = parseFlags(Deno.args, {
    dataset: { type: "string", default: "mnist" },
    "data-dir": { type: "string" },
    epochs: { type: "string", default: "5" },
    "batch-size": { type: "string", default: "128" },
    lr: { type: "string", default: "0.001" },
    seed: { type: "string", default: "0" },
    augment: { type: "string" },
    schedule: { type: "string", default: "constant" },
    backend: { type: "string" },
    out: { type: "string" },
    help: { type: "boolean", default: false },
  });
  if (values.help) return console.log(HELP);
  const epochs = intFlag("epochs", values.epochs, 1);
  const batchSize = intFlag("batch-size", values["batch-size"], 1);
  const seed = intFlag("seed", values.seed, 0);
  const lr = Number(values.lr);
  if (!(lr > 0)) throw new RangeError(`Invalid --lr "${values.lr}": expected a positive number`);
  const out = values.out ?? `fixtures/evaluators/${values.dataset}`;
  const schedule = values.schedule;
  if (schedule !== "constant" && schedule !== "cosine") {
    throw new TypeError(`Invalid --schedule "${schedule}": expected constant or cosine`);
  }
  const backend = await initBackend({
    requested: parseBackendName(values.backend ?? Deno.env.get("CGAN_BACKEND"), "--backend"),
  });
  console.log(describeBackend(backend));
  const dir = dataSource(values["data-dir"]);
  const train = await loadDataset(values.dataset, { split: "train", ...dir });
  const test = await loadDataset(values.dataset, { split: "test", ...dir });
  console.log(
    `data: ${train.name} train ${train.labels.length} / test ${test.labels.length} from ${train.source}`,
  );

  const augmentKind = values.augment ?? (train.shape[2] === 3 ? "crop-flip" : "none");
  if (augmentKind !== "none" && augmentKind !== "crop-flip") {
    throw new TypeError(`Invalid --augment "${augmentKind}": expected none or crop-flip`);
  }
  const augment = augmentKind === "crop-flip" ? { augment: { pad: 4, flip: true } } : {};
  const cfg = { imageShape: train.shape, numClasses: train.classNames.length, seed };
  const net = buildEvaluator(cfg);
  const t0 = performance.now();
  await trainEvaluator(net, train, {
    epochs,
    batchSize,
    lr,
    seed,
    schedule,
    ...augment,
    onEpoch: (epoch, loss) =>
      console.log(
        `epoch ${epoch}/${epochs}: loss ${loss.toFixed(4)} (${
          ((performance.now() - t0) / 1000).toFixed(0)
        } s)`,
      ),
  });
  await replaceEvaluatorDir(out);
  await saveLayersModel(net, out);
  const accuracy = await evaluatorAccuracy(net, test);
  console.log(`test accuracy: ${(accuracy * 100).toFixed(2)}% on ${test.labels.length} images`);
  const weights = await Deno.readFile(`${out}/weights.bin`);
  const sha256 = await sha256Hex(weights);
  const meta = {
    architecture: EVALUATOR_ARCHS[evaluatorArch(cfg)],
    dataset: train.name,
    data: train.source,
    classNames: train.classNames,
    testAccuracy: accuracy,
    testImages: test.labels.length,
    command: ["deno", "task", "train-evaluator", ...Deno.args].join(" "),
    epochs,
    batchSize,
    lr,
    seed,
    augment: augmentKind,
    schedule,
    backend: backend.name,
    weightsSha256: sha256,
  };
  await writeFileAtomic(`${out}/evaluator.json`, JSON.stringify(meta, null, 2) + "\n");
  console.log(`wrote ${out} (weights sha256 ${sha256.slice(0, 16)}...)`);
  net.dispose();
}

if (import.meta.main) await runTask(main, (key) => Deno.env.get(key));
