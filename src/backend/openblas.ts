/**
 * OpenBLAS through Deno's FFI: the one native routine cgan calls, `cblas_sgemm`, found at run
 * time and optional. It needs `--allow-ffi` and a `libopenblas` on the machine (Debian:
 * `apt install libopenblas0-pthread`); without either, {@linkcode loadOpenBlas} says why and the
 * caller stays on plain WASM.
 *
 * OpenBLAS picks its kernels from the CPU model at load time. On virtual CPUs it does not
 * recognise (this project's CI reports "Intel(R) Xeon(R) Processor") Debian's 0.3.21 falls back
 * to its `Prescott` (SSE3) kernels: 25 GFLOP/s where the AVX-512 ones give 140 per core. So
 * unless `OPENBLAS_CORETYPE` is set already, it is set from the CPU flags in /proc/cpuinfo
 * before the library is opened (Deno reads /proc/cpuinfo only with `-A`; otherwise libc reads
 * it through the FFI, which `--allow-ffi` already trusts with everything).
 *
 * @module
 */

/** Where `libopenblas` is looked for, in order, after `CGAN_OPENBLAS`. */
export const OPENBLAS_CANDIDATES: readonly string[] = [
  "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "/usr/lib/aarch64-linux-gnu/openblas-pthread/libopenblas.so.0",
  "libopenblas.so.0",
  "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
  "/usr/local/opt/openblas/lib/libopenblas.dylib",
];

/** Row-major storage (`CblasRowMajor`). */
const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

const SYMBOLS = {
  cblas_sgemm: {
    parameters: [
      "i32", // order
      "i32", // transA
      "i32", // transB
      "i32", // M
      "i32", // N
      "i32", // K
      "f32", // alpha
      "buffer", // A
      "i32", // lda
      "buffer", // B
      "i32", // ldb
      "f32", // beta
      "buffer", // C
      "i32", // ldc
    ],
    result: "void",
  },
  openblas_get_num_threads: { parameters: [], result: "i32" },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  openblas_get_corename: { parameters: [], result: "pointer" },
} as const;

/**
 * Single-precision matrix product on row-major matrices:
 * `C = alpha * op(A) * op(B) + beta * C`, with op(A) `[m, k]`, op(B) `[k, n]` and C `[m, n]`.
 */
export interface Sgemm {
  (
    transA: boolean,
    transB: boolean,
    m: number,
    n: number,
    k: number,
    alpha: number,
    a: Float32Array,
    lda: number,
    b: Float32Array,
    ldb: number,
    beta: number,
    c: Float32Array,
    ldc: number,
  ): void;
}

/** An opened OpenBLAS. */
export interface OpenBlas {
  /** `cblas_sgemm`, row-major. */
  sgemm: Sgemm;
  /** The file that was opened. */
  path: string;
  /** The kernel family OpenBLAS uses, e.g. "SkylakeX". */
  core: string;
  /** Threads OpenBLAS runs a product on. */
  threads: number;
}

/** Why OpenBLAS is not in use. */
export interface OpenBlasMissing {
  /** One line, e.g. "no --allow-ffi". */
  reason: string;
}

/** Options for {@linkcode loadOpenBlas}. */
export interface LoadOpenBlasOptions {
  /**
   * An explicit library path; otherwise `CGAN_OPENBLAS` (a path, or "off" for none), then
   * {@linkcode OPENBLAS_CANDIDATES}.
   */
  path?: string | undefined;
  /** Threads to run on; default: what OpenBLAS chose (its `OPENBLAS_NUM_THREADS`, or all cores). */
  threads?: number | undefined;
}

/**
 * The `OPENBLAS_CORETYPE` for a CPU with these /proc/cpuinfo flags, or undefined to leave the
 * choice to OpenBLAS.
 *
 * @param flags The words of a `flags` line of /proc/cpuinfo.
 * @returns "SkylakeX" with AVX-512 (F, BW, DQ, VL), "Haswell" with AVX2 and FMA, else undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { coreTypeFor } from "./openblas.ts";
 * assert.equal(coreTypeFor(["sse2", "avx2", "fma"]), "Haswell");
 * ```
 */
export function coreTypeFor(flags: readonly string[]): string | undefined {
  const has = new Set(flags);
  if (["avx512f", "avx512bw", "avx512dq", "avx512vl"].every((f) => has.has(f))) return "SkylakeX";
  if (has.has("avx2") && has.has("fma")) return "Haswell";
  return undefined;
}

/** /proc/cpuinfo, read by Deno where allowed (`-A`), else by libc through the FFI. */
function readCpuInfo(): string {
  try {
    return Deno.readTextFileSync("/proc/cpuinfo");
  } catch {
    // Deno wants all permissions for /proc/cpuinfo; with --allow-ffi, libc can read it.
    const libc = Deno.dlopen("libc.so.6", {
      open: { parameters: ["buffer", "i32"], result: "i32" },
      read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
      close: { parameters: ["i32"], result: "i32" },
    });
    try {
      const fd = libc.symbols.open(new TextEncoder().encode("/proc/cpuinfo\0"), 0);
      if (fd < 0) return "";
      const chunks: Uint8Array[] = [];
      const buf = new Uint8Array(1 << 16);
      for (let n = libc.symbols.read(fd, buf, BigInt(buf.length)); n > 0;) {
        chunks.push(buf.slice(0, Number(n)));
        n = libc.symbols.read(fd, buf, BigInt(buf.length));
      }
      libc.symbols.close(fd);
      const bytes = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
      chunks.reduce((at, c) => (bytes.set(c, at), at + c.length), 0);
      return new TextDecoder().decode(bytes);
    } finally {
      libc.close();
    }
  }
}

/** The CPU's feature flags (first `flags` line of /proc/cpuinfo), or [] where there is none. */
function cpuFlags(): string[] {
  if (Deno.build.os !== "linux") return [];
  try {
    const line = readCpuInfo().split("\n").find((l) => l.startsWith("flags"));
    return line === undefined ? [] : line.slice(line.indexOf(":") + 1).trim().split(/\s+/);
  } catch {
    return [];
  }
}

function granted(name: "ffi" | "env"): boolean {
  try {
    return Deno.permissions.querySync({ name }).state === "granted";
  } catch {
    return false;
  }
}

function envVar(name: string): string | undefined {
  return granted("env") ? Deno.env.get(name) : undefined;
}

/** Sets `OPENBLAS_CORETYPE` from the CPU flags unless it is set (or cannot be). */
function chooseCoreType(): void {
  if (!granted("env") || Deno.env.get("OPENBLAS_CORETYPE") !== undefined) return;
  const core = coreTypeFor(cpuFlags());
  if (core !== undefined) Deno.env.set("OPENBLAS_CORETYPE", core);
}

let opened: OpenBlas | undefined;
let setThreads: ((n: number) => void) | undefined;

/** What the sgemm calls cost since {@linkcode startSgemmTiming}: calls, milliseconds, flops. */
export interface SgemmTiming {
  /** sgemm calls. */
  calls: number;
  /** Wall milliseconds inside them. */
  ms: number;
  /** Floating-point operations they did (2mnk each). */
  flops: number;
}

let timing: SgemmTiming | undefined;

/**
 * Starts timing every sgemm call (for `deno task bench --profile`: how much of a step is
 * OpenBLAS and how much the JS around it); {@linkcode stopSgemmTiming} returns the totals.
 *
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startSgemmTiming, stopSgemmTiming } from "@cgan/cgan/internal";
 * startSgemmTiming();
 * assert.deepEqual(stopSgemmTiming(), { calls: 0, ms: 0, flops: 0 }); // nothing ran between
 * ```
 */
export function startSgemmTiming(): void {
  timing = { calls: 0, ms: 0, flops: 0 };
}

/**
 * Stops timing sgemm calls.
 *
 * @returns The totals since {@linkcode startSgemmTiming} (zeros if it was not started).
 */
export function stopSgemmTiming(): SgemmTiming {
  const totals = timing ?? { calls: 0, ms: 0, flops: 0 };
  timing = undefined;
  return totals;
}

/**
 * Opens OpenBLAS once per process (later calls return the same library and only change the
 * thread count). Never throws for a missing library or permission: it returns why instead.
 *
 * @param options Library path and thread count.
 * @returns The library, or why it cannot be used.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadOpenBlas } from "./openblas.ts";
 * const blas = loadOpenBlas();
 * if ("sgemm" in blas) {
 *   const c = new Float32Array(1);
 *   blas.sgemm(false, false, 1, 1, 2, 1, new Float32Array([1, 2]), 2, new Float32Array([3, 4]), 1, 0, c, 1);
 *   assert.equal(c[0], 11); // [1, 2] . [3, 4]
 * } else {
 *   console.log(blas.reason);
 * }
 * ```
 */
export function loadOpenBlas(options: LoadOpenBlasOptions = {}): OpenBlas | OpenBlasMissing {
  if (envVar("CGAN_OPENBLAS") === "off") return { reason: "OpenBLAS off: CGAN_OPENBLAS=off" };
  if (opened === undefined) {
    if (!granted("ffi")) return { reason: "no --allow-ffi" };
    chooseCoreType();
    const explicit = options.path ?? envVar("CGAN_OPENBLAS");
    const candidates = explicit !== undefined ? [explicit] : OPENBLAS_CANDIDATES;
    const failures: string[] = [];
    for (const path of candidates) {
      try {
        const lib = Deno.dlopen(path, SYMBOLS);
        const { symbols } = lib;
        const call: Sgemm = (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) =>
          symbols.cblas_sgemm(
            ROW_MAJOR,
            ta ? TRANS : NO_TRANS,
            tb ? TRANS : NO_TRANS,
            m,
            n,
            k,
            alpha,
            a,
            lda,
            b,
            ldb,
            beta,
            c,
            ldc,
          );
        const sgemm: Sgemm = (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) => {
          if (timing === undefined) {
            return call(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
          }
          const t0 = performance.now();
          call(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
          timing.ms += performance.now() - t0;
          timing.calls++;
          timing.flops += 2 * m * n * k;
        };
        const name = symbols.openblas_get_corename();
        const core = name === null ? "unknown" : Deno.UnsafePointerView.getCString(name);
        opened = { sgemm, path, core, threads: symbols.openblas_get_num_threads() };
        setThreads = (n) => symbols.openblas_set_num_threads(n);
        break;
      } catch (err) {
        failures.push(`${path}: ${err instanceof Error ? err.message.split("\n")[0] : err}`);
      }
    }
    if (opened === undefined) {
      const where = explicit !== undefined ? `CGAN_OPENBLAS=${explicit}` : "the usual paths";
      return { reason: `no libopenblas at ${where} (${failures[0] ?? "none tried"})` };
    }
  }
  if (options.threads !== undefined && options.threads !== opened.threads) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new RangeError(
        `Invalid OpenBLAS thread count ${options.threads}: expected an integer >= 1`,
      );
    }
    setThreads?.(options.threads);
    opened.threads = options.threads;
  }
  return opened;
}
