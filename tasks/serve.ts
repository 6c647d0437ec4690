/**
 * `deno task serve`: the interactive page of paper 002 ("a user picks a label and gets an
 * image"). It serves `web/`, the tfjs browser bundles from the installed npm packages (no CDN:
 * it works offline) and the generators shipped in `packages/sample/generators/` (plus
 * `--weights DIR`, a model folder of your own). The browser runs the generator itself with
 * tfjs, on WebGPU where it has it, else WebGL, else WASM, else plain JS.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { intFlag, parseFlags, runTask } from "../src/cli.ts";
import { DATASET_CLASSES, DATASET_NAMES, isDatasetName } from "../src/data/datasets.ts";
import { PRETRAINED } from "../packages/sample/pretrained.ts";

/** The addresses `deno task serve` may listen on (its --allow-net). */
const LISTEN_HOSTS = ["127.0.0.1", "localhost", "0.0.0.0"];

const HELP = `Serve the interactive generation page.

Usage: deno task serve [flags]
  --port N          port to listen on (default: 8000; 0 picks a free one)
  --hostname HOST   address to listen on: ${LISTEN_HOSTS.join(", ")} (all interfaces)
                    (default: 127.0.0.1; another needs deno run --allow-net=HOST)
  --weights DIR     also offer your own generator (a model folder with model.json)
                    (default: none, the shipped generators only)
  --dataset NAME    class names of --weights: mnist | fashion | cifar10 (default: the names
                    its model.json records, as training writes them, else mnist)
  -h, --help        show this help

Examples:
  deno task serve --port 8080
  deno task serve --hostname 0.0.0.0 --weights runs/acgan-mnist/checkpoints/step-00004690/gen`;

/** A generator the page offers. */
export interface PageGenerator {
  /** Its id in URLs: `/generators/<id>/model.json`. */
  id: string;
  /** The folder holding `model.json` and its weight files. */
  dir: string;
  /** Class names, for the buttons. */
  classes: readonly string[];
}

/** The generators that ship in `@cgan/sample`. */
export function shippedGenerators(): PageGenerator[] {
  return Object.entries(PRETRAINED).flatMap(([dataset, models]) =>
    Object.entries(models).map(([model, path]) => ({
      id: `${dataset}-${model}`,
      dir: fileURLToPath(
        new URL(`../packages/sample/${path.replace(/model\.json$/, "")}`, import.meta.url),
      ),
      classes: isDatasetName(dataset) ? DATASET_CLASSES[dataset] : [],
    }))
  );
}

const WEB = fileURLToPath(new URL("../web/", import.meta.url));
/**
 * The browser bundles `web/index.html` loads, by npm package, in its order: tfjs-core first
 * (it defines the global `tf`), then layers and the backends (each adds to `tf`).
 */
export const VENDOR_BUNDLES: readonly (readonly [pkg: string, bundle: string])[] = [
  ["@tensorflow/tfjs-core", "tf-core.min.js"],
  ["@tensorflow/tfjs-layers", "tf-layers.min.js"],
  ["@tensorflow/tfjs-backend-cpu", "tf-backend-cpu.min.js"],
  ["@tensorflow/tfjs-backend-webgl", "tf-backend-webgl.min.js"],
  ["@tensorflow/tfjs-backend-webgpu", "tf-backend-webgpu.min.js"],
  ["@tensorflow/tfjs-backend-wasm", "tf-backend-wasm.min.js"],
];
/** Directory of an npm package's browser bundles (`dist/`), from its resolved entry module. */
function distOf(pkg: string): string {
  return fileURLToPath(new URL("./", import.meta.resolve(pkg)));
}

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
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

/**
 * Starts the page's server.
 *
 * @param opts Where to listen and which generators to offer.
 * @returns The running server (`server.addr.port` is the port; `server.shutdown()` stops it).
 */
export function servePage(
  opts: { hostname: string; port: number; generators: PageGenerator[] },
): Deno.HttpServer<Deno.NetAddr> {
  // The UMD bundle of each package the page loads; each adds its part to the global `tf`.
  const vendor: Record<string, string> = {};
  for (const [pkg, bundle] of VENDOR_BUNDLES) vendor[bundle] = `${distOf(pkg)}${bundle}`;
  for (const name of ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"]) {
    vendor[name] = `${distOf("@tensorflow/tfjs-backend-wasm")}${name}`;
  }
  const byId = new Map(opts.generators.map((g) => [g.id, g]));
  const index = opts.generators.map((g) => ({
    id: g.id,
    url: `generators/${g.id}/model.json`,
    classes: g.classes,
  }));
  return Deno.serve({ hostname: opts.hostname, port: opts.port, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    if (path === "/") return file(`${WEB}index.html`);
    if (path === "/generators/index.json") return Response.json(index);
    let m = path.match(/^\/([\w-]+\.(?:js|css))$/);
    if (m !== null) return file(`${WEB}${m[1]}`);
    m = path.match(/^\/vendor\/([\w.-]+)$/);
    if (m !== null && vendor[m[1]!] !== undefined) return file(vendor[m[1]!]!);
    m = path.match(/^\/generators\/([\w-]+)\/([\w-]+\.(?:json|bin))$/);
    const gen = m === null ? undefined : byId.get(m[1]!);
    if (gen !== undefined) return file(`${gen.dir}/${m![2]}`);
    return Promise.resolve(new Response("not found", { status: 404 }));
  });
}

/**
 * The page's entry for `--weights DIR`: its class names are `--dataset`'s, else the names its
 * model.json records (training writes them; a run on your own folder names its class
 * folders), else MNIST's.
 */
export async function customGenerator(
  weights: string,
  dataset: string | undefined,
): Promise<PageGenerator> {
  const dir = weights.replace(/\/model\.json$/, "").replace(/\/+$/, "");
  let modelJson;
  try {
    modelJson = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  } catch {
    throw new Error(`Cannot serve --weights "${weights}": expected ${dir}/model.json`);
  }
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
  return { id: "custom", dir, classes };
}

async function main(): Promise<number> {
  const values = parseFlags(Deno.args, {
    port: { type: "string", default: "8000" },
    hostname: { type: "string", default: "127.0.0.1" },
    weights: { type: "string" },
    dataset: { type: "string" },
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
  const listen = { hostname: values.hostname, port: intFlag("port", values.port, 0) };
  let server;
  try {
    server = servePage({ ...listen, generators });
  } catch (err) {
    if (!(err instanceof Deno.errors.NotCapable)) throw err;
    throw new Deno.errors.NotCapable(
      `Cannot listen on --hostname ${values.hostname}: deno task serve may listen on ` +
        `${LISTEN_HOSTS.join(", ")} only; for another address run deno run -R -E ` +
        `--allow-net=${values.hostname} tasks/serve.ts --hostname ${values.hostname}`,
    );
  }
  const { hostname, port } = server.addr;
  console.log(`cgan page on http://${hostname}:${port}/ (Ctrl-C stops it)`);
  await server.finished;
  return 0;
}

if (import.meta.main) await runTask(main, (key) => Deno.env.get(key));
