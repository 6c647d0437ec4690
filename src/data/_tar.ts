/**
 * A minimal tar reader (and a tiny writer for tests): POSIX ustar and GNU tar archives held
 * in memory. Regular files are returned; directories, links and devices are skipped. Long
 * names from a ustar `prefix`, a GNU `L` entry or a pax `path` record are honoured. Every
 * header's checksum is verified.
 *
 * @module
 */

/** A regular file read from a tar archive. */
export interface TarEntry {
  /** Its path inside the archive, e.g. `cifar-10-batches-bin/data_batch_1.bin`. */
  path: string;
  /** Its content (a view into the archive's bytes). */
  data: Uint8Array;
}

const BLOCK = 512;
const CHECKSUM_AT = 148;
const CHECKSUM_LEN = 8;
const SIZE_AT = 124;
const SIZE_LEN = 12;
const TYPE_AT = 156;
const MAGIC_AT = 257;
const PREFIX_AT = 345;
const PREFIX_LEN = 155;
/** Type flags of regular files: `'0'`, NUL (old tar) and `'7'` (contiguous file). */
const REGULAR = new Set([0x30, 0x00, 0x37]);

const decoder = new TextDecoder();

/** Text up to the first NUL of `bytes[at, at + len)`. */
function cString(bytes: Uint8Array, at: number, len: number): string {
  const field = bytes.subarray(at, at + len);
  const end = field.indexOf(0);
  return decoder.decode(end < 0 ? field : field.subarray(0, end));
}

/**
 * The header checksum: the sum of its bytes with the checksum field read as spaces, as
 * unsigned bytes (the standard) and as signed bytes (what some old tars wrote).
 */
function headerSums(header: Uint8Array): { unsigned: number; signed: number } {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const inField = i >= CHECKSUM_AT && i < CHECKSUM_AT + CHECKSUM_LEN;
    const b = inField ? 0x20 : header[i]!;
    unsigned += b;
    signed += b < 0x80 ? b : b - 256;
  }
  return { unsigned, signed };
}

/** Parses an octal field (digits, then NUL or spaces); NaN if it is malformed or empty. */
function octal(bytes: Uint8Array, at: number, len: number): number {
  const text = cString(bytes, at, len).trim();
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

/** The `path` record of a pax extended header, if any. */
function paxPath(data: Uint8Array): string | undefined {
  // Records are "<length> <key>=<value>\n", the length counting the whole record in bytes.
  let at = 0;
  let path: string | undefined;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = space < 0 ? NaN : Number(decoder.decode(data.subarray(at, space)));
    if (!Number.isInteger(length) || length <= 0 || at + length > data.length) break;
    const record = decoder.decode(data.subarray(space + 1, at + length - 1));
    if (record.startsWith("path=")) path = record.slice(5);
    at += length;
  }
  return path;
}

/**
 * Reads the regular files of an uncompressed tar archive (POSIX ustar or GNU format),
 * verifying each header's checksum. The archive ends at the first all-zero block or at the
 * end of the bytes.
 *
 * @param bytes The archive (already decompressed).
 * @param name The archive's name, for error messages.
 * @returns The regular files in archive order (views into `bytes`).
 * @throws {RangeError} On a header checksum mismatch, a malformed size or checksum field,
 * or an entry that runs past the end of the archive; the message names the archive and the
 * byte offset of the header.
 *
 * @example Read back an archive of one file
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeTar, readTar } from "./_tar.ts";
 * const tar = encodeTar([{ path: "a/b.txt", data: new TextEncoder().encode("hi") }]);
 * const [entry] = readTar(tar, "a.tar");
 * assert.equal(entry?.path, "a/b.txt");
 * assert.equal(entry?.data.length, 2);
 * ```
 */
export function readTar(bytes: Uint8Array, name: string): TarEntry[] {
  const what = `Cannot read tar archive "${name}"`;
  const entries: TarEntry[] = [];
  let at = 0;
  let longPath: string | undefined;
  while (at + BLOCK <= bytes.length) {
    const header = bytes.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) break;
    const entryName = cString(header, 0, 100);
    const stored = octal(header, CHECKSUM_AT, CHECKSUM_LEN);
    if (Number.isNaN(stored)) {
      throw new RangeError(
        `${what}: expected an octal header checksum at byte ${at} (entry "${entryName}"), found "${
          cString(header, CHECKSUM_AT, CHECKSUM_LEN)
        }"`,
      );
    }
    const sums = headerSums(header);
    if (stored !== sums.unsigned && stored !== sums.signed) {
      throw new RangeError(
        `${what}: header checksum mismatch at byte ${at} (entry "${entryName}"): expected ${sums.unsigned}, found ${stored}`,
      );
    }
    if ((header[SIZE_AT]! & 0x80) !== 0) {
      throw new RangeError(
        `${what}: expected an octal size at byte ${at} (entry "${entryName}"), found a base-256 size (over 8 GiB)`,
      );
    }
    const size = octal(header, SIZE_AT, SIZE_LEN);
    if (Number.isNaN(size)) {
      throw new RangeError(
        `${what}: expected an octal size at byte ${at} (entry "${entryName}"), found "${
          cString(header, SIZE_AT, SIZE_LEN)
        }"`,
      );
    }
    const start = at + BLOCK;
    if (start + size > bytes.length) {
      throw new RangeError(
        `${what}: truncated, entry "${entryName}" at byte ${at} needs ${size} bytes of data, found ${
          bytes.length - start
        }`,
      );
    }
    const data = bytes.subarray(start, start + size);
    at = start + Math.ceil(size / BLOCK) * BLOCK;
    const type = header[TYPE_AT]!;
    if (type === 0x4c /* 'L': GNU long name of the next entry */) {
      longPath = cString(data, 0, data.length);
      continue;
    }
    if (type === 0x78 /* 'x': pax header of the next entry */) {
      longPath = paxPath(data) ?? longPath;
      continue;
    }
    let path = entryName;
    // POSIX ustar ("ustar\0") splits long names into prefix/name; GNU ("ustar  ") does not.
    if (cString(header, MAGIC_AT, 6) === "ustar" && header[MAGIC_AT + 5] === 0) {
      const prefix = cString(header, PREFIX_AT, PREFIX_LEN);
      if (prefix !== "") path = `${prefix}/${entryName}`;
    }
    if (longPath !== undefined) path = longPath;
    longPath = undefined;
    if (REGULAR.has(type)) entries.push({ path, data });
  }
  return entries;
}

/**
 * Encodes regular files as a POSIX ustar archive (paths up to 100 bytes, mode 0644, mtime
 * 0), the inverse of {@linkcode readTar}; enough to build archives for tests.
 *
 * @param entries Files in the order to store them.
 * @returns The archive's bytes, ending with two zero blocks.
 * @throws {RangeError} If a path is empty or longer than 100 bytes.
 *
 * @example Encode one file
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeTar } from "./_tar.ts";
 * const tar = encodeTar([{ path: "x.bin", data: new Uint8Array(3) }]);
 * assert.equal(tar.length, 2048); // header, one data block, two end blocks
 * ```
 */
export function encodeTar(entries: readonly TarEntry[]): Uint8Array {
  const encoder = new TextEncoder();
  const blocks = entries.reduce((n, e) => n + 1 + Math.ceil(e.data.length / BLOCK), 2);
  const out = new Uint8Array(blocks * BLOCK);
  const put = (at: number, text: string) => out.set(encoder.encode(text), at);
  let at = 0;
  for (const { path, data } of entries) {
    const pathBytes = encoder.encode(path);
    if (pathBytes.length === 0 || pathBytes.length > 100) {
      throw new RangeError(
        `Cannot encode tar entry "${path}": expected a path of 1..100 bytes, found ${pathBytes.length}`,
      );
    }
    out.set(pathBytes, at);
    put(at + 100, "0000644\0");
    put(at + 108, "0000000\0");
    put(at + 116, "0000000\0");
    put(at + SIZE_AT, `${data.length.toString(8).padStart(11, "0")}\0`);
    put(at + 136, "00000000000\0");
    out[at + TYPE_AT] = 0x30;
    put(at + MAGIC_AT, "ustar\x0000");
    const sum = headerSums(out.subarray(at, at + BLOCK)).unsigned;
    put(at + CHECKSUM_AT, `${sum.toString(8).padStart(6, "0")}\0 `);
    out.set(data, at + BLOCK);
    at += BLOCK + Math.ceil(data.length / BLOCK) * BLOCK;
  }
  return out;
}
