import assert from "node:assert/strict";
import { parseBackendName, planBackends, probeAdapter } from "../../src/backend/mod.ts";

/** A minimal stand-in for `navigator.gpu` returning an adapter with the given info. */
function fakeGpu(info: Partial<GPUAdapterInfo> & { isFallbackAdapter?: boolean } | null): GPU {
  const adapter = info === null
    ? null
    : ({ info, features: new Set(), limits: {} } as unknown as GPUAdapter);
  return { requestAdapter: () => Promise.resolve(adapter) } as unknown as GPU;
}

Deno.test("the picker chooses WASM when the adapter is a fallback one", async () => {
  const probe = await probeAdapter(fakeGpu({ description: "Some GPU", isFallbackAdapter: true }));
  assert.equal(probe.isSoftware, true);
  assert.deepEqual(planBackends(undefined, probe).order, ["wasm", "cpu"]);
});

Deno.test("the picker recognises llvmpipe, lavapipe and SwiftShader by name", async () => {
  for (
    const description of ["llvmpipe (LLVM 15.0.6, 256 bits)", "Lavapipe", "SwiftShader Device"]
  ) {
    const probe = await probeAdapter(fakeGpu({ description, isFallbackAdapter: false }));
    assert.deepEqual(planBackends(undefined, probe).order, ["wasm", "cpu"], description);
  }
});

Deno.test("the picker puts WebGPU first on a real GPU adapter", async () => {
  const probe = await probeAdapter(
    fakeGpu({ vendor: "nvidia", description: "NVIDIA H100", isFallbackAdapter: false }),
  );
  assert.equal(probe.isSoftware, false);
  const plan = planBackends(undefined, probe);
  assert.deepEqual(plan.order, ["webgpu", "wasm", "cpu"]);
  assert.match(probe.description, /NVIDIA H100/);
});

Deno.test("the picker survives a missing or throwing navigator.gpu", async () => {
  assert.deepEqual(planBackends(undefined, await probeAdapter(undefined)).order, ["wasm", "cpu"]);
  assert.deepEqual(planBackends(undefined, await probeAdapter(fakeGpu(null))).order, [
    "wasm",
    "cpu",
  ]);
  const throwing = { requestAdapter: () => Promise.reject(new Error("boom")) } as unknown as GPU;
  const probe = await probeAdapter(throwing);
  assert.match(probe.reason ?? "", /boom/);
  assert.deepEqual(planBackends(undefined, probe).order, ["wasm", "cpu"]);
});

Deno.test("an explicit backend is the only one tried", async () => {
  const probe = await probeAdapter(fakeGpu({ description: "NVIDIA H100" }));
  assert.deepEqual(planBackends("cpu", probe).order, ["cpu"]);
});

Deno.test("parseBackendName() accepts auto/names and rejects others naming the source", () => {
  assert.equal(parseBackendName("auto", "--backend"), undefined);
  assert.equal(parseBackendName(undefined, "--backend"), undefined);
  assert.equal(parseBackendName("webgpu", "--backend"), "webgpu");
  assert.throws(
    () => parseBackendName("gpu", "CGAN_BACKEND"),
    /CGAN_BACKEND "gpu": expected one of/,
  );
});
