/**
 * `deno task download-cifar10 [--dir DIR]`: downloads the official CIFAR-10 binary archive
 * (about 170 MB), checks its SHA-256 and unpacks the batch files into the cache folder that
 * `--dataset cifar10` reads when no `--data-dir` is given (or into `--dir`).
 *
 * @module
 */
import { parseFlags, runTask } from "../src/cli.ts";
import { CIFAR10_URL, cifar10CacheDir, downloadCifar10 } from "../src/data/cifar10.ts";

const HELP = `Download CIFAR-10 (binary version, SHA-256 checked) into the cache.

Usage: deno task download-cifar10 [--dir DIR]
  --dir DIR   where to unpack (default: $XDG_CACHE_HOME/cgan/cifar10 or ~/.cache/cgan/cifar10)
  -h, --help  show this help

Source: ${CIFAR10_URL}
Machines without internet: copy the batch files elsewhere and pass --data-dir DIR instead.

Examples:
  deno task download-cifar10
  deno task download-cifar10 --dir ~/data/cifar10`;

async function main(): Promise<void> {
  const values = parseFlags(Deno.args, {
    dir: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) return console.log(HELP);
  const dir = values.dir ?? cifar10CacheDir(Deno.env.toObject());
  if (dir === undefined) {
    throw new Error("Cannot find a cache folder: set HOME or XDG_CACHE_HOME, or pass --dir DIR");
  }
  console.log(`downloading ${CIFAR10_URL} into ${dir} ...`);
  const t0 = performance.now();
  const folder = await downloadCifar10(dir);
  console.log(
    `wrote ${folder} (${((performance.now() - t0) / 1000).toFixed(0)} s, SHA-256 checked)`,
  );
}

if (import.meta.main) await runTask(main, (key) => Deno.env.get(key));
