// The pointer scan's engine against an in-memory target: which memory is
// static, the paths found (shortest first, each offset within the bound),
// what a bound excludes, the limit, and the bound on the search's memory.
import { describe, expect, it } from 'vitest';
import { type MemoryRegion, MemoryTarget } from '../../src/target/memory-target.ts';
import { pointerScan, type PointerScanRequest } from '../../src/runtime/scans/pointer-scan.ts';
import { staticRanges } from '../../src/runtime/scans/static-bases.ts';
import { PointerCollector, valueSpans } from '../../src/runtime/scans/pointer-map.ts';
import type { Region } from '../../src/target/target.ts';
import { pathBase } from '../../src/runtime/evaluation/show.ts';
import { sharedBlocks, sharedPointers, SharedPointerWriter } from '../../src/runtime/scans/shared-pointers.ts';
import { searchFromEnd } from '../../src/runtime/scans/worker-search.ts';
import type { ScanJob } from '../../src/runtime/scans/parallel-scan.ts';
import { FAILED } from '../../src/target/scan-worker/control.ts';

const PAGE = 0x1000;

function region(start: number, size: number, perms: string, path = '', offset = 0): MemoryRegion {
  return { start: BigInt(start), end: BigInt(start + size), perms, offset: BigInt(offset), path, deleted: false, bytes: new Uint8Array(size) };
}

function put(r: MemoryRegion, address: number, value: number): void {
  new DataView(r.bytes.buffer).setBigUint64(address - Number(r.start), BigInt(value), true);
}

/** An "app" with text, relro, data and bss, a heap, and a library: the layout of a PIE program. */
function program() {
  const app = 0x555555554000;
  const text = region(app, PAGE, 'r--p', '/usr/bin/app');
  const code = region(app + PAGE, PAGE, 'r-xp', '/usr/bin/app', PAGE);
  const relro = region(app + 2 * PAGE, PAGE, 'r--p', '/usr/bin/app', 2 * PAGE);
  const data = region(app + 3 * PAGE, PAGE, 'rw-p', '/usr/bin/app', 3 * PAGE);
  const bss = region(app + 4 * PAGE, 2 * PAGE, 'rw-p');
  const heap = region(0x555555600000, 16 * PAGE, 'rw-p', '[heap]');
  const lib = region(0x7ffff7d00000, PAGE, 'r--p', '/usr/lib/libx.so'); // its ELF header: not relro
  const libData = region(0x7ffff7d01000, PAGE, 'rw-p', '/usr/lib/libx.so', PAGE);
  const libCode = region(0x7ffff7d02000, PAGE, 'r-xp', '/usr/lib/libx.so', 2 * PAGE);
  return { app, text, code, relro, data, bss, heap, lib, libData, all: [text, code, relro, data, bss, heap, lib, libData, libCode] };
}

const scan = (regions: MemoryRegion[], request: Partial<PointerScanRequest> & { address: number }) => pointerScan(new MemoryTarget(regions), { depth: 3, maxOffset: 0x100, limit: 100, ...request });
const shown = (paths: ReturnType<typeof scan>['paths']) => paths.map((p) => `${pathBase(p)} ${p.offsets.map((o) => `0x${o.toString(16)}`).join(' ')}`);

describe('static bases', () => {
  it("are a module file's rw mappings, its relro and its .bss, named by base name", () => {
    const p = program();
    const ranges = staticRanges(p.all as Region[]);
    expect(ranges.map((r) => [r.base.kind === 'module' && r.base.module, r.start - p.app, r.end - r.start])).toEqual([
      ['app', 2 * PAGE, PAGE],
      ['app', 3 * PAGE, PAGE],
      ['app', 4 * PAGE, 2 * PAGE],
      ['libx.so', 0x7ffff7d01000 - p.app, PAGE],
    ]);
    expect(ranges[3]!.base).toEqual({ kind: 'module', module: 'libx.so', start: 0x7ffff7d00000 });
  });

  it('name a module by its path where two mapped files share a base name', () => {
    const a = region(0x10000, PAGE, 'rw-p', '/a/libz.so');
    const b = region(0x20000, PAGE, 'rw-p', '/b/libz.so');
    const code = [region(0x30000, PAGE, 'r-xp', '/a/libz.so'), region(0x40000, PAGE, 'r-xp', '/b/libz.so')];
    expect(staticRanges([a, b, ...code]).map((r) => r.base.kind === 'module' && r.base.module)).toEqual(['/a/libz.so', '/b/libz.so']);
  });

  it('leave out a read-only mapping not followed by writable memory, and anonymous memory after code', () => {
    const header = region(0x10000, PAGE, 'r--p', '/bin/x');
    const code = region(0x20000, PAGE, 'r-xp', '/bin/x', PAGE);
    const elsewhere = region(0x90000, PAGE, 'r-xp', '/bin/x', PAGE);
    const after = region(0x21000, PAGE, 'rw-p');
    const rodata = region(0x30000, PAGE, 'r--p', '/bin/x', 2 * PAGE);
    expect(staticRanges([header, code, after, rodata]).length).toBe(0);
    // r-- followed by anonymous rw: relro whose segment continues as .bss (and the header page, never).
    const relro = region(0x40000, PAGE, 'r--p', '/bin/x', 3 * PAGE);
    const bss = region(0x41000, PAGE, 'rw-p');
    expect(staticRanges([header, region(0x11000, PAGE, 'rw-p'), relro, bss, elsewhere]).map((r) => r.start)).toEqual([0x40000, 0x41000]);
  });

  it("leave out shared memory, files nothing maps executable, and a .bss past the file's writable segment", () => {
    // Shared anonymous memory shows as /dev/zero (rw-s); a data file mapped private is no module either.
    const zero = region(0x10000, PAGE, 'rw-s', '/dev/zero');
    const file = region(0x20000, PAGE, 'rw-p', '/var/lib/data.bin');
    expect(staticRanges([zero, file])).toEqual([]);
    // A heap arena the kernel joined to a library's .bss: the .bss ends where the file's writable segment says.
    const code = region(0x30000, PAGE, 'r-xp', '/lib/liby.so');
    const data = region(0x31000, PAGE, 'rw-p', '/lib/liby.so', PAGE);
    const joined = region(0x32000, 256 * PAGE, 'rw-p');
    const ranges = staticRanges([code, data, joined], (path, start) => (path === '/lib/liby.so' && start === 0x30000n ? 0x33000n : undefined));
    expect(ranges.map((r) => [r.start, r.end])).toEqual([[0x31000, 0x32000], [0x32000, 0x33000]]);
    expect(staticRanges([code, data, joined]).at(-1)!.end).toBe(0x32000 + 256 * PAGE);
  });
});

describe('pointerscan', () => {
  it('finds a static pointer to a heap struct and a two-level chain, shortest first', () => {
    const p = program();
    const player = 0x555555601000; // a heap struct; its health at +0x10
    const game = 0x555555602000; // a heap struct holding the player at +0x18
    put(p.bss, p.app + 4 * PAGE + 0x20, player); // app+0x4020: a static pointer to the player
    put(p.data, p.app + 3 * PAGE + 0x40, game); // app+0x3040: a static pointer to the game
    put(p.heap, game + 0x18, player);
    const paths = scan(p.all, { address: player + 0x10 });
    expect(shown(paths.paths)).toEqual(['app+0x4020 0x10', 'app+0x3040 0x18 0x10']);
    expect(paths.levels).toEqual([2, 1, 0]);
    expect(paths.pointers).toBe(3);
    expect(paths.cut).toBe(false);
  });

  it('finds nothing when the depth or the offset bound excludes the path', () => {
    const p = program();
    put(p.data, p.app + 3 * PAGE + 0x40, 0x555555602000);
    put(p.heap, 0x555555602000 + 0x18, 0x555555601000);
    expect(scan(p.all, { address: 0x555555601010, depth: 1 }).paths).toEqual([]);
    expect(scan(p.all, { address: 0x555555601010, maxOffset: 0x17 }).paths).toEqual([]);
    expect(shown(scan(p.all, { address: 0x555555601010, maxOffset: 0x18 }).paths)).toEqual(['app+0x3040 0x18 0x10']);
  });

  it('spells every way through a location, and keeps to the limit', () => {
    const p = program();
    const node = 0x555555603000;
    put(p.data, p.app + 3 * PAGE + 0x8, node);
    // Two pointers in the node, both leading to the target.
    put(p.heap, node + 0x0, 0x555555604000);
    put(p.heap, node + 0x8, 0x555555604000);
    const paths = scan(p.all, { address: 0x555555604004 });
    expect(shown(paths.paths)).toEqual(['app+0x3008 0x0 0x4', 'app+0x3008 0x8 0x4']);
    expect(scan(p.all, { address: 0x555555604004, limit: 1 }).paths.length).toBe(1);
  });

  it("takes bases in relro and in a library, with a module's start as its lowest mapping", () => {
    const p = program();
    put(p.relro, p.app + 2 * PAGE + 0x10, 0x555555605000);
    put(p.libData, 0x7ffff7d01000 + 0x30, 0x555555605000);
    expect(shown(scan(p.all, { address: 0x555555605000, depth: 1 }).paths)).toEqual(['app+0x2010 0x0', 'libx.so+0x1030 0x0']);
    // `in module("libx.so")`: bases there only.
    expect(shown(scan(p.all, { address: 0x555555605000, depth: 1, within: [{ start: 0x7ffff7d00000, end: 0x7ffff7d03000 }] }).paths)).toEqual(['libx.so+0x1030 0x0']);
  });

  it('does not start a path in the heap, and follows a cycle only as deep as asked', () => {
    const p = program();
    const a = 0x555555606000;
    put(p.heap, a, a); // a node pointing at itself
    put(p.data, p.app + 3 * PAGE, a);
    const paths = scan(p.all, { address: a, depth: 3, maxOffset: 0 });
    expect(shown(paths.paths)).toEqual(['app+0x3000 0x0', 'app+0x3000 0x0 0x0', 'app+0x3000 0x0 0x0 0x0']);
  });

  it("starts paths just below a thread's stack top too, when asked", () => {
    const p = program();
    const stack = region(0x7ffffffde000, 8 * PAGE, 'rw-p', '[stack]');
    const top = 0x7ffffffde000 + 6 * PAGE; // the top of its frames, below the environment
    put(stack, top - 0x18, 0x555555607000); // a local of the first frame: a pointer to a heap struct
    put(stack, top - 0x2000, 0x555555607000); // too deep to be static
    const request = { address: 0x555555607010, depth: 1 };
    expect(scan([...p.all, stack], request).paths).toEqual([]);
    const stacks = [{ thread: 0, top, sp: top - 0x3000 }];
    expect(shown(scan([...p.all, stack], { ...request, stacks }).paths)).toEqual(['threadstack0-0x18 0x10']);
  });

  it('finds the same paths through memory read fine when a region faults in the middle of a batch', () => {
    const p = program();
    // A and B touch (one stream); C is elsewhere, read in the same call. A faults half-way on the first read.
    const a = region(0x600000000000, PAGE, 'rw-p');
    const b = region(0x600000001000, PAGE, 'rw-p');
    const c = region(0x600000100000, PAGE, 'rw-p');
    const address = 0x600000100800;
    put(b, 0x600000001010, address);
    put(c, 0x600000100010, address);
    put(p.data, p.app + 3 * PAGE + 0x10, 0x600000001010);
    put(p.data, p.app + 3 * PAGE + 0x18, 0x600000100010);
    const target = new MemoryTarget([...p.all, a, b, c]);
    const open = target.openScan.bind(target);
    let faulted = false;
    target.openScan = () => {
      const access = open();
      const read = access.readChunks.bind(access);
      access.readChunks = (requests) =>
        read(requests).map((result, i) => {
          if (faulted || requests[i]!.address !== a.start) return result;
          faulted = true;
          return { bytes: result.bytes, done: 0x800, fault: { address: a.start + 0x800n } };
        });
      return access;
    };
    const outcome = pointerScan(target, { address, depth: 2, maxOffset: 0x100, limit: 100 });
    expect(faulted).toBe(true);
    expect(shown(outcome.paths)).toEqual(['app+0x3010 0x0 0x0', 'app+0x3018 0x0 0x0']);
  });

  it('never passes through static memory, and gives a static ADDR itself first, as a path of no pointers', () => {
    const p = program();
    const node = 0x555555608000;
    put(p.heap, node + 0x8, 0x555555609000);
    put(p.data, p.app + 3 * PAGE + 0x20, node); // app+0x3020: static, to the heap node
    put(p.data, p.app + 3 * PAGE + 0x28, p.app + 3 * PAGE + 0x20); // app+0x3028: static, to the static one: an alias
    expect(shown(scan(p.all, { address: 0x555555609000, depth: 3 }).paths)).toEqual(['app+0x3020 0x8 0x0']);
    // A static ADDR: the address itself (no offsets), then the paths that end at it.
    expect(shown(scan(p.all, { address: p.app + 3 * PAGE + 0x20, depth: 1, maxOffset: 0 }).paths)).toEqual(['app+0x3020 ', 'app+0x3028 0x0']);
  });

  it('stops when its levels would outgrow the map, and says so', () => {
    const p = program();
    // Every heap word points at the next: each level holds the whole heap.
    for (let at = 0x555555600000; at < 0x555555610000 - 8; at += 8) put(p.heap, at, at + 8);
    const outcome = scan(p.all, { address: 0x55555560fff8, depth: 8, maxOffset: 0x10000 });
    expect(outcome.cut).toBe(true);
    expect(outcome.levels.reduce((a, b) => a + b, 0) * 4).toBeLessThanOrEqual(outcome.mapBytes);
  });
});

describe('the pointer map', () => {
  it('keeps words whose value lies in a span, in location order, and finds them by value', () => {
    const collector = new PointerCollector(valueSpans([{ start: 0x1000, end: 0x2000 }, { start: 0x1800, end: 0x3000 }, { start: 0x10000, end: 0x11000 }]));
    const bytes = new Uint8Array(64);
    const view = new DataView(bytes.buffer);
    [0x1000, 0x5, 0x2fff, 0x3000, 0x10008, 0xfff, 0x10008, 0].forEach((v, i) => view.setBigUint64(i * 8, BigInt(v), true));
    collector.collect(bytes, 0x40000n, 64);
    const map = collector.finish();
    expect(Array.from({ length: map.count }, (_, i) => map.location(i) - 0x40000)).toEqual([0, 16, 32, 48]);
    const found: number[] = [];
    map.each(0x10000, 0x10010, (i) => found.push(map.location(i) - 0x40000));
    expect(found).toEqual([32, 48]);
  });
});

describe("a worker's share of the map", () => {
  const spans = valueSpans([{ start: 0x10000, end: 0x20000 }]);
  /** Memory of `words` words, every one pointing into the span. */
  const pointers = (words: number) => {
    const bytes = new Uint8Array(words * 8);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < words; i++) view.setBigUint64(i * 8, BigInt(0x10000 + (i % 0x1000) * 8), true);
    return bytes;
  };

  it('comes back in address order though the worker took its batches from the end', () => {
    const shared = sharedPointers(spans, 3 * 64, 3)!;
    const writer = new SharedPointerWriter(shared);
    const collector = new PointerCollector(spans, writer.newBlock, new Uint32Array(shared.counts));
    for (const chunk of [2, 1]) {
      collector.startSegment();
      writer.batch(chunk);
      collector.collect(pointers(8), BigInt(0x40000 + chunk * 64), 64);
    }
    writer.finish();
    const main = new PointerCollector(spans);
    main.collect(pointers(8), 0x40000n, 64);
    const { blocks, counts } = sharedBlocks(shared);
    main.adopt(blocks, counts);
    const map = main.finish();
    expect(Array.from({ length: map.count }, (_, i) => map.location(i) - 0x40000)).toEqual(Array.from({ length: 24 }, (_, i) => i * 8));
    const found: number[] = [];
    map.each(0x10000, 0x10008, (i) => found.push(map.location(i) - 0x40000));
    expect(found).toEqual([0, 8, 64, 72, 128, 136]);
  });

  it('is not asked for where the system will not reserve the memory: the scan stays on one thread', () => {
    expect(sharedPointers(spans, 2 ** 52, 1)).toBeUndefined();
  });

  it('that outgrows the shared memory fails the worker, whose chunks the main thread then reads', () => {
    const region: MemoryRegion = { start: 0x40000n, end: 0x40000n + 0x100000n, perms: 'rw-p', offset: 0n, path: '', deleted: false, bytes: pointers(0x20000) };
    const access = new MemoryTarget([region]).openScan();
    const chunks = [{ start: 0x40000n, length: 0x80000, search: 0x80000, boundaries: [] }, { start: 0xc0000n, length: 0x80000, search: 0x80000, boundaries: [] }];
    // One slot of 65 536 entries for a chunk of 65 536 pointers and the next: the second does not fit.
    const shared = { ...sharedPointers(spans, 0, 1)!, blocks: 1 };
    const job: ScanJob = {
      chunks,
      smaps: undefined,
      find: { kind: 'pointers', starts: spans.starts, ends: spans.ends, shared },
      claims: new SharedArrayBuffer(8),
      bytes: new SharedArrayBuffer(8),
      skipped: new SharedArrayBuffer(1024),
    };
    expect(searchFromEnd(job, access, new Int32Array(4))).toBe(FAILED);
    access.close();
  });
});
