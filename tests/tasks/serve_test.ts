/**
 * `deno task serve`'s page in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core in `_page_probe.ts`), running the page bundled from `web/main.ts`: every
 * shipped generator and a SAGAN generator (custom layers) load and draw; a click on a class draws
 * its grid, different per class and the same again for the same seed; the all-classes view has
 * ten non-blank, mutually different cells in each column; an interpolation's ends are the two
 * seeds' images; the URL hash restores the controls and pixels; the PNG download is the drawing.
 * A screenshot is kept in `runs/artifacts/serve_page.png`, the probe's steps and their times in
 * `serve_page_steps.txt`.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { CACHE_DIR, customGenerator, servePage, shippedGenerators } from "../../tasks/serve.ts";
import { bundlePage } from "../../tasks/_web_bundle.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { saveLayersModel } from "../../src/io/layers_io.ts";
import { imageGrid } from "../../src/io/grid.ts";
import { decodePng } from "../../src/io/png.ts";
import { buildGan } from "../../src/models/registry.ts";
import { allClasses } from "../../web/explore.ts";

const hasChromium = await Deno.stat("/usr/bin/chromium").then(() => true, () => false);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PROBE = new URL("./_page_probe.ts", import.meta.url).pathname;
const ARTIFACTS = new URL("../../runs/artifacts/", import.meta.url).pathname;

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
    const bundle = bundlePage({ root: ROOT, entry: "web/main.ts", cacheDir: CACHE_DIR });
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

Deno.test("deno task serve bundles the page once: a second start takes the cached bundle", async () => {
  const opts = { root: ROOT, entry: "web/main.ts", cacheDir: CACHE_DIR };
  await bundlePage(opts);
  const again = await bundlePage(opts);
  assert.equal(again.cached, true);
  assert.ok(again.bytes > 100_000, `main.js is ${again.bytes} bytes`);
  const js = await Deno.readTextFile(`${again.dir}/main.js`);
  assert.doesNotMatch(js, /from\s*"node:/, "the bundle imports no Node built-in");
  assert.match(js, /SelfAttention/, "SAGAN's layer classes are in the bundle");
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
