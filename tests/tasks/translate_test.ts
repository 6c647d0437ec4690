import assert from "node:assert/strict";
import jpeg from "jpeg-js";
import { loadPairedDataset } from "../../src/data/datasets.ts";
import { decodePng } from "../../src/io/png.ts";
import { DEFAULTS } from "../../src/train/config.ts";
import { tinyPix2pixRun } from "./_pix2pix_run.ts";

const TRANSLATE = new URL("../../tasks/translate.ts", import.meta.url).pathname;

async function translate(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: ["run", "-P=train", TRANSLATE, "--backend", "wasm", ...args],
    env: { NO_COLOR: "1" },
  }).output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

Deno.test("deno task translate writes input | output | target for an A|B pair and input | output for a single image", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "cgan-translate-" });
  try {
    const { runDir, data } = await tinyPix2pixRun(tmp, 1);
    const pair = await translate(["--checkpoint", runDir, "--input", `${data}/test/1.jpg`]);
    assert.equal(pair.code, 0, pair.err);
    assert.match(
      pair.out,
      /wrote .*\/run\/translations\/1\.png \(96x32: input \| output \| target\)/,
    );
    const three = decodePng(await Deno.readFile(`${runDir}/translations/1.png`));
    assert.deepEqual([three.width, three.height, three.channels], [3 * 32, 32, 3]);

    const single = `${tmp}/wall.jpg`;
    const pixels = new Uint8Array(40 * 50 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 3) % 256));
    await Deno.writeFile(single, jpeg.encode({ width: 50, height: 40, data: pixels }, 90).data);
    const out = `${tmp}/out/wall.png`;
    const one = await translate(["--checkpoint", runDir, "--input", single, "--out", out]);
    assert.equal(one.code, 0, one.err);
    const two = decodePng(await Deno.readFile(out));
    assert.deepEqual([two.width, two.height], [2 * 32, 32]);
    // The first panel is the input: the pair file's B half (BtoA), resized to 32x32.
    const input = await loadPairedDataset("facades", {
      dataDir: data,
      split: "test",
      direction: "BtoA",
      size: 32,
    });
    const row0 = Array.from(three.data.subarray(0, 32 * 3));
    assert.deepEqual(row0, Array.from(input.conditions!.subarray(0, 32 * 3)));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("deno task translate: bad input is one line and exit code 2", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "cgan-translate-bad-" });
  try {
    const { runDir, data } = await tinyPix2pixRun(tmp, 1);
    // A run of another model: only its config and checkpoint pointer are read.
    const mlp = `${tmp}/mlp`;
    await Deno.mkdir(`${mlp}/checkpoints`, { recursive: true });
    await Deno.writeTextFile(`${mlp}/config.json`, JSON.stringify({ config: DEFAULTS }));
    await Deno.writeTextFile(
      `${mlp}/checkpoints/latest.json`,
      JSON.stringify({ checkpoint: "step-00000001", step: 1 }),
    );
    const notJpeg = `${tmp}/notes.jpg`;
    await Deno.writeTextFile(notJpeg, "not a picture");
    const square = `${tmp}/square.jpg`;
    const pixels = new Uint8Array(16 * 16 * 4).fill(128);
    await Deno.writeFile(square, jpeg.encode({ width: 16, height: 16, data: pixels }, 90).data);
    const cases: [string[], RegExp][] = [
      [
        ["--input", `${data}/test/1.jpg`],
        /^error: Missing --checkpoint DIR: expected a pix2pix run directory; see --help$/,
      ],
      [
        ["--checkpoint", runDir],
        /^error: Missing --input FILE: expected a JPEG or PNG; see --help$/,
      ],
      [
        ["--checkpoint", runDir, "--input", `${tmp}/none.jpg`],
        /^error: Cannot read --input ".*none\.jpg": no such file$/,
      ],
      [
        ["--checkpoint", runDir, "--input", notJpeg],
        /^error: Cannot read --input ".*notes\.jpg": expected a PNG or JPEG file, found bytes 6e 6f 74 20$/,
      ],
      [
        ["--checkpoint", mlp, "--input", square],
        /^error: Invalid --checkpoint ".*mlp": it is a mlp run; translate needs a pix2pix run$/,
      ],
      [
        ["--checkpoint", runDir, "--input", square, "--direction", "AtoB"],
        /^error: Invalid --direction for --input ".*square\.jpg": it picks a half of an A\|B pair/,
      ],
      [
        ["--checkpoint", runDir, "--input", square, "--direction", "up"],
        /^error: Invalid --direction "up": expected one of AtoB, BtoA$/,
      ],
    ];
    for (const [args, pattern] of cases) {
      const { code, err } = await translate(args);
      assert.equal(code, 2, `exit code for ${args.join(" ")}: ${err}`);
      const lines = err.split("\n").filter((l) => l.trim() !== "" && !l.includes("experimental"));
      assert.equal(lines.length, 1, `one line for ${args.join(" ")}:\n${err}`);
      assert.match(lines[0]!, pattern);
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
