import assert from "node:assert/strict";
import { acquireRunLock, checkRunLock, LOCK_FILE, thisProcess } from "../../src/io/run_lock.ts";

/** A pid that no process has any more: a process that ran and exited. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("deno", { args: ["eval", ""], stdout: "null", stderr: "null" })
    .spawn();
  await child.status;
  return child.pid;
}

Deno.test("acquireRunLock() records pid, host and start time, refuses a second taker and is gone after release()", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgan-lock-" });
  try {
    const lock = await acquireRunLock(`${dir}/run`, { command: "deno task train --out run" });
    assert.equal(lock.path, `${dir}/run/${LOCK_FILE}`);
    assert.equal(lock.tookOver, null);
    const owner = JSON.parse(await Deno.readTextFile(lock.path));
    assert.deepEqual(owner, thisProcess("deno task train --out run"));
    const busy = new RegExp(
      `Cannot train in "${dir}/run": it is in use by process ${Deno.pid} on ${Deno.hostname()} ` +
        `\\(started ${owner.started}: deno task train --out run\\); wait for it or stop it ` +
        `\\(kill ${Deno.pid}\\), or train into another --out$`,
    );
    await assert.rejects(() => acquireRunLock(`${dir}/run`), busy);
    await assert.rejects(() => checkRunLock(`${dir}/run`), Deno.errors.Busy);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(lock.path)), owner, "the refusal kept it");
    lock.release();
    await assert.rejects(() => Deno.stat(lock.path), Deno.errors.NotFound);
    lock.release(); // twice is fine
    await checkRunLock(`${dir}/run`);
    const again = await acquireRunLock(`${dir}/run`);
    assert.equal(again.tookOver, null, "a released lock is not stale");
    again.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a live process's lock refuses another taker: the test's own pid, holding the lock as train would", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgan-lock-" });
  const file = await Deno.open(`${dir}/${LOCK_FILE}`, { write: true, create: true });
  try {
    await file.lock(true);
    await file.write(new TextEncoder().encode(JSON.stringify(thisProcess("deno test"))));
    await assert.rejects(
      () => acquireRunLock(dir),
      new RegExp(`in use by process ${Deno.pid} .*: deno test\\)`),
    );
    await assert.rejects(() => checkRunLock(dir), /in use by process/);
    assert.match(
      await Deno.readTextFile(`${dir}/${LOCK_FILE}`),
      /deno test/,
      "the live lock stays",
    );
  } finally {
    file.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a stale lock (its process gone: no OS lock on the file) is taken over and reported", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgan-lock-" });
  try {
    const gone = { ...thisProcess("deno task train"), pid: await deadPid() };
    await Deno.writeTextFile(`${dir}/${LOCK_FILE}`, JSON.stringify(gone));
    await checkRunLock(dir); // stale: no refusal
    const lock = await acquireRunLock(dir);
    assert.deepEqual(lock.tookOver, gone);
    assert.equal(JSON.parse(await Deno.readTextFile(lock.path)).pid, Deno.pid);
    lock.release();

    // A lock cut short while it was written.
    await Deno.writeTextFile(`${dir}/${LOCK_FILE}`, '{"pid": 12');
    const cut = await acquireRunLock(dir);
    assert.equal(cut.tookOver?.command, "an unreadable lock");
    cut.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const how of ["Deno.exit (a second Ctrl-C)", "kill -9"]) {
  Deno.test(`a lock is free once its process is gone through ${how}`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "cgan-lock-" });
    try {
      const module = new URL("../../src/io/run_lock.ts", import.meta.url).href;
      // The child takes the lock, says so, and leaves through Deno.exit when its stdin closes.
      const child = new Deno.Command("deno", {
        args: [
          "eval",
          `import { acquireRunLock } from "${module}";\n` +
          `await acquireRunLock(${JSON.stringify(dir)}, { command: "child" });\n` +
          `console.log("locked");\n` +
          `await Deno.stdin.read(new Uint8Array(1));\n` +
          `Deno.exit(130);`,
        ],
        stdin: "piped",
        stdout: "piped",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      assert.match((await reader.read()).value ?? "", /locked/);
      await assert.rejects(() => checkRunLock(dir), /in use by process \d+ .*: child\)/);
      if (how === "kill -9") child.kill("SIGKILL");
      await child.stdin.close();
      const { code } = await child.status;
      await reader.cancel();
      if (how === "kill -9") {
        const lock = await acquireRunLock(dir);
        assert.equal(lock.tookOver?.pid, child.pid, "killed: its lock is stale and taken over");
        lock.release();
      } else {
        assert.equal(code, 130);
        await assert.rejects(() => Deno.stat(`${dir}/${LOCK_FILE}`), Deno.errors.NotFound);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
