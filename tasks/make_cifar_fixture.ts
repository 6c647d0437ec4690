/**
 * Writes `fixtures/cifar10/`, a small real CIFAR-10 slice in the official binary format for
 * fast tests: `data_batch_1.bin` holds the first 20 records of each class of the real
 * `data_batch_1.bin` (200 records), `test_batch.bin` the first 5 of each class of the test
 * batch (50 records), each in original order with the bytes of each record unchanged.
 * Deterministic: same input, same bytes. The test records come from `test_batch.bin`, or
 * from `test_batch_first1000.bin` (its first 1,000 records) when only that is present.
 *
 * Usage: `deno run -R -W tasks/make_cifar_fixture.ts [--src ../shared/data/cifar10] [--out fixtures/cifar10]`
 *
 * @module
 */
import { join } from "node:path";
import { parseFlags, runTask } from "../src/cli.ts";
import {
  CIFAR10_CLASSES,
  CIFAR10_RECORD_BYTES,
  CIFAR10_TEST_FILE,
  CIFAR10_TEST_PARTIAL_FILE,
  parseCifarBatch,
} from "../src/data/cifar10.ts";
import { writeFileAtomic } from "../src/io/atomic.ts";
import { sha256Hex } from "../src/io/hash.ts";

const HELP = `Write the small CIFAR-10 slice the tests read: the first 20 records of each class of
data_batch_1.bin and the first 5 of each class of the test batch, bytes unchanged.

Usage: deno run -R -W tasks/make_cifar_fixture.ts [flags]
  --src DIR    the CIFAR-10 binary batches (default: ../shared/data/cifar10)
  --out DIR    where to write the slice (default: fixtures/cifar10)
  -h, --help   show this help

Examples:
  deno run -R -W tasks/make_cifar_fixture.ts
  deno run -R -W tasks/make_cifar_fixture.ts --src ~/.cache/cgan/cifar10 --out /tmp/cifar-slice`;

/** The raw records of the first `perClass` images of each class, in file order. */
function firstPerClass(bytes: Uint8Array, name: string, perClass: number): Uint8Array {
  const { labels } = parseCifarBatch(bytes, name); // validates size and labels
  const taken = new Array<number>(CIFAR10_CLASSES.length).fill(0);
  const picked: number[] = [];
  labels.forEach((label, i) => {
    if (taken[label]! < perClass) {
      taken[label]!++;
      picked.push(i);
    }
  });
  if (taken.some((t) => t < perClass)) {
    throw new RangeError(
      `Cannot make the fixture from "${name}": expected ${perClass} records of each class, found [${taken}]`,
    );
  }
  const out = new Uint8Array(picked.length * CIFAR10_RECORD_BYTES);
  picked.forEach((i, k) => {
    const start = i * CIFAR10_RECORD_BYTES;
    out.set(bytes.subarray(start, start + CIFAR10_RECORD_BYTES), k * CIFAR10_RECORD_BYTES);
  });
  return out;
}

async function readFirst(dir: string, names: string[]): Promise<string> {
  for (const name of names) {
    try {
      if ((await Deno.stat(join(dir, name))).isFile) return join(dir, name);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
  }
  throw new Error(
    `Cannot make the fixture: expected one of ${names.join(", ")} in "${dir}", found none`,
  );
}

async function main(): Promise<void> {
  const values = parseFlags(Deno.args, {
    src: { type: "string", default: "../shared/data/cifar10" },
    out: { type: "string", default: "fixtures/cifar10" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) return console.log(HELP);
  const jobs: [string, string, number][] = [
    ["data_batch_1.bin", await readFirst(values.src, ["data_batch_1.bin"]), 20],
    [
      CIFAR10_TEST_FILE,
      await readFirst(values.src, [CIFAR10_TEST_FILE, CIFAR10_TEST_PARTIAL_FILE]),
      5,
    ],
  ];
  for (const [name, path, perClass] of jobs) {
    const fixture = firstPerClass(await Deno.readFile(path), path, perClass);
    const target = join(values.out, name);
    await writeFileAtomic(target, fixture);
    console.log(
      `${await sha256Hex(fixture)}  ${name}  (${
        fixture.length / CIFAR10_RECORD_BYTES
      } records from ${path})`,
    );
  }
}

if (import.meta.main) await runTask(main, () => undefined);
