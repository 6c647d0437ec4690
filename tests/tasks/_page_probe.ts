/**
 * Drives the served page in headless Chromium (playwright-core) and prints what it saw as one
 * JSON line: the backend, two classes' canvases (size, mean, spread, gray values), the status
 * line and page errors. Run as a subprocess with -A by `serve_test.ts`: playwright reads
 * /proc, which Deno grants only with all permissions.
 *
 * Usage: deno run -A tests/tasks/_page_probe.ts URL SCREENSHOT.png
 */
import { chromium } from "playwright-core";

const [url, screenshot] = Deno.args;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
try {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto(url!);
  await page.waitForSelector("body[data-ready], body[data-error]", { timeout: 60_000 });
  const error = await page.getAttribute("body", "data-error");
  const backend = await page.getAttribute("body", "data-ready");
  const drawClass = async (label: number) => {
    await page.click(`#classes button[data-label="${label}"]`);
    await page.waitForSelector(`body[data-drawn$=":${label}:0:8"]`, { timeout: 60_000 });
    // Runs in the page (a string: this file is type-checked without the DOM library).
    return await page.evaluate(`(() => {
      const canvas = document.getElementById("grid");
      const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      const gray = Array.from({ length: data.length / 4 }, (_, i) => data[4 * i]);
      const mean = gray.reduce((a, v) => a + v, 0) / gray.length;
      const std = Math.sqrt(gray.reduce((a, v) => a + (v - mean) ** 2, 0) / gray.length);
      return { width: canvas.width, height: canvas.height, mean, std, gray };
    })()`);
  };
  const result: Record<string, unknown> = { error, backend };
  if (error === null) {
    result.three = await drawClass(3);
    await page.screenshot({ path: screenshot!, fullPage: true });
    result.seven = await drawClass(7);
    result.status = await page.textContent("#status");
    result.threeAgain = await drawClass(3);
  }
  result.errors = errors;
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
}
