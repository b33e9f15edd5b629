// The byte searches a scan is built from, as fast as each runtime allows
// (measured in `npm run bench`): libc memmem, memchr and wmemchr through the
// FFI on the native memory the bytes were read into run at C speed on Node,
// Bun and Deno; Buffer.indexOf is 2× slower on Node and 10× slower on Deno,
// but faster than memmem on Bun, whose indexOf is vectorised. Bytes that are
// not in native memory (a test's in-memory target) are searched in JS.
import { Buffer } from 'node:buffer';
import type { Libc, NativeMemory } from './libc.ts';

/** The first index ≥ `from` where `needle` starts in `bytes`, or -1. */
export type FindBytes = (bytes: Uint8Array, needle: Uint8Array, from: number) => number;

export interface ByteSearch {
  /** A substring search (memmem). */
  readonly find: FindBytes;
  /** The first index ≥ `from` holding `byte`, or -1 (memchr). */
  findByte(bytes: Uint8Array, byte: number, from: number): number;
  /**
   * The first index p ≥ `from`, p − `from` a multiple of 4, whose four bytes
   * read `word` (unsigned, little-endian), or -1: an aligned word compare
   * (wmemchr, whose wchar_t is 32 bits on Linux).
   */
  findWord32(bytes: Uint8Array, word: number, from: number): number;
}

/** Buffer.indexOf: works on any bytes. */
export const bufferFind: FindBytes = (bytes, needle, from) => {
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return needle.length === 1 ? haystack.indexOf(needle[0]!, from) : haystack.indexOf(needle, from);
};

function bufferFindByte(bytes: Uint8Array, byte: number, from: number): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(byte, from);
}

/** Aligned words compared in JS: the fallback where wmemchr cannot be used. */
function wordLoop(bytes: Uint8Array, word: number, from: number): number {
  const b0 = word & 0xff, b1 = (word >>> 8) & 0xff, b2 = (word >>> 16) & 0xff, b3 = word >>> 24;
  for (let p = from; p + 4 <= bytes.length; p += 4) {
    if (bytes[p] === b0 && bytes[p + 1] === b1 && bytes[p + 2] === b2 && bytes[p + 3] === b3) return p;
  }
  return -1;
}

/** Searches in JS, for bytes on the JS heap. */
export const bufferSearch: ByteSearch = { find: bufferFind, findByte: bufferFindByte, findWord32: wordLoop };

/**
 * The fastest searches on this runtime. `nativeAddressOf` gives the native
 * address of bytes that live in native memory (undefined for others, which
 * are searched in JS).
 */
export function fastestSearch(libc: Libc, nativeAddressOf: (bytes: Uint8Array) => number | undefined): ByteSearch & { close(): void } {
  const onBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';
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
  const findByte = (bytes: Uint8Array, byte: number, from: number): number => {
    const base = nativeAddressOf(bytes);
    if (base === undefined) return bufferFindByte(bytes, byte, from);
    if (from >= bytes.length) return -1;
    const found = libc.memchr(base + from, byte, bytes.length - from);
    return found === 0 ? -1 : found - base;
  };
  const findWord32 = (bytes: Uint8Array, word: number, from: number): number => {
    const base = nativeAddressOf(bytes);
    // wmemchr reads whole wchar_t: the start must be 4-aligned in native memory too.
    if (base === undefined || (base + from) % 4 !== 0) return wordLoop(bytes, word, from);
    const words = Math.floor((bytes.length - from) / 4);
    if (words <= 0) return -1;
    const found = libc.wmemchr(base + from, word | 0, words);
    return found === 0 ? -1 : found - base;
  };
  return {
    // Bun's indexOf beats an FFI call to memmem; its memchr and wmemchr calls are cheap.
    find: onBun ? bufferFind : find,
    findByte: onBun ? bufferFindByte : findByte,
    findWord32,
    close() {
      needleMemory?.free();
      needleMemory = undefined;
    },
  };
}
