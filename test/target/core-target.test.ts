// A core target on cores built here with layoutCore: where each byte comes
// from (the core, a mapped file, nowhere), and what faults, as live.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
const fileBytes = new Uint8Array(0x1800).map((_, i) => (i * 7) & 0xff);
writeFileSync(dataFile, fileBytes);

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
  // The core holds DATA (one page) and nothing of FILE (from the file) or ANON (an empty segment).
  const layoutPath = writeCore('plain.core', [{ vaddr: DATA, bytes: new Uint8Array(Number(PAGE)).fill(0x22) }, { vaddr: ANON, bytes: new Uint8Array(0) }], [{ start: FILE, end: FILE + 2n * PAGE, offset: 0n, path: dataFile }], undefined);
  const core = await CoreTarget.open(layoutPath, { snapshot: false });
  afterAll(() => core.close());

  it('takes the bytes it does not hold from the mapped file, zero-filled to the end of its last page, faulting past it', () => {
    const [head, tail, past] = core.read([
      { address: FILE + 0x10n, length: 4 },
      { address: FILE + 0x17fen, length: 4 },
      { address: FILE + 0x1ffen, length: 4 },
    ]);
    expect([...head!.bytes]).toEqual([...fileBytes.subarray(0x10, 0x14)]);
    expect([...tail!.bytes]).toEqual([fileBytes[0x17fe], fileBytes[0x17ff], 0, 0]);
    expect(past).toMatchObject({ done: 2, fault: { address: FILE + 0x2000n } });
  });

  it('names the process from NT_PRPSINFO', () => {
    expect(core.identity).toMatchObject({ kind: 'core', pid: 77, name: 'unit', cmdline: ['unit', '--test'] });
  });

  it('faults, saying why, where neither the core nor a file holds the bytes: never silent zeros', () => {
    expect(core.regions().map((r) => [r.start, r.path])).toEqual([[DATA, ''], [FILE, dataFile]]);
    const moved = writeCore('plain2.core', [{ vaddr: DATA, bytes: new Uint8Array(Number(PAGE)) }], [{ start: FILE, end: FILE + PAGE, offset: 0n, path: join(dir, 'gone.bin') }], undefined);
    return CoreTarget.open(moved, { snapshot: false }).then((gone) => {
      try {
        const [result] = gone.read([{ address: FILE, length: 8 }]);
        expect(result).toMatchObject({ done: 0, fault: { address: FILE, reason: `the core does not hold these bytes, and ${join(dir, 'gone.bin')}, the file mapped there, is not on this machine` } });
        // A scan leaves the region out, saying why, instead of failing.
        const access = gone.openScan();
        expect(access.skip?.(gone.regions()[1]!)).toBe(`the core does not hold all of it, and ${join(dir, 'gone.bin')}, the file mapped there, is not on this machine`);
        access.close();
      } finally {
        gone.close();
      }
    });
  });
});
