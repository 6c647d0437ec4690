/**
 * The command-line layer of cgan's tasks: the train task's flags -> `TrainConfig`
 * (every config field is one flag, `latentDim` <-> `--latent-dim`; unknown flags are errors),
 * its grouped `--help`, strict flag parsing for every other task, and {@linkcode runTask}, the
 * one error handler (one line on stderr, exit code 2). Parsing uses `node:util` `parseArgs`
 * (JSR's `@std/cli` is unreachable here).
 *
 * @example Parse train flags into a config
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTrainArgs } from "@cgan/cgan/cli";
 * const { config } = parseTrainArgs(["--latent-dim", "64"], {});
 * assert.equal(config.latentDim, 64);
 * ```
 *
 * @module
 */
export { parseTrainArgs, type TrainArgs } from "./cli/flags.ts";
export { trainHelp } from "./cli/train_help.ts";
export { errorLine, intFlag, type ParsedFlags, parseFlags, runTask } from "./cli/task.ts";
