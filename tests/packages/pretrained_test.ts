/**
 * The shipped generators are what their records say: the quality gate, run again on the shipped
 * float16 weights with the recorded seed and size, gives the recorded verdict and numbers, and
 * the MNIST generator passes it. A generator that fails the gate cannot ship as passing.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { initBackend } from "../../src/backend/mod.ts";
import { isDatasetName, loadDataset } from "../../src/data/datasets.ts";
import { FASHION_DEBIAN_DIR } from "../../src/data/mnist.ts";
import { type GateReport, qualityGate } from "../../src/eval/quality_gate.ts";
import { loadLayersModel } from "../../src/io/layers_io.ts";
import {
  GENERATORS,
  generatorUrl,
  PRETRAINED,
  pretrainedUrl,
} from "../../packages/sample/pretrained.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

// The gate compares with real test images: Fashion-MNIST's come from Debian (.ci/run installs them);
// CIFAR-10's from the data folder the generator was trained on (its record says which), where it
// is on this machine (tests do not require it).
const fashionAbsent = await Deno.stat(FASHION_DEBIAN_DIR).then(() => false, () => true);

/** The folder of real test images a shipped generator's gate needs, or null where that is the default. */
function recordedDataDir(dataset: string, model: string): string | null {
  if (dataset !== "cifar10") return null;
  const json = JSON.parse(
    Deno.readTextFileSync(fileURLToPath(pretrainedUrl(dataset, model))),
  );
  const dir: string = json.userDefinedMetadata.cgan.trainConfig.dataDir;
  return dir.startsWith("/") ? dir : `${ROOT}${dir}`;
}

function absent(dir: string | null): boolean {
  if (dir === null) return false;
  try {
    Deno.statSync(dir);
    return false;
  } catch {
    return true;
  }
}

interface Recorded extends GateReport {
  seed: number;
  evaluator: string;
}

for (const [dataset, models] of Object.entries(PRETRAINED)) {
  for (const model of Object.keys(models)) {
    Deno.test({
      name:
        `the shipped ${dataset} ${model} generator scores its recorded quality gate again (wasm)`,
      ignore: (dataset === "fashion" && fashionAbsent) ||
        absent(recordedDataDir(dataset, model)),
      fn: async () => {
        await initBackend({ requested: "wasm" });
        assert.ok(isDatasetName(dataset), dataset);
        const gen = await loadLayersModel(
          fileURLToPath(pretrainedUrl(dataset, model)).replace(/\/model\.json$/, ""),
        );
        const recorded = (gen.getUserDefinedMetadata() as { cgan: { gate: Recorded } }).cgan.gate;
        const evaluator = await loadLayersModel(`${ROOT}${recorded.evaluator}`);
        const dataDir = recordedDataDir(dataset, model);
        const test = await loadDataset(dataset, {
          split: "test",
          ...(dataDir === null ? {} : { dataDir }),
        });
        const gate = await qualityGate(gen, evaluator, test, {
          perClass: recorded.n / test.classNames.length,
          seed: recorded.seed,
        });
        assert.equal(gate.passed, recorded.passed);
        assert.equal(gate.blank, recorded.blank);
        // Another thread count or BLAS may round a borderline sample the other way, no more.
        assert.ok(
          Math.abs(gate.accuracy - recorded.accuracy) <= 0.002,
          `${gate.accuracy} vs ${recorded.accuracy}`,
        );
        assert.ok(
          Math.abs(gate.minRatio - recorded.minRatio) <= 0.005,
          `${gate.minRatio} vs ${recorded.minRatio}`,
        );
        if (dataset === "mnist") assert.ok(gate.passed, "the MNIST generator must pass the gate");
        gen.dispose();
        evaluator.dispose();
      },
    });
  }
}

Deno.test("the catalog of shipped generators says what their records say", async () => {
  for (const [name, g] of Object.entries(GENERATORS)) {
    const dir = fileURLToPath(generatorUrl(name)).replace(/\/model\.json$/, "");
    assert.ok(dir.endsWith(`/generators/${name}`), dir);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
    const cgan = json.userDefinedMetadata.cgan;
    assert.equal(cgan.dataset, g.dataset, name);
    assert.equal(cgan.model, g.model, name);
    assert.equal(cgan.gate.accuracy, g.gateAccuracy, name);
    assert.equal(cgan.gate.passed, g.gatePassed, name);
    // The FID of 10,000 samples is in the generator's README table, with the command that made it.
    const readme = await Deno.readTextFile(`${dir}/README.md`);
    assert.match(readme, new RegExp(`^\\| FID vs test \\| ${g.fid.toFixed(2)} \\|`, "m"), name);
  }
});
