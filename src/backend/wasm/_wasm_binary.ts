/**
 * A minimal WebAssembly binary writer for cgan's own SIMD kernels: one module, one exported
 * function, run on tfjs-backend-wasm's heap by importing its memory (`env.memory`), so a kernel
 * reads and writes tensors where they are, without copies. The function body is given as bytes
 * (the opcodes below); this file only frames it (header, type, import, function, export and
 * code sections), following the WebAssembly core specification's binary format.
 *
 * @module
 */

/** Value types of the binary format. */
export const VALTYPE = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;

/** A value type. */
export type ValType = (typeof VALTYPE)[keyof typeof VALTYPE];

/** The opcodes cgan's kernels use (SIMD ones are prefixed by 0xfd and LEB128-encoded). */
export const OP = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  localGet: (i: number) => [0x20, ...uleb(i)],
  localSet: (i: number) => [0x21, ...uleb(i)],
  i32Const: (v: number) => [0x41, ...sleb(v)],
  i32Eqz: [0x45],
  i32GeU: [0x4f],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  i32And: [0x71],
  /** `f32.load` / `f32.store` with alignment hint 4 bytes and offset 0. */
  f32Load: [0x2a, 0x02, 0x00],
  f32Store: [0x38, 0x02, 0x00],
  f32Add: [0x92],
  /** `v128.load` with alignment hint 1 byte and offset 0 (never traps on alignment). */
  v128Load: [0xfd, 0x00, 0x00, 0x00],
  /** `v128.store` with alignment hint 1 byte and offset 0. */
  v128Store: [0xfd, 0x0b, 0x00, 0x00],
  f32x4Splat: [0xfd, 0x13],
  f32x4Sqrt: [0xfd, ...uleb(0xe3)],
  f32x4Add: [0xfd, ...uleb(0xe4)],
  f32x4Sub: [0xfd, ...uleb(0xe5)],
  f32x4Mul: [0xfd, ...uleb(0xe6)],
  f32x4Div: [0xfd, ...uleb(0xe7)],
} as const;

/** Unsigned LEB128 of a non-negative integer below 2^32. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

/** One exported function of a module that imports `env.memory`. */
export interface KernelFunction {
  /** Export name. */
  name: string;
  /** Parameter types, in order. */
  params: ValType[];
  /** Extra locals after the parameters, in order. */
  locals: ValType[];
  /** The body's instructions, without the final `end`. */
  body: number[];
}

/**
 * The binary of a module importing `env.memory` (no maximum, so it accepts tfjs's growable
 * heap) and exporting `fn`, which returns nothing.
 *
 * @param fn The function.
 * @returns The module's bytes.
 */
export function kernelModule(fn: KernelFunction): Uint8Array<ArrayBuffer> {
  const type = [0x60, ...uleb(fn.params.length), ...fn.params, 0x00];
  // Locals as runs of one type, as the format groups them.
  const runs: number[][] = [];
  for (const t of fn.locals) {
    const last = runs.at(-1);
    if (last !== undefined && last[1] === t) last[0]!++;
    else runs.push([1, t]);
  }
  const locals = [...uleb(runs.length), ...runs.flatMap(([n, t]) => [...uleb(n!), t!])];
  const body = [...locals, ...fn.body, ...OP.end];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, ...type]),
    ...section(2, [1, ...name("env"), ...name("memory"), 0x02, 0x00, 0x00]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name(fn.name), 0x00, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}

/**
 * `while (counter < end) { body; counter += step }`, counter and end being i32 locals (an unsigned
 * comparison) and step a constant.
 *
 * @param counter The counter's local index.
 * @param end The local index of the bound.
 * @param step What the counter grows by each time.
 * @param body The loop's instructions (they may not branch out of it).
 * @returns The instructions.
 */
export function loopBelow(counter: number, end: number, step: number, body: number[]): number[] {
  return [
    ...OP.block,
    ...OP.loop,
    ...OP.localGet(counter),
    ...OP.localGet(end),
    ...OP.i32GeU,
    ...OP.brIf(1),
    ...body,
    ...OP.localGet(counter),
    ...OP.i32Const(step),
    ...OP.i32Add,
    ...OP.localSet(counter),
    ...OP.br(0),
    ...OP.end,
    ...OP.end,
  ];
}

/**
 * `while (count != 0) { body; count -= 1 }`, count being an i32 local.
 *
 * @param count The local index of the count.
 * @param body The loop's instructions.
 * @returns The instructions.
 */
export function loopTimes(count: number, body: number[]): number[] {
  return [
    ...OP.block,
    ...OP.loop,
    ...OP.localGet(count),
    ...OP.i32Eqz,
    ...OP.brIf(1),
    ...body,
    ...OP.localGet(count),
    ...OP.i32Const(1),
    ...OP.i32Sub,
    ...OP.localSet(count),
    ...OP.br(0),
    ...OP.end,
    ...OP.end,
  ];
}

/**
 * The exported functions of kernel modules instantiated on `memory`, or null where the engine
 * rejects one of them (no SIMD). Each module is validated and compiled once per call.
 *
 * @param memory The memory the modules import as `env.memory`.
 * @param modules Module bytes and the name of each one's function.
 * @returns The functions, in order, or null.
 */
export function instantiateOn(
  memory: WebAssembly.Memory,
  modules: [Uint8Array<ArrayBuffer>, string][],
): ((...args: number[]) => void)[] | null {
  if (!modules.every(([bytes]) => WebAssembly.validate(bytes))) return null;
  return modules.map(([bytes, name]) =>
    new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } })
      .exports[name] as (...args: number[]) => void
  );
}
