// Background writes of a snapshot's pieces (src/snapshot/write-behind.ts):
// every byte where it was asked, in writes of at most WRITE_BYTES, and the
// first error once every write has ended.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WRITE_BYTES, writeBehind } from '../../src/snapshot/write-behind.ts';

const dir = mkdtempSync(join(tmpdir(), 'pvm-write-behind-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeBehind', () => {
  it('writes a buffer larger than one write at its offset, and two at once', async () => {
    const file = join(dir, 'out');
    const fd = openSync(file, 'w');
    try {
      const first = Uint8Array.from({ length: 3 * WRITE_BYTES + 17 }, (_, i) => (i * 131 + (i >> 12)) & 0xff);
      const second = new Uint8Array(100).fill(0xab);
      const write = await writeBehind(fd);
      // Only `length` bytes of the buffer are written.
      await Promise.all([write(first, first.length - 1, 4096), write(second, 50, 0)]);
      const written = readFileSync(file);
      expect(written.length).toBe(4096 + first.length - 1);
      expect(written.subarray(0, 50).every((b) => b === 0xab)).toBe(true);
      expect(written.subarray(50, 4096).every((b) => b === 0)).toBe(true);
      expect(Buffer.compare(written.subarray(4096), first.subarray(0, first.length - 1))).toBe(0);
    } finally {
      closeSync(fd);
    }
  });

  it('rejects with the error of a write that failed', async () => {
    const file = join(dir, 'read-only');
    closeSync(openSync(file, 'w'));
    const fd = openSync(file, 'r');
    try {
      const write = await writeBehind(fd);
      await expect(write(new Uint8Array(2 * WRITE_BYTES), 2 * WRITE_BYTES, 0)).rejects.toMatchObject({ code: 'EBADF' });
    } finally {
      closeSync(fd);
    }
  });
});
