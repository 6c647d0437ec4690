import assert from "node:assert/strict";
import { renderImage, terminalMode } from "../../src/io/terminal.ts";

Deno.test("terminalMode() uses ASCII without a terminal or with NO_COLOR, 24-bit when COLORTERM says so", () => {
  assert.equal(terminalMode({ isTerminal: false, colorTerm: "truecolor" }), "ascii");
  assert.equal(terminalMode({ isTerminal: true, noColor: "1" }), "ascii");
  assert.equal(terminalMode({ isTerminal: true, colorTerm: "truecolor" }), "truecolor");
  assert.equal(terminalMode({ isTerminal: true }), "gray");
});

Deno.test("renderImage() packs two pixel rows per line, dark to light in ASCII", () => {
  // 2x4 gray: rows 0-1 black, rows 2-3 white.
  const img = new Uint8Array([0, 0, 0, 0, 255, 255, 255, 255]);
  assert.equal(renderImage(img, 2, 4, 1, "ascii"), "  \n@@");
});

Deno.test("renderImage() draws upper half blocks with top as foreground, bottom as background", () => {
  const img = new Uint8Array([255, 0, 0, 0, 0, 255]); // 1x2 RGB: red over blue
  assert.equal(
    renderImage(img, 1, 2, 3, "truecolor"),
    "\x1b[38;2;255;0;0m\x1b[48;2;0;0;255m\u2580\x1b[0m",
  );
  const gray = renderImage(new Uint8Array([0, 255]), 1, 2, 1, "gray");
  assert.equal(gray, "\x1b[38;5;232m\x1b[48;5;255m\u2580\x1b[0m");
});

Deno.test("renderImage() handles an odd height and rejects a wrong buffer size", () => {
  assert.equal(
    renderImage(new Uint8Array([255, 255, 255]), 1, 3, 1, "ascii").split("\n").length,
    2,
  );
  assert.throws(() => renderImage(new Uint8Array(5), 2, 2, 1, "ascii"), /expected 2x2x1 = 4 bytes/);
});
