/**
 * Downloads a file as bytes, reporting progress as its chunks arrive: the Train panel fetches
 * the server's training data (MNIST's 47 MB of images) with a progress bar.
 *
 * @module
 */

/**
 * Fetches `url` into memory, calling `onProgress(received, total)` after each chunk (`total`
 * from the response's Content-Length, 0 when the server sends none).
 *
 * @param url The file's address.
 * @param onProgress Told the bytes received so far and the expected total.
 * @returns The file's bytes.
 * @throws {Error} Naming the address, when the server answers with an error status.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fetchBytes } from "./fetch_bytes.ts";
 * const server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => new Response(new Uint8Array(5000)),
 * );
 * const seen: number[] = [];
 * const bytes = await fetchBytes(`http://127.0.0.1:${server.addr.port}/`, (n, total) => {
 *   seen.push(n);
 *   assert.equal(total, 5000);
 * });
 * assert.equal(bytes.length, 5000);
 * assert.equal(seen.at(-1), 5000);
 * await server.shutdown();
 * ```
 */
export async function fetchBytes(
  url: string,
  onProgress: (received: number, total: number) => void,
): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new Error(`Cannot fetch "${url}": the server answered ${response.status}`);
  }
  const total = Number(response.headers.get("content-length") ?? 0);
  const chunks: Uint8Array[] = [];
  let received = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onProgress(received, total);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}
