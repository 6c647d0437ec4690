/**
 * `deno task bench`: training and sampling throughput of a cGAN (`--model`, default the MLP
 * of paper 000, batch 64) on each backend available here: wasm with OpenBLAS matmuls and
 * convs where it is found, wasm without (`wasm-simd`), cpu, and webgpu on a real GPU. Each
 * measurement runs `--steps` training steps after a warm-up, timed to a final `await data()`,
 * `--runs` times; the median is reported with the tensor count before/after and the peak RSS.
 * Prints a table and writes JSON (`--json`); `--profile` adds where one step's time goes, and
 * `--vs-torch` the same nets and step in PyTorch. Each row also says how many kernel calls one
 * step dispatches (`kernels/step`, counted, not timed); `--count-only` prints those counts, by
 * kernel and phase, and times nothing. `--suite` runs the whole performance table, every model
 * beside PyTorch, and prints the ratios against their targets (`_bench_suite.ts`).
 *
 * Usage: `deno task bench [--model mlp|dcgan|pix2pix|...] [--dataset mnist|cifar10]
 * [--loss bce|wgan-gp|...] [--width 0.25] [--size 64] [--backends wasm,wasm-simd,cpu,webgpu]
 * [--steps 50] [--quick]`. The data is the dataset's fixture slice (`fixtures/`), so the bench
 * needs no download; pix2pix trains on pairs made from the CIFAR-10 fixture (each image's gray
 * version -> the image, at `--size`). Adam, label smoothing and the loss's weights are the
 * model's training defaults (`resolveConfig`), the step is the training loop's without its
 * seeded dropout and pix2pix's jitter.
 *
 * @module
 */
import { dirname } from "node:path";
import { intFlag, parseFlags, runTask } from "../src/cli.ts";
import * as tf from "../src/_tf.ts";
import {
  type BackendName,
  describeBackend,
  initBackend,
  probeAdapter,
} from "../src/backend/mod.ts";
import { loadDataset } from "../src/data/datasets.ts";
import type { Dataset } from "../src/data/dataset.ts";
import { resizeRgb } from "../src/data/paired.ts";
import { BatchSource } from "../src/data/batches.ts";
import { translate } from "../src/models/pix2pix.ts";
import { buildGan, MODELS } from "../src/models/registry.ts";
import {
  DEFAULTS,
  MODEL_DEFAULTS,
  MODEL_NAMES,
  type ModelName,
  resolveConfig,
} from "../src/train/config.ts";
import { LOSSES, type LossName } from "../src/train/losses.ts";
import { createAdam } from "../src/backend/optimizer.ts";
import { countKernels, formatKernelCount } from "../src/backend/kernel_count.ts";
import { countGpuCalls } from "../src/backend/webgpu/gpu_calls.ts";
import { startSgemmTiming, stopSgemmTiming } from "../src/backend/openblas.ts";
import { drawStepInputs, trainStep } from "../src/train/step.ts";
import { pickRows, runSuite, SUITE } from "./_bench_suite.ts";

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
/** The nets' weight counts: those the optimizers update, and all (tfjs's `countParams()`). */
interface ParamCount {
  trainable: number;
  total: number;
}

/**
 * The models tasks/bench_torch.py has PyTorch twins of, and the datasets it has them for
 * (pix2pix: the pairs made from the CIFAR-10 fixture); every loss the model trains with.
 */
const TORCH_TWINS: Partial<Record<ModelName, readonly string[]>> = {
  mlp: ["mnist"],
  dcgan: ["mnist", "cifar10"],
  pix2pix: ["cifar10"],
};

/** Why `--vs-torch` cannot compare `model` on `dataset`, or null when it can. */
function torchTwinProblem(model: ModelName, dataset: string): string | null {
  const datasets = TORCH_TWINS[model];
  if (datasets?.includes(dataset)) return null;
  const have = Object.entries(TORCH_TWINS).map(([m, d]) => `${m} (${d.join(", ")})`).join(", ");
  const what = datasets === undefined ? `--model ${model}` : `--model ${model} on ${dataset}`;
  return `Cannot use --vs-torch with ${what}: tasks/bench_torch.py has PyTorch twins of ${have} only`;
}

function countParams(net: tf.LayersModel): ParamCount {
  return {
    trainable: net.trainableWeights.reduce((sum, w) => sum + w.read().size, 0),
    total: net.countParams(),
  };
}

/**
 * pix2pix's bench data: each image of a colour fixture resized to `size`, with its gray version
 * as G's input (colourisation pairs; the step's cost does not depend on what the pairs show).
 */
function fixturePairs(data: Dataset, size: number): Dataset {
  const [h, w, c] = data.shape;
  if (c !== 3) throw new TypeError(`Cannot make pix2pix pairs of ${data.name}: expected RGB`);
  const count = data.labels.length;
  const per = size * size * 3;
  const images = new Uint8Array(count * per);
  const conditions = new Uint8Array(count * per);
  for (let i = 0; i < count; i++) {
    const rgb = resizeRgb(data.images.subarray(i * h * w * 3, (i + 1) * h * w * 3), w, h, size);
    images.set(rgb, i * per);
    for (let p = 0; p < per; p += 3) {
      const gray = Math.round(0.299 * rgb[p]! + 0.587 * rgb[p + 1]! + 0.114 * rgb[p + 2]!);
      conditions.fill(gray, i * per + p, i * per + p + 3);
    }
  }
  return {
    name: `${data.name}-pairs`,
    images,
    conditions,
    labels: new Uint8Array(count),
    shape: [size, size, 3],
    classNames: [],
    source: `${data.source}: gray -> colour pairs at ${size}x${size}`,
  };
}

/** What tasks/bench_torch.py prints (the fields the bench reads). */
interface TorchResult {
  framework: string;
  threads: number;
  trainImagesPerSecond: number;
  msPerStep: number;
  dMsPerStep: number;
  gMsPerStep: number;
  params: Record<"gen" | "disc", ParamCount>;
  /** Without the batch, NCHW where cgan's are NHWC. */
  outputShapes: Record<"gen" | "disc", number[]>;
}

/** Where the twin's nets differ from cgan's: weight counts, or G's or D's output shape. */
function twinMismatch(
  cgan: { params: Record<"gen" | "disc", ParamCount>; shapes: Record<string, number[]> },
  torch: TorchResult,
): string[] {
  const problems: string[] = [];
  for (const net of ["gen", "disc"] as const) {
    const [ours, theirs] = [cgan.params[net], torch.params[net]];
    if (ours.trainable !== theirs.trainable || ours.total !== theirs.total) {
      problems.push(
        `${net} has ${ours.trainable}/${ours.total} weights (trainable/total) in cgan, ` +
          `${theirs.trainable}/${theirs.total} in torch`,
      );
    }
    const [, ...nchw] = torch.outputShapes[net];
    // NCHW -> NHWC: channels last.
    const nhwc = nchw.length === 3 ? [nchw[1]!, nchw[2]!, nchw[0]!] : nchw;
    if (nhwc.join("x") !== cgan.shapes[net]!.join("x")) {
      problems.push(`${net} outputs [${cgan.shapes[net]}] in cgan, [${nhwc}] in torch (NHWC)`);
    }
  }
  return problems;
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
  --batch-size N    images per step (default: the model's, as training: ${DEFAULTS.batchSize}; pix2pix 1)
  --model NAME      ${MODEL_NAMES.join(" | ")} (default: mlp)
  --dataset NAME    mnist | cifar10: the fixture slice in fixtures/ (default: mnist; dcgan on
                    cifar10 is paper 002's; pix2pix: cifar10, the only one, as pairs)
  --loss NAME       ${Object.keys(LOSSES).join(" | ")} (default: the model's
                    training loss: bce; sagan hinge)
  --width W         channel multiplier of the CIFAR DCGAN and pix2pix (default: 1 = the
                    paper; 0.25 = the CIFAR DCGAN's --preset small)
  --size N          pix2pix: side of the pairs made from the CIFAR-10 fixture, a power of two
                    >= 32 (default: ${MODEL_DEFAULTS.pix2pix?.size}, as training)
  --quick           10 steps, 1 run (default: off)
  --profile         also print where one step's time goes: kernel ms and calls, per backend
                    (default: off)
  --count-only      count the kernel calls of one step per backend, by kernel and phase
                    (forward, backward, other), and time nothing (default: off)
  --vs-torch        also time the same nets and step in PyTorch (python3 tasks/bench_torch.py;
                    Debian python3-torch + libopenblas0-pthread, 2 threads), check its nets'
                    weight counts and output shapes against cgan's and print ratios; twins of
                    mlp, dcgan (mnist, cifar10) and pix2pix (default: off)
  --python P        the Python that has torch (default: /usr/bin/python3, Debian's)
  --suite           every row of the performance table in one run: each model beside its
                    PyTorch twin (child benches --vs-torch), then one summary of the
                    ratios and their targets (about 15 minutes; --runs N: N cgan / torch
                    pairs per row, the median ratio reported; --steps applies; --quick: 2
                    steps, 1 pair)
  --rows LIST       with --suite, only these rows: ${SUITE.map((r) => r.id).join(", ")}
  --json FILE       where to write the results (default: runs/bench.json; --suite: the
                    summary, each pair's report beside it as <name>-<row>-<pair>.json)
  -h, --help        show this help

Examples:
  deno task bench --quick --backends wasm,wasm-simd
  deno task bench --model dcgan --dataset cifar10 --width 0.25 --profile
  deno task bench --model pix2pix --backends wasm --vs-torch
  deno task bench --count-only --backends wasm,cpu
  deno task bench --suite --json runs/suite.json`;

/** A rate to 3 significant digits below 100 (pix2pix steps 1 image at a time), else whole. */
const rate = (x: number) => x < 100 ? x.toPrecision(3) : x.toFixed(0);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Prints the kernels of one step by total time: where the step's milliseconds go. */
async function profileStep(backend: string, step: () => { dLoss: tf.Tensor; gLoss?: tf.Tensor }) {
  let wall = 0;
  startSgemmTiming();
  const profile = await tf.profile(async () => {
    const t0 = performance.now();
    const l = step();
    await l.gLoss!.data();
    wall = performance.now() - t0;
    tf.dispose([l.dLoss, l.gLoss]);
  });
  const blas = stopSgemmTiming();
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const k of profile.kernels) {
    const entry = byName.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    entry.calls++;
    byName.set(k.name, entry);
  }
  const sorted = [...byName].sort((a, b) => b[1].ms - a[1].ms);
  // `name__op` entries time a tf.op around its kernels: counting them too would count twice.
  const kernelMs = sorted.filter(([name]) => !name.endsWith("__op"))
    .reduce((sum, [, e]) => sum + e.ms, 0);
  console.log(
    `profile of one step on ${backend}: ${wall.toFixed(1)} ms wall (profiled), ` +
      `${kernelMs.toFixed(1)} ms in ${profile.kernels.length} kernel calls:`,
  );
  if (blas.calls > 0) {
    console.log(
      `  of which OpenBLAS sgemm: ${blas.ms.toFixed(1)} ms in ${blas.calls} calls, ` +
        `${(blas.flops / 1e9).toFixed(2)} GFLOP at ${
          (blas.flops / blas.ms / 1e6).toFixed(1)
        } GFLOP/s`,
    );
  }
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
    steps: { type: "string" },
    runs: { type: "string", default: "3" },
    "batch-size": { type: "string" },
    model: { type: "string", default: "mlp" },
    dataset: { type: "string" },
    loss: { type: "string" },
    width: { type: "string", default: "1" },
    size: { type: "string" },
    quick: { type: "boolean", default: false },
    "vs-torch": { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    "count-only": { type: "boolean", default: false },
    python: { type: "string", default: "/usr/bin/python3" },
    json: { type: "string", default: "runs/bench.json" },
    suite: { type: "boolean", default: false },
    rows: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const runs = values.quick ? 1 : intFlag("runs", values.runs, 1);
  if (values.suite) {
    const flags = ["backends", "batch-size", "model", "dataset", "loss", "size", "profile"];
    const own = [...flags, "count-only", "vs-torch"].filter((k) =>
      Deno.args.some((a) => a === `--${k}` || a.startsWith(`--${k}=`))
    );
    if (own.length > 0) {
      throw new TypeError(
        `Cannot use --${own[0]} with --suite: the suite picks each row's model, data and ` +
          `backends itself (--rows picks rows)`,
      );
    }
    const suiteSteps = values.steps === undefined ? undefined : intFlag("steps", values.steps, 1);
    return await runSuite({
      rows: pickRows(values.rows),
      pairs: runs,
      steps: values.quick ? 2 : suiteSteps,
      json: values.json,
      python: values.python,
    });
  }
  if (values.rows !== undefined) throw new TypeError("Invalid --rows: it picks rows of --suite");
  const steps = values.quick ? 10 : intFlag("steps", values.steps ?? "50", 1);
  const model = values.model;
  if (!(MODEL_NAMES as readonly string[]).includes(model)) {
    throw new TypeError(`Invalid --model "${model}": expected one of ${MODEL_NAMES.join(", ")}`);
  }
  const def = MODELS[model as ModelName];
  if (values.loss !== undefined && !(values.loss in LOSSES)) {
    throw new TypeError(
      `Invalid --loss "${values.loss}": expected one of ${Object.keys(LOSSES).join(", ")}`,
    );
  }
  const width = Number(values.width);
  if (!(width > 0)) {
    throw new RangeError(`Invalid --width "${values.width}": expected a number > 0`);
  }
  // The model's training settings: its loss, Adam, batch size, smoothing, size and L1 weight.
  const config = resolveConfig({
    model: model as ModelName,
    width,
    ...(values.loss !== undefined ? { loss: values.loss as LossName } : {}),
  });
  if (def.losses !== undefined && !def.losses.includes(config.loss)) {
    throw new TypeError(
      `Invalid --loss "${config.loss}" for --model ${model}: expected ${def.losses.join(", ")}`,
    );
  }
  const loss = LOSSES[config.loss];
  const batchSize = intFlag("batch-size", values["batch-size"] ?? String(config.batchSize), 1);
  // pix2pix translates images: it benches on pairs made from the CIFAR-10 fixture.
  const paired = def.conditioning === "image";
  const dataset = values.dataset ?? (paired ? "cifar10" : "mnist");
  if (!["mnist", "cifar10"].includes(dataset)) {
    throw new TypeError(`Invalid --dataset "${dataset}": expected mnist or cifar10`);
  }
  if (paired && dataset !== "cifar10") {
    throw new TypeError(
      `Invalid --dataset "${dataset}" for --model ${model}: it benches on pairs made from the ` +
        `CIFAR-10 fixture (--dataset cifar10, the default)`,
    );
  }
  if (!paired && values.size !== undefined) {
    throw new TypeError(`Invalid --size for --model ${model}: only pix2pix takes a size`);
  }
  const size = paired ? intFlag("size", values.size ?? String(config.size), 32) : 0;
  if (values["vs-torch"]) {
    const problem = torchTwinProblem(model as ModelName, dataset);
    if (problem !== null) throw new TypeError(problem);
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

  const fixture = await loadDataset(dataset, {
    split: "train",
    dataDir: new URL(`../fixtures/${dataset}`, import.meta.url).pathname,
  });
  const data = paired ? fixturePairs(fixture, size) : fixture;
  const spec = {
    latentDim: config.latentDim,
    numClasses: 10,
    imageShape: data.shape,
    activation: "leaky" as const,
    seed: 0,
    width,
  };
  const adam = {
    lr: config.lr,
    beta1: config.beta1,
    beta2: config.beta2,
    epsilon: config.epsilon,
  };
  /** cgan's nets, for the PyTorch twin to match: weight counts and output shapes. */
  let nets0:
    | { params: Record<"gen" | "disc", ParamCount>; shapes: Record<string, number[]> }
    | null = null;

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
    nets0 ??= {
      params: { gen: countParams(nets.gen), disc: countParams(nets.disc) },
      shapes: {
        gen: nets.gen.outputs[0]!.shape.slice(1) as number[],
        disc: nets.disc.outputs[0]!.shape.slice(1) as number[],
      },
    };
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
        labelSmoothing: config.labelSmoothing,
        clipValue: config.clipValue,
        lambdaGp: config.lambdaGp,
        auxClassifier: def.auxClassifier,
        auxLoss: config.auxLoss,
        ...(paired ? { lambdaL1: config.lambdaL1 } : {}),
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
      if (name === "webgpu") {
        const device = (tf.backend() as unknown as { device: GPUDevice }).device;
        const gpu = countGpuCalls(device, () => step(2));
        await gpu.result.gLoss!.data();
        tf.dispose([gpu.result.dLoss, gpu.result.gLoss]);
        const c = gpu.calls;
        console.log(
          `  webgpu calls/step: ${c.dispatches} dispatches, ${c.writes} uniform writes, ` +
            `${c.buffers} buffers created, ${c.submits} submits, ${c.reads} GPU reads`,
        );
      }
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
    // Sampling: G in inference mode, 1,000 images in batches of 250; pix2pix translates 100
    // inputs in batches of 25 as it tests (training mode, seeded dropout).
    const sampleMs: number[] = [];
    const [sampleBatch, sampleBatches] = paired ? [25, 4] : [250, 4];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      for (let b = 0; b < sampleBatches; b++) {
        const images = paired
          ? tf.tidy(() =>
            translate(nets.gen, tf.randomUniform([sampleBatch, size, size, 3], -1, 1), b)
          )
          : tf.tidy(() => {
            const z = tf.randomNormal([sampleBatch, spec.latentDim]);
            const y = tf.fill([sampleBatch, 1], b % 10, "int32");
            return nets.gen.predict(nets.gen.inputs.length < 2 ? z : [z, y]) as tf.Tensor;
          });
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
      sampleImagesPerSecond: (sampleBatch * sampleBatches) / (median(sampleMs) / 1000),
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
  const what = paired
    ? `pix2pix on CIFAR-10 fixture pairs ${size}x${size} (${config.loss} + ${config.lambdaL1} x L1, ` +
      `width ${width})`
    : `${model} cGAN on ${dataset} (${config.loss}${
      dataset === "cifar10" ? `, width ${width}` : ""
    })`;
  console.log(`${what}, batch ${batchSize}, ${steps} steps x ${runs} runs, median:`);
  console.log(
    "backend       | train img/s | ms/step (D + G)      | sample img/s | tensors before/after | peak RSS MiB | kernels/step",
  );
  for (const r of rows) {
    const split = `${r.msPerStep.toFixed(1)} (${r.dMsPerStep.toFixed(1)} + ${
      r.gMsPerStep.toFixed(1)
    })`;
    console.log(
      `${r.backend.padEnd(13)} | ${rate(r.trainImagesPerSecond).padStart(11)} | ` +
        `${split.padEnd(20)} | ${rate(r.sampleImagesPerSecond).padStart(12)} | ` +
        `${`${r.tensorsBefore}/${r.tensorsAfter}`.padStart(20)} | ` +
        `${r.peakRssMiB.toFixed(0).padStart(12)} | ${r.kernelsPerStep}`,
    );
  }
  /** The PyTorch twin of tasks/bench_torch.py, run with the BLAS setup the issue measured. */
  async function torchReference(): Promise<TorchResult> {
    const script = new URL("./bench_torch.py", import.meta.url).pathname;
    const args = [script, "--model", model, "--dataset", dataset, "--loss", config.loss];
    args.push("--width", String(width), "--batch-size", String(batchSize));
    if (paired) args.push("--size", String(size), "--lambda-l1", String(config.lambdaL1));
    args.push("--steps", String(steps), "--runs", String(runs), "--threads", "2");
    args.push("--lr", String(config.lr), "--beta1", String(config.beta1));
    args.push("--beta2", String(config.beta2), "--epsilon", String(config.epsilon));
    args.push("--label-smoothing", String(config.labelSmoothing));
    args.push("--clip-value", String(config.clipValue), "--lambda-gp", String(config.lambdaGp));
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

  let torch: TorchResult | null = null;
  let twinProblems: string[] = [];
  if (values["vs-torch"] && nets0 !== null) {
    torch = await torchReference();
    const torchRate = torch.trainImagesPerSecond;
    console.log(
      `${torch.framework} (${torch.threads} threads, OpenBLAS): ${rate(torchRate)} img/s, ` +
        `${torch.msPerStep.toFixed(1)} ms/step (D ${torch.dMsPerStep.toFixed(1)}, G ${
          torch.gMsPerStep.toFixed(1)
        })`,
    );
    twinProblems = twinMismatch(nets0, torch);
    const counts = (k: "gen" | "disc") =>
      `${nets0!.params[k].trainable}/${nets0!.params[k].total} vs ` +
      `${torch!.params[k].trainable}/${torch!.params[k].total}`;
    console.log(
      `parameters cgan vs torch (trainable/total): G ${counts("gen")}, D ${counts("disc")}`,
    );
    for (const r of rows) {
      console.log(`${r.backend} / torch: ${(r.trainImagesPerSecond / torchRate).toFixed(2)}x`);
    }
  }

  await Deno.mkdir(dirname(values.json), { recursive: true });
  await Deno.writeTextFile(
    values.json,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        model,
        dataset,
        loss: config.loss,
        width,
        ...(paired ? { size } : {}),
        batchSize,
        params: nets0?.params ?? null,
        rows,
        torch,
      },
      null,
      2,
    ) + "\n",
  );
  console.log(`wrote ${values.json}`);
  if (twinProblems.length > 0) {
    console.error(`The PyTorch twin is not cgan's net: ${twinProblems.join("; ")}`);
    return 1;
  }
  const leaked = rows.filter((r) => r.tensorsAfter !== r.tensorsBefore);
  if (leaked.length > 0) {
    console.error(`Tensor leak on ${leaked.map((r) => r.backend).join(", ")}`);
    return 1;
  }
  return 0;
}

if (import.meta.main) await runTask(main, (key) => Deno.env.get(key));
