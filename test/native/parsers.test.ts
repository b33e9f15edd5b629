import { describe, expect, it } from 'vitest';
import { Errno, errnoName, NativeError } from '../../src/native/errno.ts';
import { parseMaps } from '../../src/native/maps.ts';
import { appendFrameRuns, appendResidentRuns, zeroPageFrame } from '../../src/native/pagemap.ts';
import { mapsLinesOf, parseSmaps } from '../../src/native/smaps.ts';
import { CAP_SYS_PTRACE, hasCapability, parseStatus } from '../../src/native/status.ts';

const MAPS = `55ecf282b000-55ecf282c000 r--p 00000000 fe:00 5316755                    /work/main/test/.build/target
55ed168d7000-55ed168f8000 rw-p 00000000 00:00 0                          [heap]
7fbe741be000-7fbe741c1000 rw-p 00000000 00:00 0 
7fbe74200000-7fbe74201000 r--s 00001000 00:05 1234                       /tmp/a dir/with spaces.bin
7fbe74300000-7fbe74301000 rw-s 00000000 00:01 99                         /memfd:x (deleted)
7fbe74400000-7fbe74401000 r--p 00000000 08:01 18446744073709551615       /tmp/name\\012with newline (deleted)
7fbe743ae000-7fbe743b2000 r--p 00000000 00:00 0                          [vvar]
7fbe743b2000-7fbe743b4000 r--p 00000000 00:00 0                          [vvar_vclock]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
`;

describe('parseMaps', () => {
  const entries = parseMaps(MAPS);

  it('reads addresses, permissions, offsets and devices', () => {
    expect(entries).toHaveLength(9);
    expect(entries[0]).toEqual({
      start: 0x55ecf282b000n,
      end: 0x55ecf282c000n,
      perms: 'r--p',
      offset: 0n,
      device: 'fe:00',
      inode: '5316755',
      path: '/work/main/test/.build/target',
      deleted: false,
    });
    expect(entries[8]!.start).toBe(0xffffffffff600000n);
  });

  it('keeps pseudo-names and anonymous mappings', () => {
    expect(entries.map((e) => e.path).slice(1, 3)).toEqual(['[heap]', '']);
    expect(entries.slice(6).map((e) => e.path)).toEqual(['[vvar]', '[vvar_vclock]', '[vsyscall]']);
  });

  it('takes the path as the rest of the line, decodes \\012 and strips (deleted)', () => {
    expect(entries[3]!.path).toBe('/tmp/a dir/with spaces.bin');
    expect(entries[4]).toMatchObject({ path: '/memfd:x', deleted: true, perms: 'rw-s' });
    expect(entries[5]).toMatchObject({ path: '/tmp/name\nwith newline', deleted: true, inode: '18446744073709551615' });
  });

  it('refuses a line it does not understand instead of guessing', () => {
    expect(() => parseMaps('not a maps line\n')).toThrow(/unrecognised/);
  });
});

describe('parseStatus', () => {
  const status = parseStatus(`Name:\tnginx
State:\tS (sleeping)
Tgid:\t4242
Pid:\t4242
PPid:\t1
TracerPid:\t0
Uid:\t0\t33\t33\t33
Gid:\t0\t33\t33\t33
CapPrm:\t0000000000000400
CapEff:\t000001ffffffffff
VmRSS:\t  153600 kB
`);

  it('reads credentials and state', () => {
    expect(status).toMatchObject({ name: 'nginx', state: 'S', pid: 4242, ppid: 1, tracerPid: 0, uid: [0, 33, 33, 33], gid: [0, 33, 33, 33] });
    expect(status.capPrm).toBe(0x400n);
    expect(hasCapability(status.capEff, CAP_SYS_PTRACE)).toBe(true);
    expect(hasCapability(0x400n, CAP_SYS_PTRACE)).toBe(false);
  });

  it('reads the memory it holds, and none where the kernel gives no VmRSS (a kernel thread)', () => {
    expect(status.residentBytes).toBe(150 << 20);
    expect(parseStatus('Name:\tkthreadd\nState:\tS (sleeping)\n').residentBytes).toBe(0);
  });
});

describe('errno', () => {
  it('names errno values and keeps the syscall', () => {
    expect(errnoName(Errno.EFAULT)).toBe('EFAULT');
    expect(errnoName(77)).toBe('errno 77');
    const error = new NativeError('process_vm_readv', Errno.EPERM);
    expect(error.message).toBe('process_vm_readv: EPERM (operation not permitted)');
    expect(error).toMatchObject({ errno: 1, errnoName: 'EPERM', syscall: 'process_vm_readv' });
  });
});

describe('pagemap entries', () => {
  it('become runs of pages that hold data: present (bit 63) or swapped (bit 62)', () => {
    const flags = [0, 1 << 31, 1 << 31, 0, 1 << 30, 0x3fffffff, 1 << 31];
    const words = new Uint32Array(flags.length * 2);
    flags.forEach((high, i) => (words[i * 2 + 1] = high));
    const runs: { start: bigint; end: bigint }[] = [{ start: 0x0n, end: 0x10000n }];
    appendResidentRuns(words, flags.length, 0x10000n, 0x1000, runs);
    // Page 0 touches the run before it; pages 5 (other bits only) and 3 hold nothing.
    expect(runs).toEqual([
      { start: 0x0n, end: 0x10000n },
      { start: 0x11000n, end: 0x13000n },
      { start: 0x14000n, end: 0x15000n },
      { start: 0x16000n, end: 0x17000n },
    ]);
  });

  it('become runs of present pages that map one page frame (bits 0-54): the zero page', () => {
    // [low word, high word]: frame 0x1_0000_2a present; another frame; frame 0x1_0000_2a swapped (not present); present again.
    const entries = [[0x2a, 0x80000001], [0x2a, 0x80000001], [0x2b, 0x80000001], [0x2a, 0x40000001], [0x2a, 0x80000001], [0x2a, 0x80000001]];
    const words = Uint32Array.from(entries.flat());
    const runs: { start: bigint; end: bigint }[] = [];
    appendFrameRuns(words, entries.length, 0x10000n, 0x1000, 0x1_0000_002a, runs);
    expect(runs).toEqual([{ start: 0x10000n, end: 0x12000n }, { start: 0x14000n, end: 0x16000n }]);
    appendFrameRuns(words, entries.length, 0x16000n, 0x1000, 0x1_0000_002a, runs);
    // Its first run touches the last run before it: joined.
    expect(runs).toEqual([{ start: 0x10000n, end: 0x12000n }, { start: 0x14000n, end: 0x18000n }, { start: 0x1a000n, end: 0x1c000n }]);
  });

  it("the zero page's frame is not looked for in a page that holds data or is not page-aligned", () => {
    const page = new Uint8Array(0x1000);
    expect(zeroPageFrame(page, 0x1001n, 0x1000)).toBeUndefined();
    page[7] = 1;
    expect(zeroPageFrame(page, 0x1000n, 0x1000)).toBeUndefined();
  });
});

describe('parseSmaps', () => {
  it("reads the map and each mapping's VmFlags line by its start address", () => {
    const smaps = `55ecf282b000-55ecf282c000 r--p 00000000 fe:00 5316755   /bin/app
Size:                  4 kB
VmFlags: rd mr mw me dw
7fbe743ae000-7fbe743b2000 r--p 00000000 00:00 0          [vvar]
Size:                 16 kB
VmFlags: rd mr pf io de dd
`;
    const parsed = parseSmaps(smaps);
    expect(parsed.entries.map((e) => [e.start, e.perms, e.path])).toEqual([
      [0x55ecf282b000n, 'r--p', '/bin/app'],
      [0x7fbe743ae000n, 'r--p', '[vvar]'],
    ]);
    expect(parsed.vmFlags).toEqual(
      new Map([
        [0x55ecf282b000n, ['rd', 'mr', 'mw', 'me', 'dw']],
        [0x7fbe743ae000n, ['rd', 'mr', 'pf', 'io', 'de', 'dd']],
      ]),
    );
  });
  it('knows the mappings whose every page is in the page tables (Rss = Size), which need no pagemap read', () => {
    const mapping = (start: string, size: number, rss: number, swap: number) =>
      `${start}-${(BigInt(`0x${start}`) + BigInt(size) * 1024n).toString(16)} rw-p 00000000 00:00 0\nSize: ${size} kB\nKernelPageSize: 4 kB\nRss: ${rss} kB\nPss: ${rss} kB\nSwap: ${swap} kB\nSwapPss: ${swap} kB\nVmFlags: rd wr\n`;
    const parsed = parseSmaps(
      mapping('7f0000000000', 1024, 1024, 0) + // all present
        mapping('7f0000200000', 1024, 1000, 24) + // present or swapped: left to pagemap (shared memory swapped has no page table entry)
        mapping('7f0000400000', 1024, 1020, 0) + // one page never touched (or the zero page: not in Rss)
        mapping('7f0000600000', 0, 0, 0), // empty
    );
    expect([...parsed.held]).toEqual([0x7f0000000000n]);
    expect(parsed.vmFlags.size).toBe(4);
    expect(mapsLinesOf(mapping('7f0000000000', 4, 4, 0) + mapping('7f0000200000', 8, 0, 0))).toEqual(['7f0000000000-7f0000001000 rw-p 00000000 00:00 0', '7f0000200000-7f0000202000 rw-p 00000000 00:00 0']);
  });
});
