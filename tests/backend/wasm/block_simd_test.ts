import assert from "node:assert/strict";
import {
  BLOCK_ADD_MODULE,
  BLOCK_COPY_MODULE,
  blockOps,
  SCALAR_BLOCK_OPS,
} from "../../../src/backend/wasm/block_simd.ts";

/** A one-page memory of pseudo-random floats. */
function filled(seed: number): { memory: WebAssembly.Memory; heap: Float32Array } {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const heap = new Float32Array(memory.buffer);
  let s = seed;
  for (let i = 0; i < heap.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    heap[i] = (s / 2147483648) * 2 - 1;
  }
  return { memory, heap };
}

Deno.test("the block move modules validate on this engine", () => {
  assert.ok(WebAssembly.validate(BLOCK_ADD_MODULE));
  assert.ok(WebAssembly.validate(BLOCK_COPY_MODULE));
});

Deno.test("SIMD block add and copy give the scalar loops' bits and write only their runs", () => {
  // Runs of 0 to 37 floats (SIMD part and tail), odd offsets (unaligned), strides longer and
  // shorter than a run's footprint in the other operand.
  for (const op of ["add", "copy"] as const) {
    for (const cols of [0, 1, 3, 4, 5, 16, 37]) {
      for (const [rows, ds, ss] of [[0, 40, 40], [1, 40, 50], [5, 41, 37], [7, 96, 38]] as const) {
        const a = filled(cols * 31 + rows);
        const b = filled(cols * 31 + rows);
        const [dst, src] = [3, 8001];
        blockOps(a.memory)[op](a.heap, dst, ds, src, ss, rows, cols);
        SCALAR_BLOCK_OPS[op](b.heap, dst, ds, src, ss, rows, cols);
        assert.deepEqual(a.heap.subarray(0, 8000), b.heap.subarray(0, 8000), `${op} ${cols}`);
        // Against the definition: every written float is the source's (plus the old value).
        const fresh = filled(cols * 31 + rows);
        for (let r = 0; r < rows; r++) {
          for (let k = 0; k < cols; k++) {
            const want = Math.fround(
              (op === "add" ? fresh.heap[dst + r * ds + k]! : 0) + fresh.heap[src + r * ss + k]!,
            );
            assert.equal(a.heap[dst + r * ds + k], want);
          }
          // The gap after a run is untouched.
          if (cols < ds) {
            assert.equal(a.heap[dst + r * ds + cols], fresh.heap[dst + r * ds + cols]);
          }
        }
      }
    }
  }
});

Deno.test("block moves over planes: each plane's runs from its own offsets, zeroing from a stride-0 source", () => {
  for (const op of ["add", "copy"] as const) {
    for (const [planes, dp, sp] of [[0, 300, 200], [1, 0, 0], [3, 300, 211], [4, 97, 0]] as const) {
      const [rows, ds, ss, cols] = [5, 19, 23, 17];
      const a = filled(planes * 7 + dp);
      const b = filled(planes * 7 + dp);
      const [dst, src] = [3, 8001];
      blockOps(a.memory)[op](a.heap, dst, ds, src, ss, rows, cols, planes, dp, sp);
      SCALAR_BLOCK_OPS[op](b.heap, dst, ds, src, ss, rows, cols, planes, dp, sp);
      assert.deepEqual(a.heap.subarray(0, 8000), b.heap.subarray(0, 8000), `${op} ${planes}`);
      // The same as one 2-D move per plane.
      const c = filled(planes * 7 + dp);
      for (let p = 0; p < planes; p++) {
        SCALAR_BLOCK_OPS[op](c.heap, dst + p * dp, ds, src + p * sp, ss, rows, cols);
      }
      assert.deepEqual(a.heap, c.heap, `${op} ${planes} planes vs one call per plane`);
    }
  }
  // Zeroing: one zero run copied over strided cells (im2col's padding).
  const z = filled(5);
  z.heap.fill(0, 9000, 9016);
  blockOps(z.memory).copy(z.heap, 10, 40, 9000, 0, 6, 16, 2, 1000, 0);
  for (const p of [0, 1]) {
    for (let r = 0; r < 6; r++) {
      const from = 10 + p * 1000 + r * 40;
      assert.deepEqual([...z.heap.subarray(from, from + 16)], Array(16).fill(0));
      assert.notEqual(z.heap[from + 16], 0);
    }
  }
});

Deno.test("blockOps() caches the moves per memory and falls back to the scalar loops without one", () => {
  const { memory } = filled(1);
  assert.equal(blockOps(memory), blockOps(memory));
  assert.equal(blockOps(undefined), SCALAR_BLOCK_OPS);
});
