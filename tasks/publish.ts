/**
 * `deno task publish [deno publish flags]`: publishes this repository's two JSR packages, the
 * library `@cgan/cgan` (the root) and then the sampler `@cgan/sample` (`packages/sample`, which
 * depends on it), each with `deno publish` and the same flags. `deno task publish --dry-run`
 * checks both without uploading; the release workflow (`.github/workflows/publish.yml`) runs
 * `deno task publish` on a version tag. It stops at the first package that fails, with its exit
 * code, so the sampler is never published against a library version that is not.
 *
 * @module
 */

import { parseFlags, runTask } from "../src/cli/task.ts";

/** The packages, in publishing order: each after the packages it depends on. */
export const PACKAGES = [".", "packages/sample"] as const;

const HELP = `Publish cgan's two JSR packages, @cgan/cgan then @cgan/sample, with deno publish.

Usage: deno task publish [flags]
  --dry-run         check both packages (slow types, files) without uploading (default: off)
  --allow-dirty     publish with uncommitted changes (default: off)
  --token TEXT      the JSR token (default: none; in CI the workflow's OIDC identity)
  --quiet           less output from deno publish (default: off)
  -h, --help        show this help

Examples:
  deno task publish --dry-run
  deno task publish --token local --allow-dirty   # to a local registry (JSR_URL)`;

/**
 * Runs `deno publish` with the given flags in each package folder, in order.
 *
 * @param args Flags for `deno publish`, e.g. `["--dry-run"]`.
 * @returns 0 when every package published (or passed its dry run), else the first failure's
 *   exit code.
 */
export async function main(args: string[]): Promise<number> {
  const values = parseFlags(args, {
    "dry-run": { type: "boolean" },
    "allow-dirty": { type: "boolean" },
    token: { type: "string" },
    quiet: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const flags = [
    ...(values["dry-run"] ? ["--dry-run"] : []),
    ...(values["allow-dirty"] ? ["--allow-dirty"] : []),
    ...(values.token !== undefined ? ["--token", values.token] : []),
    ...(values.quiet ? ["--quiet"] : []),
  ];
  for (const dir of PACKAGES) {
    const cwd = new URL(`../${dir}/`, import.meta.url);
    console.error(`deno publish ${flags.join(" ")} in ${dir === "." ? "the root" : dir}`.trim());
    const { code } = await new Deno.Command("deno", { args: ["publish", ...flags], cwd }).spawn()
      .status;
    if (code !== 0) return code;
  }
  return 0;
}

if (import.meta.main) await runTask(() => main(Deno.args), () => undefined);
