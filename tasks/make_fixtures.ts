/**
 * `deno task make-fixtures`: writes `fixtures/mnist/`, a small real MNIST slice in raw IDX
 * format for fast tests: the first 100 training images of each class (1,000) and the first
 * 20 test images of each class (200), in their original order.
 *
 * @module
 */
import { loadMnist, type Split } from "../src/data/mnist.ts";
import { writeFileAtomic } from "../src/io/atomic.ts";

const OUT = "fixtures/mnist";
const PER_CLASS: Record<Split, number> = { train: 100, test: 20 };
const PREFIX: Record<Split, string> = { train: "train", test: "t10k" };

function idx(dims: number[], data: Uint8Array): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint32(0, 0x0800 | dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.byteLength + data.length);
  out.set(new Uint8Array(header.buffer));
  out.set(data, header.byteLength);
  return out;
}

for (const split of ["train", "test"] as const) {
  const ds = await loadMnist({ split });
  const [h, w] = ds.shape;
  const taken = new Array(10).fill(0);
  const picked: number[] = [];
  for (let i = 0; i < ds.labels.length; i++) {
    const label = ds.labels[i]!;
    if (taken[label] < PER_CLASS[split]) {
      taken[label]++;
      picked.push(i);
    }
  }
  const images = new Uint8Array(picked.length * h * w);
  picked.forEach((i, k) => images.set(ds.images.subarray(i * h * w, (i + 1) * h * w), k * h * w));
  const labels = Uint8Array.from(picked, (i) => ds.labels[i]!);
  await writeFileAtomic(
    `${OUT}/${PREFIX[split]}-images-idx3-ubyte`,
    idx([picked.length, h, w], images),
  );
  await writeFileAtomic(`${OUT}/${PREFIX[split]}-labels-idx1-ubyte`, idx([picked.length], labels));
  console.log(`${OUT}: ${split} ${picked.length} images`);
}
