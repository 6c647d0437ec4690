/**
 * One training process per run directory. `train.lock` in the run directory names the process
 * that trains it (pid, host, start time, command), and that process holds an exclusive OS lock
 * on the file (`flock`) for as long as it runs. A second trainer finds the OS lock taken and
 * refuses with one line naming the live process. The OS drops the lock when its process ends,
 * however it ends (a crash, `kill -9`), so a `train.lock` whose OS lock is free is stale: its
 * process is gone, and the next trainer takes it over with a note. A clean exit, including
 * `Deno.exit` (the second Ctrl-C), also removes the file.
 *
 * Liveness comes from the OS lock, not from the pid: Deno gives no view of other processes
 * without `--allow-all` or `--allow-run`, and a pid can be reused.
 *
 * @module
 */

/** The lock's file name, in the run directory. */
export const LOCK_FILE = "train.lock";

/** Who holds a run directory: what `train.lock` holds. */
export interface LockOwner {
  /** Process id. */
  pid: number;
  /** Host name of the machine it runs on ("" without `--allow-sys`). */
  hostname: string;
  /** When the process started, ISO 8601. */
  started: string;
  /** What it runs, for the message. */
  command: string;
}

/** A held lock. */
export interface RunLock {
  /** The lock file. */
  path: string;
  /** The owner of a stale lock that was taken over (its process gone), or null. */
  tookOver: LockOwner | null;
  /** Removes the lock file and drops the OS lock (once; later calls do nothing). */
  release(): void;
}

/**
 * This process, as a lock records it.
 *
 * @param command What it runs.
 * @returns Its pid, host name, start time and `command`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { thisProcess } from "./run_lock.ts";
 * assert.equal(thisProcess("train").pid, Deno.pid);
 * ```
 */
export function thisProcess(command = "train"): LockOwner {
  let hostname = "";
  try {
    hostname = Deno.hostname();
  } catch {
    // No --allow-sys: the lock names no host.
  }
  return {
    pid: Deno.pid,
    hostname,
    started: new Date(performance.timeOrigin).toISOString(),
    command,
  };
}

function describe(owner: LockOwner): string {
  return `process ${owner.pid}${owner.hostname ? ` on ${owner.hostname}` : ""} (started ` +
    `${owner.started}: ${owner.command})`;
}

/** The owner a lock file names; an empty or cut-short file names an unknown one. */
async function readOwner(file: Deno.FsFile): Promise<LockOwner | null> {
  const { size } = await file.stat();
  if (size === 0) return null;
  const bytes = new Uint8Array(size);
  await file.seek(0, Deno.SeekMode.Start);
  let read = 0;
  while (read < size) {
    const n = await file.read(bytes.subarray(read));
    if (n === null) break;
    read += n;
  }
  try {
    const owner = JSON.parse(new TextDecoder().decode(bytes.subarray(0, read)));
    if (Number.isInteger(owner.pid) && typeof owner.started === "string") return owner;
  } catch {
    // Cut short by a crash while it was written.
  }
  return { pid: -1, hostname: "", started: "unknown", command: "an unreadable lock" };
}

function busy(runDir: string, owner: LockOwner | null): Error {
  const who = owner === null ? "another process" : describe(owner);
  const stop = owner === null || owner.pid < 0 ? "stop it" : `stop it (kill ${owner.pid})`;
  return new Deno.errors.Busy(
    `Cannot train in "${runDir}": it is in use by ${who}; wait for it or ${stop}, or train ` +
      `into another --out`,
  );
}

/**
 * Checks that no live process trains in `runDir`, without taking the lock: the train task
 * calls it before it reads any data, so a second run refuses at once.
 *
 * @param runDir The run directory (need not exist).
 * @returns Resolves when the directory is free or its lock is stale.
 * @throws {Deno.errors.Busy} Naming the live process.
 *
 * @example
 * ```ts
 * import { checkRunLock } from "./run_lock.ts";
 * await checkRunLock(await Deno.makeTempDir());
 * ```
 */
export async function checkRunLock(runDir: string): Promise<void> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(`${runDir}/${LOCK_FILE}`, { read: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  try {
    if (!await file.tryLock(true)) throw busy(runDir, await readOwner(file));
  } finally {
    file.close(); // also drops the OS lock if it was taken
  }
}

/**
 * Takes the lock of a run directory (creating the directory): holds the OS lock on
 * `train.lock` and writes this process into it, unless a live process holds it. A stale lock
 * (its process gone) is taken over and reported in `tookOver`. `release()` gives it back; so
 * does the end of the process, `Deno.exit` included.
 *
 * @param runDir The run directory.
 * @param opts `command`: what the lock records as this process's command (default "train").
 * @returns The held lock.
 * @throws {Deno.errors.Busy} Naming the live process that holds it.
 *
 * @example Two trainers on one directory: the second refuses
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireRunLock } from "./run_lock.ts";
 * const dir = await Deno.makeTempDir();
 * const lock = await acquireRunLock(dir);
 * await assert.rejects(() => acquireRunLock(dir), /in use by process/);
 * lock.release();
 * (await acquireRunLock(dir)).release();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function acquireRunLock(
  runDir: string,
  opts: { command?: string } = {},
): Promise<RunLock> {
  const path = `${runDir}/${LOCK_FILE}`;
  await Deno.mkdir(runDir, { recursive: true });
  for (let attempt = 0; attempt < 5; attempt++) {
    const file = await Deno.open(path, { read: true, write: true, create: true });
    let kept = false;
    try {
      if (!await file.tryLock(true)) throw busy(runDir, await readOwner(file));
      // The holder before us may have removed the file between our open and our lock: then
      // we locked a file nobody else can see; start again on the one at `path`.
      const [held, named] = [await file.stat(), await Deno.stat(path).catch(() => null)];
      if (named === null || held.ino !== named.ino || held.dev !== named.dev) continue;
      const tookOver = await readOwner(file);
      const me = thisProcess(opts.command);
      await file.truncate(0);
      await file.seek(0, Deno.SeekMode.Start);
      const bytes = new TextEncoder().encode(JSON.stringify(me) + "\n");
      for (let written = 0; written < bytes.length;) {
        written += await file.write(bytes.subarray(written));
      }
      kept = true;
      return holdLock(path, file, tookOver);
    } finally {
      if (!kept) file.close();
    }
  }
  throw new Deno.errors.Busy(`Cannot lock "${path}": other processes keep taking it; try again`);
}

function holdLock(path: string, file: Deno.FsFile, tookOver: LockOwner | null): RunLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    globalThis.removeEventListener("unload", release);
    try {
      Deno.removeSync(path); // while the OS lock is still ours
    } catch {
      // Already gone, or the directory was removed.
    }
    file.close();
  };
  // Deno.exit (a second Ctrl-C, a task's exit code) skips `finally` but dispatches "unload".
  globalThis.addEventListener("unload", release);
  return { path, tookOver, release };
}
