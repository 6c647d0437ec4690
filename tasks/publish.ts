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

/** The packages, in publishing order: each after the packages it depends on. */
export const PACKAGES = [".", "packages/sample"] as const;

/**
 * Runs `deno publish` with the given flags in each package folder, in order.
 *
 * @param args Flags for `deno publish`, e.g. `["--dry-run"]`.
 * @returns 0 when every package published (or passed its dry run), else the first failure's
 *   exit code.
 */
export async function main(args: string[]): Promise<number> {
  for (const dir of PACKAGES) {
    const cwd = new URL(`../${dir}/`, import.meta.url);
    console.error(`deno publish ${args.join(" ")} in ${dir === "." ? "the root" : dir}`.trim());
    const { code } = await new Deno.Command("deno", { args: ["publish", ...args], cwd }).spawn()
      .status;
    if (code !== 0) return code;
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
