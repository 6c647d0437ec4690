/**
 * Content hashes for data verification and for naming shipped weights.
 *
 * @module
 */

/**
 * The SHA-256 of `bytes` as lower-case hex.
 *
 * @param bytes Any bytes.
 * @returns 64 hex digits.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "./hash.ts";
 * console.log(await sha256Hex(new Uint8Array())); // "e3b0c442...b855"
 * ```
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
