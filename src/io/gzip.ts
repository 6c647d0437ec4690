/**
 * Gzip decompression with the web `DecompressionStream`, for compressed dataset files.
 *
 * @module
 */

/**
 * Decompresses gzip bytes.
 *
 * @param bytes The compressed bytes.
 * @param what What is being read, for the error, e.g. `IDX file "x.gz"`.
 * @returns The decompressed bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gunzip } from "./gzip.ts";
 * const gz = new Uint8Array(await new Response(
 *   new Blob([new Uint8Array([1, 2, 3])]).stream().pipeThrough(new CompressionStream("gzip")),
 * ).arrayBuffer());
 * assert.deepEqual(await gunzip(gz, "example"), new Uint8Array([1, 2, 3]));
 * ```
 */
export async function gunzip(bytes: Uint8Array, what: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
      new DecompressionStream("gzip"),
    );
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (err) {
    throw new Error(`Cannot decompress ${what}: ${(err as Error).message}`);
  }
}
