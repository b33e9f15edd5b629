// The native layer against a real process: batching, partial transfers at a
// real hole, and /proc/PID/mem reaching where process_vm_writev cannot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Errno } from '../../src/native/errno.ts';
import { type Libc, loadLibc } from '../../src/native/libc.ts';
import { ProcMem } from '../../src/native/proc-mem.ts';
import { SamePagePlanner } from '../../src/native/same-page-reads.ts';
import { VmChannel } from '../../src/native/vm.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';

let fixture: Fixture;
let libc: Libc;

beforeAll(async () => {
  fixture = await startFixture();
  libc = await loadLibc();
});
afterAll(() => fixture.stop());

/** 8 bytes at each address, laid out as VectorReader.read takes ranges: remote iovecs, and offsets back to back. */
function eightBytesAt(addresses: readonly bigint[]): { remote: Uint8Array; offsets: Int32Array } {
  const remote = new Uint8Array(addresses.length * 16);
  const view = new DataView(remote.buffer);
  addresses.forEach((address, r) => {
    view.setBigUint64(r * 16, address, true);
    view.setBigUint64(r * 16 + 8, 8n, true);
  });
  return { remote, offsets: Int32Array.from({ length: addresses.length + 1 }, (_, r) => r * 8) };
}

describe('VmChannel on a live process', () => {
  it('reads 64 KiB or more straight into the result, and zeroes what a fault left unread', () => {
    const vm = new VmChannel(libc, fixture.pid);
    const area = fixture.at('area');
    // Dirty memory first, so that a recycled buffer would show stale bytes where the kernel wrote none.
    for (let i = 0; i < 8; i++) vm.read([{ address: area, length: 1 << 20 }]);
    const [large, short] = vm.read([{ address: area + 1024n, length: 1 << 20 }, { address: fixture.at('page'), length: 65536 }]);
    expect(large!.done).toBe(1 << 20);
    expect(new TextDecoder().decode(large!.bytes.subarray(0, 12))).toBe('PVM-TWICE-77');
    expect([...large!.bytes.subarray((1 << 20) - 1030, (1 << 20) - 1025)]).toEqual([0xaa, 0x50, 0x56, 0x4d, 0x2d]);
    expect(short).toMatchObject({ done: 4096, fault: { address: fixture.at('hole') } });
    expect([...short!.bytes.subarray(0, 8)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(short!.bytes.subarray(4096).every((byte) => byte === 0)).toBe(true);
    vm.close();
  });

  it('reads 3000 iovecs with faults in the middle: one extra call per bad address', () => {
    const vm = new VmChannel(libc, fixture.pid);
    const page = fixture.at('page');
    const hole = fixture.at('hole');
    const transfers = Array.from({ length: 3000 }, (_, i) => ({ address: page + BigInt((i * 8) % 4000), length: 8 }));
    transfers[1200] = { address: hole - 3n, length: 8 }; // straddles into the hole: 3 bytes, then a fault
    transfers[2100] = { address: hole + 100n, length: 8 }; // wholly in the hole
    const outcomes = vm.read(transfers);

    for (const [i, outcome] of outcomes.entries()) {
      if (i === 1200 || i === 2100) continue;
      expect(outcome.fault).toBeUndefined();
      const start = (i * 8) % 4000;
      expect([...outcome.bytes]).toEqual(Array.from({ length: 8 }, (_, k) => (start + k) & 0xff));
    }
    expect(outcomes[1200]!.done).toBe(3);
    expect(outcomes[1200]!.fault).toEqual({ address: hole, errno: Errno.EFAULT });
    expect(new TextDecoder().decode(outcomes[1200]!.bytes.subarray(0, 3))).toBe('ING'); // the end of "UNENDING"
    expect(outcomes[2100]).toMatchObject({ done: 0, fault: { address: hole + 100n, errno: Errno.EFAULT } });
    // [0,1024) ok; [1024,2048) stops at 1200; [1201,2225) stops at 2100; [2101,3000) ok.
    // At most one extra call per fault: never a call per iovec.
    expect(vm.calls).toBe(4);
    vm.close();
  });

  it('reads ranges that share a page as one iovec; a range in a hole then gets its own outcome, exactly', () => {
    const vm = new VmChannel(libc, fixture.pid);
    const page = fixture.at('page');
    const hole = fixture.at('hole');
    // 120 ranges of 8 bytes on one page, out of order, as a loop's read-ahead lays them out.
    const starts = Array.from({ length: 120 }, (_, i) => ((i * 37) % 120) * 32);
    const read = (addresses: bigint[]) => {
      const { remote, offsets } = eightBytesAt(addresses);
      const done = new Int32Array(addresses.length).fill(8);
      const memory = libc.alloc(addresses.length * 8);
      const iovecs = vm.iovecs;
      vm.readVectors(remote, addresses.length, offsets, done, Number(memory.address));
      const bytes = Uint8Array.from(memory.bytes);
      memory.free();
      return { bytes, done: [...done], iovecs: vm.iovecs - iovecs };
    };
    const expected = (r: number) => Array.from({ length: 8 }, (_, k) => (starts[r]! + k) & 0xff);
    const together = read(starts.map((start) => page + BigInt(start)));
    expect(together.iovecs).toBe(1);
    starts.forEach((_, r) => expect([...together.bytes.subarray(r * 8, r * 8 + 8)]).toEqual(expected(r)));
    // One range in the hole and one at NULL: the call moves less than planned, so its ranges are read again one
    // iovec each, and each gets its own outcome.
    const withHole = read(starts.map((start, r) => (r === 50 ? hole + 8n : r === 70 ? 0n : page + BigInt(start))));
    expect(withHole.done).toEqual(starts.map((_, r) => (r === 50 || r === 70 ? 0 : 8)));
    starts.forEach((_, r) => r !== 50 && r !== 70 && expect([...withHole.bytes.subarray(r * 8, r * 8 + 8)]).toEqual(expected(r)));
    vm.close();
  });

  it('reads again one iovec each only the ranges of the planned call that met a fault', () => {
    const vm = new VmChannel(libc, fixture.pid);
    const page = fixture.at('page');
    // 3000 ranges on one page, many the same: ~2500 remote iovecs in 3 calls; the one in the hole sorts last.
    const addresses = Array.from({ length: 3000 }, (_, i) => (i === 1234 ? fixture.at('hole') : page + BigInt(((i * 37) % 480) * 8)));
    const { remote, offsets } = eightBytesAt(addresses);
    const planned = new SamePagePlanner(() => 0).plan(remote, addresses.length, offsets, 0)!;
    const plannedIovecs = Array.from({ length: planned.count }, (_, c) => planned.remoteCount(c)).reduce((a, b) => a + b);
    const lastCallRanges = planned.ranges(planned.count - 1).length;
    expect(planned.count).toBeGreaterThan(1);
    const done = new Int32Array(addresses.length).fill(8);
    const memory = libc.alloc(addresses.length * 8);
    vm.readVectors(remote, addresses.length, offsets, done, Number(memory.address));
    expect([...done]).toEqual(addresses.map((_, r) => (r === 1234 ? 0 : 8)));
    expect(vm.iovecs).toBe(plannedIovecs + lastCallRanges);
    addresses.forEach((address, r) => {
      if (r === 1234) return;
      const start = Number(address - page);
      expect([...memory.bytes.subarray(r * 8, r * 8 + 8)]).toEqual(Array.from({ length: 8 }, (_, k) => (start + k) & 0xff));
    });
    memory.free();
    vm.close();
  });

  it('splits a read larger than one call and keeps the bytes before a hole', () => {
    const vm = new VmChannel(libc, fixture.pid, 1024);
    const [outcome] = vm.read([{ address: fixture.at('page'), length: 3 * fixture.pageSize }]);
    expect(outcome!.done).toBe(fixture.pageSize);
    expect(outcome!.fault?.address).toBe(fixture.at('hole'));
    expect(outcome!.bytes[4095 - 8]).toBe((4095 - 8) & 0xff);
    vm.close();
  });

  it('writes data pages, and gets EFAULT on code pages', () => {
    const vm = new VmChannel(libc, fixture.pid);
    const target = fixture.at('page') + 64n;
    const [written] = vm.write([{ address: target, bytes: new Uint8Array([1, 2, 3, 4]) }]);
    expect(written).toEqual({ done: 4, fault: undefined });
    expect([...vm.read([{ address: target, length: 4 }])[0]!.bytes]).toEqual([1, 2, 3, 4]);
    vm.write([{ address: target, bytes: new Uint8Array([64, 65, 66, 67]) }]);

    const code = fixture.at('is_licensed');
    const [original] = vm.read([{ address: code, length: 4 }]);
    const [refused] = vm.write([{ address: code, bytes: original!.bytes }]);
    expect(refused).toEqual({ done: 0, fault: { address: code, errno: Errno.EFAULT } });
    vm.close();
  });
});

describe('ProcMem on a live process', () => {
  it('writes r-x code where process_vm_writev cannot (FOLL_FORCE)', () => {
    const mem = ProcMem.open(libc, fixture.pid, true);
    const code = fixture.at('is_licensed');
    const before = mem.read(code, 4);
    expect(before.done).toBe(4);
    // Write the same bytes back: proves the path without changing the fixture's behaviour.
    expect(mem.write(code, before.bytes)).toEqual({ done: 4, fault: undefined });
    mem.close();
  });

  it('reads up to a hole and reports EIO there', () => {
    const mem = ProcMem.open(libc, fixture.pid, false);
    const result = mem.read(fixture.at('hole') - 16n, 64);
    expect(result.done).toBe(16);
    expect(result.fault).toEqual({ address: fixture.at('hole'), errno: Errno.EIO });
    mem.close();
  });

  it('fails to open for a pid that does not exist, keeping errno', () => {
    expect(() => ProcMem.open(libc, 0x3fffffff, false)).toThrow(/ENOENT/);
  });
});
