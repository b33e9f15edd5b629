// A core target on cores built here with layoutCore: where each byte comes
// from (the core, a mapped file, nowhere), and what faults, as live.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CoreFileMapping, layoutCore } from '../../src/native/core-format.ts';
import { CoreTarget } from '../../src/target/core-target.ts';
import { decodeSnapshotNote, encodeSnapshotNote, type SnapshotNote, type SnapshotRegion } from '../../src/target/snapshot-note.ts';

const dir = mkdtempSync(join(tmpdir(), 'pvm-core-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PAGE = 0x1000n;
const DATA = 0x10000n; // 2 pages held, the second untouched; a missing page after them
const FILE = 0x20000n; // a file's mapping the core left out: 2 pages, the file is 1.5 pages long
const ANON = 0x30000n; // anonymous memory the core holds nothing of

const dataFile = join(dir, 'data.bin');
const BUILD_ID = '0123456789abcdef0123456789abcdef01234567';
const fileBytes = elfFile(0x1800, BUILD_ID);
writeFileSync(dataFile, fileBytes);

/**
 * A small ELF file of `size` bytes with a GNU build-id: its header, a PT_LOAD of all of it and a PT_NOTE at 0x100,
 * then bytes that count (i * 7). The kernel dumps the first page of each ELF mapping: a core that holds it records
 * the build-id, and pvm reads the rest of the file only when it has the same one.
 */
function elfFile(size: number, buildId: string): Uint8Array {
  const bytes = new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
  bytes.fill(0, 0, 0x200);
  const view = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  view.setUint16(16, 3, true); // ET_DYN
  view.setUint16(18, 62, true);
  view.setBigUint64(32, 64n, true); // e_phoff
  view.setUint16(54, 56, true);
  view.setUint16(56, 2, true);
  const phdr = (i: number, type: number, offset: number, filesz: number) => {
    const at = 64 + i * 56;
    view.setUint32(at, type, true);
    view.setUint32(at + 4, 4, true); // PF_R
    view.setBigUint64(at + 8, BigInt(offset), true);
    view.setBigUint64(at + 16, BigInt(offset), true);
    view.setBigUint64(at + 32, BigInt(filesz), true);
    view.setBigUint64(at + 40, BigInt(filesz), true);
  };
  const id = Uint8Array.from(buildId.match(/../g)!.map((byte) => parseInt(byte, 16)));
  phdr(0, 1, 0, size);
  phdr(1, 4, 0x100, 16 + id.length);
  view.setUint32(0x100, 4, true); // namesz: "GNU\0"
  view.setUint32(0x104, id.length, true);
  view.setUint32(0x108, 3, true); // NT_GNU_BUILD_ID
  bytes.set([0x47, 0x4e, 0x55, 0], 0x10c);
  bytes.set(id, 0x110);
  return bytes;
}

interface Segment {
  vaddr: bigint;
  bytes: Uint8Array;
}

function writeCore(name: string, segments: readonly Segment[], files: readonly CoreFileMapping[], note: SnapshotNote | undefined): string {
  const layout = layoutCore({
    segments: segments.map((s) => ({ vaddr: s.vaddr, memsz: BigInt(s.bytes.length), filesz: BigInt(s.bytes.length), flags: 6 })),
    threads: [{ tid: 77, ppid: 1, pgrp: 77, sid: 77, signal: 0, registers: Array.from({ length: 27 }, (_, i) => BigInt(i)) }],
    process: { pid: 77, ppid: 1, pgrp: 77, sid: 77, uid: 0, gid: 0, state: 'S', name: 'unit', args: 'unit --test' },
    auxv: undefined,
    files,
    pageSize: 4096,
    pvm: note === undefined ? undefined : encodeSnapshotNote(note),
  });
  const image = new Uint8Array(Number(layout.size));
  image.set(layout.head);
  segments.forEach((s, i) => image.set(s.bytes, Number(layout.dataOffsets[i]!)));
  const path = join(dir, name);
  writeFileSync(path, image);
  return path;
}

const region = (start: bigint, end: bigint, path: string, extra: Partial<SnapshotRegion> = {}): SnapshotRegion => ({
  start,
  end,
  perms: 'rw-p',
  offset: 0n,
  path,
  deleted: false,
  vmFlags: [],
  leftOut: undefined,
  untouched: [],
  missing: [],
  ...extra,
});

const note: SnapshotNote = {
  pvmVersion: '0.0.0-test',
  takenAt: '2026-11-26T00:00:00.000Z',
  frozen: true,
  identity: { kind: 'process', pid: 77, name: 'unit', exe: '/bin/unit', cmdline: ['unit', '--test'], startTime: '123' },
  pageSize: 4096,
  regions: [
    region(DATA, DATA + 3n * PAGE, '', { untouched: [{ start: DATA + PAGE, end: DATA + 2n * PAGE }], missing: [{ start: DATA + 2n * PAGE, end: DATA + 3n * PAGE }] }),
    region(FILE, FILE + 2n * PAGE, dataFile, { perms: 'r--p', leftOut: 'not selected by --only' }),
    region(ANON, ANON + PAGE, '[heap]', { vmFlags: ['rd', 'wr'] }),
  ],
  modules: [],
  registersMissing: undefined,
  threadsWithoutRegisters: [],
};

describe('pvm snapshot note', () => {
  it('decodes what it encodes, and refuses a note of another format or version', () => {
    expect(decodeSnapshotNote(encodeSnapshotNote(note))).toEqual({ ...note, identity: { ...note.identity, kind: 'core' } });
    expect(() => decodeSnapshotNote(new TextEncoder().encode('{"format":"other"}'))).toThrow("pvm's note does not say it is a pvm snapshot");
    expect(() => decodeSnapshotNote(new TextEncoder().encode('{"format":"pvm-snapshot","version":9}'))).toThrow('format version 9; this pvm reads version 1');
    expect(() => decodeSnapshotNote(new TextEncoder().encode('{'))).toThrow(/not valid JSON/);
  });
});

describe('a snapshot as a target', async () => {
  const data = new Uint8Array(Number(3n * PAGE)).fill(0xab);
  data.fill(0, Number(PAGE), Number(2n * PAGE)); // untouched: zeros, as written (a hole)
  const path = writeCore('unit.snapshot', [{ vaddr: DATA, bytes: data }, { vaddr: ANON, bytes: new Uint8Array(Number(PAGE)).fill(0x11) }], [], note);
  const core = await CoreTarget.open(path, { snapshot: true });
  afterAll(() => core.close());

  it('has the identity, map and threads the note and notes say', () => {
    expect(core.identity).toMatchObject({ kind: 'core', pid: 77, name: 'unit', startTime: '123' });
    expect(core.regions().map((r) => r.path)).toEqual(['', dataFile, '[heap]']);
    expect(core.threads()).toEqual([{ tid: 77, registers: Array.from({ length: 27 }, (_, i) => BigInt(i)) }]);
    expect(core.writable).toBeUndefined();
  });

  it('reads held bytes, untouched pages as zeros, and faults on a missing page and on what it left out', () => {
    const [held, across, missing, leftOut] = core.read([
      { address: DATA + 8n, length: 4 },
      { address: DATA + PAGE - 2n, length: 4 },
      { address: DATA + 2n * PAGE - 2n, length: 4 },
      { address: FILE, length: 1 },
    ]);
    expect([...held!.bytes]).toEqual([0xab, 0xab, 0xab, 0xab]);
    expect([...across!.bytes]).toEqual([0xab, 0xab, 0, 0]);
    expect(missing).toMatchObject({ done: 2, fault: { address: DATA + 2n * PAGE } });
    expect(leftOut).toMatchObject({ done: 0, fault: { address: FILE } });
  });

  it('scans skip untouched and missing pages, as live scans skip pages without data', () => {
    const access = core.openScan();
    try {
      expect(access.residentRuns(DATA, DATA + 3n * PAGE)).toEqual([{ start: DATA, end: DATA + PAGE }]);
      expect(access.vmFlags.get(ANON)).toEqual(['rd', 'wr']);
    } finally {
      access.close();
    }
  });
});

describe('a core without pvm note', async () => {
  // The core holds DATA (one page), the first page of dataFile's mapping at FILE (its ELF headers: the build-id), and
  // nothing of the rest of the mapping (taken from the file) or of ANON (an empty segment).
  const firstPage = fileBytes.slice(0, Number(PAGE));
  const mapped = (path: string, end = FILE + 3n * PAGE): CoreFileMapping[] => [{ start: FILE, end: FILE + PAGE, offset: 0n, path }, { start: FILE + PAGE, end, offset: PAGE, path }];
  const layoutPath = writeCore('plain.core', [{ vaddr: DATA, bytes: new Uint8Array(Number(PAGE)).fill(0x22) }, { vaddr: FILE, bytes: firstPage }, { vaddr: ANON, bytes: new Uint8Array(0) }], mapped(dataFile), undefined);
  const core = await CoreTarget.open(layoutPath, { snapshot: false });
  afterAll(() => core.close());
  /** A core that maps `path` as `plain.core` maps dataFile: holding the first page of dataFile (so recording its build-id). */
  const naming = (name: string, path: string, end?: bigint) => CoreTarget.open(writeCore(name, [{ vaddr: FILE, bytes: firstPage }], mapped(path, end), undefined), { snapshot: false });

  it('takes the bytes it does not hold from the mapped file, zero-filled to the end of its last page, faulting past it', () => {
    const [head, tail, past] = core.read([
      { address: FILE + 0x1010n, length: 4 },
      { address: FILE + 0x17fen, length: 4 },
      { address: FILE + 0x1ffen, length: 4 },
    ]);
    expect([...head!.bytes]).toEqual([...fileBytes.subarray(0x1010, 0x1014)]);
    expect([...tail!.bytes]).toEqual([fileBytes[0x17fe], fileBytes[0x17ff], 0, 0]);
    expect(past).toMatchObject({ done: 2, fault: { address: FILE + 0x2000n } });
  });

  it('names the process from NT_PRPSINFO', () => {
    expect(core.identity).toMatchObject({ kind: 'core', pid: 77, name: 'unit', cmdline: ['unit', '--test'] });
  });

  it('faults, saying why, where neither the core nor a file holds the bytes: never silent zeros', () => {
    expect(core.regions().map((r) => [r.start, r.path])).toEqual([[DATA, ''], [FILE, dataFile], [FILE + PAGE, dataFile]]);
    const moved = writeCore('plain2.core', [{ vaddr: DATA, bytes: new Uint8Array(Number(PAGE)) }, { vaddr: FILE, bytes: firstPage }], mapped(join(dir, 'gone.bin')), undefined);
    return CoreTarget.open(moved, { snapshot: false }).then((gone) => {
      try {
        const [result] = gone.read([{ address: FILE + PAGE, length: 8 }]);
        expect(result).toMatchObject({ done: 0, fault: { address: FILE + PAGE, reason: `the core does not hold these bytes, and ${join(dir, 'gone.bin')}, the file mapped there, is not on this machine` } });
        // A scan leaves the region out, saying why, instead of failing.
        const access = gone.openScan();
        expect(access.skip?.(gone.regions()[2]!)).toBe(`the core does not hold all of it, and ${join(dir, 'gone.bin')}, the file mapped there, is not on this machine`);
        access.close();
      } finally {
        gone.close();
      }
    });
  });

  // Issue 29, items 5 and 17: a core is a file anyone can write; what it names is read only when it is a regular ELF
  // file with the build-id the core records (a symlink to /etc/shadow was printed; a FIFO blocked pvm for ever).
  describe('reads a file a core names only when it is a regular ELF file with the build-id the core records', () => {
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'root:$6$secret:19000:0:99999:7:::\n'.repeat(200));
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const link = (name: string, to: string) => {
      symlinkSync(to, join(dir, name));
      return join(dir, name);
    };
    const faultOf = async (core: Promise<CoreTarget>) => {
      const opened = await core;
      try {
        const [result] = opened.read([{ address: FILE + PAGE, length: 16 }]);
        expect(result!.done).toBe(0);
        return result!.fault!.reason;
      } finally {
        opened.close();
      }
    };

    it('a symlink to the right file is followed', async () => {
      const target = await naming('link-ok.core', link('data-link', dataFile));
      try {
        expect([...target.read([{ address: FILE + 0x1010n, length: 4 }])[0]!.bytes]).toEqual([...fileBytes.subarray(0x1010, 0x1014)]);
      } finally {
        target.close();
      }
    });

    it.each([
      ['a symlink to a secret (not ELF)', () => link('shadow-link', secret), 'is not the file the process mapped (not an ELF file; the process ran build-id 0123456789abcdef0123456789abcdef01234567)'],
      ['a FIFO (which blocked open for ever)', () => fifo, 'cannot be used (it is a pipe (FIFO), not a regular file)'],
      ['a symlink to /dev/zero (read as a file of zeros)', () => link('zero-link', '/dev/zero'), 'cannot be used (it is a character device, not a regular file)'],
      ['another build', () => {
        writeFileSync(join(dir, 'other.bin'), elfFile(0x1800, 'ffff'.repeat(10)));
        return join(dir, 'other.bin');
      }, 'is another build (build-id ffffffffffffffffffffffffffffffffffffffff; the process ran 0123456789abcdef0123456789abcdef01234567)'],
    ])('%s: its bytes are not read, and the fault says why', async (what, make, problem) => {
      const path = make();
      expect(await faultOf(naming(`${what.replace(/[^a-z]+/g, '-')}.core`, path))).toBe(`the core does not hold these bytes, and ${path}, the file mapped there, ${problem}`);
    });

    it('a mapping whose headers the core does not hold has no build-id recorded: its file is not read', async () => {
      const shadow = join(dir, 'shadow-link');
      const target = await CoreTarget.open(writeCore('no-record.core', [{ vaddr: DATA, bytes: new Uint8Array(Number(PAGE)) }], [{ start: FILE, end: FILE + PAGE, offset: 0n, path: shadow }], undefined), { snapshot: false });
      try {
        const [result] = target.read([{ address: FILE, length: 16 }]);
        expect(result).toMatchObject({ done: 0, fault: { reason: expect.stringContaining(`${shadow}, the file mapped there, cannot be checked: the core records no build-id for it`) } });
        expect(target.executableBuildId()).toBeUndefined();
      } finally {
        target.close();
      }
    });

    it('a region that runs far past the end of its file costs the file, not the region: a scan leaves the rest out, saying why', async () => {
      const huge = await naming('huge.core', dataFile, 0x80000000000000n);
      try {
        const access = huge.openScan();
        try {
          const tail = access.regions.find((r) => r.start === FILE + 0x2000n)!;
          expect(tail).toMatchObject({ end: 0x80000000000000n });
          expect(access.skip?.(tail)).toBe(`past the end of ${dataFile}, the file mapped there: reads fault there, as in the process`);
          expect(access.skip?.(access.regions.find((r) => r.start === FILE + PAGE)!)).toBeUndefined();
        } finally {
          access.close();
        }
      } finally {
        huge.close();
      }
    });

    it('refuses a region table that overlaps (a mapping no segment holds, running over one): exit 2', async () => {
      const path = writeCore('overlap.core', [{ vaddr: FILE + 2n * PAGE, bytes: new Uint8Array(Number(PAGE)) }], [{ start: FILE, end: FILE + 4n * PAGE, offset: 0n, path: dataFile }], undefined);
      await expect(CoreTarget.open(path, { snapshot: false })).rejects.toThrow(
        `${path}: corrupt: the regions 0x20000-0x24000 (${dataFile}) and 0x22000-0x23000 (anonymous) overlap, or are out of order`,
      );
    });
  });
});
