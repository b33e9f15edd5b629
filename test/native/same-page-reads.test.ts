// The same-page read planner against a simulated process_vm_readv: for any
// ranges, the planned calls put every range's bytes at its place, read gaps
// only on a page a range is read from, and keep within IOV_MAX a call.
import { describe, expect, it } from 'vitest';
import { samePagePlanModule } from '../../src/native/same-page-plan.ts';
import { SAME_PAGE_PLAN_BASE64 } from '../../src/native/same-page-plan-bytes.ts';
import { SAME_PAGE_MIN, SamePagePlanner } from '../../src/native/same-page-reads.ts';

const BASE = 0x10_0000; // where the caller's memory lies (native address)
const JUNK_BASE = 0x7000_0000; // the planner's memory: its junk buffer lies above
const byteAt = (address: number) => (address * 2654435761) % 251;

interface Range {
  readonly address: number;
  readonly length: number;
}

/** Lays the ranges out as VectorReader.read takes them. */
function layOut(ranges: readonly Range[]) {
  const remote = new Uint8Array(ranges.length * 16);
  const view = new DataView(remote.buffer);
  const offsets = new Int32Array(ranges.length + 1);
  ranges.forEach(({ address, length }, r) => {
    view.setBigUint64(r * 16, BigInt(address), true);
    view.setBigUint64(r * 16 + 8, BigInt(length), true);
    offsets[r + 1] = offsets[r]! + length;
  });
  return { remote, offsets };
}

/** Runs the planned calls as the kernel would (remote bytes in order, scattered over the local iovecs); returns the caller's memory. */
function simulate(ranges: readonly Range[]) {
  const { remote, offsets } = layOut(ranges);
  const planner = new SamePagePlanner(() => JUNK_BASE);
  const planned = planner.plan(remote, ranges.length, offsets, BASE);
  if (planned === undefined) return undefined;
  const memory = new Uint8Array(offsets[ranges.length]!);
  let remoteIovecs = 0;
  const rangesSeen: number[] = [];
  for (let c = 0; c < planned.count; c++) {
    // The call's ranges (by address) are those whose bytes it moves: their destinations, in order.
    const ranges = [...planned.ranges(c)];
    rangesSeen.push(...ranges);
    const destinations: number[] = [];
    const locals = new DataView(planned.local(c).buffer, planned.local(c).byteOffset, planned.localCount(c) * 16);
    const remotes = new DataView(planned.remote(c).buffer, planned.remote(c).byteOffset, planned.remoteCount(c) * 16);
    expect(planned.localCount(c)).toBeLessThanOrEqual(1024);
    expect(planned.remoteCount(c)).toBeLessThanOrEqual(1024);
    const stream: number[] = [];
    for (let s = 0; s < planned.remoteCount(c); s++) {
      const start = Number(remotes.getBigUint64(s * 16, true));
      const length = Number(remotes.getBigUint64(s * 16 + 8, true));
      for (let a = start; a < start + length; a++) stream.push(a);
    }
    remoteIovecs += planned.remoteCount(c);
    expect(stream.length).toBe(planned.expected(c));
    let at = 0;
    for (let l = 0; l < planned.localCount(c); l++) {
      const to = Number(locals.getBigUint64(l * 16, true));
      const length = Number(locals.getBigUint64(l * 16 + 8, true));
      if (to >= JUNK_BASE) {
        // A gap: on the page of the byte read before it, and of the byte after.
        const page = Math.floor(stream[at - 1]! / 4096);
        expect(Math.floor(stream[at]! / 4096)).toBe(page);
        expect(Math.floor(stream[at + length]! / 4096)).toBe(page);
        expect(length).toBeLessThanOrEqual(2048);
      } else {
        destinations.push(to - BASE);
        expect(to - BASE + length).toBeLessThanOrEqual(memory.length);
        for (let b = 0; b < length; b++) memory[to - BASE + b] = byteAt(stream[at + b]!);
      }
      at += length;
    }
    expect(at).toBe(stream.length);
    expect(destinations).toEqual(ranges.map((r) => offsets[r]!));
  }
  // Every range that reads something, in exactly one call.
  const nonEmpty = ranges.flatMap(({ length }, r) => (length > 0 ? [r] : []));
  expect(rangesSeen.sort((a, b) => a - b)).toEqual(nonEmpty);
  return { memory, offsets, remoteIovecs };
}

function expectRead(ranges: readonly Range[]) {
  const result = simulate(ranges);
  expect(result).toBeDefined();
  const { memory, offsets } = result!;
  ranges.forEach(({ address, length }, r) => {
    const want = Array.from({ length }, (_, b) => byteAt(address + b));
    expect([...memory.subarray(offsets[r]!, offsets[r]! + length)]).toEqual(want);
  });
  return result!;
}

/** A small deterministic generator (tests repeat exactly). */
function random(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % below;
  };
}

describe('same-page reads', () => {
  it('ships the bytes same-page-plan.ts encodes (else run `npm run wasm`)', () => {
    expect(SAME_PAGE_PLAN_BASE64).toBe(Buffer.from(samePagePlanModule()).toString('base64'));
  });

  it('reads 16 384 pointers into 196 pages in a few hundred remote iovecs, each at its place', () => {
    const values = 0x5555_0000_0010;
    const ranges = Array.from({ length: 16384 }, (_, i) => ({ address: values + ((i * 7919) % 100000) * 8, length: 8 }));
    const { remoteIovecs } = expectRead(ranges);
    expect(remoteIovecs).toBeLessThan(600);
  });

  it('keeps duplicates, overlaps, ranges across a page end and empty ranges right', () => {
    const next = random(7);
    const ranges: Range[] = [];
    for (let i = 0; i < 3000; i++) {
      const kind = next(5);
      const address = 0x7fff_0000_0000 + next(64 * 4096);
      if (kind === 0 && ranges.length > 0) ranges.push(ranges[next(ranges.length)]!); // the same range again
      else if (kind === 1) ranges.push({ address: 0x7fff_0000_0000 + next(64) * 4096 - next(8), length: 16 }); // across a page end
      else if (kind === 2) ranges.push({ address, length: 0 }); // left out (a blocked range)
      else ranges.push({ address, length: 1 + next(40) });
    }
    expectRead(ranges);
  });

  it('splits calls at 1024 local and 1024 remote iovecs', () => {
    // 5000 ranges, one every 64 bytes: gaps to junk, so two local iovecs a range.
    expectRead(Array.from({ length: 5000 }, (_, i) => ({ address: 0x4000_0000 + i * 64, length: 8 })));
    // 5000 ranges, one every two pages: no gap is read, one remote iovec each.
    expectRead(Array.from({ length: 5000 }, (_, i) => ({ address: 0x4000_0000 + i * 8192, length: 8 })));
  });

  it('sorts addresses across the whole 64 bits (a stack far from the heap)', () => {
    const next = random(11);
    const ranges = Array.from({ length: 4000 }, () => ({ address: (next(2) === 0 ? 0x5600_0000_0000 : 0x7ffd_0000_0000) + next(8 * 4096), length: 8 }));
    expectRead(ranges);
  });

  it('leaves ranges far apart as they are, and few ranges too', () => {
    const next = random(3);
    const sparse = Array.from({ length: 1000 }, () => ({ address: 0x10_0000_0000 + next(1 << 30) * 8, length: 8 }));
    expect(simulate(sparse)).toBeUndefined();
    expect(simulate(Array.from({ length: SAME_PAGE_MIN - 1 }, (_, i) => ({ address: 0x1000 + i * 8, length: 8 })))).toBeUndefined();
    // Already ascending: grouped even though far apart (no sort to pay for).
    expectRead(Array.from({ length: 1000 }, (_, i) => ({ address: 0x10_0000_0000 + i * 100_000, length: 8 })));
  });
});
