// Searching bytes for a scan, as fast as each runtime allows (measured in
// `npm run bench`, 1 GiB, 13-byte needle): libc memmem through koffi on the
// native memory the bytes were read into runs at C speed on Node, Bun and
// Deno; Buffer.indexOf is 2× slower on Node and 10× slower on Deno, but
// faster than memmem on Bun, whose indexOf is vectorised.
import { Buffer } from 'node:buffer';
import type { Libc, NativeMemory } from './libc.ts';

export type FindBytes = (bytes: Uint8Array, needle: Uint8Array, from: number) => number;

/** Buffer.indexOf: works on any bytes. */
export const bufferFind: FindBytes = (bytes, needle, from) => {
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return needle.length === 1 ? haystack.indexOf(needle[0]!, from) : haystack.indexOf(needle, from);
};

/**
 * The fastest search on this runtime. `nativeAddressOf` gives the native
 * address of bytes that live in native memory (undefined for others, which
 * Buffer.indexOf searches).
 */
export function fastestFind(libc: Libc, nativeAddressOf: (bytes: Uint8Array) => number | undefined): { find: FindBytes; close(): void } {
  if (typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined') return { find: bufferFind, close() {} };
  // memmem needs the needle in native memory too: kept in a buffer that grows as needed.
  let needleMemory: NativeMemory | undefined;
  let lastNeedle: Uint8Array | undefined;
  const find: FindBytes = (bytes, needle, from) => {
    const base = nativeAddressOf(bytes);
    if (base === undefined || needle.length === 0) return bufferFind(bytes, needle, from);
    if (needle !== lastNeedle) {
      if (needleMemory === undefined || needleMemory.bytes.length < needle.length) {
        needleMemory?.free();
        needleMemory = libc.alloc(Math.max(64, needle.length));
      }
      needleMemory.bytes.set(needle);
      lastNeedle = needle;
    }
    if (from >= bytes.length) return -1;
    const found = libc.memmem(base + from, bytes.length - from, Number(needleMemory!.address), needle.length);
    return found === 0 ? -1 : found - base;
  };
  return {
    find,
    close() {
      needleMemory?.free();
      needleMemory = undefined;
    },
  };
}
