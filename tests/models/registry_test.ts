import assert from "node:assert/strict";
import { initBackend } from "../../src/backend/mod.ts";
import { buildGan, MODEL_NAMES, modelDef, MODELS } from "../../src/models/registry.ts";
import { DEFAULTS, PRESETS, resolveConfig } from "../../src/train/config.ts";
import { LOSSES } from "../../src/train/losses.ts";

await initBackend({ requested: "cpu" });

const SPEC = {
  latentDim: 8,
  numClasses: 3,
  imageShape: [16, 16, 1] as [number, number, number],
  activation: "leaky" as const,
  seed: 0,
  width: 1 / 8,
};

Deno.test("the registry lists every model once, and every definition says what it is", () => {
  assert.deepEqual(Object.keys(MODELS), [...MODEL_NAMES]);
  for (const name of MODEL_NAMES) {
    const def = MODELS[name];
    assert.ok(def.about.length > 10, `${name} has an about line`);
    for (const loss of def.losses ?? []) assert.ok(loss in LOSSES, `${name}: unknown loss ${loss}`);
  }
});

Deno.test("every model's defaults and presets name config fields, with values of the field's type", () => {
  const check = (where: string, diff: Readonly<Record<string, unknown>>) => {
    for (const [key, value] of Object.entries(diff)) {
      assert.ok(key in DEFAULTS, `${where}: "${key}" is not a config field`);
      assert.equal(typeof value, typeof DEFAULTS[key as keyof typeof DEFAULTS], `${where}.${key}`);
    }
  };
  for (const name of MODEL_NAMES) {
    const def = MODELS[name];
    check(`${name}.defaults`, def.defaults ?? {});
    for (const [preset, diff] of Object.entries(def.presets ?? {})) {
      assert.ok(preset in PRESETS, `${name}: unknown preset ${preset}`);
      check(`${name}.presets.${preset}`, diff);
    }
  }
  // They reach the resolved config: a definition's defaults are the model's config.
  assert.equal(resolveConfig({ model: "sagan" }).loss, MODELS.sagan.defaults!.loss);
  assert.equal(
    resolveConfig({ model: "pix2pix" }, "paper").size,
    MODELS.pix2pix.presets!.paper!.size,
  );
});

Deno.test("what a definition says matches the nets it builds: inputs by conditioning, D's width by auxClassifier", () => {
  for (const name of MODEL_NAMES) {
    const def = MODELS[name];
    const spec = def.conditioning === "image"
      ? { ...SPEC, imageShape: [32, 32, 3] as [number, number, number] }
      : SPEC;
    const { gen, disc } = buildGan(name, spec);
    const genInputs = { label: 2, optional: 2, none: 1, image: 1 }[def.conditioning];
    assert.equal(gen.inputs.length, genInputs, `${name}: G's inputs`);
    if (def.conditioning !== "image") {
      const columns = disc.outputs[0]!.shape[1];
      assert.equal(columns, def.auxClassifier ? 1 + SPEC.numClasses : 1, `${name}: D's output`);
    }
    gen.dispose();
    disc.dispose();
  }
});

Deno.test("modelDef() names the models it knows when given an unknown one", () => {
  assert.throws(() => modelDef("stylegan"), /Unknown model "stylegan": expected one of mlp, dcgan/);
});
