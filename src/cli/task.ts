/**
 * What every task shares: strict flag parsing with one-line errors, integer flags, and
 * {@linkcode runTask}, the one error handler that turns any failure into one line on stderr and
 * exit code 2 (a missing Deno permission named as the flag that grants it).
 *
 * @module
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

/** The values {@linkcode parseFlags} returns for the flags `T`. */
export type ParsedFlags<T extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>
>["values"];

/**
 * Parses a task's flags strictly: unknown flags, missing values and positionals are a one-line
 * TypeError naming the flag.
 *
 * @param args Command-line arguments.
 * @param options The flags, as `node:util` `parseArgs` takes them.
 * @returns Flag values by name, typed from `options`.
 *
 * @example Parse one flag with a default
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFlags } from "@cgan/cgan/task";
 * const v = parseFlags(["--n", "5"], { n: { type: "string", default: "1" } });
 * assert.equal(v.n, "5");
 * assert.throws(() => parseFlags(["--m", "5"], { n: { type: "string" } }), /unknown flag --m/);
 * ```
 */
export function parseFlags<const T extends ParseArgsOptionsConfig>(
  args: string[],
  options: T,
): ParsedFlags<T> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new TypeError(`Invalid arguments: ${parseProblem(err, options)}; see --help`);
  }
}

/** What `parseArgs` objected to, in one line that names the flag. */
function parseProblem(err: unknown, options: ParseArgsOptionsConfig): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string }).code;
  const quoted = message.match(/'([^']*)'/)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const near = closestFlag(quoted, Object.keys(options));
    return `unknown flag ${quoted}${near === undefined ? "" : ` (did you mean --${near}?)`}`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    return `unexpected argument "${quoted}": this task takes flags only ` +
      `(--name value, or --switch alone)`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const flag = quoted.split(" ")[0];
    if (/does not take an argument/.test(message)) return `${flag} is a switch: it takes no value`;
    if (/ambiguous/.test(message)) {
      return `${flag} expects a value, found a flag (write ${flag}=-x for a value starting ` +
        `with a dash)`;
    }
    return `${flag} expects a value`;
  }
  return message.split("\n")[0]!;
}

/**
 * The known flag nearest to an unknown one, for "did you mean": at most 2 edits away, and at
 * most one edit per 3 letters (a 1-letter typo suggests nothing).
 */
function closestFlag(given: string, names: string[]): string | undefined {
  const word = given.replace(/^-+/, "").split("=")[0]!;
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.floor(word.length / 3)) + 1;
  for (const name of names) {
    const d = editDistance(word, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        prev[j]! + 1,
        row[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * Parses an integer flag value with a lower bound.
 *
 * @param flag The flag name without dashes, for the message.
 * @param raw The text given.
 * @param min The smallest allowed value.
 * @returns The integer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { intFlag } from "@cgan/cgan/task";
 * assert.equal(intFlag("n", "10", 1), 10);
 * assert.throws(() => intFlag("n", "0", 1), /Invalid --n "0": expected an integer >= 1/);
 * ```
 */
export function intFlag(flag: string, raw: string, min: number): number {
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(value) || value < min) {
    throw new RangeError(`Invalid --${flag} "${raw}": expected an integer >= ${min}`);
  }
  return value;
}

/**
 * The one line a task prints for an error: its message on one line, with Deno's "Requires read
 * access to X, run again with the --allow-read flag" said as the flag that is missing.
 *
 * @param err What was thrown.
 * @returns One line, without a trailing newline.
 *
 * @example A missing permission names its flag
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorLine } from "@cgan/cgan/task";
 * const err = new Deno.errors.NotCapable(
 *   'Requires read access to "runs/a", run again with the --allow-read flag',
 * );
 * assert.equal(errorLine(err), 'Missing permission: needs --allow-read for "runs/a"');
 * assert.equal(errorLine(new Error("Cannot go:\n  far")), "Cannot go: far");
 * ```
 */
export function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  let line = message.replace(/\s*\n\s*/g, " ").trim();
  // Deno's wording of a permission it was not given (NotCapable), wherever it sits in a message.
  const permission = /Requires (\w+) access to (.+?), run again with the (--allow-[\w-]+) flag/;
  const m = line.match(permission);
  if (m !== null) {
    const needs = `needs ${m[3]} for ${m[2]}`;
    line = m.index === 0 ? `Missing permission: ${needs}${line.slice(m[0].length)}` : line.replace(
      permission,
      needs,
    );
  }
  // An operating-system refusal (PermissionDenied): the file's own mode or owner, not Deno's flags.
  line = line.replace(
    /Permission denied \(os error 13\):? ?(\w+)? ?'([^']+)'/,
    (_, op: string | undefined, path: string) =>
      `the system denies ${op ?? "access to"} "${path}" (check the file's owner and mode)`,
  );
  return line === "" ? (err as Error)?.name ?? "Error" : line;
}

/**
 * Runs a task's main function: any error, and any promise rejection nobody handled, prints one
 * line (`error: ...`, see {@linkcode errorLine}) and exits 2; `CGAN_DEBUG=1` adds the stack. A
 * numeric result is the exit code.
 *
 * @param main The task body.
 * @param env Reads `CGAN_DEBUG` (the task passes `Deno.env.get`; without `--allow-env` no stack).
 * @returns Never: exits the process.
 *
 * @example
 * ```ts ignore
 * import { runTask } from "@cgan/cgan/task";
 * async function main(): Promise<number> {
 *   return 0; // the exit code
 * }
 * if (import.meta.main) await runTask(main, (k) => Deno.env.get(k));
 * ```
 */
export async function runTask(
  main: () => Promise<number | void>,
  env: (key: string) => string | undefined,
): Promise<never> {
  function fail(err: unknown): never {
    console.error(`error: ${errorLine(err)}`);
    let debug: string | undefined;
    try {
      debug = env("CGAN_DEBUG");
    } catch {
      // No --allow-env: no stack.
    }
    if (debug && err instanceof Error) console.error(err.stack);
    Deno.exit(2);
  }
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    fail(event.reason);
  });
  try {
    Deno.exit((await main()) ?? 0);
  } catch (err) {
    fail(err);
  }
}
