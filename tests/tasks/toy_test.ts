import assert from "node:assert/strict";

const TOY = new URL("../../tasks/toy.ts", import.meta.url).pathname;

Deno.test("deno task toy writes plots, a history CSV and its chart", async () => {
  const out = await Deno.makeTempDir({ prefix: "cgan-toy-" });
  try {
    const { code, stdout, stderr } = await new Deno.Command("deno", {
      args: [
        "run",
        "-P=train",
        TOY,
        "--epochs",
        "3",
        "--points",
        "400",
        "--plot-every",
        "2",
        "--out",
        out,
        "--backend",
        "cpu",
      ],
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    assert.match(new TextDecoder().decode(stdout), /best epoch \d: \|y-10-x\^2\| [\d.]+/);
    const plots = [...Deno.readDirSync(`${out}/plots`)].map((e) => e.name).sort();
    assert.deepEqual(plots, ["epoch-0001.svg", "epoch-0002.svg", "epoch-0003.svg"]);
    const csv = (await Deno.readTextFile(`${out}/history.csv`)).trim().split("\n");
    assert.equal(csv[0], "epoch,dLoss,gLoss,dReal,dFake,curveError,xWasserstein");
    assert.equal(csv.length, 4);
    assert.match(await Deno.readTextFile(`${out}/history.svg`), /^<svg/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("deno task toy rejects a bad flag in one line", async () => {
  const { code, stderr } = await new Deno.Command("deno", {
    args: ["run", "-P=train", TOY, "--lr", "fast"],
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(code, 2);
  // The last line: Deno prints a warning about config permissions before it.
  const last = new TextDecoder().decode(stderr).trim().split("\n").at(-1);
  assert.equal(last, 'error: Invalid --lr "fast": expected a positive number');
});
