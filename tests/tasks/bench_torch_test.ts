/**
 * `deno task bench --vs-torch`: the PyTorch twins of tasks/bench_torch.py run a step at tiny
 * size beside cgan's and have cgan's weight counts and output shapes. They need Debian's
 * python3-torch; without it those tests are ignored (their names say why).
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;
const CONFIG = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
  tasks: Record<string, { command: string }>;
};
/** `deno task bench` as deno.json runs it (its permissions let it run the Python), less "deno". */
const BENCH = CONFIG.tasks.bench!.command.split(" ").slice(1);
/** The Python the bench runs by default, and where Debian's python3-torch puts torch. */
const PYTHON = "/usr/bin/python3";
const TORCH = "/usr/lib/python3/dist-packages/torch/__init__.py";

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

const noTorch = !exists(PYTHON) || !exists(TORCH)
  ? `ignored: no ${PYTHON} with Debian's python3-torch (${TORCH})`
  : null;

interface Params {
  trainable: number;
  total: number;
}

/** Runs the bench with `args` and the fewest steps; its output and the JSON it wrote. */
async function bench(args: string[]) {
  const out = await Deno.makeTempDir({ prefix: "cgan-bench-torch-" });
  try {
    const json = `${out}/bench.json`;
    const { code, stdout, stderr } = await new Deno.Command("deno", {
      args: [
        ...[...BENCH, "--backends", "wasm-simd", "--steps", "1", "--runs", "1", "--vs-torch"],
        ...["--json", json, ...args],
      ],
      cwd: ROOT,
      env: { NO_COLOR: "1", OPENBLAS_NUM_THREADS: "1" },
    }).output();
    const text = new TextDecoder().decode(stdout);
    assert.equal(code, 0, `${text}\n${new TextDecoder().decode(stderr)}`);
    return { text, report: JSON.parse(await Deno.readTextFile(json)) };
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

/** What every twin's JSON holds: a finite step, and cgan's weight counts. */
function checkTwin(
  report: { params: Record<"gen" | "disc", Params>; torch: Record<string, unknown> },
  text: string,
) {
  const torch = report.torch;
  assert.match(String(torch.framework), /^torch \d/);
  assert.deepEqual(torch.params, report.params);
  for (const net of ["gen", "disc"] as const) {
    assert.ok(report.params[net].trainable > 0);
    assert.ok(report.params[net].total >= report.params[net].trainable);
  }
  for (const key of ["trainImagesPerSecond", "msPerStep", "dMsPerStep", "gMsPerStep"]) {
    assert.ok((torch[key] as number) > 0, `${key}: ${torch[key]}`);
  }
  const losses = torch.lastLosses as { d: number; g: number };
  assert.ok(Number.isFinite(losses.d) && Number.isFinite(losses.g), JSON.stringify(losses));
  assert.match(text, /parameters cgan vs torch \(trainable\/total\): G (\d+)\/(\d+) vs \1\/\2, /);
  assert.match(text, /^wasm-simd \/ torch: \d+\.\d\dx$/m);
}

Deno.test({
  name: `bench --vs-torch: paper 002's CIFAR DCGAN with WGAN-GP has a PyTorch twin${
    noTorch ? ` (${noTorch})` : ""
  }`,
  ignore: noTorch !== null,
  async fn() {
    const { text, report } = await bench([
      ...["--model", "dcgan", "--dataset", "cifar10", "--loss", "wgan-gp"],
      ...["--width", "0.03125", "--batch-size", "2"],
    ]);
    checkTwin(report, text);
    assert.equal(report.torch.model, "dcgan");
    assert.equal(report.torch.dataset, "cifar10");
    assert.equal(report.torch.loss, "wgan-gp");
    assert.equal(report.torch.batchSize, 2);
    assert.deepEqual(report.torch.outputShapes, { gen: [2, 3, 32, 32], disc: [2, 1] });
  },
});

Deno.test({
  name: `bench --vs-torch: pix2pix (U-Net, PatchGAN, BCE + L1) has a PyTorch twin${
    noTorch ? ` (${noTorch})` : ""
  }`,
  ignore: noTorch !== null,
  async fn() {
    const { text, report } = await bench([
      ...["--model", "pix2pix", "--size", "32", "--width", "0.0625"],
    ]);
    checkTwin(report, text);
    assert.match(text, /pix2pix on CIFAR-10 fixture pairs 32x32 \(bce \+ 100 x L1/);
    assert.equal(report.batchSize, 1); // pix2pix's, as training
    assert.equal(report.torch.model, "pix2pix");
    assert.equal(report.torch.batchSize, 1);
    // The PatchGAN's logits: 2x2 patches at 32x32 (30x30 at 256).
    assert.deepEqual(report.torch.outputShapes, { gen: [1, 3, 32, 32], disc: [1, 1, 2, 2] });
  },
});

Deno.test("bench --vs-torch refuses a model without a PyTorch twin in one line, before timing", async () => {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: [...BENCH, "--model", "sagan", "--vs-torch", "--json", "/dev/null"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  const err = new TextDecoder().decode(stderr).trim();
  assert.equal(code, 2);
  assert.equal(new TextDecoder().decode(stdout), ""); // no backend started
  assert.equal(
    err,
    "error: Cannot use --vs-torch with --model sagan: tasks/bench_torch.py has PyTorch twins " +
      "of mlp (mnist), dcgan (mnist, cifar10), pix2pix (cifar10) only",
  );
});
