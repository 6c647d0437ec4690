/**
 * Tiny folder datasets for tests, written by the test itself: one subfolder per class of small
 * PNG and JPEG files of assorted sizes, each class a flat colour (so a pixel tells its class)
 * with a bright centre square (so a crop that misses the centre shows).
 *
 * @module
 */
import jpeg from "jpeg-js";
import { encodePng } from "../../src/io/png.ts";

/** A class's colour in RGB; its gray files hold the first value. */
export type Rgb = [number, number, number];

/** One image: a flat colour with a white centre square of a quarter of the shorter side. */
export function classImage(width: number, height: number, color: Rgb, channels: 1 | 3 | 4) {
  const data = new Uint8Array(width * height * channels);
  const side = Math.floor(Math.min(width, height) / 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const centre = Math.abs(x - width / 2) < side && Math.abs(y - height / 2) < side;
      const px = centre ? [255, 255, 255, 255] : [...color, 255];
      data.set(px.slice(0, channels === 1 ? 1 : channels), (y * width + x) * channels);
    }
  }
  return data;
}

/** Writes `name` as a PNG (gray, RGB or RGBA) or, for `.jpg`, a JPEG. */
export async function writeImage(
  path: string,
  opts: { width: number; height: number; color: Rgb; channels?: 1 | 3 | 4 },
): Promise<void> {
  const { width, height, color } = opts;
  if (path.endsWith(".jpg")) {
    const rgba = classImage(width, height, color, 4);
    await Deno.writeFile(path, jpeg.encode({ width, height, data: rgba }, 95).data);
    return;
  }
  const channels = opts.channels ?? 3;
  await Deno.writeFile(
    path,
    encodePng(classImage(width, height, color, channels), width, height, channels),
  );
}

/** Colours of the fixture's classes, by name. */
export const FIXTURE_COLORS: Record<string, Rgb> = {
  tulip: [200, 30, 40],
  daisy: [230, 220, 40],
  rose: [40, 60, 200],
};

/**
 * Writes a folder dataset: for each class of {@linkcode FIXTURE_COLORS}, `perClass` images
 * alternating PNG and JPEG, of sizes from 20x14 up (wider than tall and taller than wide).
 *
 * @returns The folder.
 */
export async function writeFolderFixture(dir: string, perClass = 4): Promise<string> {
  for (const [name, color] of Object.entries(FIXTURE_COLORS)) {
    await Deno.mkdir(`${dir}/${name}`, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const [width, height] = i % 2 === 0 ? [20 + 3 * i, 14 + i] : [14 + i, 22 + 2 * i];
      const file = `${dir}/${name}/${String(i).padStart(2, "0")}.${i % 2 === 0 ? "png" : "jpg"}`;
      await writeImage(file, { width, height, color });
    }
  }
  return dir;
}
