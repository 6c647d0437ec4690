import assert from "node:assert/strict";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import type { Dataset } from "../../src/data/dataset.ts";
import { loadPairedDataset } from "../../src/data/datasets.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { writeChecksums } from "../../src/io/checksums.ts";
import { loadLayersModel, loadWeights, saveWeights } from "../../src/io/layers_io.ts";
import { decodePng } from "../../src/io/png.ts";
import { loadGenerator } from "../../src/models/generator.ts";
import { latestCheckpoint } from "../../src/train/checkpoint.ts";
import { DEFAULTS, type TrainConfig } from "../../src/train/config.ts";
import { train, type TrainContext, type TrainResult } from "../../src/train/loop.ts";
import type { ProgressReporter } from "../../src/train/progress.ts";
import { writePairedFixture } from "../data/_paired_fixture.ts";

const fixture = await loadMnist({ split: "train", dataDir: "fixtures/mnist" });

function quiet(lines: string[] = []): ProgressReporter {
  return { update: () => {}, log: (l) => lines.push(l), stop: () => {} };
}

function context(
  config: Partial<TrainConfig>,
  runDir: string,
  extra: Partial<TrainContext> = {},
): TrainContext {
  return {
    config: { ...DEFAULTS, logEvery: 2, ...config },
    dataset: fixture,
    runDir,
    progress: quiet(),
    now: () => performance.now(),
    ...extra,
  };
}

async function genWeights(
  runDir: string,
  net: "gen" | "disc" | "gen_ema" = "gen",
): Promise<Float32Array[]> {
  const dir = await latestCheckpoint(runDir);
  assert.ok(dir !== null, `no checkpoint in ${runDir}`);
  const model = await loadLayersModel(`${dir}/${net}`);
  const values = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return values;
}

/**
 * Trains `cfg` unbroken into `<tmp>/a`, and into `<tmp>/b` stopped as by Ctrl-C at the logging
 * point of step 2 (the loop reads the clock at each one, every 2 steps), then resumed.
 */
async function unbrokenAndResumed(
  cfg: Partial<TrainConfig>,
  tmp: string,
  extra: Partial<TrainContext> = {},
): Promise<{ a: TrainResult; b1: TrainResult; b2: TrainResult }> {
  const a = await train(context(cfg, `${tmp}/a`, extra));
  assert.equal(a.status, "done");
  const abort = new AbortController();
  let calls = 0;
  const b1 = await train(context(cfg, `${tmp}/b`, {
    ...extra,
    signal: abort.signal,
    now: () => {
      if (++calls === 2) abort.abort();
      return performance.now();
    },
  }));
  assert.equal(b1.status, "interrupted");
  const b2 = await train(context(cfg, `${tmp}/b`, { ...extra, resume: true }));
  return { a, b1, b2 };
}

Deno.test("a run interrupted and resumed equals an unbroken run with the same seed (cpu)", async () => {
  await initBackend({ requested: "cpu" });
  const tmp = await Deno.makeTempDir({ prefix: "cgan-resume-" });
  try {
    // 6 steps of 8 per epoch (64 images, batch 8); stopped at step 2, then resumed to 6.
    const { a, b1, b2 } = await unbrokenAndResumed(
      { limit: 64, batchSize: 8, seed: 11, steps: 6 },
      tmp,
    );
    assert.ok(b1.step > 0 && b1.step < 6, `interrupted at step ${b1.step}`);
    assert.equal(b2.status, "done");
    assert.equal(b2.step, 6);
    const wa = await genWeights(`${tmp}/a`);
    const wb = await genWeights(`${tmp}/b`);
    assert.equal(wa.length, wb.length);
    wa.forEach((w, i) => assert.deepEqual(wb[i], w, `generator weight ${i} differs`));
    assert.deepEqual(b2.history.map((p) => p.step), a.history.map((p) => p.step));
    b2.history.forEach((p, i) => assert.equal(p.dLoss, a.history[i]!.dLoss));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("--ema-decay: checkpoints keep G's average, resume it exactly, and samplers load it (cpu)", async () => {
  await initBackend({ requested: "cpu" });
  const tmp = await Deno.makeTempDir({ prefix: "cgan-ema-" });
  try {
    const cfg = {
      model: "acgan",
      limit: 64,
      batchSize: 8,
      seed: 5,
      steps: 6,
      emaDecay: 0.5,
    } as const;
    const { b1, b2 } = await unbrokenAndResumed(cfg, tmp);
    assert.ok(b1.step > 0 && b1.step < 6, `interrupted at step ${b1.step}`);
    assert.equal(b2.step, 6);
    const [ea, eb] = [
      await genWeights(`${tmp}/a`, "gen_ema"),
      await genWeights(`${tmp}/b`, "gen_ema"),
    ];
    assert.equal(ea.length, eb.length);
    ea.forEach((w, i) => assert.deepEqual(eb[i], w, `average weight ${i} differs after resume`));
    // The average trails G: after 6 updates at decay 0.5 they differ, in trainable weights.
    const g = await genWeights(`${tmp}/a`, "gen");
    assert.ok(ea.some((w, i) => w.some((v, j) => v !== g[i]![j])), "the average equals G");
    // loadGenerator (sample, serve) takes the average from a run directory or a checkpoint.
    const loaded = await loadGenerator(`${tmp}/a`);
    assert.deepEqual(loaded.getWeights().map((w) => w.dataSync()), ea);
    loaded.dispose();
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

// Both Ds are paper 001's conv trunk, whose dropout tfjs would draw from Math.random.
for (const model of ["dcgan", "acgan-conv"] as const) {
  Deno.test(`--model ${model}: a run interrupted and resumed equals an unbroken one, D's dropout included (wasm)`, async () => {
    await initBackend({ requested: "wasm" });
    const tmp = await Deno.makeTempDir({ prefix: `cgan-${model}-resume-` });
    try {
      const cfg = { model, limit: 32, batchSize: 4, seed: 12, steps: 6 } as const;
      const { a, b1, b2 } = await unbrokenAndResumed(cfg, tmp);
      assert.ok(b1.step > 0 && b1.step < 6, `interrupted at step ${b1.step}`);
      assert.equal(b2.step, 6);
      for (const net of ["gen", "disc"] as const) {
        const [wa, wb] = [await genWeights(`${tmp}/a`, net), await genWeights(`${tmp}/b`, net)];
        assert.equal(wa.length, wb.length);
        wa.forEach((w, i) => assert.deepEqual(wb[i], w, `${net} weight ${i} differs`));
      }
      b2.history.forEach((p, i) => assert.deepEqual(p, a.history[i]));
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  });
}

Deno.test("a checkpointed generator reproduces its outputs bit-for-bit after loading (cpu)", async () => {
  await initBackend({ requested: "cpu" });
  const tmp = await Deno.makeTempDir({ prefix: "cgan-ckpt-" });
  try {
    await train(context({ limit: 32, batchSize: 8, steps: 2 }, tmp));
    const dir = (await latestCheckpoint(tmp))!;
    const gen = await loadLayersModel(`${dir}/gen`);
    const again = await loadLayersModel(`${dir}/gen`);
    const z = tf.randomNormal([4, DEFAULTS.latentDim], 0, 1, "float32", 3);
    const y = tf.tensor2d([0, 3, 5, 9], [4, 1], "int32");
    const a = (gen.predict([z, y]) as tf.Tensor).dataSync();
    const b = (again.predict([z, y]) as tf.Tensor).dataSync();
    assert.deepEqual(b, a);
    const files = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(files, [
      "checksums.json",
      "disc",
      "disc_optimizer.bin",
      "disc_optimizer.json",
      "gen",
      "gen_ema", // G's average, on by default (--ema-decay 0.999)
      "gen_optimizer.bin",
      "gen_optimizer.json",
      "state.json",
    ]);
    tf.dispose([z, y]);
    gen.dispose();
    again.dispose();
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("a non-finite loss stops the run naming the step and keeps the last good checkpoint", async () => {
  await initBackend({ requested: "cpu" });
  const tmp = await Deno.makeTempDir({ prefix: "cgan-nan-" });
  try {
    const cfg = { limit: 64, batchSize: 8, steps: 3, saveEvery: 1, logEvery: 1 };
    assert.equal((await train(context(cfg, tmp))).status, "done");
    // Poison D's Adam state in the step-3 checkpoint: the next D update jumps to +-Infinity.
    const good = (await latestCheckpoint(tmp))!;
    const state = await loadWeights(good, "disc_optimizer");
    const poisoned = state.map(({ name, tensor }) => ({
      name,
      tensor: name.endsWith("/m")
        ? tf.fill(tensor.shape, 3e38)
        : name.endsWith("/v")
        ? tf.zerosLike(tensor)
        : tensor,
    }));
    await saveWeights(good, "disc_optimizer", poisoned);
    tf.dispose([...state.map((w) => w.tensor), ...poisoned.map((w) => w.tensor)]);
    // A state that diverges, not a corrupted file: record the poisoned files' checksums.
    await writeChecksums(good);

    const lines: string[] = [];
    const result = await train(
      context({ ...cfg, steps: 10 }, tmp, { resume: true, progress: quiet(lines) }),
    );
    assert.equal(result.status, "diverged");
    const line = lines.find((l) => l.startsWith("Stopping: non-finite"));
    assert.ok(line, `no stop line in ${JSON.stringify(lines)}`);
    assert.match(
      line,
      /^Stopping: non-finite ((D|G) loss \((NaN|Infinity|-Infinity)\)|weights) at step 4; last good checkpoint: /,
    );
    assert.equal(await latestCheckpoint(tmp), good);
    assert.ok(line.endsWith(good), `${line} does not name ${good}`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

/** Per-class mean images of a dataset, as [classes][pixels] in [-1, 1]. */
function classMeans(ds: Dataset): Float64Array[] {
  const size = ds.shape[0] * ds.shape[1] * ds.shape[2];
  const sums = ds.classNames.map(() => new Float64Array(size));
  const counts = ds.classNames.map(() => 0);
  for (let i = 0; i < ds.labels.length; i++) {
    const c = ds.labels[i]!;
    counts[c]!++;
    for (let p = 0; p < size; p++) sums[c]![p]! += ds.images[i * size + p]! / 127.5 - 1;
  }
  return sums.map((s, c) => s.map((v) => v / counts[c]!));
}

async function generatedMeans(
  runDir: string,
  numClasses: number,
  perClass: number,
): Promise<Float64Array[]> {
  const gen = await loadLayersModel(`${(await latestCheckpoint(runDir))!}/gen`);
  const means: Float64Array[] = [];
  for (let c = 0; c < numClasses; c++) {
    const data = tf.tidy(() => {
      const z = tf.randomNormal([perClass, DEFAULTS.latentDim], 0, 1, "float32", 100 + c);
      const images = gen.predict([z, tf.fill([perClass, 1], c, "int32")]) as tf.Tensor;
      return tf.mean(images, 0).dataSync();
    });
    means.push(Float64Array.from(data));
  }
  gen.dispose();
  return means;
}

function meanDistance(a: Float64Array[], b: Float64Array[]): number {
  let total = 0;
  a.forEach((m, c) => {
    let d = 0;
    m.forEach((v, p) => d += (v - b[c]![p]!) ** 2);
    total += Math.sqrt(d);
  });
  return total / a.length;
}

Deno.test("training on the fixture brings G's per-class means toward the real ones, with flat tensor count (wasm)", async () => {
  await initBackend({ requested: "wasm" });
  const tmp = await Deno.makeTempDir({ prefix: "cgan-learn-" });
  try {
    const real = classMeans(fixture);
    const start = await train(context({ batchSize: 64, steps: 1, seed: 5 }, `${tmp}/start`));
    assert.equal(start.status, "done");
    const before = meanDistance(await generatedMeans(`${tmp}/start`, 10, 64), real);
    // The loop throws on a tensor leak between logging points (every 10 steps here).
    const end = await train(
      context(
        { batchSize: 64, steps: 300, epochs: 1000, sampleEvery: 1000, seed: 5, logEvery: 10 },
        `${tmp}/end`,
      ),
    );
    assert.equal(end.status, "done");
    const gen = await generatedMeans(`${tmp}/end`, 10, 64);
    const after = meanDistance(gen, real);
    assert.ok(
      after < 0.6 * before,
      `per-class mean distance ${before.toFixed(3)} -> ${after.toFixed(3)}`,
    );
    // Class identity: each generated class mean is nearest to its own real class mean.
    let right = 0;
    gen.forEach((m, c) => {
      const d = real.map((r) => r.reduce((a, v, p) => a + (v - m[p]!) ** 2, 0));
      if (d.indexOf(Math.min(...d)) === c) right++;
    });
    assert.ok(right >= 7, `${right}/10 classes nearest their own real mean`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("--eval-every scores G at epoch ends into eval.csv and keeps the scores across resume (wasm)", async () => {
  await initBackend({ requested: "wasm" });
  const tmp = await Deno.makeTempDir({ prefix: "cgan-evalevery-" });
  try {
    const evaluator = await loadLayersModel("fixtures/evaluators/mnist");
    const test = await loadMnist({ split: "test", dataDir: "fixtures/mnist" });
    const cfg = { limit: 128, batchSize: 64, epochs: 1, evalEvery: 1, evalN: 100 };
    const first = await train(context(cfg, tmp, { evaluation: { evaluator, test } }));
    assert.equal(first.status, "done");
    const second = await train(
      context({ ...cfg, epochs: 2 }, tmp, { evaluation: { evaluator, test }, resume: true }),
    );
    assert.equal(second.step, 4);
    const rows = (await Deno.readTextFile(`${tmp}/eval.csv`)).trim().split("\n");
    assert.equal(rows[0], "epoch,step,fid,fid_real,accuracy,is");
    assert.deepEqual(rows.slice(1).map((r) => r.split(",").slice(0, 2).join(",")), ["1,2", "2,4"]);
    for (const row of rows.slice(1)) {
      assert.ok(row.split(",").slice(2).every((v) => Number.isFinite(Number(v))), row);
    }
    evaluator.dispose();
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

/** A tiny pix2pix config: 32x32 pairs, an eighth of the paper's channels, scored every epoch. */
const PIX2PIX: Partial<TrainConfig> = {
  model: "pix2pix",
  dataset: "facades",
  size: 32,
  width: 1 / 8,
  batchSize: 1,
  labelSmoothing: 0,
  evalEvery: 1,
  seed: 4,
};

async function pairedFixture(dir: string): Promise<{ train: Dataset; val: Dataset }> {
  await writePairedFixture(dir, { train: 4, val: 2, test: 0 });
  const opts = { dataDir: dir, direction: "BtoA", size: 32 } as const;
  return {
    train: await loadPairedDataset("facades", { ...opts, split: "train" }),
    val: await loadPairedDataset("facades", { ...opts, split: "val" }),
  };
}

Deno.test("pix2pix through the one loop: a run interrupted and resumed equals an unbroken one, validation scores included (wasm)", async () => {
  await initBackend({ requested: "wasm" });
  const tmp = await Deno.makeTempDir({ prefix: "cgan-pix2pix-loop-" });
  try {
    const { train: dataset, val: validation } = await pairedFixture(`${tmp}/data`);
    // 6 steps cross the end of epoch 1 (4 pairs, batch 1): a checkpoint, a grid and scores.
    const cfg = { ...PIX2PIX, steps: 6 };
    const { a, b1, b2 } = await unbrokenAndResumed(cfg, tmp, { dataset, validation });
    assert.ok(b1.step > 0 && b1.step < 4, `interrupted at step ${b1.step}, before the epoch's end`);
    assert.equal(b2.step, 6);
    const [wa, wb] = [await genWeights(`${tmp}/a`), await genWeights(`${tmp}/b`)];
    wa.forEach((w, i) => assert.deepEqual(wb[i], w, `generator weight ${i} differs`));
    b2.history.forEach((p, i) => assert.deepEqual(p, a.history[i]));
    const csv = (run: string) => Deno.readTextFileSync(`${tmp}/${run}/eval.csv`);
    assert.equal(csv("b"), csv("a"), "the same validation scores");
    const rows = csv("a").trim().split("\n");
    assert.equal(rows[0], "epoch,step,n,psnr,ssim,l1");
    const [epoch, step, n, psnr, ssim, l1] = rows[1]!.split(",").map(Number);
    assert.deepEqual([epoch, step, n], [1, 4, 2]);
    assert.ok(psnr! > 0 && ssim! > -1 && ssim! < 1 && l1! > 0 && l1! < 1, rows[1]);
    // The grid: one row per validation pair, condition | output | target, 2x upscaled.
    const grid = decodePng(await Deno.readFile(`${tmp}/a/samples/epoch-001.png`));
    assert.deepEqual([grid.width, grid.height], [(3 * 32 + 2 * 2) * 2, (2 * 32 + 2) * 2]);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("pix2pix needs paired data, and paired data needs pix2pix", async () => {
  await initBackend({ requested: "cpu" });
  const tmp = await Deno.makeTempDir({ prefix: "cgan-pix2pix-pairing-" });
  try {
    const { train: pairs } = await pairedFixture(`${tmp}/data`);
    await assert.rejects(
      () => train(context({ ...PIX2PIX, steps: 1 }, `${tmp}/a`)),
      /Cannot train pix2pix on mnist: expected a paired dataset/,
    );
    await assert.rejects(
      () => train(context({ steps: 1 }, `${tmp}/b`, { dataset: pairs })),
      /Cannot train mlp on facades: its pairs need an image-to-image model \(pix2pix\)/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
