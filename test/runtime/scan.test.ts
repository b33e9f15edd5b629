// Patterns, the matcher and the scan engine against an in-memory target:
// chunk and region boundaries, wildcards at the edges, and a region that
// disappears in the middle of a scan.
import { describe, expect, it } from 'vitest';
import { parsePattern } from '../../src/dsl/pattern-parse.ts';
import { formatPattern, literalPattern, type Pattern } from '../../src/plan/pattern.ts';
import { Matcher } from '../../src/runtime/evaluation/match.ts';
import { byteRank, rarestByte } from '../../src/runtime/anchor-search.ts';
import { bufferSearch, type ByteSearch } from '../../src/native/search.ts';
import { CHUNK_BYTES, scanTarget } from '../../src/runtime/scans/scan.ts';
import { hasLargeScan } from '../../src/plan/walk.ts';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { type MemoryRegion, MemoryTarget } from '../../src/target/memory-target.ts';
import { sourceOf } from '../../src/target/reads.ts';
import type { MemorySource } from '../../src/target/target.ts';

const pattern = (text: string): Pattern => {
  const result = parsePattern(text);
  if (!result.ok) throw new Error(result.problem.message);
  return result.pattern;
};

function find(text: string, bytes: number[]): number[] {
  const found: number[] = [];
  new Matcher(pattern(text)).find(Uint8Array.from(bytes), 0, bytes.length, (at) => (found.push(at), true));
  return found;
}

function region(start: bigint, bytes: Uint8Array, perms = 'rw-p', path = ''): MemoryRegion {
  return { start, end: start + BigInt(bytes.length), perms, offset: 0n, path, deleted: false, bytes };
}

/** A memory target whose reads (scans' too) stop where `reach` says (the bytes of a range that arrive): memory gone under the scan. */
function withReads(memory: MemoryTarget, reach: (address: bigint, length: number) => number): MemorySource {
  return sourceOf({
    identity: memory.identity,
    regions: () => memory.regions(),
    readv: (batch) => {
      memory.readv(batch);
      const view = new DataView(batch.ranges.buffer, batch.ranges.byteOffset, batch.count * 16);
      for (let r = 0; r < batch.count; r++) batch.done[r] = Math.min(batch.done[r]!, reach(view.getBigUint64(r * 16, true), view.getUint32(r * 16 + 8, true)));
    },
    blocked: () => [],
    forms: memory.forms,
    scanSession: () => memory.scanSession(),
    threads: () => memory.threads(),
    moduleFile: (path) => memory.moduleFile(path),
    close: () => {},
  });
}

describe('byte patterns', () => {
  it("parse YARA's forms and print them canonically", () => {
    expect(formatPattern(pattern('48 8B ?? ?5 4? ~00 ~?0 [2-4] [3] ( 62 B4 | 56 ( 01 | 02 ) )').tokens)).toBe('48 8b ?? ?5 4? ~00 ~?0 [2-4] [3] ( 62 b4 | 56 ( 01 | 02 ) )');
    expect(formatPattern(pattern('488b05').tokens)).toBe('48 8b 05');
  });

  it('say what is wrong and where', () => {
    expect(parsePattern('48 8x')).toMatchObject({ ok: false, problem: { message: "unexpected 'x' in a byte pattern", offset: 4 } });
    expect(parsePattern('48 [9-2] 90')).toMatchObject({ ok: false, problem: { message: 'jump [9-2] ends before it starts' } });
    expect(parsePattern('48 ( 90 | 91')).toMatchObject({ ok: false, problem: { message: 'unclosed alternatives' } });
    expect(parsePattern('~??')).toMatchObject({ ok: false, problem: { message: "'~??' matches no byte" } });
    expect(parsePattern('')).toMatchObject({ ok: false, problem: { message: 'empty byte pattern' } });
  });

  it('match nibbles, negations, jumps and alternatives, with wildcards at either end', () => {
    expect(find('?? 8b', [0x48, 0x8b, 0x8b])).toEqual([0, 1]);
    expect(find('48 ??', [0x00, 0x48, 0x01, 0x48])).toEqual([1]); // the last 48 has no byte after it
    expect(find('4? ?b', [0x48, 0x8b, 0x47, 0x1b])).toEqual([0, 2]);
    expect(find('~00 01', [0x00, 0x01, 0x02, 0x01])).toEqual([2]);
    expect(find('01 [1-2] 05', [0x01, 0xff, 0x05, 0x01, 0xff, 0xff, 0x05, 0x01, 0xff, 0xff, 0xff, 0x05])).toEqual([0, 3]);
    expect(find('( 62 b4 | 56 ) 00', [0x62, 0xb4, 0x00, 0x56, 0x00, 0x62, 0x00])).toEqual([0, 3]);
    expect(find('?? ?? 01', [0x01, 0x01, 0x01, 0x01])).toEqual([0, 1]);
  });
});

describe('scanTarget', () => {
  it('finds a match across a chunk boundary exactly once, and across two adjacent regions', () => {
    const big = new Uint8Array(CHUNK_BYTES * 2 + 100);
    big.set([1, 2, 3, 4], CHUNK_BYTES - 2);
    big.set([1, 2, 3, 4], CHUNK_BYTES * 2 - 1);
    const left = new Uint8Array(4096);
    const right = new Uint8Array(4096);
    left.set([1, 2], 4094);
    right.set([3, 4], 0);
    const target = new MemoryTarget([region(0x100000n, big), region(0x10000000n, left, 'rw-p'), region(0x10001000n, right, 'r--p')]);
    const { hits } = scanTarget(target, { pattern: literalPattern(Uint8Array.of(1, 2, 3, 4)), area: { kind: 'all' }, perms: undefined, align: 1, limit: 100 });
    expect(hits).toEqual([0x100000n + BigInt(CHUNK_BYTES - 2), 0x100000n + BigInt(CHUNK_BYTES * 2 - 1), 0x10000ffen]);
  });

  it('skips unreadable and kernel regions and says why; filters by perms and area', () => {
    const page = new Uint8Array(4096).fill(7);
    const target = new MemoryTarget([region(0x1000n, page, '---p'), region(0x3000n, page, 'r--p', '[vvar]'), region(0x5000n, page, 'r-xp', '/bin/app'), region(0x7000n, page, 'rw-p')]);
    const scan = (area: Parameters<typeof scanTarget>[1]['area'], perms?: string) => scanTarget(target, { pattern: literalPattern(Uint8Array.of(7)), area, perms, align: 4096, limit: 100 });
    const all = scan({ kind: 'all' });
    expect(all.hits).toEqual([0x5000n, 0x7000n]);
    expect(all.skipped).toEqual([
      { start: 0x1000n, end: 0x2000n, reason: 'not readable' },
      { start: 0x3000n, end: 0x4000n, reason: '[vvar]: kernel data page (reading it faults)' },
    ]);
    expect(scan({ kind: 'anon' }).hits).toEqual([0x7000n]);
    expect(scan({ kind: 'all' }, 'r-x').hits).toEqual([0x5000n]);
    expect(scan({ kind: 'region', start: 0x6000n, end: 0x8000n }).hits).toEqual([0x7000n]);
  });

  it('reports a region unmapped in the middle of a scan and goes on with the next', () => {
    const bytes = new Uint8Array(CHUNK_BYTES * 3).fill(9);
    const memory = new MemoryTarget([region(0x100000n, bytes), region(0x10000000n, Uint8Array.of(9))]);
    // The maps still list the first region, but everything after its first chunk is gone.
    const gone = (address: bigint) => address >= 0x100000n + BigInt(CHUNK_BYTES) && address < 0x10000000n;
    const target = withReads(memory, (address, length) => (gone(address) ? 0 : length));
    const outcome = scanTarget(target, { pattern: literalPattern(Uint8Array.of(9)), area: { kind: 'all' }, perms: undefined, align: CHUNK_BYTES, limit: 100 });
    expect(outcome.hits).toEqual([0x100000n, 0x10000000n]);
    expect(outcome.skipped).toEqual([{ start: 0x100000n + BigInt(CHUNK_BYTES), end: 0x100000n + BigInt(CHUNK_BYTES * 3), reason: 'unreadable now (unmapped or changed during the scan)' }]);
  });

  it('stops at the limit', () => {
    const target = new MemoryTarget([region(0x1000n, new Uint8Array(64).fill(5))]);
    expect(scanTarget(target, { pattern: literalPattern(Uint8Array.of(5)), area: { kind: 'all' }, perms: undefined, align: 1, limit: 3 }).hits).toEqual([0x1000n, 0x1001n, 0x1002n]);
  });
});

describe('what a scan leaves out', () => {
  const page = new Uint8Array(0x1000).fill(7);
  it('skips device, PFN-mapped, userfaultfd and secret memory by their VmFlags and names', () => {
    const regions = [
      { ...region(0x1000n, page), vmFlags: ['rd', 'wr', 'io', 'pf'] },
      { ...region(0x3000n, page), vmFlags: ['rd', 'pf'] },
      { ...region(0x5000n, page), vmFlags: ['rd', 'wr', 'ui'] },
      region(0x7000n, page, 'rw-s', '/secretmem'),
      region(0x9000n, page),
    ];
    const outcome = scanTarget(new MemoryTarget(regions), { pattern: literalPattern(Uint8Array.of(7)), area: { kind: 'all' }, perms: undefined, align: 0x1000, limit: 100 });
    expect(outcome.hits).toEqual([0x9000n]);
    expect(outcome.skipped.map((s) => [s.start, s.reason])).toEqual([
      [0x1000n, 'device memory (VmFlags io): reading it can have side effects'],
      [0x3000n, 'raw page-frame mapping (VmFlags pf): device or driver memory'],
      [0x5000n, 'registered with userfaultfd (VmFlags ui): a read can block until the target is killed'],
      [0x7000n, '/secretmem: memfd_secret memory: the kernel refuses to read it'],
    ]);
  });

  it('reads only the pages of anonymous memory that hold data, all of a file, and joins what touches', () => {
    const bytes = new Uint8Array(0x4000).fill(7);
    const anon = { ...region(0x10000n, bytes), absent: [{ start: 0x11000n, end: 0x13000n }] };
    const file = { ...region(0x14000n, bytes, 'r--p', '/usr/lib/app.so'), absent: [{ start: 0x14000n, end: 0x18000n }] };
    const outcome = scanTarget(new MemoryTarget([anon, file]), { pattern: literalPattern(Uint8Array.of(7, 7)), area: { kind: 'all' }, perms: undefined, align: 0x1000, limit: 100 });
    // The file's pages hold no data yet, but a file's pages are its contents: read them all.
    expect(outcome.hits).toEqual([0x10000n, 0x13000n, 0x14000n, 0x15000n, 0x16000n, 0x17000n]);
    expect(outcome.skipped).toEqual([{ start: 0x11000n, end: 0x13000n, reason: 'pages that hold no data (never touched): not read, so the target does not grow' }]);
    expect(outcome.bytesScanned).toBe(0x6000);
  });

  it('reports how far it got after each call', () => {
    const target = new MemoryTarget([region(0x100000n, new Uint8Array(CHUNK_BYTES * 3).fill(1))]);
    const seen: number[] = [];
    scanTarget(target, { pattern: literalPattern(Uint8Array.of(2)), area: { kind: 'all' }, perms: undefined, align: 1, limit: 10 }, (p) => seen.push(p.bytesScanned / p.bytesTotal));
    expect(seen).toEqual([1 / 3, 2 / 3, 1]);
  });
});

describe('anchors', () => {
  it('are the rarest run of exact bytes, not the longest', () => {
    expect(new Matcher(pattern('00 00 00 00 00 ?? 48 8b')).anchor).toEqual({ bytes: Uint8Array.of(0x48, 0x8b), offset: 6 });
    expect(new Matcher(pattern('cc cc cc ?? 55 48 89 e5')).anchor).toEqual({ bytes: Uint8Array.of(0x55, 0x48, 0x89, 0xe5), offset: 4 });
    expect(new Matcher(pattern('41 42 ?? 43 44 45')).anchor).toEqual({ bytes: Uint8Array.of(0x43, 0x44, 0x45), offset: 3 });
    expect(new Matcher(pattern('?5 ?6')).anchor).toBeUndefined();
  });

  it('find the same matches through any search function', () => {
    const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) & 0xff);
    const calls: number[] = [];
    const counting: ByteSearch = {
      find: (haystack, needle, from) => (calls.push(from), bufferSearch.find(haystack, needle, from)),
      findByte: (haystack, byte, from) => (calls.push(from), bufferSearch.findByte(haystack, byte, from)),
      findWord32: (haystack, word, from) => (calls.push(from), bufferSearch.findWord32(haystack, word, from)),
    };
    const found: number[] = [];
    new Matcher(pattern('?? 07 0e ?? 1c'), counting).find(bytes, 0, bytes.length, (at) => (found.push(at), true));
    expect(found).toEqual([0, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2304, 2560, 2816, 3072, 3328, 3584, 3840]);
    expect(calls.length).toBe(found.length + 1);
  });
});

describe('anchor searches (aligned words, a rare byte, memmem)', () => {
  /** Every match of `needle` at `align`ed addresses, by brute force; `phase` is the address of byte 0 modulo 4. */
  const naive = (bytes: Uint8Array, needle: Uint8Array, align: number, phase: number): number[] => {
    const found: number[] = [];
    for (let at = 0; at + needle.length <= bytes.length; at++) {
      if ((phase + at) % align === 0 && needle.every((b, i) => bytes[at + i] === b)) found.push(at);
    }
    return found;
  };
  const matches = (bytes: Uint8Array, needle: Uint8Array, align: number, phase: number): number[] => {
    const found: number[] = [];
    new Matcher(literalPattern(needle), bufferSearch, align).find(bytes, 0, bytes.length, (at) => {
      if ((phase + at) % align === 0) found.push(at);
      return true;
    }, phase);
    return found;
  };
  /** Mostly zeros, with runs of the needle's bytes and pieces of it: the memory that defeats a plain memmem. */
  const memory = (seed: number, needle: Uint8Array): Uint8Array => {
    let state = seed;
    const random = () => (state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const bytes = new Uint8Array(8192);
    for (let i = 0; i < 200; i++) {
      const at = Math.floor(random() * (bytes.length - 8));
      const roll = random();
      if (roll < 0.3) bytes.set(needle, at);
      else if (roll < 0.6) bytes.set(needle.subarray(0, 1 + Math.floor(random() * needle.length)), at);
      else bytes[at] = needle[Math.floor(random() * needle.length)]!;
    }
    // A dense stretch where the rare byte is everywhere: the prefilter must turn itself off and memmem find the rest.
    bytes.fill(needle[0]!, 4096, 6144);
    bytes.set(needle, 5000);
    return bytes;
  };
  const needles = ['07 00 00 00', '00 00 00 07', '07 00 00 00 00 00 00 00', '00 00 00 00 01 00 00 00', '41 42', 'ff ff', '0e', '50 56 4d 2d 42 45 4e 43 48', '00 00 00 00'];
  for (const text of needles) {
    for (const align of [1, 2, 4, 8]) {
      it(`find every ${align}-aligned ${text}, at any phase`, () => {
        const needle = Uint8Array.from(text.split(' ').map((h) => parseInt(h, 16)));
        for (let seed = 1; seed <= 4; seed++) {
          const bytes = memory(seed, needle);
          for (let phase = 0; phase < 4; phase++) expect(matches(bytes, needle, align, phase)).toEqual(naive(bytes, needle, align, phase));
        }
      });
    }
  }

  it("rank zero the commonest byte and pick a needle's rarest", () => {
    expect(byteRank(0)).toBe(255);
    expect(rarestByte(Uint8Array.of(0, 0, 7, 0))).toBe(2);
    expect(rarestByte(Uint8Array.of(0x7f, 0xff, 0x48, 0x51))).toBe(3);
  });
});

describe('a region that shrinks during a scan', () => {
  it('is reported from where it ends, and the region after it in the same chunk is still searched', () => {
    const A = 0x100000n;
    const B = A + 0x280000n; // A is 2.5 MiB, B follows it at once: one stream, B starts inside A's third chunk
    const a = new Uint8Array(0x280000).fill(1);
    const b = new Uint8Array(0x100000).fill(1);
    b.set([7, 7, 7], 16);
    a.set([7, 7, 7], 0x200010); // in A's third chunk, before the part that goes
    const memory = new MemoryTarget([region(A, a), region(B, b)]);
    // The maps still show 2.5 MiB, but A's last 256 KiB were unmapped after the scan planned its chunks.
    const gone = { start: A + 0x240000n, end: B };
    const target = withReads(memory, (address, length) => (address + BigInt(length) <= gone.start || address >= gone.end ? length : address < gone.start ? Number(gone.start - address) : 0));
    const outcome = scanTarget(target, { pattern: literalPattern(Uint8Array.of(7, 7, 7)), area: { kind: 'all' }, perms: undefined, align: 1, limit: 100 });
    expect(outcome.hits).toEqual([A + 0x200010n, B + 16n]);
    expect(outcome.skipped).toEqual([{ start: gone.start, end: gone.end, reason: 'unreadable now (unmapped or changed during the scan)' }]);
  });
});

describe('the hit cap', () => {
  it('a limit above the cap is no way around it: more hits than the cap is an error, never a silent cut', async () => {
    const { DEFAULT_LIMITS } = await import('../../src/limits.ts');
    const { execute } = await import('../../src/runtime/execute.ts');
    const { compileSource } = await import('../../src/dsl/compile-source.ts');
    const memory = new MemoryTarget([{ start: 0x1000n, end: 0x2000n, perms: 'rw-p', offset: 0n, path: '', deleted: false, bytes: new Uint8Array(0x1000).fill(9) }]);
    const run = (text: string) => execute({ plan: compileSource({ name: 'r.pvm', text }), target: memory, params: new Map(), limits: { ...DEFAULT_LIMITS, scanHits: 3 }, output: () => {} });
    expect(() => run('let h = scan hex"09" in all limit 10')).toThrow('the scan found more than 3 matches');
    expect(() => run('let h = scan hex"09" in all limit 3')).not.toThrow();
  });
});

describe('warming a scan worker', () => {
  const large = (text: string) => hasLargeScan(compileSource({ name: 'w.pvm', text }).steps);
  it('warms one for scans surely large: the whole process, anonymous memory, a range of 128 MiB or more written as a number', () => {
    expect(large('print len(scan "x" in all)')).toBe(true);
    expect(large('let hits = scan u32 7 in anon align 4')).toBe(true);
    expect(large(`print scan "x" in range(0x10000, ${128 << 20})`)).toBe(true);
    expect(large('for i in 0..2 { if i == 1 { print len(scan "x" in all) } }')).toBe(true);
  });

  it('warms none for a small or computed range, or no scan', () => {
    expect(large(`print scan "x" in range(0x10000, ${(128 << 20) - 1})`)).toBe(false);
    expect(large(`let n = ${1 << 30}\nprint scan "x" in range(0x10000, n)`)).toBe(false);
    expect(large('print read u32 at 0x10000')).toBe(false);
  });
});
