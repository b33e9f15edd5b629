// sha256Hex hashes small inputs in JavaScript (node:crypto costs ~7 ms to
// load): the same hex as node:crypto for every length around the padding's
// edges, for text (UTF-8) and bytes, and past the size it hands to node:crypto.
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { sha256Hex } from '../src/sha256.ts';

const reference = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

it('hashes as node:crypto does: every length from 0 to 300 bytes, text with multi-byte characters, and 4 KiB either side', () => {
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff);
  for (let length = 0; length <= 300; length++) expect(sha256Hex(bytes.subarray(0, length))).toBe(reference(bytes.subarray(0, length)));
  for (const text of ['', 'abc', 'print read u32 at 0x1000', 'emit x = "é€😀"\n'.repeat(40)]) expect(sha256Hex(text)).toBe(reference(text));
  for (const length of [(4 << 10) - 1, 4 << 10, (4 << 10) + 1, 64 << 10]) {
    const big = Uint8Array.from({ length }, (_, i) => (i * 31) & 0xff);
    expect(sha256Hex(big)).toBe(reference(big));
  }
  expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});
