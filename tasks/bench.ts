/**
 * `deno task bench`: training and sampling throughput of a cGAN (`--model`, default the MLP
 * of paper 000, batch 64) on each backend available here: wasm with OpenBLAS matmuls and
 * convs where it is found, wasm without (`wasm-simd`), cpu, and webgpu on a real GPU. Each
 * measurement runs `--steps` training steps after a warm-up, timed to a final `await data()`,
 * `--runs` times; the median is reported with the tensor count before/after and the peak RSS.
 * Prints a table and writes JSON (`--json`); `--profile` adds where one step's time goes, and
 * `--vs-torch` the same nets and step in PyTorch. Each row also says how many kernel calls one
 * step dispatches (`kernels/step`, counted, not timed); `--count-only` prints those counts, by
 * kernel and phase, and times nothing.
 *
 * Usage: `deno task bench [--model mlp|dcgan] [--dataset mnist|cifar10] [--loss bce|wgan-gp]
 * [--width 0.25] [--backends wasm,wasm-simd,cpu,webgpu] [--steps 50] [--quick]`. The data is
 * the dataset's fixture slice (`fixtures/`), so the bench needs no download.
 *
 * @module
 */
import { intFlag, parseFlags, runTask } from "../src/cli.ts";
import * as tf from "../src/_tf.ts";
import {
  type BackendName,
  describeBackend,
  initBackend,
  probeAdapter,
} from "../src/backend/mod.ts";
import { loadDataset } from "../src/data/datasets.ts";
import { BatchSource } from "../src/data/batches.ts";
import { buildGan, MODELS } from "../src/models/registry.ts";
import { DEFAULTS, MODEL_NAMES, type ModelName } from "../src/train/config.ts";
import { LOSSES, type LossName } from "../src/train/losses.ts";
import { createAdam } from "../src/backend/optimizer.ts";
import { countKernels, formatKernelCount } from "../src/backend/kernel_count.ts";
import { drawStepInputs, trainStep } from "../src/train/step.ts";

interface Row {
  backend: string;
  matmul: string;
  /** D's update alone; G's share is msPerStep minus this. */
  dMsPerStep: number;
  gMsPerStep: number;
  adapter: string;
  batchSize: number;
  trainImagesPerSecond: number;
  msPerStep: number;
  sampleImagesPerSecond: number;
  tensorsBefore: number;
  tensorsAfter: number;
  peakRssMiB: number;
  /** Kernel calls the engine dispatches in one step (D and G), counted after the warm-up. */
  kernelsPerStep: number;
  runs: number[];
}

/** What one row measures: a backend, and on wasm whether OpenBLAS may run the matmuls. */
interface Variant {
  backend: BackendName;
  blas: boolean;
}
/** What `--backends` takes: "wasm-simd" is wasm with OpenBLAS off, to show what OpenBLAS adds. */
const VARIANTS = ["wasm", "wasm-simd", "cpu", "webgpu"] as const;

function parseVariant(text: string): Variant {
  if (!(VARIANTS as readonly string[]).includes(text)) {
    throw new TypeError(`Invalid --backends "${text}": expected a list of ${VARIANTS.join(", ")}`);
  }
  return text === "wasm-simd"
    ? { backend: "wasm", blas: false }
    : { backend: text as BackendName, blas: true };
}

const HELP = `Time training and sampling steps of a cGAN on each backend available here.

Usage: deno task bench [flags]
  --backends LIST   comma-separated ${VARIANTS.join(", ")}: wasm runs its matmuls and convs
                    on OpenBLAS where it is found, wasm-simd with OpenBLAS off (default: all
                    of them that run here)
  --steps N         timed training steps per run (default: 50)
  --runs N          timed runs; the median is reported (default: 3)
  --batch-size N    images per step (default: ${DEFAULTS.batchSize})
  --model NAME      ${MODEL_NAMES.join(" | ")} (default: mlp)
  --dataset NAME    mnist | cifar10: the fixture slice in fixtures/ (default: mnist; dcgan on
                    cifar10 is paper 002's)
  --loss NAME       ${Object.keys(LOSSES).join(" | ")} (default: bce)
  --width W         channel multiplier of the CIFAR DCGAN (default: 1 = the paper; 0.25 =
                    --preset small)
  --quick           10 steps, 1 run (default: off)
  --profile         also print where one step's time goes: kernel ms and calls, per backend
                    (default: off)
  --count-only      count the kernel calls of one step per backend, by kernel and phase
                    (forward, backward, other), and time nothing (default: off)
  --vs-torch        also time the same nets and step in PyTorch (python3 tasks/bench_torch.py;
                    Debian python3-torch + libopenblas0-pthread, 2 threads) and print ratios
                    (default: off)
  --python P        the Python that has torch (default: /usr/bin/python3, Debian's)
  --json FILE       where to write the results (default: runs/bench.json)
  -h, --help        show this help

Examples:
  deno task bench --quick --backends wasm,wasm-simd
  deno task bench --model dcgan --dataset cifar10 --width 0.25 --profile
  deno task bench --count-only --backends wasm,cpu`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Prints the kernels of one step by total time: where the step's milliseconds go. */
async function profileStep(backend: string, step: () => { dLoss: tf.Tensor; gLoss?: tf.Tensor }) {
  let wall = 0;
  const profile = await tf.profile(async () => {
    const t0 = performance.now();
    const l = step();
    await l.gLoss!.data();
    wall = performance.now() - t0;
    tf.dispose([l.dLoss, l.gLoss]);
  });
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const k of profile.kernels) {
    const entry = byName.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    entry.calls++;
    byName.set(k.name, entry);
  }
  const sorted = [...byName].sort((a, b) => b[1].ms - a[1].ms);
  const kernelMs = sorted.reduce((sum, [, e]) => sum + e.ms, 0);
  console.log(
    `profile of one step on ${backend}: ${wall.toFixed(1)} ms wall (profiled), ` +
      `${kernelMs.toFixed(1)} ms in ${profile.kernels.length} kernel calls:`,
  );
  for (const [name, e] of sorted.slice(0, 12)) {
    console.log(
      `  ${name.padEnd(22)} ${e.ms.toFixed(1).padStart(7)} ms  ${
        String(e.calls).padStart(4)
      } calls`,
    );
  }
  const slowest = [...profile.kernels].filter((k) => !k.name.endsWith("__op"))
    .sort((a, b) => Number(b.kernelTimeMs) - Number(a.kernelTimeMs)).slice(0, 8);
  console.log("  slowest calls:");
  for (const k of slowest) {
    const shapes = k.inputShapes.map((s) => `[${s}]`).join(" ");
    console.log(
      `    ${k.name} ${Number(k.kernelTimeMs).toFixed(1)} ms  ${shapes} -> [${k.outputShapes[0]}]`,
    );
  }
}

async function main(): Promise<number> {
  const values = parseFlags(Deno.args, {
    backends: { type: "string" },
    steps: { type: "string", default: "50" },
    runs: { type: "string", default: "3" },
    "batch-size": { type: "string", default: String(DEFAULTS.batchSize) },
    model: { type: "string", default: "mlp" },
    dataset: { type: "string", default: "mnist" },
    loss: { type: "string", default: "bce" },
    width: { type: "string", default: "1" },
    quick: { type: "boolean", default: false },
    "vs-torch": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    "count-only": { type: "boolean", default: false },
    python: { type: "string", default: "/usr/bin/python3" },
    json: { type: "string", default: "runs/bench.json" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const steps = values.quick ? 10 : intFlag("steps", values.steps, 1);
  const runs = values.quick ? 1 : intFlag("runs", values.runs, 1);
  const batchSize = intFlag("batch-size", values["batch-size"], 1);
  const model = values.model;
  if (!(MODEL_NAMES as readonly string[]).includes(model)) {
    throw new TypeError(`Invalid --model "${model}": expected one of ${MODEL_NAMES.join(", ")}`);
  }
  if (!(values.loss in LOSSES)) {
    throw new TypeError(
      `Invalid --loss "${values.loss}": expected one of ${Object.keys(LOSSES).join(", ")}`,
    );
  }
  const loss = LOSSES[values.loss as LossName];
  const width = Number(values.width);
  if (!(width > 0)) {
    throw new RangeError(`Invalid --width "${values.width}": expected a number > 0`);
  }
  if (!["mnist", "cifar10"].includes(values.dataset)) {
    throw new TypeError(`Invalid --dataset "${values.dataset}": expected mnist or cifar10`);
  }
  if (values["vs-torch"] && (values.dataset !== "mnist" || values.loss !== "bce")) {
    throw new TypeError(
      "Cannot use --vs-torch here: the PyTorch reference has the MNIST nets with bce",
    );
  }

  const asked = values.backends?.split(",").map((b) => parseVariant(b.trim()));
  const probe = await probeAdapter(navigator.gpu);
  const variants: Variant[] = asked ?? [
    { backend: "wasm", blas: true },
    { backend: "wasm", blas: false },
    { backend: "cpu", blas: false },
    ...(probe.adapter !== null && !probe.isSoftware
      ? [{ backend: "webgpu" as const, blas: false }]
      : []),
  ];

  const data = await loadDataset(values.dataset, {
    split: "train",
    dataDir: new URL(`../fixtures/${values.dataset}`, import.meta.url).pathname,
  });
  const spec = {
    latentDim: DEFAULTS.latentDim,
    numClasses: 10,
    imageShape: data.shape,
    activation: "leaky" as const,
    seed: 0,
    width,
  };
  const adam = {
    lr: DEFAULTS.lr,
    beta1: DEFAULTS.beta1,
    beta2: DEFAULTS.beta2,
    epsilon: DEFAULTS.epsilon,
  };

  let peakRss = 0;
  const sampleRss = () => peakRss = Math.max(peakRss, Deno.memoryUsage().rss);

  const rows: Row[] = [];
  const labels = new Set<string>();
  for (const variant of variants) {
    const name = variant.backend;
    const info = await initBackend({ requested: name, blas: variant.blas });
    console.log(describeBackend(info));
    const label = name !== "wasm"
      ? name
      : info.matmul?.startsWith("OpenBLAS")
      ? "wasm+openblas"
      : "wasm-simd";
    // Without OpenBLAS the default list would time plain wasm twice.
    if (labels.has(label)) continue;
    labels.add(label);
    // The plain cpu backend is ~20x slower: fewer steps keep the run short, the rate is the same.
    const n = name === "cpu" ? Math.max(2, Math.ceil(steps / 10)) : steps;
    const nets = buildGan(model as ModelName, spec);
    const optimizers = { gen: createAdam(adam), disc: createAdam(adam) };
    const source = new BatchSource(data, batchSize, 0);
    const step = (s: number, updateGen = true) => {
      const inputs = drawStepInputs(source, s, {
        latentDim: spec.latentDim,
        numClasses: 10,
        seed: 0,
        interpolate: loss.lipschitz === "penalty",
      });
      // Every step updates D and G here (nCritic 1), so img/s counts G and D work alike.
      const losses = trainStep(nets, optimizers, inputs, {
        loss,
        labelSmoothing: DEFAULTS.labelSmoothing,
        clipValue: DEFAULTS.clipValue,
        lambdaGp: DEFAULTS.lambdaGp,
        auxClassifier: MODELS[model as ModelName].auxClassifier,
        updateGen,
      });
      tf.dispose(Object.values(inputs));
      return losses;
    };
    for (let s = 0; s < 3; s++) {
      const l = step(s);
      await l.gLoss!.data();
      tf.dispose([l.dLoss, l.gLoss]);
    }
    if (values.profile) await profileStep(name, () => step(2));
    const counted = countKernels(() => step(2));
    await counted.result.gLoss!.data();
    tf.dispose([counted.result.dLoss, counted.result.gLoss]);
    const kernelsPerStep = counted.count.total;
    if (values["count-only"]) {
      console.log(`kernels/step of ${model} on ${label}:`);
      for (const line of formatKernelCount(counted.count, 40)) console.log(`  ${line}`);
      source.dispose();
      optimizers.gen.dispose();
      optimizers.disc.dispose();
      nets.gen.dispose();
      nets.disc.dispose();
      continue;
    }
    const tensorsBefore = tf.memory().numTensors;
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      for (let s = 0; s < n; s++) {
        const l = step(3 + r * n + s);
        if (s === n - 1) await l.gLoss!.data();
        tf.dispose([l.dLoss, l.gLoss]);
        sampleRss();
      }
      times.push(performance.now() - t0);
    }
    const tensorsAfter = tf.memory().numTensors;
    // D alone (G not updated): its share of a step; G's is the rest.
    const dTimes: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      for (let s = 0; s < n; s++) {
        const l = step(3 + r * n + s, false);
        if (s === n - 1) await l.dLoss.data();
        l.dLoss.dispose();
      }
      dTimes.push(performance.now() - t0);
    }
    // Sampling: G in inference mode, 1,000 images in batches of 250.
    const sampleMs: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      for (let b = 0; b < 4; b++) {
        const images = tf.tidy(() =>
          nets.gen.predict([
            tf.randomNormal([250, spec.latentDim]),
            tf.fill([250, 1], b % 10, "int32"),
          ]) as tf.Tensor
        );
        await images.data();
        images.dispose();
      }
      sampleMs.push(performance.now() - t0);
    }
    const ms = median(times) / n;
    const dMs = median(dTimes) / n;
    rows.push({
      dMsPerStep: dMs,
      gMsPerStep: ms - dMs,
      backend: label,
      matmul: info.matmul ?? "",
      adapter: info.adapter,
      batchSize,
      trainImagesPerSecond: (batchSize * 1000) / ms,
      msPerStep: ms,
      sampleImagesPerSecond: 1000 / (median(sampleMs) / 1000),
      tensorsBefore,
      tensorsAfter,
      peakRssMiB: peakRss / 2 ** 20,
      kernelsPerStep,
      runs: times.map((t) => (batchSize * n * 1000) / t),
    });
    source.dispose();
    optimizers.gen.dispose();
    optimizers.disc.dispose();
    nets.gen.dispose();
    nets.disc.dispose();
  }

  if (values["count-only"]) return 0;
  console.log(
    `${model} cGAN on ${values.dataset} (${values.loss}${
      values.dataset === "cifar10" ? `, width ${width}` : ""
    }), batch ${batchSize}, ${steps} steps x ${runs} runs, median:`,
  );
  console.log(
    "backend       | train img/s | ms/step (D + G)      | sample img/s | tensors before/after | peak RSS MiB | kernels/step",
  );
  for (const r of rows) {
    const split = `${r.msPerStep.toFixed(1)} (${r.dMsPerStep.toFixed(1)} + ${
      r.gMsPerStep.toFixed(1)
    })`;
    console.log(
      `${r.backend.padEnd(13)} | ${r.trainImagesPerSecond.toFixed(0).padStart(11)} | ` +
        `${split.padEnd(20)} | ${r.sampleImagesPerSecond.toFixed(0).padStart(12)} | ` +
        `${`${r.tensorsBefore}/${r.tensorsAfter}`.padStart(20)} | ` +
        `${r.peakRssMiB.toFixed(0).padStart(12)} | ${r.kernelsPerStep}`,
    );
  }
  /** The PyTorch reference of tasks/bench_torch.py, run with the BLAS setup the issue measured. */
  async function torchReference(): Promise<Record<string, number | string>> {
    const script = new URL("./bench_torch.py", import.meta.url).pathname;
    const args = [script, "--model", model, "--batch-size", String(batchSize)];
    args.push("--steps", String(steps), "--runs", String(runs), "--threads", "2");
    let result: Deno.CommandOutput;
    try {
      result = await new Deno.Command(values.python, {
        args,
        // Installing libopenblas0-pthread makes it Debian's libblas.so.3 (torch on the reference
        // BLAS is ~9x slower); OpenBLAS's own threads fight torch's 2 unless pinned to 1.
        env: { OPENBLAS_NUM_THREADS: "1" },
      }).output();
    } catch (err) {
      throw new Error(
        `Cannot run --python "${values.python}" for --vs-torch: ${(err as Error).message}`,
      );
    }
    if (!result.success) {
      const err = new TextDecoder().decode(result.stderr).trim().split("\n").at(-1);
      throw new Error(
        `Cannot run the PyTorch reference (${script}): ${err}; install python3-torch and ` +
          `libopenblas0-pthread`,
      );
    }
    return JSON.parse(new TextDecoder().decode(result.stdout));
  }

  let torch: Record<string, number | string> | null = null;
  if (values["vs-torch"]) {
    torch = await torchReference();
    const rate = torch.trainImagesPerSecond as number;
    console.log(
      `${torch.framework} (${torch.threads} threads, OpenBLAS): ${rate.toFixed(0)} img/s, ` +
        `${(torch.msPerStep as number).toFixed(1)} ms/step (D ${
          (torch.dMsPerStep as number).toFixed(1)
        }, G ${(torch.gMsPerStep as number).toFixed(1)})`,
    );
    for (const r of rows) {
      console.log(`${r.backend} / torch: ${(r.trainImagesPerSecond / rate).toFixed(2)}x`);
    }
  }

  await Deno.mkdir(new URL(".", `file://${Deno.cwd()}/${values.json}`).pathname, {
    recursive: true,
  });
  await Deno.writeTextFile(
    values.json,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        model,
        dataset: values.dataset,
        loss: values.loss,
        width,
        rows,
        torch,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`wrote ${values.json}`);
  const leaked = rows.filter((r) => r.tensorsAfter !== r.tensorsBefore);
  if (leaked.length > 0) {
    console.error(`Tensor leak on ${leaked.map((r) => r.backend).join(", ")}`);
    return 1;
  }
  return 0;
}

if (import.meta.main) await runTask(main, (key) => Deno.env.get(key));
