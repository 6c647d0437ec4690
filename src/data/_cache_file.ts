/**
 * A checksummed byte array on disk with a JSON header: the decoded-images cache of a folder
 * dataset. Layout: the magic line `CGAN-CACHE 1\n`, the header's length (uint32, little
 * endian), the header (UTF-8 JSON, holding `payloadBytes` and `payloadSha256`), then the
 * payload. Written atomically, so a reader sees a whole old file or a whole new one.
 *
 * @module
 */
import { writeFileAtomic } from "../io/atomic.ts";
import { sha256Hex } from "../io/hash.ts";

const MAGIC = new TextEncoder().encode("CGAN-CACHE 1\n");

/** The header fields every cache file has; callers add their own. */
export interface CacheHeader {
  /** Length of the payload in bytes. */
  payloadBytes: number;
  /** SHA-256 of the payload, hex. */
  payloadSha256: string;
}

/** Why a cache file cannot be used, in words for a log line ("none yet", "checksum mismatch"). */
export type CacheProblem = { problem: string };

/**
 * Writes a cache file atomically: the header (with the payload's length and checksum added)
 * and the payload.
 *
 * @param path The file.
 * @param header The caller's fields (JSON-serialisable).
 * @param payload The bytes.
 * @returns Resolves once the file is in place.
 */
export async function writeCacheFile(
  path: string,
  header: Record<string, unknown>,
  payload: Uint8Array,
): Promise<void> {
  const full: CacheHeader = {
    ...header,
    payloadBytes: payload.length,
    payloadSha256: await sha256Hex(payload),
  };
  const json = new TextEncoder().encode(JSON.stringify(full));
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, json.length, true);
  await writeFileAtomic(path, [MAGIC, length, json, payload]);
}

/**
 * Reads only the header of a cache file (for checks before reading a large payload).
 *
 * @param path The file.
 * @returns The header, or why it cannot be used.
 */
export async function readCacheHeader<T extends CacheHeader>(
  path: string,
): Promise<{ header: T; payloadOffset: number } | CacheProblem> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true });
  } catch (err) {
    return { problem: err instanceof Deno.errors.NotFound ? "none yet" : (err as Error).message };
  }
  try {
    const head = await readExactly(file, MAGIC.length + 4);
    if (head === null || MAGIC.some((b, i) => head[i] !== b)) {
      return { problem: "not a cache file" };
    }
    const length = new DataView(head.buffer, head.byteOffset).getUint32(MAGIC.length, true);
    const json = await readExactly(file, length);
    if (json === null) return { problem: "truncated header" };
    const header = JSON.parse(new TextDecoder().decode(json)) as T;
    return { header, payloadOffset: MAGIC.length + 4 + length };
  } catch (err) {
    return { problem: `unreadable header (${(err as Error).message})` };
  } finally {
    file.close();
  }
}

/**
 * Reads a cache file and checks its payload's length and checksum.
 *
 * @param path The file.
 * @returns The header and the payload (a view of the file's bytes), or why it cannot be used.
 */
export async function readCacheFile<T extends CacheHeader>(
  path: string,
): Promise<{ header: T; payload: Uint8Array } | CacheProblem> {
  const found = await readCacheHeader<T>(path);
  if ("problem" in found) return found;
  const { header, payloadOffset } = found;
  const bytes = await Deno.readFile(path);
  const payload = bytes.subarray(payloadOffset);
  if (payload.length !== header.payloadBytes) {
    return {
      problem: `expected ${header.payloadBytes} payload bytes, found ${payload.length}`,
    };
  }
  if (await sha256Hex(payload) !== header.payloadSha256) return { problem: "checksum mismatch" };
  return { header, payload };
}

async function readExactly(file: Deno.FsFile, n: number): Promise<Uint8Array | null> {
  const out = new Uint8Array(n);
  let at = 0;
  while (at < n) {
    const got = await file.read(out.subarray(at));
    if (got === null) return null;
    at += got;
  }
  return out;
}
