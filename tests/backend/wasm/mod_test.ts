import assert from "node:assert/strict";
import * as tf from "../../../src/_tf.ts";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { registerWasmKernelFixes } from "../../../src/backend/wasm/mod.ts";
import { useBlas } from "../../../src/backend/wasm/blas/mod.ts";
import { assertMatchesCpu, kernelSuite } from "./_kernel_suite.ts";

setWasmPaths(new URL("./", import.meta.resolve("@tensorflow/tfjs-backend-wasm")).pathname);
tf.env().set("PROD", true);
await tf.setBackend("wasm");
const STOCK_BATCH_MAT_MUL = tf.getKernel("BatchMatMul", "wasm")?.kernelFunc;
registerWasmKernelFixes();

Deno.test("registerWasmKernelFixes() is idempotent and keeps the stock matmul reachable", async () => {
  const before = tf.getKernel("BatchMatMul", "wasm")?.kernelFunc;
  assert.notEqual(before, STOCK_BATCH_MAT_MUL);
  registerWasmKernelFixes();
  assert.equal(tf.getKernel("BatchMatMul", "wasm")?.kernelFunc, before);
  assert.ok(tf.getKernel("Conv2DBackpropFilter", "wasm") !== undefined);
  // A transposed matmul after re-registration must not recurse into itself.
  await assertMatchesCpu(
    "matmul after re-registration",
    [[6, 5], [4, 6]],
    (a, b) => tf.matMul(a!, b!, true, true),
  );
});

// The wasm implementations alone (OpenBLAS off): blas/mod_test.ts runs the same checks on it.
kernelSuite({ label: "wasm", before: () => useBlas(undefined) });
