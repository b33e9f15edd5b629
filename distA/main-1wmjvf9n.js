// src/native/search.ts
import { Buffer } from "node:buffer";
var bufferFind = (bytes, needle, from) => {
  const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return needle.length === 1 ? haystack.indexOf(needle[0], from) : haystack.indexOf(needle, from);
};
function bufferFindByte(bytes, byte, from) {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(byte, from);
}
function wordLoop(bytes, word, from) {
  const b0 = word & 255, b1 = word >>> 8 & 255, b2 = word >>> 16 & 255, b3 = word >>> 24;
  for (let p = from;p + 4 <= bytes.length; p += 4) {
    if (bytes[p] === b0 && bytes[p + 1] === b1 && bytes[p + 2] === b2 && bytes[p + 3] === b3)
      return p;
  }
  return -1;
}
var bufferSearch = { find: bufferFind, findByte: bufferFindByte, findWord32: wordLoop };
function fastestSearch(libc, nativeAddressOf) {
  const onBun = typeof globalThis.Bun !== "undefined";
  let needleMemory;
  let lastNeedle;
  const find = (bytes, needle, from) => {
    const base = nativeAddressOf(bytes);
    if (base === undefined || needle.length === 0)
      return bufferFind(bytes, needle, from);
    if (needle !== lastNeedle) {
      if (needleMemory === undefined || needleMemory.bytes.length < needle.length) {
        needleMemory?.free();
        needleMemory = libc.alloc(Math.max(64, needle.length));
      }
      needleMemory.bytes.set(needle);
      lastNeedle = needle;
    }
    if (from >= bytes.length)
      return -1;
    const found = libc.memmem(base + from, bytes.length - from, Number(needleMemory.address), needle.length);
    return found === 0 ? -1 : found - base;
  };
  const findByte = (bytes, byte, from) => {
    const base = nativeAddressOf(bytes);
    if (base === undefined)
      return bufferFindByte(bytes, byte, from);
    if (from >= bytes.length)
      return -1;
    const found = libc.memchr(base + from, byte, bytes.length - from);
    return found === 0 ? -1 : found - base;
  };
  const findWord32 = (bytes, word, from) => {
    const base = nativeAddressOf(bytes);
    if (base === undefined || (base + from) % 4 !== 0)
      return wordLoop(bytes, word, from);
    const words = Math.floor((bytes.length - from) / 4);
    if (words <= 0)
      return -1;
    const found = libc.wmemchr(base + from, word | 0, words);
    return found === 0 ? -1 : found - base;
  };
  return {
    find: onBun ? bufferFind : find,
    findByte: onBun ? bufferFindByte : findByte,
    findWord32,
    close() {
      needleMemory?.free();
      needleMemory = undefined;
    }
  };
}

export { bufferSearch, fastestSearch };
