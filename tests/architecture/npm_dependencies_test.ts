/**
 * A fresh clone installs without Deno's "Ignored build scripts for packages" box: no npm
 * package in `deno.lock` (what `deno install` fetches) has a build script, and neither config
 * maps the tfjs union package `@tensorflow/tfjs`, which pulled core-js (the one that had one).
 * cgan imports tfjs through `src/_tf.ts` or the packages themselves (`@tensorflow/tfjs-core`,
 * `-layers`, `-backend-*`); `tasks/check_imports.ts` names any module that imports the union.
 *
 * @module
 */
import assert from "node:assert/strict";
import { npmPackageOf } from "../../tasks/check_imports.ts";

const ROOT = new URL("../../", import.meta.url);
const UNION = "@tensorflow/tfjs";

/** The part of `deno.lock` (version 5) read here. */
interface DenoLock {
  version: string;
  specifiers: Record<string, string>;
  npm: Record<string, { dependencies?: string[]; scripts?: boolean }>;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await Deno.readTextFile(new URL(path, ROOT))) as T;
}

/** The package name of a `deno.lock` npm key: `core-js` of `core-js@3.29.1`. */
function lockName(key: string): string {
  return key.slice(0, key.indexOf("@", 1));
}

Deno.test("deno.json and the workspace's configs map no tfjs union package", async () => {
  for (const config of ["deno.json", "packages/sample/deno.json"]) {
    const { imports = {} } = await readJson<{ imports?: Record<string, string> }>(config);
    const union = Object.entries(imports).filter(([name, target]) =>
      name === UNION || npmPackageOf(target) === UNION
    );
    assert.deepEqual(union, [], `${config} maps the tfjs union; map its parts instead`);
  }
});

Deno.test("deno.lock holds no npm package with a build script (install prints no 'Ignored build scripts' box)", async () => {
  const lock = await readJson<DenoLock>("deno.lock");
  assert.equal(lock.version, "5", "this test reads deno.lock version 5; update it with the format");
  const keys = Object.keys(lock.npm);
  assert.ok(
    keys.some((k) => lockName(k) === "@tensorflow/tfjs-core"),
    `expected tfjs-core among deno.lock's ${keys.length} npm packages`,
  );
  const withScripts = keys.filter((k) => lock.npm[k]!.scripts === true).map((k) => {
    const name = lockName(k);
    const pulledBy = keys.filter((p) =>
      lock.npm[p]!.dependencies?.some((d) => d === name || d.startsWith(`${name}@`))
    );
    return `${k} (a dependency of ${pulledBy.join(", ") || "deno.json"})`;
  });
  assert.deepEqual(withScripts, [], "Deno would print an 'Ignored build scripts' box for these");
  const union = [...keys, ...Object.keys(lock.specifiers)].filter((k) =>
    lockName(k.replace(/^npm:/, "")) === UNION
  );
  assert.deepEqual(union, [], "deno.lock still holds the tfjs union package");
});
