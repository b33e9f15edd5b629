// The parts of pvm diff that need no file: where two buffers differ (and how
// near changes join), which regions are taken to be the same memory, and what
// of a region a side holds.
import { describe, expect, it } from 'vitest';
import { COALESCE_GAP, diffCores, differences, type DiffSource, matchRegions, spansOf } from '../../src/snapshot/diff.ts';
import type { SnapshotNote } from '../../src/target/snapshot-note.ts';
import type { CoreRegion } from '../../src/target/core-regions.ts';
import type { Region } from '../../src/target/target.ts';

function runs(a: Uint8Array, b: Uint8Array): [number, number, number][] {
  const found: [number, number, number][] = [];
  differences(a, b, a.length, (from, to, changed) => found.push([from, to, changed]));
  return found;
}

describe('differences', () => {
  it('finds nothing in equal buffers, and each changed byte of unequal ones', () => {
    const a = new Uint8Array(1 << 20);
    expect(runs(a, a.slice())).toEqual([]);
    const b = a.slice();
    b[0] = 1;
    b[5000] = 2;
    b[(1 << 20) - 1] = 3;
    expect(runs(a, b)).toEqual([[0, 1, 1], [5000, 5001, 1], [(1 << 20) - 1, 1 << 20, 1]]);
  });

  it(`joins changes fewer than ${COALESCE_GAP} unchanged bytes apart, across the blocks it searches in`, () => {
    const a = new Uint8Array(10_000);
    const b = a.slice();
    for (const at of [4090, 4090 + COALESCE_GAP, 4090 + 2 * COALESCE_GAP + 1]) b[at] = 0xff;
    // 4090 and 4106 are 15 unchanged bytes apart: one range; 4123 is 16 past 4106: a range of its own.
    expect(runs(a, b)).toEqual([[4090, 4107, 2], [4123, 4124, 1]]);
  });
});

const region = (start: number, end: number, path = '', offset = 0): Region => ({ start: BigInt(start), end: BigInt(end), perms: 'rw-p', offset: BigInt(offset), path, deleted: false });

describe('matchRegions', () => {
  it('pairs by start and path, then unnamed by start, then a file by its offset, then a pseudo-region by its name', () => {
    const a = [region(0x1000, 0x2000, '/bin/app'), region(0x2000, 0x3000, '/bin/app', 0x1000), region(0x5000, 0x6000, '[heap]'), region(0x9000, 0xa000), region(0xf000, 0x10000, '[stack]')];
    const b = [
      region(0x1000, 0x2000, '/bin/app'),
      region(0x72000, 0x73000, '/bin/app', 0x1000), // another address: the same file offset
      region(0x5000, 0x7000), // gcore names no heap
      region(0xb000, 0xc000), // new
      region(0xe000, 0x10000, '[stack]'), // grew down
    ];
    const { pairs, added, removed } = matchRegions(a, b);
    expect(pairs.map(([x, y]) => [x.start, y.start])).toEqual([[0x1000n, 0x1000n], [0x2000n, 0x72000n], [0x5000n, 0x5000n], [0xf000n, 0xe000n]]);
    expect(added.map((r) => r.start)).toEqual([0xb000n]);
    expect(removed.map((r) => r.start)).toEqual([0x9000n]);
  });

  it('pairs memory without a name that lies as far from a paired neighbour on both sides (ASLR moves the mmap area as one)', () => {
    const a = [region(0x7000_0000, 0x7000_1000, '/lib/libc.so.6'), region(0x7000_1000, 0x7000_3000), region(0x6000_0000, 0x6000_1000)];
    const b = [region(0x7100_0000, 0x7100_1000, '/lib/libc.so.6'), region(0x7100_1000, 0x7100_4000), region(0x6200_0000, 0x6200_1000)];
    const { pairs, added, removed } = matchRegions(a, b);
    expect(pairs.map(([x, y]) => [x.start, y.start])).toEqual([[0x7000_0000n, 0x7100_0000n], [0x7000_1000n, 0x7100_1000n]]);
    expect(removed.map((r) => r.start)).toEqual([0x6000_0000n]);
    expect(added.map((r) => r.start)).toEqual([0x6200_0000n]);
  });

  it('does not pair a pseudo-region by name when either side has several of that name', () => {
    const a = [region(0x1000, 0x2000, '[anon:x]'), region(0x3000, 0x4000, '[anon:x]')];
    const b = [region(0x5000, 0x6000, '[anon:x]')];
    expect(matchRegions(a, b).pairs).toEqual([]);
  });
});

describe('spansOf', () => {
  const core = (extra: Partial<CoreRegion>): CoreRegion => ({ ...region(0x10000, 0x20000), segment: undefined, file: undefined, vmFlags: [], leftOut: undefined, untouched: [], missing: [], absent: [], ...extra });

  it("cuts a region into its data, a snapshot's untouched pages (zeros) and what cannot be read, the last first", () => {
    const spans = spansOf(
      core({ untouched: [{ start: 0x11000n, end: 0x14000n }], missing: [{ start: 0x12000n, end: 0x13000n }] }),
      0n,
      0x10000n,
      'A',
      undefined,
    );
    expect(spans.map((s) => [s.start, s.end, s.kind])).toEqual([[0n, 0x1000n, 'data'], [0x1000n, 0x2000n, 'zero'], [0x2000n, 0x3000n, 'unknown'], [0x3000n, 0x4000n, 'zero'], [0x4000n, 0x10000n, 'data']]);
  });

  it('cuts a region with 100 000 untouched ranges in time proportional to them', () => {
    const untouched = Array.from({ length: 100_000 }, (_, i) => ({ start: 0x10000n + BigInt(i) * 0x2000n, end: 0x11000n + BigInt(i) * 0x2000n }));
    const started = performance.now();
    const spans = spansOf(core({ end: 0x10000n + 100_000n * 0x2000n, untouched }), 0n, 100_000n * 0x2000n, 'A', undefined);
    expect(spans).toHaveLength(200_000);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("takes a file mapping's bytes past its segment from the file, unless the file cannot be used", () => {
    const segment = { vaddr: 0x10000n, memsz: 0x10000n, filesz: 0x1000n, fileOffset: 0n, flags: 4 };
    const mapped = core({ path: '/lib/x.so', file: '/lib/x.so', segment });
    expect(spansOf(mapped, 0n, 0x10000n, 'A', undefined).map((s) => s.kind)).toEqual(['data', 'file']);
    expect(spansOf(mapped, 0n, 0x10000n, 'B', 'is another build').at(-1)).toMatchObject({ kind: 'unknown', why: 'B: is another build' });
    expect(spansOf(core({ leftOut: 'not readable' }), 0n, 0x10000n, 'A', undefined)).toEqual([{ start: 0n, end: 0x10000n, kind: 'unknown', why: 'A left it out (not readable)' }]);
  });
});

/** A snapshot in memory: each region's bytes (zeros where untouched). */
function source(regions: { region: CoreRegion; bytes: Uint8Array }[]): DiffSource {
  return {
    snapshot: {} as SnapshotNote,
    regions: () => regions.map((r) => r.region),
    fileProblem: () => undefined,
    readv({ ranges, memory, done, offsets }) {
      const view = new DataView(ranges.buffer, ranges.byteOffset, 16);
      const address = view.getBigUint64(0, true);
      const found = regions.find((r) => r.region.start <= address && address < r.region.end)!;
      const from = Number(address - found.region.start);
      memory.set(found.bytes.subarray(from, from + done[0]!), offsets[0]!);
    },
  };
}

describe('diffCores', () => {
  const anon = (start: number, end: number, extra: Partial<CoreRegion> = {}): CoreRegion => ({ ...region(start, end), segment: undefined, file: undefined, vmFlags: [], leftOut: undefined, untouched: [], missing: [], absent: [], ...extra });

  it("compares a grown stack from its top, a snapshot's holes as zeros against data, and counts what one side left out", () => {
    const stackA = new Uint8Array(0x2000).fill(1);
    const stackB = new Uint8Array(0x3000).fill(1);
    stackB[0x3000 - 8] = 9; // 8 bytes below the top on both sides
    stackB[0x10] = 9; // in the part A does not have: not compared
    const zerosA = new Uint8Array(0x2000);
    const dataB = new Uint8Array(0x2000);
    dataB[0x1800] = 5;
    const a = source([
      { region: anon(0x10000, 0x12000, { untouched: [{ start: 0x10000n, end: 0x12000n }] }), bytes: zerosA },
      { region: anon(0x20000, 0x21000, { leftOut: 'not readable' }), bytes: new Uint8Array(0x1000) },
      { region: { ...anon(0x7e000, 0x80000), path: '[stack]' }, bytes: stackA },
    ]);
    const b = source([
      { region: anon(0x10000, 0x12000), bytes: dataB },
      { region: anon(0x20000, 0x21000), bytes: new Uint8Array(0x1000).fill(3) },
      { region: { ...anon(0x7d000, 0x80000), path: '[stack]' }, bytes: stackB },
    ]);
    const diff = diffCores(a, b);
    expect(diff.pairs.map((p) => [p.a.start, p.resized, p.bytesChanged, p.notCompared, p.ranges.map((r) => [r.addressA, r.addressB, r.length])])).toEqual([
      [0x10000n, false, 1n, 0n, [[0x11800n, 0x11800n, 1]]],
      [0x20000n, false, 0n, 0x1000n, []],
      [0x7e000n, true, 1n, 0n, [[0x80000n - 8n, 0x80000n - 8n, 1]]],
    ]);
    expect(diff.pairs[1]!.notComparedWhy).toBe('A left it out (not readable)');
  });
});
