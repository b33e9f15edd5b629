import { describe, expect, it } from 'vitest';
import { formatBytes, formatEvent, formatScanSummary } from '../../src/cli/format.ts';
import { jsonValue } from '../../src/api/events.ts';
import { progressLine } from '../../src/cli/progress.ts';

describe('jsonValue (README, --json)', () => {
  it('keeps integers up to 2^53 as numbers and writes those beyond as decimal strings', () => {
    expect(JSON.stringify(jsonValue({ kind: 'int', value: 1n << 53n }))).toBe('9007199254740992');
    expect(JSON.stringify(jsonValue({ kind: 'int', value: -(1n << 53n) }))).toBe('-9007199254740992');
    expect(jsonValue({ kind: 'int', value: (1n << 53n) + 1n })).toBe('9007199254740993');
    expect(jsonValue({ kind: 'int', value: -(1n << 53n) - 1n })).toBe('-9007199254740993');
  });

  it('writes addresses as lowercase 0x strings without leading zeros', () => {
    expect(jsonValue({ kind: 'ptr', value: 0x7f00dead0000n })).toBe('0x7f00dead0000');
    expect(jsonValue({ kind: 'ptr', value: 0n })).toBe('0x0');
  });
});

describe("a pointer scan's summary", () => {
  const event = { type: 'scan', hits: 2, bytesScanned: 1 << 20, regions: 3, skipped: [], pointers: { count: 10, mapBytes: 2048, levels: [1, 4], cut: true }, line: 2 } as const;

  it('says, for people, the map and each depth, and that the search was cut', () => {
    expect(formatScanSummary(event).split('\n')).toEqual([
      'scan at line 2: 1.0 MiB in 3 regions, 2 paths',
      '  pointer map: 10 pointers (2.0 KiB); locations found at depth 1, 2, …: 1, 4',
      '  the search stopped after depth 2: its levels would have taken more memory than the pointer map, so deeper paths are missing; lower the offset or the depth',
    ]);
  });

  it('gives the map and the levels in its --json line', () => {
    expect(JSON.parse(formatEvent(event, true)!)).toMatchObject({ type: 'scan', hits: 2, pointers: { count: 10, mapBytes: 2048, levels: [1, 4], cut: true } });
  });

  it('prints paths as the recipe expressions that follow them, and as Cheat Engine writes them in JSON', () => {
    const value = { kind: 'paths', items: [{ base: { kind: 'module', module: 'app', offset: 0x4040n }, offsets: [0x18n, 0n] }, { base: { kind: 'stack', thread: 1, offset: 0x98n }, offsets: [0x10n] }] } as const;
    expect(formatEvent({ type: 'emit', name: 'p', value, line: 1 }, false)).toBe('p = [\n  [[module("app") + 0x4040] + 0x18] + 0x0,\n  [reg(threads()[1], "fs_base") - 0x98] + 0x10\n]');
    expect(jsonValue(value)).toEqual([{ base: 'app+0x4040', offsets: ['0x18', '0x0'] }, { base: 'threadstack1-0x98', offsets: ['0x10'] }]);
  });
});

describe('the progress line', () => {
  it('shows after half a second, redraws at most ten times a second, and is erased at the end', () => {
    let now = 0;
    let text = '';
    const line = progressLine({ write: (t: string) => (text += t) }, () => now);
    const at = (ms: number, bytesScanned: number) => {
      now = ms;
      line.update({ bytesScanned, bytesTotal: 4 << 20, hits: 1, line: 3 });
    };
    at(0, 0);
    at(400, 1 << 20);
    expect(text).toBe('');
    at(600, 2 << 20);
    at(650, 3 << 20);
    expect(text).toBe('\r\x1b[Kscan at line 3: 2.0 MiB of 4.0 MiB (50%), 1 hit');
    line.end();
    expect(text.endsWith('\r\x1b[K')).toBe(true);
    text = '';
    line.end();
    expect(text).toBe('');
  });

  it('sizes bytes as people read them', () => {
    expect([0, 1023, 1536, 5 << 20, 3 * 2 ** 30].map(formatBytes)).toEqual(['0 bytes', '1023 bytes', '1.5 KiB', '5.0 MiB', '3.0 GiB']);
  });
});
