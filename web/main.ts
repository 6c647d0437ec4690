/// <reference lib="dom" />
/**
 * The page of `deno task serve`, bundled for the browser by the task at start-up: it runs
 * cgan's own modules (the `@cgan/cgan/generator` API, with SAGAN's custom layers) on the best
 * backend the browser has (WebGPU, else SIMD WASM, else plain JS) and explores a conditional
 * generator: a grid of one class, every class with shared z, a morph between two seeds, the
 * generator's record, a PNG download. The URL hash holds the whole state
 * (`#gen=...&seed=...&class=...&view=...`), so a link shows the same images. Beside it: the
 * Train panel (`train.ts`, loaded when first opened) and, with `deno task serve --run DIR`, the
 * run panel following a CLI training run (`watch.ts`).
 *
 * For tests it marks the body: `data-ready` (the backend) once it can draw, `data-drawn` (the
 * hash of what it drew) and `data-draws` (a count) after each drawing, `data-error` when
 * something failed.
 *
 * @module
 */
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import type { LayersModel } from "../src/_tf.ts";
import {
  describeBackend,
  encodePng,
  generatorInfo,
  type GridImage,
  imageGrid,
  initBackend,
  loadGenerator,
} from "../generator.ts";
import { allClasses, classGrid, type Drawing, interpolation } from "./explore.ts";
import { describeGenerator, type GeneratorEntry } from "./metadata.ts";
import { paintDrawing } from "./paint.ts";
import { defaultState, formatHash, MAX_N, type PageState, parseHash } from "./state.ts";
import { mountRunPanel } from "./watch.ts";

/** An element of the page by id (index.html has them all). */
function $<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`Cannot find #${id} in the page`);
  return el as T;
}

const page = {
  generators: [] as GeneratorEntry[],
  entry: undefined as GeneratorEntry | undefined,
  gen: undefined as LayersModel | undefined,
  state: defaultState(""),
  backend: "",
  /** The latest drawing's grid at download size, encoded on demand. */
  download: undefined as { grid: GridImage; name: string } | undefined,
};

function setStatus(text: string): void {
  $("status").textContent = text;
}

/** Loads the generator `id` (disposing the previous one) and lists its classes and record. */
async function useGenerator(id: string): Promise<void> {
  const entry = page.generators.find((g) => g.id === id) ?? page.generators[0]!;
  if (page.entry?.id === entry.id && page.gen !== undefined) return;
  setStatus(`loading ${entry.id}...`);
  page.gen?.dispose();
  page.gen = undefined;
  const gen = await loadGenerator(new URL(entry.url, location.href).href);
  const { numClasses } = generatorInfo(gen);
  page.gen = gen;
  page.entry = entry;
  const names = Array.from({ length: numClasses }, (_, i) => entry.classes[i] ?? `${i}`);
  $("classes").replaceChildren(...names.map((name, i) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = name;
    b.dataset.label = `${i}`;
    b.addEventListener("click", () => show({ ...page.state, class: i }));
    return b;
  }));
  const about = $("about");
  about.replaceChildren(
    ...describeGenerator(gen.getUserDefinedMetadata(), entry).flatMap(([term, text]) => {
      const dt = document.createElement("dt");
      dt.textContent = term;
      const dd = document.createElement("dd");
      dd.textContent = text;
      return [dt, dd];
    }),
  );
}

/** Sets the controls to `state`. */
function showControls(state: PageState): void {
  $<HTMLSelectElement>("generator").value = state.gen;
  $<HTMLSelectElement>("view").value = state.view;
  $<HTMLInputElement>("seed").value = `${state.seed}`;
  $<HTMLInputElement>("to").value = `${state.to}`;
  $<HTMLInputElement>("n").value = `${state.n}`;
  $("to-label").hidden = state.view !== "interp";
  $("classes").hidden = state.view === "classes";
  for (const b of $("classes").children) {
    const label = Number((b as HTMLElement).dataset.label);
    b.setAttribute("aria-pressed", `${label === state.class}`);
  }
}

/** The state the controls show. */
function readControls(): PageState {
  return parseHash(
    new URLSearchParams({
      gen: $<HTMLSelectElement>("generator").value,
      view: $<HTMLSelectElement>("view").value,
      seed: $<HTMLInputElement>("seed").value,
      to: $<HTMLInputElement>("to").value,
      n: $<HTMLInputElement>("n").value,
    }).toString(),
    page.state,
  );
}

/** What a view draws, and its caption. */
async function drawView(gen: LayersModel, s: PageState): Promise<[Drawing, string]> {
  const names = page.entry!.classes;
  const name = names[s.class] ?? `${s.class}`;
  if (s.view === "classes") {
    const drawing = await allClasses(gen, { seed: s.seed, n: s.n });
    return [drawing, `every class, a row each (${names.join(", ")}); column j shares one z`];
  }
  if (s.view === "interp") {
    const drawing = await interpolation(gen, {
      label: s.class,
      from: s.seed,
      to: s.to,
      n: Math.max(2, s.n),
    });
    return [drawing, `class ${name}: from the z of seed ${s.seed} to that of seed ${s.to}`];
  }
  const drawing = await classGrid(gen, { label: s.class, seed: s.seed, n: s.n });
  return [drawing, `class ${name}: ${s.n * s.n} samples of seed ${s.seed}`];
}

/** Draws `next`: loads its generator if needed, then the view; writes the URL hash. */
async function render(next: PageState): Promise<void> {
  await useGenerator(next.gen);
  const gen = page.gen!;
  const { numClasses } = generatorInfo(gen);
  const s: PageState = {
    ...next,
    gen: page.entry!.id,
    class: Math.min(next.class, numClasses - 1),
  };
  page.state = s;
  showControls(s);
  const start = performance.now();
  const [drawing, caption] = await drawView(gen, s);
  paintDrawing($<HTMLCanvasElement>("grid"), drawing);
  $("caption").textContent = caption;
  const ms = Math.round(performance.now() - start);
  const what = s.view === "classes"
    ? `every class, seed ${s.seed}: ${drawing.count} samples`
    : s.view === "interp"
    ? `class ${s.class}, seed ${s.seed} to ${s.to}: ${drawing.count} steps`
    : `class ${s.class}, seed ${s.seed}: ${drawing.count} samples`;
  setStatus(`${what} in ${ms} ms on ${page.backend}`);
  page.download = {
    grid: imageGrid(drawing.images, drawing.count, drawing.shape, {
      cols: drawing.cols,
      pad: 2,
      scale: 2,
    }),
    name: `${s.gen}-${s.view}-class${s.class}-seed${s.seed}${
      s.view === "interp" ? `-to${s.to}` : ""
    }.png`,
  };
  const hash = formatHash(s);
  if (location.hash !== hash) history.replaceState(null, "", hash);
  document.body.dataset.drawn = hash;
  document.body.dataset.draws = `${Number(document.body.dataset.draws ?? 0) + 1}`;
}

let pending: PageState | undefined;
let drawing = false;

/** Draws `next`, or queues it behind the drawing under way (only the latest request waits). */
async function show(next: PageState): Promise<void> {
  pending = next;
  if (drawing) return;
  drawing = true;
  try {
    while (pending !== undefined) {
      const s = pending;
      pending = undefined;
      await render(s);
    }
  } catch (err) {
    fail(err);
  } finally {
    drawing = false;
  }
}

function fail(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  setStatus(`error: ${message}`);
  document.body.dataset.error = message;
}

/** Saves the latest drawing as a PNG (2x, 2-pixel gaps, as `deno task sample` writes grids). */
function download(): void {
  if (page.download === undefined) return;
  const { grid, name } = page.download;
  const png = encodePng(grid.pixels, grid.width, grid.height, grid.channels);
  const url = URL.createObjectURL(new Blob([png as BlobPart], { type: "image/png" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A random seed (32 bits). */
function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

/** What `train.js` exports: `web/train.ts`, a bundle entry of its own. */
interface TrainModule {
  mountTrainPanel(opts: { root: HTMLElement; backend: Promise<string> }): void;
}

/**
 * Loads the Train panel's code (`train.js`, which shares tfjs's chunks with this bundle) when
 * the panel is first opened, so the explorer does not load the training code.
 */
function lazyTrainPanel(backend: Promise<string>): void {
  const root = $<HTMLDetailsElement>("train-panel");
  let loaded = false;
  root.addEventListener("toggle", async () => {
    if (!root.open || loaded) return;
    loaded = true;
    try {
      // A computed address: the bundler and deno info leave it alone (train.js is an entry).
      const url = new URL("train.js", location.href).href;
      const train = await import(url) as TrainModule;
      train.mountTrainPanel({ root, backend });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      $("train-status").textContent = `error: ${message}`;
      root.dataset.error = message;
    }
  });
}

async function start(): Promise<void> {
  setWasmPaths(new URL("vendor/", location.href).href);
  const ready = initBackend({ blas: false });
  const backend = ready.then((info) => info.name);
  lazyTrainPanel(backend);
  mountRunPanel({ root: $("run-panel"), backend });
  const info = await ready;
  page.backend = info.name;
  page.generators = await (await fetch("generators/index.json")).json();
  if (page.generators.length === 0) {
    throw new Error("Cannot explore: the server offers no generator");
  }
  $<HTMLSelectElement>("generator").replaceChildren(
    ...page.generators.map((g) => new Option(g.id, g.id)),
  );
  $<HTMLInputElement>("n").max = `${MAX_N}`;
  const fromControls = () => show(readControls());
  for (const id of ["generator", "view", "seed", "to", "n"]) {
    $(id).addEventListener("change", fromControls);
  }
  $("random").addEventListener("click", () => show({ ...readControls(), seed: randomSeed() }));
  $("download").addEventListener("click", download);
  addEventListener("hashchange", () => show(parseHash(location.hash, page.state)));
  setStatus(describeBackend(info));
  document.body.dataset.ready = info.name;
  await show(parseHash(location.hash, defaultState(page.generators[0]!.id)));
}

start().catch(fail);
