// CRC-32, zlib's (the one a .gnu_debuglink records): zlib.crc32 where the
// runtime has it (Node 20.15+ and 22+, Bun, Deno), loaded on first use as few
// runs look for a debug file; else a table, which a test holds equal to it.
import { createRequire } from 'node:module';

type Crc32 = (data: Uint8Array, previous: number) => number;

/** zlib.crc32, or null where the runtime has none; undefined until first asked. */
let native: Crc32 | null | undefined;

/** The CRC-32 of `data`, continuing from `previous` (the CRC of what came before it). */
export function crc32(data: Uint8Array, previous = 0): number {
  native ??= (createRequire(import.meta.url)('node:zlib') as { crc32?: Crc32 }).crc32 ?? null;
  return native === null ? tableCrc32(data, previous) : native(data, previous);
}

let table: Uint32Array | undefined;

/** crc32 by a table, a byte at a time: for runtimes without zlib.crc32. */
export function tableCrc32(data: Uint8Array, previous = 0): number {
  table ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
