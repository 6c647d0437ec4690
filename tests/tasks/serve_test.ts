/**
 * `deno task serve`'s page in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core in `_page_probe.ts`), running the page bundled from `web/main.ts`: every
 * shipped generator and a SAGAN generator (custom layers) load and draw; a click on a class draws
 * its grid, different per class and the same again for the same seed; the all-classes view has
 * ten non-blank, mutually different cells in each column; an interpolation's ends are the two
 * seeds' images; the URL hash restores the controls and pixels; the PNG download is the drawing.
 * A screenshot is kept in `runs/artifacts/serve_page.png`, the probe's steps and their times in
 * `serve_page_steps.txt`.
 *
 * The Train panel trains the MLP cGAN on the MNIST fixture in the tab: its first losses are the
 * CLI loop's, D's loss falls from its start and G's from its peak, the grid changes, Pause
 * holds the step, the tensor count stays flat, and the generator it saves is loaded by
 * `deno task sample --weights` and draws what the tab drew (`serve_train.png`,
 * `serve_train_steps.txt` with the speeds). `serve --run` follows a run made here by `deno task
 * train` while `--resume` extends it (`serve_run.png`); a bad `--run` is one line naming it.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  CACHE_DIR,
  customGenerator,
  PAGE_ENTRIES,
  runFlag,
  servePage,
  shippedGenerators,
} from "../../tasks/serve.ts";
import { bundlePage, staticLoads } from "../../tasks/_web_bundle.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { loadMnist } from "../../src/data/mnist.ts";
import { saveLayersModel } from "../../src/io/layers_io.ts";
import { imageGrid } from "../../src/io/grid.ts";
import { decodePng } from "../../src/io/png.ts";
import { generate, loadGenerator } from "../../src/models/generator.ts";
import { buildGan } from "../../src/models/registry.ts";
import { resolveConfig } from "../../src/train/config.ts";
import { train } from "../../src/train/loop.ts";
import { disposeGridInputs, GRID_COLUMNS, gridInputs } from "../../src/train/sample_grid.ts";
import { allClasses } from "../../web/explore.ts";

const hasChromium = await Deno.stat("/usr/bin/chromium").then(() => true, () => false);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PROBE = new URL("./_page_probe.ts", import.meta.url).pathname;
const ARTIFACTS = new URL("../../runs/artifacts/", import.meta.url).pathname;
const FIXTURE = `${ROOT}fixtures/mnist`;
const TASKS = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks as Record<
  string,
  { command: string }
>;

/** `deno task NAME ...args` as the task runs it (same script, same permissions). */
async function task(
  name: string,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: [...TASKS[name]!.command.split(" ").slice(1), ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", CI: "1" },
    stdin: "null",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, out: text(stdout), err: text(stderr) };
}

/** Runs the probe on `plan` against `url` (spawned: `touch` steps can signal the test). */
function probe(url: string, planFile: string): Deno.ChildProcess {
  return new Deno.Command("deno", {
    args: ["run", "-A", PROBE, url, planFile],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** The probe's result: its JSON line, after checking it exited 0. */
async function probeResult(child: Deno.ChildProcess): Promise<Record<string, unknown>> {
  const { code, stdout, stderr } = await child.output();
  const out = new TextDecoder().decode(stdout).trim().split("\n").at(-1) ?? "";
  assert.equal(code, 0, `${new TextDecoder().decode(stderr)}\n${out.slice(0, 2000)}`);
  return JSON.parse(out);
}

interface Canvas {
  width: number;
  height: number;
  gray: number[];
}
interface Seen {
  hash: string;
  drawn: string;
  controls: Record<string, string | null>;
  about: string;
  status: string;
  canvas: Canvas;
}

/** The gray values of a `w x h` cell of a canvas. */
function cell(c: Canvas, left: number, top: number, w = 28, h = 28): number[] {
  const out: number[] = [];
  for (let y = top; y < top + h; y++) {
    out.push(...c.gray.slice(y * c.width + left, y * c.width + left + w));
  }
  return out;
}
const mean = (v: number[]) => v.reduce((a, x) => a + x, 0) / v.length;
const std = (v: number[]) => {
  const m = mean(v);
  return Math.sqrt(mean(v.map((x) => (x - m) ** 2)));
};
const maxDiff = (a: number[], b: number[]) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
/** The share of pixels that differ by more than a quarter of the range. */
const differing = (a: number[], b: number[]) =>
  a.filter((v, i) => Math.abs(v - b[i]!) > 64).length / a.length;

/** A tiny SAGAN generator, untrained, saved in Layers format: spectral norm, self-attention, conditional BN. */
async function saveSagan(dir: string): Promise<number[]> {
  await initBackend({ requested: "cpu" });
  const { gen, disc } = buildGan("sagan", {
    latentDim: 16,
    numClasses: 10,
    imageShape: [28, 28, 1],
    activation: "leaky",
    seed: 3,
    width: 0.125,
  });
  await saveLayersModel(gen, dir);
  // What the page should draw for #view=classes&seed=0&n=2, drawn here on cpu.
  const all = await allClasses(gen, { seed: 0, n: 2 });
  const grid = imageGrid(all.images, all.count, all.shape, { cols: all.cols, pad: 0 });
  gen.dispose();
  disc.dispose();
  return Array.from(grid.pixels);
}

Deno.test({
  name:
    "deno task serve: the page runs cgan's bundled modules in Chromium and explores every shipped generator and a SAGAN one" +
    (hasChromium ? "" : " (ignored: needs Debian's chromium at /usr/bin/chromium)"),
  ignore: !hasChromium,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "cgan-serve-" });
    const sagan = await saveSagan(`${tmp}/sagan`);
    const bundle = bundlePage({ root: ROOT, entries: PAGE_ENTRIES, cacheDir: CACHE_DIR });
    const generators = [...shippedGenerators(), await customGenerator(`${tmp}/sagan`, undefined)];
    const server = servePage({ hostname: "127.0.0.1", port: 0, generators, bundle });
    try {
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      const url = `http://127.0.0.1:${server.addr.port}/`;
      const klass = (n: number) => ({
        do: "click",
        selector: `#classes button[data-label="${n}"]`,
      });
      const mnist = "gen=mnist-acgan";
      const plan = [
        { do: "open", hash: `#${mnist}` },
        klass(3),
        { do: "read", name: "three" },
        { do: "screenshot", path: `${ARTIFACTS}serve_page.png` },
        klass(7),
        { do: "read", name: "seven" },
        klass(3),
        { do: "read", name: "threeAgain" },
        { do: "select", selector: "#view", value: "classes" },
        { do: "read", name: "classes:mnist-acgan" },
        { do: "select", selector: "#generator", value: "mnist-acgan-conv" },
        { do: "read", name: "classes:mnist-acgan-conv" },
        { do: "select", selector: "#generator", value: "fashion-acgan" },
        { do: "read", name: "classes:fashion-acgan" },
        { do: "hash", hash: `#${mnist}&seed=11&class=4&view=interp&to=12&n=8` },
        { do: "read", name: "interp" },
        { do: "hash", hash: `#${mnist}&seed=11&class=4&view=grid&to=12&n=1` },
        { do: "read", name: "seedA" },
        { do: "download", name: "png", path: `${tmp}/download.png` },
        { do: "hash", hash: `#${mnist}&seed=12&class=4&view=grid&to=12&n=1` },
        { do: "read", name: "seedB" },
        { do: "click", selector: "#random" },
        klass(5),
        { do: "select", selector: "#view", value: "interp" },
        { do: "read", name: "ui" },
        { do: "reload" },
        { do: "read", name: "reloaded" },
        { do: "open", hash: "#gen=fashion-acgan&seed=5&class=3&view=interp&to=9&n=6" },
        { do: "read", name: "shared" },
        { do: "open", hash: "#gen=custom&seed=0&class=0&view=classes&to=1&n=2" },
        { do: "read", name: "sagan" },
      ];
      await Deno.writeTextFile(`${tmp}/plan.json`, JSON.stringify(plan));
      await bundle; // the probe's 60 s per step need not cover a first bundling
      const { code, stdout, stderr } = await new Deno.Command("deno", {
        args: ["run", "-A", PROBE, url, `${tmp}/plan.json`],
        env: { NO_COLOR: "1" },
      }).output();
      const out = new TextDecoder().decode(stdout).trim().split("\n").at(-1) ?? "";
      assert.equal(code, 0, `${new TextDecoder().decode(stderr)}\n${out.slice(0, 2000)}`);
      const seen = JSON.parse(out) as Record<string, Seen> & {
        error: string | null;
        backend: string;
        errors: string[];
        png: { file: string; path: string };
        timings: string[];
      };
      await Deno.writeTextFile(`${ARTIFACTS}serve_page_steps.txt`, seen.timings.join("\n"));
      assert.equal(seen.error, null, seen.errors.join("\n"));
      assert.deepEqual(seen.errors, []);
      assert.ok(["webgpu", "wasm", "cpu"].includes(seen.backend), seen.backend);

      // A class's grid: not blank, different per class, the same again for the same seed.
      const { three, seven, threeAgain } = seen;
      assert.deepEqual([three!.canvas.width, three!.canvas.height], [8 * 28, 8 * 28]);
      for (const [name, c] of [["3s", three!], ["7s", seven!]] as const) {
        const s = std(c.canvas.gray);
        assert.ok(s > 30, `the grid of ${name} is not blank: pixel std ${s.toFixed(1)}`);
        const m = mean(c.canvas.gray);
        assert.ok(m > 5 && m < 200, `mean gray of the ${name} ${m.toFixed(1)}`);
      }
      assert.ok(
        differing(three!.canvas.gray, seven!.canvas.gray) > 0.05,
        "classes 3 and 7 draw different grids",
      );
      assert.match(seven!.status, /^class 7, seed 0: 64 samples in \d+ ms on /);
      assert.equal(seven!.hash, "#gen=mnist-acgan&seed=0&class=7&view=grid&to=1&n=8");
      assert.ok(maxDiff(threeAgain!.canvas.gray, three!.canvas.gray) <= 1, "class 3 again");

      // Every class, a row each, for each shipped generator: each column's ten cells (one z)
      // are not blank and differ from each other.
      for (const id of ["mnist-acgan", "mnist-acgan-conv", "fashion-acgan"]) {
        const c = seen[`classes:${id}`]!;
        assert.equal(c.controls.gen, id);
        assert.deepEqual([c.canvas.width, c.canvas.height], [8 * 28, 10 * 28], id);
        for (let col = 0; col < 8; col++) {
          const cells = Array.from({ length: 10 }, (_, k) => cell(c.canvas, col * 28, k * 28));
          // Not blank: a spread of 10 gray levels (the quality gate's is 0.05 of [-1, 1], 6.4);
          // the plainest shipped cell (a Fashion-MNIST T-shirt) has 20.8.
          cells.forEach((p, k) => assert.ok(std(p) > 10, `${id} class ${k}, column ${col}: blank`));
          for (let a = 0; a < 10; a++) {
            for (let b = a + 1; b < 10; b++) {
              const d = differing(cells[a]!, cells[b]!);
              assert.ok(d > 0.02, `${id} column ${col}: classes ${a} and ${b} alike (${d})`);
            }
          }
        }
        assert.match(c.about, /quality gate(passed|not met)/, id);
        assert.match(c.about, /FID\d+\.\d\d \(cgan's evaluator features/, id);
      }

      // Interpolation: the ends are the two seeds' images, the middle differs from both.
      const { interp, seedA, seedB } = seen;
      assert.deepEqual([interp!.canvas.width, interp!.canvas.height], [8 * 28, 28]);
      const ends = [cell(interp!.canvas, 0, 0), cell(interp!.canvas, 7 * 28, 0)];
      assert.deepEqual(ends[0], seedA!.canvas.gray, "the start is seed 11's image");
      assert.deepEqual(ends[1], seedB!.canvas.gray, "the end is seed 12's image");
      assert.ok(differing(seedA!.canvas.gray, seedB!.canvas.gray) > 0.02, "two seeds differ");
      const middle = cell(interp!.canvas, 4 * 28, 0);
      assert.ok(differing(middle, ends[0]!) > 0.01 && differing(middle, ends[1]!) > 0.01);

      // The download is the drawing, 2x (one cell: no gaps).
      assert.equal(seen.png.file, "mnist-acgan-grid-class4-seed11.png");
      const png = decodePng(await Deno.readFile(`${tmp}/download.png`));
      assert.deepEqual([png.width, png.height], [56, 56]);
      const half = Array.from(
        { length: 28 * 28 },
        (_, i) => png.data[((2 * Math.floor(i / 28)) * 56 + 2 * (i % 28)) * png.channels]!,
      );
      assert.deepEqual(half, seedA!.canvas.gray);

      // The URL holds the state: a reload draws the same controls and pixels.
      const { ui, reloaded } = seen;
      assert.match(ui!.hash, /^#gen=mnist-acgan&seed=\d+&class=5&view=interp&to=12&n=1$/);
      assert.notEqual(ui!.controls.seed, "12", "random drew a new seed");
      assert.equal(reloaded!.hash, ui!.hash);
      assert.deepEqual(reloaded!.controls, ui!.controls);
      assert.deepEqual(reloaded!.canvas, ui!.canvas);
      // A shared link opens on its view.
      const { shared } = seen;
      assert.deepEqual(shared!.controls, {
        gen: "fashion-acgan",
        view: "interp",
        seed: "5",
        to: "9",
        n: "6",
        class: "3",
      });
      assert.equal(shared!.hash, "#gen=fashion-acgan&seed=5&class=3&view=interp&to=9&n=6");
      assert.deepEqual([shared!.canvas.width, shared!.canvas.height], [6 * 28, 28]);
      assert.ok(std(shared!.canvas.gray) > 20, "the shared view is not blank");

      // SAGAN: its custom layers load in the browser and draw what they draw in Deno.
      const { sagan: drawn } = seen;
      assert.deepEqual([drawn!.canvas.width, drawn!.canvas.height], [2 * 28, 10 * 28]);
      assert.ok(std(drawn!.canvas.gray) > 1, "the SAGAN drawing is not flat");
      const drift = maxDiff(drawn!.canvas.gray, sagan);
      assert.ok(drift <= 2, `the page's SAGAN drawing differs from Deno's by ${drift} levels`);
      assert.match(drawn!.about, /no export record/);
    } finally {
      await server.shutdown();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test("deno task serve bundles the page once: a second start takes the cached bundle; the explorer loads no training code", async () => {
  const opts = { root: ROOT, entries: PAGE_ENTRIES, cacheDir: CACHE_DIR };
  await bundlePage(opts);
  const again = await bundlePage(opts);
  assert.equal(again.cached, true);
  assert.ok(again.loads["main.js"]! > 100_000, `main.js loads ${again.loads["main.js"]} bytes`);
  const read = async (entry: string) =>
    (await Promise.all(
      (await staticLoads(again.dir, entry)).map((f) => Deno.readTextFile(`${again.dir}/${f}`)),
    )).join("\n");
  const explorer = await read("main.js");
  const trainer = await read("train.js");
  for (const js of [explorer, trainer]) {
    assert.doesNotMatch(js, /from\s*"node:/, "the bundle imports no Node built-in");
  }
  assert.match(explorer, /SelfAttention/, "SAGAN's layer classes are in the explorer's files");
  // The training step's own error messages mark its code.
  const stepCode = /Cannot train an auxiliary classifier/;
  assert.doesNotMatch(explorer, stepCode, "the explorer loads the training step");
  assert.match(trainer, stepCode, "train.js holds the training step");
  assert.doesNotMatch(trainer, /jpeg-js/, "the Train panel loads no image decoder");
});

Deno.test("deno task serve --weights takes a run directory, a checkpoint or a model folder, and its class names", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgan-serve-" });
  try {
    const metadata = { noise: "normal", classNames: ["daisy", "rose", "tulip"] };
    const gen = `${dir}/run/checkpoints/step-00000010/gen`;
    await Deno.mkdir(gen, { recursive: true });
    await Deno.writeTextFile(
      `${gen}/model.json`,
      JSON.stringify({ userDefinedMetadata: metadata }),
    );
    await Deno.writeTextFile(
      `${dir}/run/checkpoints/latest.json`,
      JSON.stringify({ checkpoint: "step-00000010" }),
    );
    await Deno.writeTextFile(
      `${dir}/run/config.json`,
      JSON.stringify({ command: "deno task train --dataset folder" }),
    );
    for (const weights of [`${dir}/run`, `${dir}/run/checkpoints/step-00000010`, gen]) {
      const entry = await customGenerator(weights, undefined);
      assert.equal(entry.dir, gen, weights);
      assert.deepEqual(entry.classes, ["daisy", "rose", "tulip"]);
    }
    assert.equal(
      (await customGenerator(`${dir}/run`, undefined)).command,
      "deno task train --dataset folder",
    );
    assert.equal((await customGenerator(`${gen}/model.json`, "fashion")).classes[7], "Sneaker");
    await Deno.writeTextFile(`${gen}/model.json`, "{}");
    assert.equal((await customGenerator(gen, undefined)).classes[3], "3");
    await assert.rejects(
      () => customGenerator(`${dir}/none`, undefined),
      /Cannot load a generator from ".*\/none": expected a model folder/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A canvas as the probe reads it. */
interface Gray {
  width: number;
  height: number;
  gray: number[];
}
/** A logging point of the Train panel (`data-log`). */
interface TrainLog {
  step: number;
  dLoss: number;
  gLoss: number;
  imagesPerSecond: number;
  tensors: number;
}

/** The mean of `key` over the steps in (from, to], each point weighted by its interval. */
function windowMean(log: TrainLog[], key: "dLoss" | "gLoss", from: number, to: number): number {
  let [sum, steps, prev] = [0, 0, 0];
  for (const p of log) {
    const n = Math.min(p.step, to) - Math.max(prev, from);
    if (n > 0) [sum, steps] = [sum + n * p[key], steps + n];
    prev = p.step;
  }
  return sum / steps;
}

Deno.test({
  name:
    "deno task serve: the Train panel trains the MLP cGAN in Chromium with cgan's step, and sample --weights loads what it saves" +
    (hasChromium ? "" : " (ignored: needs Debian's chromium at /usr/bin/chromium)"),
  ignore: !hasChromium,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "cgan-serve-train-" });
    const bundle = bundlePage({ root: ROOT, entries: PAGE_ENTRIES, cacheDir: CACHE_DIR });
    const server = servePage({
      hostname: "127.0.0.1",
      port: 0,
      generators: shippedGenerators(),
      bundle,
      dataDir: FIXTURE,
    });
    try {
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      await Deno.mkdir(`${tmp}/saved`);
      // 1,000 fixture images, batch 64: 15 steps an epoch, 20 epochs = 300 steps.
      const [epochs, batch, logEvery, total] = [20, 64, 20, 300];
      const P = "document.getElementById('train-panel')";
      const failed = `${P}.dataset.error`;
      const plan = [
        { do: "open", hash: "#gen=mnist-acgan" },
        { do: "press", selector: "#train-panel > summary" },
        { do: "wait", until: `${P}.dataset.state === 'ready' || ${failed}` },
        { do: "fill", selector: "#train-epochs", value: `${epochs}` },
        { do: "fill", selector: "#train-batch", value: `${batch}` },
        { do: "fill", selector: "#train-log-every", value: `${logEvery}` },
        { do: "press", selector: "#train-start" },
        // The grid of the untrained G, drawn before the first step.
        { do: "wait", until: `${P}.dataset.grids === '1' || ${failed}`, timeout: 120_000 },
        { do: "canvas", name: "gridStart", selector: "#train-grid" },
        { do: "eval", name: "progress", expr: "document.getElementById('train-progress').max" },
        { do: "wait", until: `Number(${P}.dataset.step) >= 100 || ${failed}`, timeout: 400_000 },
        { do: "press", selector: "#train-pause" },
        { do: "wait", until: `${P}.dataset.state === 'paused' || ${failed}` },
        { do: "eval", name: "paused", expr: `Number(${P}.dataset.step)` },
        { do: "sleep", ms: 2000 },
        {
          do: "eval",
          name: "stillPaused",
          expr: `[${P}.dataset.state, Number(${P}.dataset.step)]`,
        },
        { do: "press", selector: "#train-pause" },
        { do: "wait", until: `${P}.dataset.state === 'done' || ${failed}`, timeout: 500_000 },
        { do: "canvas", name: "gridEnd", selector: "#train-grid" },
        { do: "eval", name: "log", expr: `JSON.parse(${P}.dataset.log)` },
        { do: "eval", name: "status", expr: "document.getElementById('train-status').textContent" },
        { do: "eval", name: "plot", expr: "document.getElementById('train-plot').innerHTML" },
        { do: "screenshot", path: `${ARTIFACTS}serve_train.png` },
        { do: "downloads", name: "saved", selector: "#train-save", count: 2, dir: `${tmp}/saved` },
        { do: "eval", name: "panelError", expr: `${failed} ?? null` },
      ];
      await Deno.writeTextFile(`${tmp}/plan.json`, JSON.stringify(plan));
      await bundle;
      const url = `http://127.0.0.1:${server.addr.port}/`;
      const seen = await probeResult(probe(url, `${tmp}/plan.json`)) as {
        error: string | null;
        errors: string[];
        backend: string;
        panelError: string | null;
        gridStart: Gray;
        gridEnd: Gray;
        progress: number;
        paused: number;
        stillPaused: [string, number];
        log: TrainLog[];
        status: string;
        plot: string;
        saved: string[];
        timings: string[];
      };
      assert.equal(seen.panelError, null);
      assert.equal(seen.error, null, seen.errors.join("\n"));
      assert.deepEqual(seen.errors, []);
      assert.equal(seen.progress, 784_016 + 1_008, "the progress bar counts both fixture files");
      const { log } = seen;
      const speeds = log.slice(1).map((p) => p.imagesPerSecond);
      const mean = speeds.reduce((a, b) => a + b, 0) / speeds.length;
      await Deno.writeTextFile(
        `${ARTIFACTS}serve_train_steps.txt`,
        [
          `backend ${seen.backend}; ${total} steps of batch ${batch}; ${mean.toFixed(0)} img/s ` +
          `(mean of the logging intervals after the first; min ${
            Math.min(...speeds).toFixed(0)
          }, max ${Math.max(...speeds).toFixed(0)})`,
          ...log.map((p) =>
            `step ${p.step}: D ${p.dLoss.toFixed(4)} G ${p.gLoss.toFixed(4)} ` +
            `${p.imagesPerSecond.toFixed(0)} img/s, ${p.tensors} tensors`
          ),
          ...seen.timings,
        ].join("\n"),
      );

      // Logging points: every 20 steps and each epoch's end (15 steps), as the CLI logs.
      assert.equal(log.at(-1)!.step, total);
      assert.ok(log.some((p) => p.step === 15) && log.some((p) => p.step === 20));
      assert.match(
        seen.status,
        new RegExp(
          `^done: step ${total} of ${total} \\(epoch ${epochs} of ${epochs}\\): \\d+ img/s on ${seen.backend}`,
        ),
      );
      assert.match(seen.plot, /data-series="D loss" data-points="\d+"/);

      // Pause holds the step; Resume goes on from it.
      assert.ok(seen.paused >= 100 && seen.paused < total, `paused at ${seen.paused}`);
      assert.deepEqual(seen.stillPaused, ["paused", seen.paused]);

      // The tensor count is flat across logging points, pause included.
      const counts = log.slice(1).map((p) => p.tensors);
      assert.ok(counts.every((n) => n === counts[0]), `tensors at logging points: ${counts}`);

      // The tab trains with the CLI loop's step: the first logging points are deno task train's
      // for the same data and settings (here on wasm in Deno; kernels differ in the last bits).
      await initBackend({ requested: "wasm" });
      const dataset = await loadMnist({ split: "train", dataDir: FIXTURE });
      const cli = await train({
        config: resolveConfig({ dataset: "memory", epochs, batchSize: batch, logEvery, steps: 20 }),
        dataset,
        runDir: `${tmp}/cli`,
        progress: { update() {}, log() {}, stop() {} },
        now: () => performance.now(),
      });
      for (const point of cli.history) {
        const tab = log.find((p) => p.step === point.step)!;
        for (const key of ["dLoss", "gLoss"] as const) {
          const d = Math.abs(tab[key] - point[key]);
          assert.ok(
            d < 0.01,
            `step ${point.step}: ${key} ${tab[key]} in the tab, ${point[key]} in Deno`,
          );
        }
      }

      // D's loss falls from its start. G's starts at log 2 (D cannot tell yet), climbs while D
      // learns faster, then falls as G catches up: it falls from its peak.
      const dStart = windowMean(log, "dLoss", 0, 20);
      const dEnd = windowMean(log, "dLoss", total - 60, total);
      assert.ok(
        dEnd < dStart - 0.05,
        `D loss ${dStart.toFixed(3)} at the start, ${dEnd.toFixed(3)} at the end`,
      );
      const gWindows = Array.from(
        { length: total / 30 },
        (_, i) => windowMean(log, "gLoss", 30 * i, 30 * (i + 1)),
      );
      const gPeak = Math.max(...gWindows);
      const gEnd = gWindows.at(-1)!;
      assert.ok(
        gWindows.indexOf(gPeak) < gWindows.length - 1,
        `G's loss peaks before the end: ${gWindows.map((g) => g.toFixed(2))}`,
      );
      assert.ok(
        gEnd < 0.9 * gPeak,
        `G loss ${gPeak.toFixed(3)} at its peak, ${gEnd.toFixed(3)} at the end`,
      );

      // The grid: a row per class, 10 columns; it changed, and it is not blank.
      const { gridStart, gridEnd } = seen;
      assert.deepEqual([gridEnd.width, gridEnd.height], [GRID_COLUMNS * 28, 10 * 28]);
      assert.deepEqual([gridStart.width, gridStart.height], [gridEnd.width, gridEnd.height]);
      assert.ok(differing(gridStart.gray, gridEnd.gray) > 0.2, "the grid changed");
      assert.ok(
        std(gridEnd.gray) > 30,
        `the grid is not blank: std ${std(gridEnd.gray).toFixed(1)}`,
      );

      // The saved generator: tfjs's Layers files, which deno task sample --weights loads, and
      // which draws the tab's last grid.
      assert.deepEqual(seen.saved, [`${tmp}/saved/model.json`, `${tmp}/saved/model.weights.bin`]);
      const sampled = await task("sample", [
        "--weights",
        `${tmp}/saved`,
        "--all",
        "--count",
        "4",
        "--out",
        `${tmp}/sample.png`,
        "--backend",
        "cpu",
      ]);
      assert.equal(sampled.code, 0, sampled.err);
      assert.match(sampled.out, /0, 1, 2, 3, 4, 5, 6, 7, 8, 9: a row each, x4, seed 0/);
      const png = decodePng(await Deno.readFile(`${tmp}/sample.png`));
      assert.ok(png.height > 10 * 28 && png.width > 4 * 28, `${png.width}x${png.height}`);
      await initBackend({ requested: "cpu" });
      const gen = await loadGenerator(`${tmp}/saved`);
      assert.deepEqual(gen.getUserDefinedMetadata(), {
        noise: "normal",
        classNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
      });
      const inputs = gridInputs(10, GRID_COLUMNS, 100, 0);
      const images = generate(gen, inputs.z, inputs.labels);
      const grid = imageGrid(await images.data() as Float32Array, 10 * GRID_COLUMNS, [28, 28, 1], {
        cols: GRID_COLUMNS,
        pad: 0,
      });
      images.dispose();
      disposeGridInputs(inputs);
      gen.dispose();
      const drift = maxDiff(Array.from(grid.pixels), gridEnd.gray);
      assert.ok(drift <= 2, `the saved G draws the tab's grid to ${drift} gray levels`);
    } finally {
      await server.shutdown();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "deno task serve --run follows a run of deno task train: grid, losses, scores, config and samples, refreshed as --resume extends it" +
    (hasChromium ? "" : " (ignored: needs Debian's chromium at /usr/bin/chromium)"),
  ignore: !hasChromium,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "cgan-serve-run-" });
    const runDir = `${tmp}/run`;
    const bundle = bundlePage({ root: ROOT, entries: PAGE_ENTRIES, cacheDir: CACHE_DIR });
    // 128 fixture images, batch 32: 4 steps an epoch; scored at each epoch's end.
    const trained = await task("train", [
      ...["--data-dir", FIXTURE, "--limit", "128", "--batch-size", "32", "--epochs", "2"],
      ...["--log-every", "2", "--eval-every", "1", "--eval-n", "100", "--out", runDir],
    ]);
    assert.equal(trained.code, 0, trained.err);
    const server = servePage({
      hostname: "127.0.0.1",
      port: 0,
      generators: shippedGenerators(),
      bundle,
      run: await runFlag(runDir),
    });
    let child: Deno.ChildProcess | undefined;
    try {
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      const R = "document.getElementById('run-panel')";
      const panel = `(() => {
        const R = document.getElementById("run-panel");
        const img = document.getElementById("run-grid");
        return {
          hidden: R.hidden,
          data: { ...R.dataset },
          dir: document.getElementById("run-dir").textContent,
          config: document.getElementById("run-config").textContent,
          grid: [img.naturalWidth, img.naturalHeight],
          losses: document.getElementById("run-losses").innerHTML,
          evals: document.getElementById("run-evals").innerHTML,
          caption: document.getElementById("run-sample-caption").textContent,
        };
      })()`;
      const plan = [
        { do: "open", hash: "" },
        {
          do: "wait",
          until: `${R}.dataset.checkpoint === 'step-00000008' && ${R}.dataset.grid`,
          timeout: 120_000,
        },
        { do: "eval", name: "before", expr: panel },
        { do: "canvas", name: "sampleBefore", selector: "#run-sample" },
        { do: "screenshot", path: `${ARTIFACTS}serve_run.png` },
        { do: "touch", path: `${tmp}/seen` },
        // The test resumes the run for a third epoch now; the page follows it.
        {
          do: "wait",
          until: `${R}.dataset.checkpoint === 'step-00000012' && ${R}.dataset.evals === '3'`,
          timeout: 400_000,
        },
        { do: "eval", name: "after", expr: panel },
        { do: "canvas", name: "sampleAfter", selector: "#run-sample" },
      ];
      await Deno.writeTextFile(`${tmp}/plan.json`, JSON.stringify(plan));
      await bundle;
      child = probe(`http://127.0.0.1:${server.addr.port}/`, `${tmp}/plan.json`);
      const deadline = Date.now() + 200_000;
      while (!await Deno.stat(`${tmp}/seen`).then(() => true, () => false)) {
        assert.ok(Date.now() < deadline, "the page did not show the run");
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const resumed = await task("train", ["--resume", runDir, "--epochs", "3"]);
      assert.equal(resumed.code, 0, resumed.err);
      const seen = await probeResult(child) as Record<string, unknown> & {
        error: string | null;
        errors: string[];
        before: RunPanel;
        after: RunPanel;
        sampleBefore: Gray;
        sampleAfter: Gray;
      };
      child = undefined;
      assert.equal(seen.error, null, seen.errors.join("\n"));
      assert.deepEqual(seen.errors, []);
      const { before, after } = seen;
      assert.equal(before.hidden, false);
      assert.equal(before.dir, runDir);
      assert.equal(JSON.parse(before.config).config.epochs, 2);
      assert.equal(JSON.parse(after.config).config.epochs, 3);
      // The run's own grid: 10 rows of 28 pixels and gaps, as samples/final.png is.
      const png = decodePng(await Deno.readFile(`${runDir}/samples/final.png`));
      assert.deepEqual(after.grid, [png.width, png.height]);
      assert.equal(before.data.grid, "final.png");
      assert.ok(Number(after.data.grids) > Number(before.data.grids), "the grid was reloaded");
      // Losses: every 2 steps (epoch ends among them); scores: one row an epoch.
      assert.deepEqual([before.data.losses, after.data.losses], ["4", "6"]);
      assert.deepEqual([before.data.evals, after.data.evals], ["2", "3"]);
      assert.match(before.losses, /data-series="D loss" data-points="4"/);
      assert.match(after.losses, /data-series="G loss" data-points="6"/);
      for (const metric of ["fid", "accuracy", "is"]) {
        assert.match(after.evals, new RegExp(`eval\\.csv: ${metric}<`), metric);
      }
      assert.match(after.evals, /data-points="3"/);
      // Samples from the latest checkpoint's G's average, redrawn for the new checkpoint.
      assert.match(
        before.caption,
        /^step-00000008, G's average \(checkpoints\/step-00000008\/gen_ema\)/,
      );
      assert.match(after.caption, /^step-00000012, G's average/);
      assert.deepEqual([seen.sampleAfter.width, seen.sampleAfter.height], [8 * 28, 10 * 28]);
      // Four more steps move G's average a little: the drawing changes, if not by much.
      const moved = mean(
        seen.sampleAfter.gray.map((v, i) => Math.abs(v - seen.sampleBefore.gray[i]!)),
      );
      assert.ok(
        moved > 0.5,
        `the samples of step 12 differ from step 8's by ${moved.toFixed(2)} levels`,
      );
      assert.ok(Number(after.data.updates) > Number(before.data.updates));
      assert.equal(after.data.error, undefined);
    } finally {
      if (child !== undefined) {
        child.kill();
        await child.output();
      }
      await server.shutdown();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

/** What the probe reads of the run panel. */
interface RunPanel {
  hidden: boolean;
  data: Record<string, string | undefined>;
  dir: string;
  config: string;
  grid: [number, number];
  losses: string;
  evals: string;
  caption: string;
}

Deno.test("deno task serve --run refuses a missing folder and one without config.json in one line naming the flag", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgan-serve-badrun-" });
  try {
    const expected = (path: string, found: string) =>
      `error: Invalid --run "${path}": expected a run directory of deno task train, holding ` +
      `config.json; found ${found}`;
    const missing = await task("serve", ["--run", `${dir}/none`, "--port", "0"]);
    assert.equal(missing.code, 2);
    assert.equal(missing.err.trim(), expected(`${dir}/none`, "no such directory"));
    const empty = await task("serve", ["--run", dir, "--port", "0"]);
    assert.equal(empty.code, 2);
    assert.equal(empty.err.trim(), expected(dir, "a directory without config.json"));
    await Deno.writeTextFile(`${dir}/config.json`, "{}");
    const file = await task("serve", ["--run", `${dir}/config.json`, "--port", "0"]);
    assert.equal(file.err.trim(), expected(`${dir}/config.json`, "a file"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
