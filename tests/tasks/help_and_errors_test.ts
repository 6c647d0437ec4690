/**
 * Every task of deno.json, run as `deno task NAME` runs it (same script, same permissions):
 * `--help` and `-h` print its usage with defaults and two examples and exit 0; a bad flag
 * prints exactly one line on stderr, naming the flag, and exits 2.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;
const CONFIG = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
  tasks: Record<string, { command: string; description: string }>;
};
/** The CLI tasks: every `deno run` task of deno.json, as [name, args after "deno"]. */
const TASKS = Object.entries(CONFIG.tasks)
  .map(([name, task]) => [name, task.command] as const)
  .filter(([, command]) => command.startsWith("deno run "))
  .map(([name, command]) => [name, command.split(" ").slice(1)] as const);

async function run(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command("deno", {
    args: [...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", CI: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code, out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
}

Deno.test("every task of deno.json says what it does, so `deno task` lists it with a description", () => {
  for (const [name, task] of Object.entries(CONFIG.tasks)) {
    assert.ok(task.description.length > 20, `${name} has no description`);
  }
});

Deno.test("every task of deno.json is covered here", () => {
  const names = TASKS.map(([name]) => name).sort();
  for (const name of ["train", "sample", "serve", "bench", "make-fixtures", "eval"]) {
    assert.ok(names.includes(name), `${name} is not a deno run task: ${names.join(", ")}`);
  }
});

for (const [name, args] of TASKS) {
  Deno.test(`deno task ${name} --help and -h print its usage, defaults and two examples, exit 0`, async () => {
    for (const flag of ["--help", "-h"]) {
      const { code, out, err } = await run([...args, flag]);
      assert.equal(code, 0, `${name} ${flag} exited ${code}: ${err}`);
      assert.match(out, /Usage/, `${name} ${flag}`);
      assert.match(out, /\(default/, `${name} ${flag} shows no defaults`);
      const examples = out.split(/^Examples.*:$/m)[1]?.split("\n").filter((l) =>
        /^ {2}deno /.test(l)
      );
      assert.ok((examples?.length ?? 0) >= 2, `${name} ${flag}: expected two examples in\n${out}`);
      assert.equal(err.trim(), "", `${name} ${flag} wrote to stderr`);
    }
  });

  Deno.test(`deno task ${name} with a bad flag prints one line naming it and exits 2`, async () => {
    const { code, out, err } = await run([...args, "--no-such-flag"]);
    assert.equal(code, 2, `${name}: exit ${code}\n${out}${err}`);
    const lines = err.split("\n").filter((l) => l.trim() !== "");
    assert.equal(lines.length, 1, `${name}: expected one line on stderr, found:\n${err}`);
    assert.match(
      lines[0]!,
      /^error: Invalid arguments: unknown flag --no-such-flag; see --help$/,
      name,
    );
  });
}

/** A task's `deno run` arguments from deno.json. */
function taskArgs(name: string): readonly string[] {
  const found = TASKS.find(([n]) => n === name);
  assert.ok(found, `no task ${name}`);
  return found[1];
}

Deno.test("sample --class Sneaker on the default MNIST generator says which --dataset has it", async () => {
  const { code, err } = await run([
    ...taskArgs("sample"),
    ...["--class", "Sneaker", "--backend", "cpu", "--out", "/nonexistent/x.png"],
  ]);
  assert.equal(code, 2, err);
  assert.equal(
    err.trim(),
    'error: Invalid --class "Sneaker": expected one of 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 or 0-9; ' +
      '"Sneaker" is a fashion class: add --dataset fashion',
  );
});

Deno.test("without --allow-read, loading a generator names the missing permission, not the folder", async () => {
  const { code, err } = await run([
    ...["run", "-E", "-S", "--allow-ffi", "packages/sample/main.ts"],
    ...["--weights", "/nonexistent/run", "--digit", "5", "--backend", "cpu"],
  ]);
  assert.equal(code, 2, err);
  assert.equal(
    err.trim(),
    'error: Missing permission: needs --allow-read for "/nonexistent/run/model.json"',
  );
});

Deno.test({
  name:
    "serve --hostname 0.0.0.0 listens with the task's own permissions; another address says how",
  sanitizeResources: false,
  async fn() {
    const child = new Deno.Command("deno", {
      args: [...taskArgs("serve"), "--hostname", "0.0.0.0", "--port", "0"],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!/cgan page on/.test(seen)) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += value;
    }
    child.kill("SIGTERM");
    await child.status;
    await reader.cancel();
    await child.stderr.cancel();
    assert.match(seen, /^cgan page on http:\/\/0\.0\.0\.0:\d+\//m);

    const other = await run([...taskArgs("serve"), "--hostname", "10.1.2.3", "--port", "0"]);
    assert.equal(other.code, 2);
    assert.equal(
      other.err.trim(),
      "error: Cannot listen on --hostname 10.1.2.3: deno task serve may listen on 127.0.0.1, " +
        "localhost, 0.0.0.0 only; for another address run deno run -R -E -W=.cache/web " +
        "--allow-run=deno --allow-net=10.1.2.3 tasks/serve.ts --hostname 10.1.2.3",
    );
  },
});

Deno.test("bench --backends foo is one line naming the flag and what it takes, no stack trace", async () => {
  const { code, err } = await run([...taskArgs("bench"), "--backends", "wasm,foo"]);
  assert.equal(code, 2, err);
  assert.equal(
    err.trim(),
    'error: Invalid --backends "foo": expected a list of wasm, wasm-simd, cpu, webgpu',
  );
});
