/**
 * Images in a terminal: two pixel rows per character cell with the Unicode upper half block
 * (foreground = top pixel, background = bottom pixel), in 24-bit colour or the 24-step
 * grayscale ramp of the 256-colour palette, or plain ASCII where colour is unwanted.
 *
 * @module
 */

/** How to draw: "truecolor" (24-bit), "gray" (256-colour palette) or "ascii" (no escapes). */
export type TerminalMode = "truecolor" | "gray" | "ascii";

const UPPER_HALF = "\u2580";
const RESET = "\x1b[0m";
/** Dark to light. */
const ASCII_RAMP = " .:-=+*#%@";

/**
 * Picks a mode from the environment the caller passes in: `NO_COLOR` or a non-terminal output
 * means ASCII, `COLORTERM=truecolor|24bit` means 24-bit, otherwise the 256-colour gray ramp.
 *
 * @param env `NO_COLOR`, `COLORTERM` and whether stdout is a terminal.
 * @returns The mode.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { terminalMode } from "@cgan/cgan/generator";
 * assert.equal(terminalMode({ isTerminal: false }), "ascii");
 * ```
 */
export function terminalMode(
  env: { noColor?: string | undefined; colorTerm?: string | undefined; isTerminal: boolean },
): TerminalMode {
  if (!env.isTerminal || (env.noColor !== undefined && env.noColor !== "")) return "ascii";
  return env.colorTerm === "truecolor" || env.colorTerm === "24bit" ? "truecolor" : "gray";
}

function pixel(
  data: Uint8Array,
  width: number,
  channels: number,
  x: number,
  y: number,
): [number, number, number] {
  const i = (y * width + x) * channels;
  if (channels < 3) return [data[i]!, data[i]!, data[i]!];
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

function grayIndex([r, g, b]: [number, number, number]): number {
  // The palette's gray ramp: 232 (8) .. 255 (238) in steps of 10.
  const v = 0.299 * r + 0.587 * g + 0.114 * b;
  return 232 + Math.max(0, Math.min(23, Math.round((v - 8) / 10)));
}

/**
 * Renders an image (uint8, 1/3/4 channels, row-major) as terminal text.
 *
 * @param data Pixels.
 * @param width Width in pixels.
 * @param height Height in pixels.
 * @param channels 1 (gray), 3 (RGB) or 4 (RGBA; alpha ignored).
 * @param mode How to draw.
 * @returns Lines joined by "\n", ending without a newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderImage } from "@cgan/cgan/generator";
 * const checker = new Uint8Array([0, 255, 255, 0]);
 * assert.equal(renderImage(checker, 2, 2, 1, "ascii"), "=="); // 2 characters, 1 line
 * ```
 */
export function renderImage(
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
  mode: TerminalMode,
): string {
  if (![1, 3, 4].includes(channels) || data.length !== width * height * channels) {
    throw new RangeError(
      `Cannot render image: expected ${width}x${height}x${channels} = ${
        width * height * channels
      } bytes ` +
        `with 1, 3 or 4 channels, found ${data.length}`,
    );
  }
  const lines: string[] = [];
  for (let y = 0; y < height; y += 2) {
    let line = "";
    for (let x = 0; x < width; x++) {
      const top = pixel(data, width, channels, x, y);
      const bottom = y + 1 < height
        ? pixel(data, width, channels, x, y + 1)
        : [0, 0, 0] as [number, number, number];
      if (mode === "ascii") {
        const v = (top[0] + top[1] + top[2] + bottom[0] + bottom[1] + bottom[2]) / 6;
        line +=
          ASCII_RAMP[Math.min(ASCII_RAMP.length - 1, Math.floor((v / 256) * ASCII_RAMP.length))];
      } else if (mode === "gray") {
        line += `\x1b[38;5;${grayIndex(top)}m\x1b[48;5;${grayIndex(bottom)}m${UPPER_HALF}`;
      } else {
        line += `\x1b[38;2;${top.join(";")}m\x1b[48;2;${bottom.join(";")}m${UPPER_HALF}`;
      }
    }
    lines.push(mode === "ascii" ? line : line + RESET);
  }
  return lines.join("\n");
}
