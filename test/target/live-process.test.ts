import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECT_BYTES } from '../../src/native/vm.ts';
import { LiveProcess } from '../../src/target/live-process.ts';
import { caught, caughtAsync } from '../helpers/errors.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { needs } from '../helpers/needs.ts';

describe('LiveProcess', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(() => fixture.stop());

  it('names the process and lists its regions, with the fixture binary and [heap]', async () => {
    const target = await LiveProcess.open(fixture.pid);
    expect(target.identity).toMatchObject({ kind: 'process', pid: fixture.pid, name: 'target' });
    expect(target.identity.exe).toMatch(/test\/\.build\/target$/);
    const regions = target.regions();
    expect(regions.some((r) => r.path.endsWith('/target') && r.perms === 'r-xp')).toBe(true);
    expect(regions.some((r) => r.start === fixture.at('page'))).toBe(true);
    target.close();
  });

  it('writes through /proc/PID/mem, where a write on a userfaultfd page faults at once (no smaps read ahead to stop it), saying why', async (context) => {
    needs(context, fixture.has('uffd'), 'the fixture could not register a userfaultfd page (this kernel allows no userfaultfd for this user)');
    const target = await LiveProcess.open(fixture.pid);
    const scratch = fixture.at('scratch');
    const [before] = target.read([{ address: scratch, length: 1 }]);
    expect(target.write([{ address: scratch, bytes: before!.bytes }], true)).toEqual([{ done: 1, fault: undefined }]);
    const started = performance.now();
    const [result] = target.write([{ address: fixture.at('uffd'), bytes: Uint8Array.of(1) }], true);
    // A write that waited for the page would wait for ever: 10 s tells the two apart on a busy machine too.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({ done: 0, fault: { address: fixture.at('uffd'), reason: expect.stringContaining('registered with userfaultfd (VmFlags um)') } });
    target.close();
  });

  it('takes the write lock of a process that has exited as exited (exit 4), not as a lock it cannot take', async () => {
    const short = await startFixture();
    const target = await LiveProcess.open(short.pid);
    await short.stop();
    const error = caught(() => target.lockWrites());
    expect(error).toMatchObject({ exit: 4, code: 'target-exited' });
    target.close();
  });

  it('reports a pid with no process as a target error (exit 4)', async () => {
    const error = await caughtAsync(() => LiveProcess.open(0x3ffffff0));
    expect(error).toMatchObject({ exit: 4, code: 'no-such-process' });
    expect(error.message).toBe(`no process with pid ${0x3ffffff0}`);
  });

  it('reports a target that exits after it was opened as exited (exit 4), not as a bare errno', async () => {
    const short = await startFixture();
    const target = await LiveProcess.open(short.pid);
    await short.stop();
    // Reaped by Node once 'exit' fired, so the pid is gone.
    const error = caught(() => target.read([{ address: short.at('counter'), length: 4 }]));
    expect(error).toMatchObject({ exit: 4, code: 'target-exited' });
    expect(error.message).toBe(`pid ${short.pid} (target) has exited`);
    target.close();
  });

  describe('reads through one primitive (readv), in every way built over it', () => {
    it("reads a scan's chunks into the scan's memory, without copying: a fault in the middle leaves the reads around it intact", async () => {
      const live = await LiveProcess.open(fixture.pid);
      const access = live.openScan();
      const page = fixture.at('page');
      const hole = fixture.at('hole');
      const results = access.readChunks([
        { address: page, length: 16 },
        { address: hole - 8n, length: 16 },
        { address: fixture.at('after_hole'), length: 4 },
      ]);
      expect([...results[0]!.bytes]).toEqual(Array.from({ length: 16 }, (_, i) => i));
      expect(results[1]).toMatchObject({ done: 8, fault: { address: hole } });
      expect(new TextDecoder().decode(results[1]!.bytes.subarray(0, 8))).toBe('UNENDING');
      // The call resumed after the fault wrote its data where the third read belongs, not over the first.
      expect([...results[2]!.bytes]).toEqual([255, 254, 253, 252]);
      for (const result of results) expect(result.bytes.buffer).toBe(access.memory(0).buffer);
      expect(access.search.findByte(results[2]!.bytes, 253, 0)).toBe(2);
      access.close();
      live.close();
    });

    it('reads one chunk in one call, and a chunk that faults up to the fault', async () => {
      const live = await LiveProcess.open(fixture.pid);
      const access = live.openScan();
      const calls = live.calls;
      const [whole] = access.readChunks([{ address: fixture.at('area') + 1024n, length: 1 << 20 }]);
      expect(live.calls - calls).toBe(1);
      expect(whole).toMatchObject({ done: 1 << 20, fault: undefined });
      expect(new TextDecoder().decode(whole!.bytes.subarray(0, 12))).toBe('PVM-TWICE-77');
      // The page before the hole and 60 KiB of hole.
      const [short] = access.readChunks([{ address: fixture.at('page'), length: 65536 }]);
      expect(short).toMatchObject({ done: 4096, fault: { address: fixture.at('hole') } });
      expect([...short!.bytes.subarray(0, 8)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      access.close();
      live.close();
    });

    it('reads one large read whole into the memory given, in one call, and zeroes what a fault left unread', async () => {
      const live = await LiveProcess.open(fixture.pid);
      live.blocked(); // smaps read: reads take process_vm_readv from here on
      const area = fixture.at('area');
      const into = new Uint8Array(1 << 20).fill(0xee);
      const calls = live.calls;
      const whole = live.readInto!({ address: area + 1024n, length: 1 << 20 }, into);
      expect(live.calls - calls).toBe(1);
      expect(whole).toMatchObject({ done: 1 << 20, fault: undefined });
      expect(whole.bytes.buffer).toBe(into.buffer);
      expect(new TextDecoder().decode(whole.bytes.subarray(0, 12))).toBe('PVM-TWICE-77');
      const short = live.readInto!({ address: fixture.at('page'), length: 65536 }, into.fill(0xee));
      expect(short).toMatchObject({ done: 4096, fault: { address: fixture.at('hole') } });
      expect([...short.bytes.subarray(0, 8)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(short.bytes.subarray(4096, 65536).every((byte) => byte === 0)).toBe(true);
      live.close();
    });

    it('reads ranges given as numbers into one buffer, a fault in the middle costing one extra call (compiled loops)', async () => {
      const live = await LiveProcess.open(fixture.pid);
      const page = Number(fixture.at('page'));
      const hole = Number(fixture.at('hole'));
      const after = Number(fixture.at('after_hole'));
      live.blocked();
      const calls = live.calls;
      const read = live.readRanges!(Float64Array.of(page, hole - 8, after, page + 4), Float64Array.of(16, 16, 4, 0))!;
      // Back to back, each range in its whole length (the faulted one too): at 0, 16, 32 and 36.
      expect(read.bytes.length).toBe(36);
      expect([...read.done]).toEqual([16, 8, 4, 0]);
      expect([...read.bytes.subarray(0, 16)]).toEqual(Array.from({ length: 16 }, (_, i) => i));
      expect(new TextDecoder().decode(read.bytes.subarray(16, 24))).toBe('UNENDING');
      expect([...read.bytes.subarray(32, 36)]).toEqual([255, 254, 253, 252]);
      expect(live.calls - calls).toBe(2);
      live.close();
    });

    it('reads ranges given as numbers that share a page a page at a time, each at its place', async () => {
      const live = await LiveProcess.open(fixture.pid);
      const page = Number(fixture.at('page'));
      live.blocked();
      const iovecs = live.iovecs;
      // 500 ranges of 8 bytes tiling 4000 bytes of one page, out of order: one remote iovec, not 500.
      const offsetOf = (i: number) => ((i * 37) % 500) * 8;
      const read = live.readRanges!(Float64Array.from({ length: 500 }, (_, i) => page + offsetOf(i)), new Float64Array(500).fill(8))!;
      expect([...read.done]).toEqual(new Array(500).fill(8));
      for (let i = 0; i < 500; i++) expect([...read.bytes.subarray(i * 8, i * 8 + 8)]).toEqual(Array.from({ length: 8 }, (_, k) => (offsetOf(i) + k) & 0xff));
      expect(live.iovecs - iovecs).toBe(1);
      live.close();
    });

    it('reads no ranges as numbers when one meets a blocked range, passes 2^53 or exceeds a call (the caller reads another way)', async (context) => {
      const live = await LiveProcess.open(fixture.pid);
      const page = Number(fixture.at('page'));
      const starts = Float64Array.from({ length: 3000 }, (_, i) => page + (i % 500) * 8);
      expect(live.readRanges!(starts, new Float64Array(3000).fill(8))).toBeDefined();
      expect(live.readRanges!(Float64Array.of(page, 2 ** 53 - 4), Float64Array.of(8, 8))).toBeUndefined();
      expect(live.readRanges!(Float64Array.of(page), Float64Array.of((16 << 20) + 1))).toBeUndefined();
      needs(context, fixture.has('uffd'), 'the fixture could not register a userfaultfd page (this kernel allows no userfaultfd for this user)');
      expect(live.readRanges!(Float64Array.of(page, Number(fixture.at('uffd')) + 8), Float64Array.of(8, 8))).toBeUndefined();
      live.close();
    });

    it('refuses memory too short for a batch before the kernel writes into it (RangeError), however large the memory behind it', async () => {
      const live = await LiveProcess.open(fixture.pid);
      // A file mapping of at least DIRECT_BYTES: a batch that large lands straight in the caller's memory.
      const region = live.regions().find((r) => r.perms[0] === 'r' && r.path.startsWith('/') && r.end - r.start >= BigInt(DIRECT_BYTES))!;
      const half = DIRECT_BYTES / 2;
      const ranges = new Uint8Array(32);
      const view = new DataView(ranges.buffer);
      view.setBigUint64(0, region.start, true);
      view.setBigUint64(8, BigInt(half), true);
      view.setBigUint64(16, region.start + BigInt(half), true);
      view.setBigUint64(24, BigInt(half), true);
      // 16 bytes of memory, a view of a buffer with room for the whole batch: only the view is the caller's to fill.
      const backing = new Uint8Array(DIRECT_BYTES + 64).fill(0xee);
      const batch = { ranges, count: 2, offsets: Int32Array.of(0, half, DIRECT_BYTES), done: Int32Array.of(half, half), memory: backing.subarray(0, 16) };
      expect(() => live.readv(batch)).toThrow(RangeError);
      // A scan's chunks alike.
      const scan = live.scanSession();
      expect(() => live.readv({ ...batch, scan })).toThrow(RangeError);
      scan.close();
      expect(backing.every((byte) => byte === 0xee)).toBe(true);
      // Reads into memory the caller reuses: it must hold the read.
      expect(() => live.readInto!({ address: region.start, length: 64 }, new Uint8Array(8))).toThrow('a read of 64 bytes into memory of 8');
      live.close();
    });
  });
});
