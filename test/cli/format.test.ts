import { describe, expect, it } from 'vitest';
import { jsonValue } from '../../src/cli/format.ts';

describe('jsonValue (SPEC §4)', () => {
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
