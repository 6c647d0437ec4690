/**
 * `deno task train-evaluator --dataset mnist|fashion`: trains the LeNet-style evaluator whose
 * features the metrics use, from scratch and deterministically (seeded init and batch order),
 * tests it on the test split and writes it in the tfjs Layers format with `evaluator.json`:
 * the command, data source, test accuracy and the SHA-256 of `weights.bin`. With `--dataset
 * folder --data-dir DIR` it trains on your images (one image in 10 of each class held out as
 * the test split) and writes `DIR/.cgan-evaluator`, where `deno task eval` looks for it.
 *
 * @module
 */
import { intFlag, parseFlags, runTask } from "../src/cli.ts";
import { sha256Hex } from "../src/io/hash.ts";
import { describeBackend, initBackend, parseBackendName } from "../src/backend/mod.ts";
import { DATASET_NAMES, FOLDER_DATASET } from "../src/data/datasets.ts";
import { buildEvaluator, EVALUATOR_ARCHS, evaluatorArch } from "../src/eval/evaluator.ts";
import { evaluatorAccuracy, trainEvaluator } from "../src/eval/train_evaluator.ts";
import { writeFileAtomic } from "../src/io/atomic.ts";
import { saveLayersModel } from "../src/io/layers_io.ts";
import { folderEvaluatorDir, loadSplits } from "./_run_files.ts";
import { DEFAULTS } from "../src/train/config.ts";

const HELP = `Train the evaluator classifier used by IS/FID.

Usage: deno task train-evaluator [flags]
  --dataset NAME    ${DATASET_NAMES.join(" | ")} | ${FOLDER_DATASET} (default: mnist)
  --data-dir DIR    read the dataset from this folder (default: the package or cache; folder:
                    required, one subfolder of images per class)
  --size N          folder: image side, as the GAN run's (default: 32 colour, 28 gray)
  --channels N      folder: 1 or 3, as the GAN run's (default: what the images are)
  --skip-bad        folder: leave out unreadable images with a warning
  --epochs N        passes over the training set (default: 5)
  --batch-size N    images per step (default: 128)
  --lr N            Adam learning rate (default: 0.001)
  --seed N          seed of weights, batch order and augmentation (default: 0)
  --augment KIND    none | crop-flip: shifts of up to 4 pixels and mirroring
                    (default: crop-flip for colour datasets, none otherwise)
  --schedule KIND   constant | cosine learning rate (default: constant)
  --backend NAME    auto | webgpu | wasm | cpu (default: auto)
  --out DIR         where to write it (default: fixtures/evaluators/<dataset>; folder:
                    DIR/.cgan-evaluator, where eval looks)
  -h, --help        show this help

Examples:
  deno task train-evaluator --dataset fashion --out /tmp/fashion-evaluator
  deno task train-evaluator --dataset folder --data-dir ~/flowers --size 32`;

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
    size: { type: "string", default: "0" },
    channels: { type: "string", default: "0" },
    "skip-bad": { type: "boolean", default: false },
    epochs: { type: "string", default: "5" },
    "batch-size": { type: "string", default: "128" },
    lr: { type: "string", default: "0.001" },
    seed: { type: "string", default: "0" },
    augment: { type: "string" },
    schedule: { type: "string", default: "constant" },
    backend: { type: "string" },
    out: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) return console.log(HELP);
  const epochs = intFlag("epochs", values.epochs, 1);
  const batchSize = intFlag("batch-size", values["batch-size"], 1);
  const seed = intFlag("seed", values.seed, 0);
  const lr = Number(values.lr);
  if (!(lr > 0)) throw new RangeError(`Invalid --lr "${values.lr}": expected a positive number`);
  const folder = values.dataset === FOLDER_DATASET;
  if (folder && values["data-dir"] === undefined) {
    throw new TypeError(
      "Missing --data-dir for --dataset folder: expected a folder with one subfolder of " +
        "PNG/JPEG images per class",
    );
  }
  const out = values.out ??
    (folder ? folderEvaluatorDir(values["data-dir"]!) : `fixtures/evaluators/${values.dataset}`);
  const schedule = values.schedule;
  if (schedule !== "constant" && schedule !== "cosine") {
    throw new TypeError(`Invalid --schedule "${schedule}": expected constant or cosine`);
  }
  const backend = await initBackend({
    requested: parseBackendName(values.backend ?? Deno.env.get("CGAN_BACKEND"), "--backend"),
  });
  console.log(describeBackend(backend));
  const { train, test } = await loadSplits({
    ...DEFAULTS,
    dataset: values.dataset as typeof DEFAULTS.dataset,
    dataDir: values["data-dir"] ?? "",
    size: intFlag("size", values.size, 0),
    channels: intFlag("channels", values.channels, 0),
    skipBad: values["skip-bad"],
  });
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
