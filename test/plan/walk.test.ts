import { describe, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { readsInBatches, readsSmaps } from '../../src/plan/walk.ts';

describe('readsInBatches (a live target opens ready for batches: smaps read while the native layer loads)', () => {
  const batches = (text: string) => readsInBatches(compileSource({ name: 'b.pvm', text }).steps);

  it('is true for a narrowing of hits, and a loop whose body reads, however deep', () => {
    expect(batches('let hits = scan u32 7 in anon\nhits = narrow hits u32 == 8')).toBe(true);
    expect(batches('param hits: list\nprint len(narrow hits u32 == 8)')).toBe(true);
    expect(batches('let t = 0\nfor i in 0..10 { t = t + read u64 at 0x1000 + i * 8 }\nprint t')).toBe(true);
    expect(batches('let p = 0x1000\nwhile p != 0 limit 10 { p = read ptr at p }')).toBe(true);
    expect(batches('if 1 == 1 { for i in 0..4 { if i == 2 { dump 0x1000 + i, 16 } } }')).toBe(true);
  });

  it('is false for lone reads, loops that read nothing, and scans', () => {
    expect(batches('print len(scan "x" in all)')).toBe(false);
    expect(batches('print read u32 at 0x1000\nprint read u64 at 0x2000')).toBe(false);
    expect(batches('let t = 0\nfor i in 0..10 { t = t + i }\nprint t')).toBe(false);
    expect(batches('print 1')).toBe(false);
  });
});

describe('readsSmaps (a --pid run reads smaps ahead, while pvm loads)', () => {
  const smaps = (text: string) => readsSmaps(compileSource({ name: 's.pvm', text }).steps);

  it('is true for batches and for scans (their map and VmFlags), false for lone reads', () => {
    expect(smaps('let t = 0\nfor i in 0..10 { t = t + read u64 at 0x1000 + i * 8 }\nprint t')).toBe(true);
    expect(smaps('print len(scan "x" in all)')).toBe(true);
    expect(smaps('if 1 == 2 { let hits = scan u32 7 in anon align 4 }')).toBe(true);
    expect(smaps('print read u32 at 0x1000')).toBe(false);
  });
});
