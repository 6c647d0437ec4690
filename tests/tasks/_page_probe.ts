/**
 * Drives the served page in headless Chromium (playwright-core) through a plan of steps and
 * prints what it saw as one JSON line: for each `read` step the URL hash, the controls, the
 * status line and the canvas (size, gray values), for each `download` the saved file, plus the
 * backend and the page's errors. Run as a subprocess with -A by `serve_test.ts`: playwright
 * reads /proc, which Deno grants only with all permissions.
 *
 * Steps (JSON): `{ "do": "open", "hash": "#..." }` opens a new tab at the URL (and hash);
 * `{ "do": "click", "selector": "..." }` and `{ "do": "select", "selector": "...", "value":
 * "..." }` act, `{ "do": "hash", "hash": "#..." }` sets the address's hash, `{ "do": "reload" }`
 * reloads: each waits for the drawing it causes. `{ "do": "read", "name": "..." }`,
 * `{ "do": "download", "name": "...", "path": "..." }`, `{ "do": "screenshot", "path": "..." }`.
 * For the Train and run panels, which do not draw in the explorer: `{ "do": "press",
 * "selector": "..." }` clicks without waiting, `{ "do": "fill", "selector": "...", "value":
 * "..." }` types a value, `{ "do": "wait", "until": "<JS expression>" }` waits until it is true,
 * `{ "do": "sleep", "ms": N }`, `{ "do": "eval", "name": "...", "expr": "<JS expression>" }`
 * keeps the expression's value, `{ "do": "canvas", "name": "...", "selector": "..." }` keeps a
 * canvas's size and gray values, and `{ "do": "downloads", "name": "...", "selector": "...",
 * "count": N, "dir": "..." }` clicks and saves the N files it downloads into `dir` under their
 * suggested names. `{ "do": "touch", "path": "..." }` writes an empty file, to tell the test
 * the plan got there. Any step may set `"timeout"` in ms (default 60 s).
 *
 * Usage: deno run -A tests/tasks/_page_probe.ts URL PLAN.json
 */
import { chromium, type Page } from "playwright-core";

/** One step of the plan. */
interface Step {
  do:
    | "open"
    | "click"
    | "select"
    | "hash"
    | "reload"
    | "read"
    | "download"
    | "screenshot"
    | "press"
    | "fill"
    | "wait"
    | "sleep"
    | "eval"
    | "canvas"
    | "downloads"
    | "touch";
  hash?: string;
  selector?: string;
  value?: string;
  name?: string;
  path?: string;
  until?: string;
  expr?: string;
  ms?: number;
  count?: number;
  dir?: string;
  timeout?: number;
}

const [url, planFile] = Deno.args;
const plan: Step[] = JSON.parse(await Deno.readTextFile(planFile!));
const TIMEOUT = 60_000;

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
const result: Record<string, unknown> = { backend: null, error: null };
const errors: string[] = [];
let page: Page | undefined;

/** The page's drawing count (body[data-draws]). */
async function draws(p: Page): Promise<number> {
  return Number(await p.getAttribute("body", "data-draws") ?? 0);
}

/** Runs `act`, then waits until the page drew again (or reported an error). */
async function drawnAfter(p: Page, act: () => Promise<unknown>): Promise<void> {
  const before = await draws(p);
  await act();
  await p.waitForFunction(
    `Number(document.body.dataset.draws ?? 0) > ${before} || document.body.dataset.error`,
    undefined,
    { timeout: TIMEOUT },
  );
}

/** A canvas's size and gray values (its red channel). */
function canvas(p: Page, selector: string): Promise<unknown> {
  return p.evaluate(`(() => {
    const canvas = document.querySelector(${JSON.stringify(selector)});
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    return {
      width: canvas.width,
      height: canvas.height,
      gray: Array.from({ length: data.length / 4 }, (_, i) => data[4 * i]),
    };
  })()`);
}

/** What the page shows: its hash, controls, status and the canvas's gray values. */
function read(p: Page): Promise<unknown> {
  // Runs in the page (a string: this file is type-checked without the DOM library).
  return p.evaluate(`(() => {
    const canvas = document.getElementById("grid");
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    const value = (id) => document.getElementById(id).value;
    const pressed = document.querySelector('#classes button[aria-pressed="true"]');
    return {
      hash: location.hash,
      drawn: document.body.dataset.drawn,
      controls: {
        gen: value("generator"), view: value("view"), seed: value("seed"), to: value("to"),
        n: value("n"), class: pressed === null ? null : pressed.dataset.label,
      },
      about: document.getElementById("about").textContent,
      status: document.getElementById("status").textContent,
      canvas: {
        width: canvas.width,
        height: canvas.height,
        gray: Array.from({ length: data.length / 4 }, (_, i) => data[4 * i]),
      },
    };
  })()`);
}

const timings: string[] = [];
try {
  for (const step of plan) {
    if (result.error !== null) break;
    const t0 = performance.now();
    const timeout = step.timeout ?? TIMEOUT;
    if (step.do === "open") {
      page = await browser.newPage();
      page.on("pageerror", (err) => errors.push(err.message));
      await page.goto(`${url}${step.hash ?? ""}`);
      await page.waitForSelector("body[data-drawn], body[data-error]", { timeout: TIMEOUT });
      result.backend = await page.getAttribute("body", "data-ready");
    } else if (page === undefined) {
      throw new Error(`Cannot ${step.do} before the first "open" step`);
    } else if (step.do === "click") {
      await drawnAfter(page, () => page!.click(step.selector!));
    } else if (step.do === "select") {
      await drawnAfter(page, () => page!.selectOption(step.selector!, step.value!));
    } else if (step.do === "hash") {
      await drawnAfter(page, () => page!.evaluate(`location.hash = ${JSON.stringify(step.hash)}`));
    } else if (step.do === "reload") {
      await page.reload();
      await page.waitForSelector("body[data-drawn], body[data-error]", { timeout: TIMEOUT });
    } else if (step.do === "read") {
      result[step.name!] = await read(page);
    } else if (step.do === "download") {
      const [download] = await Promise.all([
        page.waitForEvent("download", { timeout: TIMEOUT }),
        page.click("#download"),
      ]);
      await download.saveAs(step.path!);
      result[step.name!] = { file: download.suggestedFilename(), path: step.path };
    } else if (step.do === "screenshot") {
      await page.screenshot({ path: step.path!, fullPage: true });
    } else if (step.do === "press") {
      await page.click(step.selector!, { timeout });
    } else if (step.do === "fill") {
      await page.fill(step.selector!, step.value!, { timeout });
    } else if (step.do === "wait") {
      await page.waitForFunction(step.until!, undefined, { timeout, polling: 100 });
    } else if (step.do === "sleep") {
      await new Promise((resolve) => setTimeout(resolve, step.ms ?? 1000));
    } else if (step.do === "eval") {
      result[step.name!] = await page.evaluate(step.expr!);
    } else if (step.do === "canvas") {
      result[step.name!] = await canvas(page, step.selector!);
    } else if (step.do === "touch") {
      await Deno.writeTextFile(step.path!, "");
    } else if (step.do === "downloads") {
      const files: string[] = [];
      const all = new Promise<void>((resolve) => {
        page!.on("download", async (download) => {
          const path = `${step.dir}/${download.suggestedFilename()}`;
          await download.saveAs(path);
          files.push(path);
          if (files.length === step.count) resolve();
        });
      });
      await page.click(step.selector!, { timeout });
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        all,
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Cannot see ${step.count} downloads`)),
            timeout,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      page.removeAllListeners("download");
      result[step.name!] = files.sort();
    }
    result.error = await page?.getAttribute("body", "data-error") ?? null;
    timings.push(
      `${step.do} ${step.name ?? step.hash ?? step.selector ?? step.until ?? ""}: ${
        Math.round(performance.now() - t0)
      } ms`,
    );
  }
} finally {
  result.errors = errors;
  result.timings = timings;
  console.log(JSON.stringify(result));
  await browser.close();
}
