/**
 * The interactive page in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core in `_page_probe.ts`): the page loads the shipped generator, a click on a
 * class draws a grid, the grid is not blank, and two classes draw different grids. A
 * screenshot is kept in `runs/artifacts/serve_page.png`.
 */
import assert from "node:assert/strict";
import {
  customGenerator,
  servePage,
  shippedGenerators,
  VENDOR_BUNDLES,
} from "../../tasks/serve.ts";

const hasChromium = await Deno.stat("/usr/bin/chromium").then(() => true, () => false);
const PROBE = new URL("./_page_probe.ts", import.meta.url).pathname;
const ARTIFACTS = new URL("../../runs/artifacts/", import.meta.url).pathname;

interface Canvas {
  width: number;
  height: number;
  mean: number;
  std: number;
  gray: number[];
}

Deno.test({
  name:
    "deno task serve: clicking a class draws a non-blank grid that differs between classes and repeats for the same seed",
  ignore: !hasChromium,
  async fn() {
    const server = servePage({ hostname: "127.0.0.1", port: 0, generators: shippedGenerators() });
    try {
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      const url = `http://127.0.0.1:${server.addr.port}/`;
      const { code, stdout, stderr } = await new Deno.Command("deno", {
        args: ["run", "-A", PROBE, url, `${ARTIFACTS}serve_page.png`],
        env: { NO_COLOR: "1" },
      }).output();
      const err = new TextDecoder().decode(stderr);
      assert.equal(code, 0, err);
      const seen = JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!) as {
        error: string | null;
        backend: string;
        three: Canvas;
        seven: Canvas;
        threeAgain: Canvas;
        status: string;
        errors: string[];
      };
      assert.equal(seen.error, null, seen.errors.join("\n"));
      assert.ok(["webgpu", "webgl", "wasm", "cpu"].includes(seen.backend), seen.backend);
      const { three, seven } = seen;
      assert.deepEqual([three.width, three.height], [8 * 28, 8 * 28]);
      for (const [name, c] of [["3s", three], ["7s", seven]] as const) {
        assert.ok(c.std > 30, `the grid of ${name} is not blank: pixel std ${c.std.toFixed(1)}`);
        assert.ok(c.mean > 5 && c.mean < 200, `mean gray of the ${name} ${c.mean.toFixed(1)}`);
      }
      const differing = three.gray.filter((v, i) => Math.abs(v - seven.gray[i]!) > 64).length;
      assert.ok(
        differing > 0.05 * three.gray.length,
        `classes 3 and 7 draw different grids: ${differing} of ${three.gray.length} pixels differ`,
      );
      assert.match(seen.status, /^class 7, seed 0: 64 samples in \d+ ms on /);
      // The same class and seed (0, the default) draw the same grid again.
      const drift = seen.threeAgain.gray.reduce(
        (m, v, i) => Math.max(m, Math.abs(v - three.gray[i]!)),
        0,
      );
      assert.ok(
        drift <= 1,
        `class 3 at seed 0 drew a different grid the second time (max ${drift})`,
      );
      assert.deepEqual(seen.errors, []);
      await Deno.stat(`${ARTIFACTS}serve_page.png`);
    } finally {
      await server.shutdown();
    }
  },
});

Deno.test("deno task serve serves every script web/index.html loads, from the packages' bundles", async () => {
  const html = await Deno.readTextFile(new URL("../../web/index.html", import.meta.url));
  const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
  assert.deepEqual(
    scripts.filter((s) => s.startsWith("vendor/")),
    VENDOR_BUNDLES.map(([, bundle]) => `vendor/${bundle}`),
    "index.html loads the bundles of VENDOR_BUNDLES, in its order",
  );
  const server = servePage({ hostname: "127.0.0.1", port: 0, generators: [] });
  try {
    for (const script of scripts) {
      const res = await fetch(`http://127.0.0.1:${server.addr.port}/${script}`);
      const body = await res.text();
      assert.equal(res.status, 200, `GET /${script}`);
      assert.match(res.headers.get("content-type") ?? "", /^text\/javascript/, script);
      assert.ok(body.length > 1000, `/${script} holds ${body.length} characters`);
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("deno task serve --weights DIR offers a generator's recorded class names, else --dataset's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgan-serve-" });
  try {
    const metadata = { noise: "normal", classNames: ["daisy", "rose", "tulip"] };
    await Deno.writeTextFile(
      `${dir}/model.json`,
      JSON.stringify({ userDefinedMetadata: metadata }),
    );
    assert.deepEqual((await customGenerator(`${dir}/model.json`, undefined)).classes, [
      "daisy",
      "rose",
      "tulip",
    ]);
    assert.equal((await customGenerator(dir, "fashion")).classes[7], "Sneaker");
    await Deno.writeTextFile(`${dir}/model.json`, "{}");
    assert.equal((await customGenerator(dir, undefined)).classes[3], "3");
    await assert.rejects(
      () => customGenerator(`${dir}/none`, undefined),
      /expected .*\/none\/model.json$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
