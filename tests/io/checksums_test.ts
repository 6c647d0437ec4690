import assert from "node:assert/strict";
import { CHECKSUMS_FILE, verifyChecksums, writeChecksums } from "../../src/io/checksums.ts";

Deno.test("verifyChecksums() names a file changed at the same size, a missing one, and nothing when all match", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cgan-sums-" });
  try {
    await Deno.mkdir(`${dir}/gen`);
    await Deno.writeFile(`${dir}/gen/weights.bin`, new Uint8Array(64).fill(7));
    await Deno.writeTextFile(`${dir}/state.json`, '{"step":1}');
    const { sha256 } = await writeChecksums(dir);
    assert.deepEqual(Object.keys(sha256), ["gen/weights.bin", "state.json"]);
    assert.deepEqual(await verifyChecksums(dir), []);

    const bytes = await Deno.readFile(`${dir}/gen/weights.bin`);
    bytes[17]! ^= 0x01; // one bit, same size
    await Deno.writeFile(`${dir}/gen/weights.bin`, bytes);
    const bad = await verifyChecksums(dir);
    assert.deepEqual(bad?.map((b) => [b.path, b.expected]), [
      [`${dir}/gen/weights.bin`, sha256["gen/weights.bin"]],
    ]);
    assert.notEqual(bad?.[0]?.found, sha256["gen/weights.bin"]);
    assert.deepEqual(await verifyChecksums(dir, { under: "state" }), [], "only the files asked");

    await Deno.remove(`${dir}/state.json`);
    assert.equal((await verifyChecksums(dir, { under: "state" }))?.[0]?.found, "missing");

    await Deno.writeTextFile(`${dir}/${CHECKSUMS_FILE}`, "{");
    await assert.rejects(() => verifyChecksums(dir), SyntaxError);
    await Deno.remove(`${dir}/${CHECKSUMS_FILE}`);
    assert.equal(await verifyChecksums(dir), null, "no manifest: nothing to check against");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
