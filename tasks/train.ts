/**
 * `deno task train`: trains a conditional GAN (default: the MLP cGAN of paper 000 on MNIST), on
 * a folder of your own images (`--dataset folder --data-dir DIR`, one subfolder per class), or
 * pix2pix on paired images (`--model pix2pix --data-dir DIR`).
 *
 * Flags: see `deno task train --help`. Outputs go to `runs/<model>-<dataset>-<time>/` (or
 * `--out DIR`): config.json, checkpoints/, samples/*.png, losses.csv/json/svg.
 *
 * @module
 */
import process from "node:process";
import { describeBackend, initBackend } from "../src/backend/mod.ts";
import { parseTrainArgs, runTask, trainHelp } from "../src/cli.ts";
import {
  FOLDER_DATASET,
  isPairedDatasetName,
  loadDataset,
  loadPairedDataset,
} from "../src/data/datasets.ts";
import { DEFAULTS, type TrainConfig } from "../src/train/config.ts";
import { loadLayersModel } from "../src/io/layers_io.ts";
import { acquireRunLock, checkRunLock } from "../src/io/run_lock.ts";
import { rewindToCheckpoint } from "../src/train/checkpoint.ts";
import { barProgress, lineProgress } from "../src/train/progress.ts";
import { trainOnDataset } from "../src/train/run.ts";
import { folderOptions, loadFolderData } from "./_run_files.ts";

function timestamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-` +
    `${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

async function readRunConfig(runDir: string): Promise<TrainConfig> {
  const file = `${runDir}/config.json`;
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (err) {
    throw new Error(`Cannot resume "${runDir}": cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text).config as TrainConfig;
  } catch (err) {
    throw new SyntaxError(
      `Cannot resume "${runDir}": ${file} is not valid JSON: ${(err as Error).message}`,
    );
  }
}

async function main(): Promise<number> {
  const args = parseTrainArgs(Deno.args, { CGAN_BACKEND: Deno.env.get("CGAN_BACKEND") });
  if (args.help) {
    console.log(trainHelp());
    return 0;
  }
  const resuming = args.resume !== "";
  // --resume RUN/checkpoints/step-XXXXXXXX goes back to that checkpoint of RUN.
  const rewindTo = /(^|\/)checkpoints\/step-\d{8}\/?$/.test(args.resume) ? args.resume : null;
  const resumeDir = rewindTo === null
    ? args.resume
    : rewindTo.replace(/\/+$/, "").replace(/\/?checkpoints\/step-\d{8}$/, "") || ".";
  const config: TrainConfig = resuming
    ? { ...DEFAULTS, ...await readRunConfig(resumeDir), ...args.explicit }
    : args.config;
  const runDir = resuming
    ? resumeDir
    : config.out !== ""
    ? config.out
    : `runs/${config.model}-${config.dataset}-${timestamp(new Date())}`;
  const command = ["deno", "task", "train", ...Deno.args].join(" ");
  // A run that another process still trains: refuse now, before reading any data.
  await checkRunLock(runDir);
  if (rewindTo !== null) {
    const lock = await acquireRunLock(runDir, { command });
    if (lock.tookOver !== null) {
      console.log(`note: took over ${lock.path} of process ${lock.tookOver.pid}, which is gone`);
    }
    try {
      const { setAside } = await rewindToCheckpoint(rewindTo);
      for (const dir of setAside) console.log(`set aside ${dir} (newer than ${rewindTo})`);
    } finally {
      lock.release();
    }
  }

  const backend = await initBackend({
    requested: config.backend === "auto" ? undefined : config.backend,
  });
  console.log(describeBackend(backend));
  const paired = isPairedDatasetName(config.dataset);
  const folder = config.dataset === FOLDER_DATASET;
  if (folder && config.evalEvery > 0) {
    throw new TypeError(
      "Cannot use --eval-every with --dataset folder: cgan ships no evaluator for your images; " +
        "score a checkpoint with deno task eval --evaluator DIR (see deno task train-evaluator " +
        "--dataset folder)",
    );
  }
  const pairs = (split: "train" | "val") =>
    loadPairedDataset(config.dataset, {
      split,
      dataDir: config.dataDir,
      direction: config.direction,
      size: config.size,
    });
  const dataset = paired
    ? await pairs("train")
    : folder
    ? await loadFolderData(folderOptions(config))
    : await loadDataset(config.dataset, {
      split: "train",
      ...(config.dataDir !== "" ? { dataDir: config.dataDir } : {}),
    });
  console.log(
    `data: ${dataset.name} (${dataset.labels.length} ${
      paired ? `${config.size}x${config.size} pairs, ${config.direction},` : "images"
    } from ${dataset.source})`,
  );

  let evaluation;
  let validation;
  if (config.evalEvery > 0 && paired) {
    validation = await pairs("val");
    console.log(
      `eval: PSNR, SSIM, L1 every ${config.evalEvery} epoch(s) on ${
        Math.min(config.evalN, validation.labels.length)
      } validation pairs from ${validation.source}`,
    );
  } else if (config.evalEvery > 0) {
    const dir = new URL(`../fixtures/evaluators/${config.dataset}`, import.meta.url).pathname;
    evaluation = {
      evaluator: await loadLayersModel(dir).catch((err) => {
        throw new Error(
          `Cannot use --eval-every: no evaluator for ${config.dataset} (${err.message}); ` +
            `train one with deno task train-evaluator --dataset ${config.dataset}`,
        );
      }),
      test: await loadDataset(config.dataset, {
        split: "test",
        ...(config.dataDir !== "" ? { dataDir: config.dataDir } : {}),
      }),
    };
    console.log(`eval: every ${config.evalEvery} epoch(s), N = ${config.evalN}, evaluator ${dir}`);
  }

  console.log(`run: ${runDir}`);

  const progress = Deno.stderr.isTerminal() && !Deno.env.get("CI")
    ? barProgress(process.stderr, config.batchSize)
    : lineProgress((line) => console.log(line), config.batchSize);
  // Ctrl-C (SIGINT) and a stop request (SIGTERM: kill, systemd, a CI timeout) both save a
  // checkpoint first; the same signal again quits at once.
  const abort = new AbortController();
  let stoppedBy: "SIGINT" | "SIGTERM" | undefined;
  const onSignal = (signal: "SIGINT" | "SIGTERM") => () => {
    if (abort.signal.aborted) Deno.exit(signal === "SIGINT" ? 130 : 143);
    stoppedBy = signal;
    progress.log(
      `Interrupted (${signal}): saving a checkpoint before exiting (${
        signal === "SIGINT" ? "Ctrl-C" : "SIGTERM"
      } again to quit now)`,
    );
    abort.abort();
  };
  const listeners = { SIGINT: onSignal("SIGINT"), SIGTERM: onSignal("SIGTERM") } as const;
  for (const [signal, listener] of Object.entries(listeners)) {
    Deno.addSignalListener(signal as Deno.Signal, listener);
  }
  let result;
  try {
    result = await trainOnDataset(dataset, {
      runDir,
      config,
      command,
      progress,
      signal: abort.signal,
      resume: resuming,
      ...(evaluation ? { evaluation } : {}),
      ...(validation ? { validation } : {}),
    });
  } finally {
    progress.stop();
    for (const [signal, listener] of Object.entries(listeners)) {
      Deno.removeSignalListener(signal as Deno.Signal, listener);
    }
  }
  console.log(
    `\n${result.status} at step ${result.step}; ${
      result.imagesPerSecond.toFixed(0)
    } img/s on ${backend.name}`,
  );
  console.log("outputs:");
  for (const file of result.outputs.sort()) console.log(`  ${file}`);
  if (result.status === "interrupted") {
    console.log(`resume with: deno task train --resume ${runDir}`);
  }
  if (result.status === "interrupted") return stoppedBy === "SIGTERM" ? 143 : 130;
  return result.status === "diverged" ? 1 : 0;
}

if (import.meta.main) await runTask(main, (key) => Deno.env.get(key));
