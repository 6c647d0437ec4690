/**
 * A tiny synthetic pix2pix dataset for tests, in the facades layout: `train/`, `val/`, `test/`
 * of `N.jpg` files, each a photo-like image A (left) beside its label map B (right). Pair `i`
 * is a window (a rectangle at a position drawn from a seeded generator) on a wall: in B flat
 * red on blue, in A a dark window with a light frame on a vertical gray gradient. So BtoA
 * (labels -> photo) is a learnable translation, and nothing depends on real data.
 *
 * @module
 */
import jpeg from "jpeg-js";
import { mulberry32 } from "../../src/rng.ts";

/** Pairs per split. */
export interface FixtureCounts {
  /** Training pairs. */
  train: number;
  /** Validation pairs. */
  val: number;
  /** Test pairs. */
  test: number;
}

/** The A|B JPEG of pair `seed`, each half `side` x `side`. */
export function fixturePair(seed: number, side: number): Uint8Array {
  const rand = mulberry32(seed + 1);
  const w = Math.floor(side * (0.25 + 0.4 * rand()));
  const h = Math.floor(side * (0.25 + 0.4 * rand()));
  const x0 = Math.floor((side - w) * rand());
  const y0 = Math.floor((side - h) * rand());
  const width = 2 * side;
  const data = new Uint8Array(width * side * 4);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const inside = x >= x0 && x < x0 + w && y >= y0 && y < y0 + h;
      const frame = inside && (x < x0 + 2 || x >= x0 + w - 2 || y < y0 + 2 || y >= y0 + h - 2);
      const wall = 90 + Math.round((120 * y) / side);
      const photo = frame ? [235, 235, 225] : inside ? [30, 35, 50] : [wall, wall - 10, wall - 25];
      const label = inside ? [220, 30, 20] : [20, 40, 210];
      data.set([...photo, 255], (y * width + x) * 4);
      data.set([...label, 255], (y * width + side + x) * 4);
    }
  }
  return new Uint8Array(jpeg.encode({ width, height: side, data }, 95).data);
}

/**
 * Writes the fixture into `dir` (created if needed).
 *
 * @param dir Where to write `train/`, `val/` and `test/`.
 * @param counts Pairs per split (default 4 / 2 / 2).
 * @param side Side of each half in the files (default 64).
 * @returns `dir`.
 */
export async function writePairedFixture(
  dir: string,
  counts: FixtureCounts = { train: 4, val: 2, test: 2 },
  side = 64,
): Promise<string> {
  let seed = 0;
  for (const split of ["train", "val", "test"] as const) {
    await Deno.mkdir(`${dir}/${split}`, { recursive: true });
    for (let i = 1; i <= counts[split]; i++) {
      await Deno.writeFile(`${dir}/${split}/${i}.jpg`, fixturePair(seed++, side));
    }
  }
  return dir;
}
