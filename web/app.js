// The page of `deno task serve`: load a cgan generator (tfjs Layers format) and draw a grid
// of the chosen class. Plain browser JavaScript; `tf` is the global that the vendor/ bundles of
// tfjs-core, tfjs-layers and the backends fill in. tfjs-core registers no chained ops, so every
// op is called as a function: `tf.reshape(x, s)`, not `x.reshape(s)`.
/* global tf */
"use strict";

const $ = (id) => document.getElementById(id);
const state = { generators: [], model: null, modelId: "", label: 0 };

function setStatus(text) {
  $("status").textContent = text;
}

// WebGPU where the browser has a real adapter, else WebGL, else WASM, else plain JS.
async function pickBackend() {
  tf.wasm?.setWasmPaths("vendor/");
  for (const name of ["webgpu", "webgl", "wasm", "cpu"]) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // try the next one
    }
  }
  throw new Error("no tfjs backend could start");
}

async function loadGenerator(id) {
  const entry = state.generators.find((g) => g.id === id);
  if (state.model !== null) state.model.dispose();
  state.model = await tf.loadLayersModel(entry.url);
  state.modelId = id;
  const buttons = $("classes");
  buttons.replaceChildren(
    ...entry.classes.map((name, i) => {
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = name;
      b.dataset.label = String(i);
      b.setAttribute("aria-pressed", String(i === state.label));
      b.addEventListener("click", () => draw(i));
      return b;
    }),
  );
}

// Draws size x size samples of `label` from seeded noise into the canvas.
async function draw(label) {
  state.label = label;
  for (const b of $("classes").children) {
    b.setAttribute("aria-pressed", String(Number(b.dataset.label) === label));
  }
  const size = Math.max(1, Math.min(16, Number($("size").value) || 8));
  const seed = Math.max(0, Number($("seed").value) || 0);
  const model = state.model;
  const [, latentDim] = model.inputs[0].shape;
  const [, h, w, c] = model.outputs[0].shape;
  const n = size * size;
  setStatus(`drawing ${n} samples of class ${label}...`);
  const start = performance.now();
  // tfjs's normal draw reads seed 0 as "no seed" (Math.random); cgan passes 0 as 2^32, so the
  // page draws what `sample --seed 0` draws, and the same grid every time.
  const tfSeed = seed === 0 ? 2 ** 32 : seed;
  const grid = tf.tidy(() => {
    // The noise G was trained with (recorded by cgan's training loop in model.json).
    const z = model.getUserDefinedMetadata()?.noise === "uniform"
      ? tf.randomUniform([n, latentDim], -1, 1, "float32", tfSeed)
      : tf.randomNormal([n, latentDim], 0, 1, "float32", tfSeed);
    const labels = tf.fill([n, 1], label, "int32");
    const images = model.predict([z, labels]); // [n, h, w, c] in [-1, 1]
    const pixels = tf.clipByValue(tf.div(tf.add(images, 1), 2), 0, 1);
    const tiles = tf.transpose(tf.reshape(pixels, [size, size, h, w, c]), [0, 2, 1, 3, 4]);
    // Rows of classes' samples side by side: [size * h, size * w] (+ channels when colour).
    return tf.reshape(tiles, c === 1 ? [size * h, size * w] : [size * h, size * w, c]);
  });
  const canvas = $("grid");
  await tf.browser.toPixels(grid, canvas);
  grid.dispose();
  const ms = Math.round(performance.now() - start);
  setStatus(`class ${label}, seed ${seed}: ${n} samples in ${ms} ms on ${tf.getBackend()}`);
  document.body.dataset.drawn = `${state.modelId}:${label}:${seed}:${size}`;
}

async function start() {
  const backend = await pickBackend();
  state.generators = await (await fetch("generators/index.json")).json();
  if (state.generators.length === 0) throw new Error("the server offers no generator");
  const select = $("generator");
  select.replaceChildren(
    ...state.generators.map((g) => new Option(g.id, g.id)),
  );
  select.addEventListener("change", async () => {
    await loadGenerator(select.value);
    await draw(0);
  });
  for (const id of ["seed", "size"]) $(id).addEventListener("change", () => draw(state.label));
  await loadGenerator(state.generators[0].id);
  setStatus(`ready (${backend}): pick a class`);
  document.body.dataset.ready = backend;
  await draw(0);
}

start().catch((err) => {
  setStatus(`error: ${err.message}`);
  document.body.dataset.error = err.message;
});
