// The debuglink's CRC-32: zlib's where the runtime has it, else a table; the
// two must agree, whole or fed in pieces.
import zlib from 'node:zlib';
import { expect, it } from 'vitest';
import { crc32, tableCrc32 } from '../../src/target/crc32.ts';

it("computes zlib's CRC-32, by zlib or by the table alike, whole or continued piece by piece", () => {
  const data = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 131 + (i >> 8)) & 0xff);
  const expected = zlib.crc32(data);
  expect(tableCrc32(new TextEncoder().encode('hello'))).toBe(907060870);
  for (const crc of [crc32, tableCrc32]) {
    expect(crc(data)).toBe(expected);
    expect(crc(data.subarray(40_000), crc(data.subarray(0, 40_000)))).toBe(expected);
    expect(crc(new Uint8Array())).toBe(0);
    for (let length = 0; length < 64; length++) expect(crc(data.subarray(0, length))).toBe(zlib.crc32(data.subarray(0, length)));
  }
});
