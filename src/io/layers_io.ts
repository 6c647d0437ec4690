/**
 * Models and named tensors on the file system, for Deno. Models use the standard tfjs Layers
 * format (`model.json` + `weights.bin`, readable by `tf.loadLayersModel` in a browser or
 * Node); a model directory is written under a temporary name and renamed into place, so an
 * overwrite leaves either the old model or the new one, never a mix. Named tensors (optimizer
 * state) go to `<name>.json` + `<name>.bin` and are checked against each other on load.
 *
 * @module
 */
import * as tf from "../_tf.ts";
import { isAbsolute, join, normalize } from "node:path";
import { writeDirAtomic, writeFileAtomic } from "./atomic.ts";
import { type QuantizeDtype, quantizeWeights } from "./quantize.ts";

/** File name of the topology and weights manifest in a model directory. */
export const MODEL_JSON = "model.json";
/** File name of the weights written by {@linkcode fileSystemHandler}. */
export const WEIGHTS_BIN = "weights.bin";
/** The `format` of a tfjs Layers model. */
export const LAYERS_MODEL_FORMAT = "layers-model";

/** A tensor with its name, as stored by {@linkcode saveWeights}. */
export interface NamedWeight {
  /** Weight name, unique within one file. */
  name: string;
  /** Its value. */
  tensor: tf.Tensor;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/**
 * A tfjs IOHandler that saves to and loads from a directory: `model.json` (topology, format
 * `"layers-model"`, weights manifest, training config and user metadata) and `weights.bin`.
 * Saving replaces an existing model directory atomically; it refuses to replace a directory
 * holding anything other than `model.json` and `.bin` files. Loading accepts manifests with
 * several groups and shards, concatenated in manifest order.
 *
 * @param dir The model directory.
 * @returns The handler, for `model.save()` and `tf.loadLayersModel()`.
 *
 * @example Save a model and load it back
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { fileSystemHandler } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
 * const dir = await Deno.makeTempDir();
 * await model.save(fileSystemHandler(`${dir}/m`));
 * const loaded = await tfl.loadLayersModel(fileSystemHandler(`${dir}/m`));
 * assert.deepEqual(loaded.outputs[0]?.shape, [null, 2]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function fileSystemHandler(dir: string): tf.io.IOHandler {
  return {
    save: (artifacts) => saveArtifacts(dir, artifacts),
    load: () => loadArtifacts(dir),
  };
}

/** Options of {@linkcode saveLayersModel}. */
export interface SaveModelOptions {
  /** Store float32 weights as float16 or uint8 (tfjs dequantizes on load); default none. */
  quantize?: QuantizeDtype;
  /**
   * More files written beside the model in the same atomic swap, e.g. a `README.md`; a model
   * directory that holds files of these names may be replaced.
   */
  extraFiles?: Record<string, string | Uint8Array>;
}

/**
 * Saves a Layers model (topology and weights, not the optimizer) to a directory in the
 * standard tfjs format, atomically.
 *
 * @param model The model.
 * @param dir The model directory; an existing model there is replaced.
 * @param metadata JSON-serialisable values stored as `userDefinedMetadata` in `model.json`,
 *   merged over any the model already carries.
 * @param options Weight quantization (for shipped models; checkpoints stay float32).
 * @returns What tfjs reports about the saved artifacts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import * as tfl from "@tensorflow/tfjs-layers";
 * import { loadLayersModel, saveLayersModel } from "@cgan/cgan";
 * await tf.setBackend("cpu");
 * const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 1, inputShape: [2] })] });
 * const dir = await Deno.makeTempDir();
 * await saveLayersModel(model, dir + "/m", { step: 10 });
 * assert.deepEqual((await loadLayersModel(dir + "/m")).getUserDefinedMetadata(), { step: 10 });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveLayersModel(
  model: tf.LayersModel,
  dir: string,
  metadata?: Record<string, unknown>,
  options: SaveModelOptions = {},
): Promise<tf.io.SaveResult> {
  return await model.save({
    save: (artifacts) =>
      saveArtifacts(
        dir,
        metadata === undefined ? artifacts : {
          ...artifacts,
          userDefinedMetadata: {
            ...artifacts.userDefinedMetadata,
            ...(metadata as Record<string, object>),
          },
        },
        options.quantize ?? "none",
        options.extraFiles ?? {},
      ),
  });
}

/**
 * Loads a Layers model saved by {@linkcode saveLayersModel} (or any tfjs Layers model
 * directory).
 *
 * @param dir The model directory.
 * @returns The model, with its `userDefinedMetadata`.
 *
 * @example
 * ```ts ignore
 * import { loadLayersModel } from "@cgan/cgan";
 * const gen = await loadLayersModel("runs/a/checkpoints/step-00000938/gen");
 * ```
 */
export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  return await tf.loadLayersModel(fileSystemHandler(dir));
}

/**
 * Saves named tensors (e.g. optimizer state) as `<dir>/<name>.json` (weight specs, byte
 * length and SHA-256 of the data) and `<dir>/<name>.bin`. Each file is replaced atomically and
 * the pair is cross-checked on load, so files from two different saves are rejected.
 *
 * @param dir The directory (created if missing).
 * @param name File stem, e.g. `"gen_optimizer"`.
 * @param tensors Tensors by name, or an ordered list of named tensors.
 * @returns Resolves once both files are in place.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { loadWeights, saveWeights } from "@cgan/cgan/internal";
 * await tf.setBackend("cpu");
 * const dir = await Deno.makeTempDir();
 * const t = tf.tensor1d([1, 2, 3]);
 * await saveWeights(dir, "state", [{ name: "t", tensor: t }]);
 * const [back] = await loadWeights(dir, "state");
 * assert.equal(back?.name, "t");
 * assert.deepEqual(await back?.tensor.data(), new Float32Array([1, 2, 3]));
 * tf.dispose([t, back!.tensor]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveWeights(
  dir: string,
  name: string,
  tensors: tf.NamedTensorMap | NamedWeight[],
): Promise<void> {
  checkStem(dir, name);
  if (Array.isArray(tensors)) {
    const seen = new Set<string>();
    for (const t of tensors) {
      if (seen.has(t.name)) {
        throw new RangeError(
          `Cannot save weights "${
            join(dir, name)
          }.json": expected unique names, found "${t.name}" twice`,
        );
      }
      seen.add(t.name);
    }
  }
  const { data, specs } = await tf.io.encodeWeights(tensors);
  const bytes = new Uint8Array(data);
  const manifest = { weights: specs, byteLength: bytes.length, sha256: await sha256(bytes) };
  await writeFileAtomic(`${join(dir, name)}.bin`, bytes);
  await writeFileAtomic(`${join(dir, name)}.json`, JSON.stringify(manifest, null, 1) + "\n");
}

/**
 * Loads tensors saved by {@linkcode saveWeights}, in their saved order. The caller owns (and
 * must dispose) the returned tensors.
 *
 * @param dir The directory.
 * @param name File stem used when saving.
 * @returns Named tensors.
 *
 * @example
 * ```ts ignore
 * import { loadWeights } from "@cgan/cgan/internal";
 * const state = await loadWeights("runs/a/checkpoints/step-00000938", "gen_optimizer");
 * ```
 */
export async function loadWeights(dir: string, name: string): Promise<NamedWeight[]> {
  checkStem(dir, name);
  const jsonPath = `${join(dir, name)}.json`;
  const binPath = `${join(dir, name)}.bin`;
  const manifest = await readJson(jsonPath, "weights manifest");
  const specs = manifest.weights;
  if (!isRecordArray(specs)) {
    throw new TypeError(
      `Cannot load weights manifest "${jsonPath}": expected a "weights" array of weight specs`,
    );
  }
  const typedSpecs = checkSpecs(specs, jsonPath);
  const bytes = await readBytes(binPath, `weights listed in "${jsonPath}"`);
  const declared = manifest.byteLength;
  if (typeof declared === "number" && declared !== bytes.length) {
    throw new RangeError(
      `Cannot load weights "${binPath}": expected ${declared} bytes (from "${jsonPath}"), ` +
        `found ${bytes.length}`,
    );
  }
  checkByteLength(typedSpecs, bytes.length, [binPath], jsonPath);
  if (typeof manifest.sha256 === "string") {
    const found = await sha256(bytes);
    if (found !== manifest.sha256) {
      throw new Error(
        `Cannot load weights "${binPath}": expected SHA-256 ${manifest.sha256} (from ` +
          `"${jsonPath}"), found ${found}; the two files come from different saves`,
      );
    }
  }
  const map = tf.io.decodeWeights(toArrayBuffer(bytes), typedSpecs);
  return typedSpecs.map((spec) => ({ name: spec.name, tensor: map[spec.name] as tf.Tensor }));
}

async function saveArtifacts(
  dir: string,
  artifacts: tf.io.ModelArtifacts,
  quantize: QuantizeDtype = "none",
  extraFiles: Record<string, string | Uint8Array> = {},
): Promise<tf.io.SaveResult> {
  const modelJsonPath = join(dir, MODEL_JSON);
  if (artifacts.modelTopology instanceof ArrayBuffer || artifacts.modelTopology === undefined) {
    throw new TypeError(
      `Cannot save model "${modelJsonPath}": expected a JSON Layers topology, found ${
        artifacts.modelTopology === undefined ? "none" : "a binary graph"
      }`,
    );
  }
  if (artifacts.format !== undefined && artifacts.format !== LAYERS_MODEL_FORMAT) {
    throw new TypeError(
      `Cannot save model "${modelJsonPath}": expected format "${LAYERS_MODEL_FORMAT}", ` +
        `found "${artifacts.format}"`,
    );
  }
  const { specs, data } = quantizeWeights({
    specs: artifacts.weightSpecs ?? [],
    data: new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? [])),
  }, quantize);
  const expected = expectedBytes(specs);
  if (expected !== null && expected !== data.length) {
    throw new RangeError(
      `Cannot save model "${modelJsonPath}": expected ${expected} bytes of weight data for ` +
        `${specs.length} weight specs, found ${data.length}`,
    );
  }
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    format: LAYERS_MODEL_FORMAT,
    generatedBy: artifacts.generatedBy ?? "cgan",
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: specs }],
  };
  if (artifacts.trainingConfig !== undefined) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata !== undefined) {
    modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  }
  if (artifacts.signature !== undefined) modelJson.signature = artifacts.signature;
  if (artifacts.modelInitializer !== undefined) {
    modelJson.modelInitializer = artifacts.modelInitializer;
  }
  if (artifacts.initializerSignature !== undefined) {
    modelJson.initializerSignature = artifacts.initializerSignature;
  }
  await checkReplaceable(dir, Object.keys(extraFiles));
  await writeDirAtomic(dir, {
    ...extraFiles,
    [MODEL_JSON]: JSON.stringify(modelJson),
    [WEIGHTS_BIN]: data,
  }, { overwrite: true });
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

/** Refuses to replace a directory that holds more than a model (and the `extra` files). */
async function checkReplaceable(dir: string, extra: readonly string[]): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    if (err instanceof Deno.errors.NotADirectory) {
      throw new Error(`Cannot save model to "${dir}": expected a directory, found a file`);
    }
    throw err;
  }
  const foreign = entries.find((e) =>
    !(e.isFile && (e.name === MODEL_JSON || e.name.endsWith(".bin") || extra.includes(e.name)))
  );
  if (foreign !== undefined) {
    throw new Error(
      `Cannot save model to "${dir}": expected an empty or model directory (model.json and ` +
        `.bin files${extra.map((name) => `, ${name}`).join("")}), found "${foreign.name}"`,
    );
  }
}

async function loadArtifacts(dir: string): Promise<tf.io.ModelArtifacts> {
  const modelJsonPath = join(dir, MODEL_JSON);
  const json = await readJson(modelJsonPath, "model");
  if (json.format !== undefined && json.format !== LAYERS_MODEL_FORMAT) {
    throw new TypeError(
      `Cannot load model "${modelJsonPath}": expected format "${LAYERS_MODEL_FORMAT}", ` +
        `found ${JSON.stringify(json.format)}`,
    );
  }
  if (typeof json.modelTopology !== "object" || json.modelTopology === null) {
    throw new TypeError(
      `Cannot load model "${modelJsonPath}": expected a "modelTopology" object, found ${
        describe(json.modelTopology)
      }`,
    );
  }
  const manifest = json.weightsManifest;
  if (!isRecordArray(manifest)) {
    throw new TypeError(
      `Cannot load model "${modelJsonPath}": expected a "weightsManifest" array, found ${
        describe(manifest)
      }`,
    );
  }
  for (const group of manifest) {
    if (
      !Array.isArray(group.paths) || !group.paths.every((p) => typeof p === "string") ||
      !isRecordArray(group.weights)
    ) {
      throw new TypeError(
        `Cannot load model "${modelJsonPath}": expected weightsManifest groups of ` +
          `{ paths: string[], weights: [...] }, found ${JSON.stringify(group).slice(0, 200)}`,
      );
    }
    checkSpecs(group.weights, modelJsonPath);
  }
  return await tf.io.getModelArtifactsForJSON(
    json as unknown as tf.io.ModelJSON,
    async (weightsManifest) => {
      const specs = tf.io.getWeightSpecs(weightsManifest);
      const paths = weightsManifest.flatMap((group) => group.paths)
        .map((p) => resolveInside(dir, p, modelJsonPath));
      const shards: ArrayBuffer[] = [];
      for (const path of paths) {
        shards.push(toArrayBuffer(await readBytes(path, `weights listed in "${modelJsonPath}"`)));
      }
      const data = tf.io.CompositeArrayBuffer.join(shards);
      checkByteLength(specs, data.byteLength, paths, modelJsonPath);
      return [specs, data];
    },
  );
}

/** Bytes the specs need, or null when string weights make it unknown. */
function expectedBytes(specs: tf.io.WeightsManifestEntry[]): number | null {
  let expected = 0;
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const per = spec.quantization !== undefined
      ? QUANTIZED_BYTES[spec.quantization.dtype]
      : DTYPE_BYTES[spec.dtype];
    if (per === undefined) return null;
    expected += size * per;
  }
  return expected;
}

/** Throws a RangeError naming the weight files unless their size matches the specs. */
function checkByteLength(
  specs: tf.io.WeightsManifestEntry[],
  found: number,
  files: string[],
  source: string,
): void {
  const expected = expectedBytes(specs);
  if (expected !== null && expected !== found) {
    const names = files.map((f) => `"${f}"`).join(" + ");
    throw new RangeError(
      `Cannot load weights ${names}: expected ${expected} bytes for the ${specs.length} ` +
        `weights in "${source}", found ${found}`,
    );
  }
}

function checkSpecs(
  specs: Record<string, unknown>[],
  file: string,
): tf.io.WeightsManifestEntry[] {
  for (const spec of specs) {
    const shapeOk = Array.isArray(spec.shape) &&
      spec.shape.every((d) => Number.isInteger(d) && (d as number) >= 0);
    if (typeof spec.name !== "string" || typeof spec.dtype !== "string" || !shapeOk) {
      throw new TypeError(
        `Cannot load "${file}": expected weight specs of { name, shape, dtype }, found ${
          JSON.stringify(spec).slice(0, 200)
        }`,
      );
    }
  }
  return specs as unknown as tf.io.WeightsManifestEntry[];
}

function checkStem(dir: string, name: string): void {
  if (name === "" || name.includes("/") || name.includes("\\") || name === "." || name === "..") {
    throw new RangeError(
      `Cannot use weights name "${name}" in "${dir}": expected a plain file stem`,
    );
  }
}

/** Joins a manifest path to the model directory, refusing paths that leave it. */
function resolveInside(dir: string, path: string, source: string): string {
  const clean = normalize(path);
  if (path === "" || isAbsolute(path) || clean.startsWith("..")) {
    throw new RangeError(
      `Cannot load model "${source}": expected weight paths inside "${dir}", found "${path}"`,
    );
  }
  return join(dir, clean);
}

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot load ${what} "${path}": file not found`, { cause: err });
    }
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SyntaxError(
      `Cannot load ${what} "${path}": expected JSON, found a parse error: ${
        (err as Error).message
      }`,
      { cause: err },
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(
      `Cannot load ${what} "${path}": expected a JSON object, found ${describe(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error(`Cannot load ${what}: "${path}" not found`, { cause: err });
    }
    throw err;
  }
}

function isRecordArray(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) &&
    value.every((v) => typeof v === "object" && v !== null && !Array.isArray(v));
}

function describe(value: unknown): string {
  if (value === undefined) return "none";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : JSON.stringify(value);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength &&
      bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : bytes.slice().buffer;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
