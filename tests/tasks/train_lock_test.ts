/**
 * `deno task train` on a run directory that is in use, and on a run whose newest checkpoint is
 * corrupted: one line each, naming the live process or the corrupted file and the checkpoint to
 * go back to, which `--resume RUN/checkpoints/step-XXXXXXXX` then continues from.
 */
import assert from "node:assert/strict";
import { LOCK_FILE, thisProcess } from "../../src/io/run_lock.ts";
import { latestCheckpoint } from "../../src/train/checkpoint.ts";

const TRAIN = new URL("../../tasks/train.ts", import.meta.url).pathname;
const FIXTURE = new URL("../../fixtures/mnist", import.meta.url).pathname;
const TINY = [
  ...["--data-dir", FIXTURE, "--backend", "cpu", "--limit", "64", "--batch-size", "16"],
  ...["--latent-dim", "8", "--log-every", "1", "--save-every", "2", "--keep-checkpoints", "3"],
];

async function train(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: ["run", "-R", "-W", "-E", "-S", "--allow-ffi", TRAIN, ...args],
    env: { NO_COLOR: "1", CI: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

function oneLine(err: string): string {
  const lines = err.split("\n").filter((l) => l.trim() !== "");
  assert.equal(lines.length, 1, `expected one line on stderr, found:\n${err}`);
  return lines[0]!;
}

Deno.test("train --out DIR and --resume DIR refuse a run directory that a live process holds, naming it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgan-busy-" });
  // This test process holds the run, as a training process would.
  const lock = await Deno.open(`${dir}/${LOCK_FILE}`, { write: true, create: true });
  try {
    await lock.lock(true);
    await lock.write(new TextEncoder().encode(JSON.stringify(thisProcess("deno test"))));
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ config: { epochs: 1 } }));
    for (const args of [["--out", dir, ...TINY], ["--resume", dir]]) {
      const { code, out, err } = await train(args);
      assert.equal(code, 2, `${args.join(" ")}\n${out}${err}`);
      assert.match(
        oneLine(err),
        new RegExp(
          `^error: Cannot train in "${dir}": it is in use by process ${Deno.pid} on .* ` +
            `\\(started .*: deno test\\); wait for it or stop it \\(kill ${Deno.pid}\\)`,
        ),
      );
      assert.doesNotMatch(out, /^data:/m, "refused before reading the data");
    }
  } finally {
    lock.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("train --resume on a corrupted checkpoint names the file and the intact one; --resume CHECKPOINT goes back to it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgan-corrupt-" });
  try {
    const first = await train(["--out", dir, "--steps", "4", ...TINY]);
    assert.equal(first.code, 0, first.err);
    await assert.rejects(() => Deno.stat(`${dir}/${LOCK_FILE}`), Deno.errors.NotFound);
    const latest = (await latestCheckpoint(dir))!;
    const weights = `${latest}/gen/weights.bin`;
    const bytes = await Deno.readFile(weights);
    bytes[bytes.length - 5]! ^= 0xff;
    await Deno.writeFile(weights, bytes);

    const intact = `${dir}/checkpoints/step-00000002`;
    const refused = await train(["--resume", dir, "--steps", "6"]);
    assert.equal(refused.code, 2, refused.out);
    assert.match(
      oneLine(refused.err),
      new RegExp(
        `^error: Cannot load checkpoint "${latest}": "${weights}" is corrupted .*; newest ` +
          `intact checkpoint: "${intact}" \\(train --resume ${intact} continues from it\\)$`,
      ),
    );

    const back = await train(["--resume", intact, "--steps", "6"]);
    assert.equal(back.code, 0, back.err);
    assert.match(back.out, new RegExp(`set aside ${dir}/checkpoints/set-aside-step-00000004`));
    assert.match(back.out, new RegExp(`resumed from ${intact} at step 2`));
    assert.match(back.out, /done at step 6/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
