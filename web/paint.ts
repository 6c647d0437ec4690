/// <reference lib="dom" />
/**
 * Draws a grid of images into a canvas, one canvas pixel per image pixel, scaled up by CSS
 * (pixelated) to about a given size: the explorer's drawings, the Train panel's grid and a
 * watched run's samples.
 *
 * @module
 */
import { imageGrid } from "../generator.ts";
import type { Drawing } from "./explore.ts";

/**
 * Paints `drawing` into `canvas` as a grid without gaps, `drawing.cols` images a row.
 *
 * @param canvas The canvas; its size becomes the grid's.
 * @param drawing The images.
 * @param side About how many CSS pixels the grid's longer side takes (default 576; the scale
 *   is a whole number, at least 1).
 *
 * @example
 * ```ts ignore
 * paintDrawing(document.querySelector("canvas")!, await allClasses(gen, { seed: 0, n: 8 }));
 * ```
 */
export function paintDrawing(canvas: HTMLCanvasElement, drawing: Drawing, side = 576): void {
  const grid = imageGrid(drawing.images, drawing.count, drawing.shape, {
    cols: drawing.cols,
    pad: 0,
  });
  canvas.width = grid.width;
  canvas.height = grid.height;
  const rgba = new ImageData(grid.width, grid.height);
  for (let i = 0; i < grid.width * grid.height; i++) {
    for (let k = 0; k < 3; k++) {
      rgba.data[4 * i + k] = grid.pixels[i * grid.channels + (grid.channels === 1 ? 0 : k)]!;
    }
    rgba.data[4 * i + 3] = grid.channels === 4 ? grid.pixels[4 * i + 3]! : 255;
  }
  canvas.getContext("2d")!.putImageData(rgba, 0, 0);
  const scale = Math.max(1, Math.floor(side / Math.max(grid.width, grid.height)));
  canvas.style.width = `${grid.width * scale}px`;
  canvas.style.height = `${grid.height * scale}px`;
}
