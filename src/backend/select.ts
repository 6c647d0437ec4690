/**
 * Picks and initialises the tfjs backend once per process: WebGPU on a real GPU adapter, else
 * SIMD WASM, else the plain `cpu` backend. An explicit choice (`--backend` / `CGAN_BACKEND`,
 * passed in by the task) overrides the order and fails loudly instead of falling back.
 * On wasm, matmuls and convolutions go to OpenBLAS where `--allow-ffi` is granted and the
 * library is found (see `openblas.ts`), and stay on WASM SIMD otherwise.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import "@tensorflow/tfjs-backend-wasm";
import { WebGPUBackend } from "@tensorflow/tfjs-backend-webgpu";
import { registerGradientFixes } from "./gradient_fixes.ts";
import { saveWithoutKernels } from "./saved_tensors.ts";
import { fuseDenseLayers } from "./fused_dense.ts";
import { fuseBatchNormLayers } from "./fused_batch_norm.ts";
import { fuseLeakyReluGradient } from "./fused_activation.ts";
import { registerWebGpuKernels } from "./webgpu/mod.ts";
import { registerWasmKernelFixes } from "./wasm/mod.ts";
import { useBlas } from "./wasm/blas/mod.ts";
import { loadOpenBlas } from "./openblas.ts";
import { type AdapterProbe, createDevice, probeAdapter } from "./webgpu_adapter.ts";

/** The compute backends cgan runs on. */
export const BACKEND_NAMES = ["webgpu", "wasm", "cpu"] as const;
/** One of {@linkcode BACKEND_NAMES}. */
export type BackendName = typeof BACKEND_NAMES[number];

/** The outcome of backend selection, printed as one line at start. */
export interface BackendInfo {
  /** The backend now active in tfjs. */
  name: BackendName;
  /** Why it was chosen (and why better ones were not). */
  reason: string;
  /** The WebGPU adapter description, or "" when no adapter was found. */
  adapter: string;
  /**
   * On wasm: what runs its matmuls and convolutions, e.g. "OpenBLAS (SkylakeX, 2 threads)", or
   * "WASM SIMD (no --allow-ffi)" saying why OpenBLAS is not used. Absent on other backends.
   */
  matmul?: string;
}

/** A plan: backends to try in order and the reason for that order. */
export interface BackendPlan {
  /** Backends to try, best first. */
  order: BackendName[];
  /** Why this order. */
  reason: string;
}

/**
 * Decides which backends to try, from an explicit request and a WebGPU adapter probe.
 * Pure: no tfjs state is touched.
 *
 * @param requested The backend the user asked for, or undefined for automatic choice.
 * @param probe What {@linkcode probeAdapter} found.
 * @returns The order to try and why.
 *
 * @example A software adapter means WASM
 * ```ts
 * import assert from "node:assert/strict";
 * import { planBackends } from "@cgan/cgan/internal";
 * const plan = planBackends(undefined, { adapter: null, description: "llvmpipe", isSoftware: true });
 * assert.deepEqual(plan.order, ["wasm", "cpu"]); // no WebGPU on a software adapter
 * ```
 */
export function planBackends(requested: BackendName | undefined, probe: AdapterProbe): BackendPlan {
  if (requested !== undefined) {
    if (!(BACKEND_NAMES as readonly string[]).includes(requested)) {
      throw new TypeError(
        `Cannot use backend "${requested}": expected one of ${BACKEND_NAMES.join(", ")}`,
      );
    }
    return { order: [requested], reason: "requested" };
  }
  if (probe.adapter === null && !probe.isSoftware) {
    return { order: ["wasm", "cpu"], reason: `no GPU (${probe.reason ?? "no adapter"})` };
  }
  if (probe.isSoftware) {
    return {
      order: ["wasm", "cpu"],
      reason: "the WebGPU adapter is software, WASM is faster",
    };
  }
  return { order: ["webgpu", "wasm", "cpu"], reason: "a GPU adapter was found" };
}

/**
 * Parses a backend name from a flag or environment variable.
 *
 * @param value The raw text, e.g. "wasm"; undefined or "" means automatic choice.
 * @param source What the value came from, for the error message (e.g. "--backend").
 * @returns The backend name, or undefined for automatic choice.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBackendName } from "@cgan/cgan/internal";
 * assert.equal(parseBackendName("cpu", "--backend"), "cpu");
 * assert.throws(() => parseBackendName("gpu", "--backend"), /Invalid --backend "gpu"/);
 * ```
 */
export function parseBackendName(
  value: string | undefined,
  source: string,
): BackendName | undefined {
  if (value === undefined || value === "" || value === "auto") return undefined;
  if ((BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendName;
  throw new TypeError(
    `Invalid ${source} "${value}": expected one of auto, ${BACKEND_NAMES.join(", ")}`,
  );
}

let webgpuAdapter: GPUAdapter | undefined;

/** Turns OpenBLAS on for the wasm backend where allowed and found; says what runs matmuls. */
function chooseMatmul(blas: boolean | undefined): string {
  const found = blas === false ? { reason: "OpenBLAS off" } : loadOpenBlas();
  if (!("sgemm" in found)) {
    useBlas(undefined);
    return `WASM SIMD (${found.reason})`;
  }
  useBlas(found);
  return `OpenBLAS (${found.core}, ${found.threads} thread${found.threads === 1 ? "" : "s"})`;
}

async function activate(name: BackendName, probe: AdapterProbe): Promise<void> {
  if (name === "wasm") {
    // Emscripten finds the .wasm binaries beside the package's CommonJS entry (its __dirname)
    // in the npm cache or node_modules, so no path is set: a bare `import.meta.resolve` would
    // not survive publishing to JSR, whose modules have no import map.
    if (!await tf.setBackend("wasm")) throw new Error('tf.setBackend("wasm") returned false');
    registerWasmKernelFixes();
    return;
  }
  if (name === "webgpu") {
    const adapter = probe.adapter;
    if (adapter === null) throw new Error(probe.reason ?? "no WebGPU adapter");
    if (webgpuAdapter !== adapter) {
      // Replace tfjs's own factory, which crashes on Deno (see webgpu_adapter.ts).
      tf.removeBackend("webgpu");
      const { device, info } = await createDevice(adapter);
      tf.registerBackend("webgpu", () => new WebGPUBackend(device, info), 3);
      webgpuAdapter = adapter;
    }
    if (!await tf.setBackend("webgpu")) {
      throw new Error('tf.setBackend("webgpu") returned false');
    }
    return;
  }
  if (!await tf.setBackend("cpu")) throw new Error('tf.setBackend("cpu") returned false');
}

/** Options for {@linkcode initBackend}. */
export interface InitBackendOptions {
  /** Explicit backend; undefined chooses automatically. */
  requested?: BackendName | undefined;
  /** WebGPU entry point; defaults to `navigator.gpu`. Tests pass a fake. */
  gpu?: GPU | undefined;
  /**
   * On wasm, run matmuls and convolutions on OpenBLAS when `--allow-ffi` is granted and a
   * `libopenblas` is found (default true; `CGAN_OPENBLAS=off` also turns it off, and
   * `CGAN_OPENBLAS=/path/libopenblas.so` names the library).
   */
  blas?: boolean | undefined;
}

/**
 * Selects and initialises the backend. Call it before building any model: tensors and models
 * belong to the backend that was active when they were made. Calling it again switches
 * backends (tests compare backends this way).
 *
 * @param options Explicit request and WebGPU entry point.
 * @returns What was chosen and why.
 *
 * @example Use the plain CPU backend
 * ```ts
 * import assert from "node:assert/strict";
 * import { initBackend } from "@cgan/cgan";
 * const info = await initBackend({ requested: "cpu" });
 * assert.equal(info.name, "cpu");
 * ```
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  return doInit(options);
}

const probes = new Map<GPU | undefined, Promise<AdapterProbe>>();

function cachedProbe(gpu: GPU | undefined): Promise<AdapterProbe> {
  let probe = probes.get(gpu);
  if (probe === undefined) {
    probe = probeAdapter(gpu);
    probes.set(gpu, probe);
  }
  return probe;
}

async function doInit(options: InitBackendOptions): Promise<BackendInfo> {
  // Silences tfjs's console advice ("install tfjs-node", platform notices): we pick on purpose.
  tf.env().set("PROD", true);
  // Gradients are backend-independent: register the missing ones (second derivatives) once.
  registerGradientFixes();
  // Tensors saved for backprop share memory without an Identity kernel call (~400 a step).
  saveWithoutKernels();
  // On wasm, dense and BatchNorm layers run as one kernel call forward and one backward.
  fuseDenseLayers();
  fuseBatchNormLayers();
  fuseLeakyReluGradient();
  // On webgpu, LeakyReLU's gradient, BatchNorm and the BCE loss as cgan's own shaders.
  registerWebGpuKernels();
  const gpu = "gpu" in options ? options.gpu : (globalThis.navigator as Navigator | undefined)?.gpu;
  // An explicit wasm/cpu request skips probing (no WebGPU start-up cost).
  const needProbe = options.requested === undefined || options.requested === "webgpu";
  const probe: AdapterProbe = needProbe
    ? await cachedProbe(gpu)
    : { adapter: null, description: "", isSoftware: false, reason: "not probed" };
  const plan = planBackends(options.requested, probe);
  const failures: string[] = [];
  for (const name of plan.order) {
    try {
      await activate(name, probe);
      const reason = failures.length === 0 ? plan.reason : `${plan.reason}; ${failures.join("; ")}`;
      if (name !== "wasm") return { name, reason, adapter: probe.description };
      return { name, reason, adapter: probe.description, matmul: chooseMatmul(options.blas) };
    } catch (err) {
      const why = `${name} failed: ${err instanceof Error ? err.message : String(err)}`;
      if (options.requested !== undefined) {
        throw new Error(`Cannot initialise backend "${name}": ${why}`);
      }
      failures.push(why);
    }
  }
  throw new Error(`Cannot initialise any backend: ${failures.join("; ")}`);
}

/**
 * Formats the one start-up line, e.g. `backend: wasm (WebGPU adapter is software ...)`.
 *
 * @param info What {@linkcode initBackend} returned.
 * @returns One line of text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeBackend } from "@cgan/cgan";
 * assert.equal(describeBackend({ name: "cpu", reason: "requested", adapter: "" }), "backend: cpu (requested)");
 * ```
 */
export function describeBackend(info: BackendInfo): string {
  const adapter = info.adapter === "" ? "" : `; adapter: ${info.adapter}`;
  const matmul = info.matmul === undefined ? "" : `; matmul: ${info.matmul}`;
  return `backend: ${info.name} (${info.reason}${adapter}${matmul})`;
}
