import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readProcText } from '../../src/native/proc-text.ts';

it('reads a /proc file whole, as readFileSync does', () => {
  expect(readProcText(`/proc/${process.pid}/stat`)).toMatch(new RegExp(`^${process.pid} \\(`));
  expect(readProcText('/proc/self/status', 'utf8')).toContain(`\nPid:\t${process.pid}\n`);
});

it('reads a file larger than the buffer it keeps, and decodes UTF-8 when asked', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'pvm-proc-text-')), 'large');
  const text = `${'0123456789abcdef\n'.repeat(20_000)}é`;
  writeFileSync(path, text);
  expect(readProcText(path, 'utf8')).toBe(text);
  expect(readProcText(path)).toBe(readFileSync(path, 'latin1'));
  // The buffer kept is reused: a small file after a large one is itself alone.
  writeFileSync(path, 'short');
  expect(readProcText(path)).toBe('short');
});

it('throws what open throws for a process that is gone (ENOENT)', () => {
  expect(() => readProcText('/proc/0/maps')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
});
