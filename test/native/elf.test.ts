// The ELF reader on real files of this machine, with readelf as the oracle.
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesReader, ElfFormatError, ET_DYN, ET_EXEC, type FileReader, loadBias, parseElf as parseReader, STT_FUNC, STT_GNU_IFUNC, STT_OBJECT, STT_TLS } from '../../src/native/elf.ts';
import { FIXTURE_BINARY } from '../helpers/paths.ts';

const LIBC = '/lib/x86_64-linux-gnu/libc.so.6';
const PYTHON = '/usr/bin/python3.11';

function readelfBuildId(path: string): string {
  return /Build ID: ([0-9a-f]+)/.exec(execFileSync('readelf', ['-n', path], { encoding: 'utf8' }))![1]!;
}

function readelfSymbol(path: string, name: string): bigint {
  const text = execFileSync('readelf', ['-Ws', '--dyn-syms', path], { encoding: 'utf8' });
  const line = text.split('\n').find((l) => new RegExp(`\\s${name}(@@\\S+)?$`).test(l))!;
  return BigInt(`0x${line.trim().split(/\s+/)[1]}`);
}

const parseElf = (bytes: Uint8Array) => parseReader(bytesReader(bytes));

/** A reader of a file on disk that counts the bytes it was asked for. */
function countingReader(path: string): FileReader & { readonly asked: () => number; close(): void } {
  const fd = openSync(path, 'r');
  let asked = 0;
  return {
    read: (offset, length) => {
      asked += length;
      const buffer = new Uint8Array(length);
      return buffer.subarray(0, readSync(fd, buffer, 0, length, offset));
    },
    asked: () => asked,
    close: () => closeSync(fd),
  };
}

describe('parseElf', () => {
  it('reads a PIE with .symtab (the test fixture)', () => {
    const elf = parseElf(readFileSync(FIXTURE_BINARY));
    expect(elf.type).toBe(ET_DYN);
    expect(elf.hasSymtab).toBe(true);
    expect(elf.buildId).toBe(readelfBuildId(FIXTURE_BINARY));
    // The note segment the build-id is in (gcc puts .note.gnu.property's segment before it): the one a process's check reads first.
    const notes = elf.segments.filter((s) => s.type === 4);
    expect(notes.length).toBeGreaterThan(1);
    expect(elf.buildIdNote).toBe(notes.find((s) => readFileSync(FIXTURE_BINARY).subarray(Number(s.offset), Number(s.offset + s.filesz)).includes(Buffer.from(elf.buildId!, 'hex'))));
    expect(elf.buildIdNote).not.toBe(notes[0]);
    expect(elf.findSymbol('counter')).toMatchObject({ type: STT_OBJECT, table: '.symtab', value: readelfSymbol(FIXTURE_BINARY, 'counter') });
    expect(elf.findSymbol('is_licensed')).toMatchObject({ type: STT_FUNC, size: expect.any(BigInt) });
    expect(elf.findSymbol('no_such_symbol')).toBeUndefined();
  });

  it('reads a stripped non-PIE executable with only .dynsym (python3.11)', () => {
    const elf = parseElf(readFileSync(PYTHON));
    expect(elf.type).toBe(ET_EXEC);
    expect(elf.hasSymtab).toBe(false);
    expect(elf.buildId).toBe(readelfBuildId(PYTHON));
    expect(elf.findSymbol('Py_Initialize')).toMatchObject({ table: '.dynsym', value: readelfSymbol(PYTHON, 'Py_Initialize') });
    // Non-PIE: loaded where it was linked, so the bias is 0.
    const first = elf.segments.find((s) => s.type === 1)!;
    expect(loadBias(elf, first.vaddr & ~0xfffn)).toBe(0n);
  });

  it('picks the default version of a versioned symbol, and reports IFUNC and TLS types (libc)', () => {
    const elf = parseElf(readFileSync(LIBC));
    expect(elf.buildId).toBe(readelfBuildId(LIBC));
    // realpath@GLIBC_2.2.5 is hidden; realpath@@GLIBC_2.3 is the default.
    expect(elf.findSymbol('realpath')!.value).toBe(readelfSymbol(LIBC, 'realpath'));
    expect(elf.findSymbol('memcpy')!.type).toBe(STT_GNU_IFUNC);
    expect(elf.findSymbol('errno')!.type).toBe(STT_TLS);
    expect(elf.findSymbol('malloc')).toMatchObject({ type: STT_FUNC });
  });

  it('refuses what it cannot read', () => {
    expect(() => parseElf(new TextEncoder().encode('#!/bin/sh\necho not elf\n'.padEnd(80)))).toThrow(ElfFormatError);
    const truncated = readFileSync(FIXTURE_BINARY).subarray(0, 200);
    expect(() => parseElf(truncated)).toThrow(/past the end of the file/);
  });

  it('reads a soname, a debuglink and copy relocations (libsqlite3, libc, bash), as readelf shows them', () => {
    const sqlite = execFileSync('sh', ['-c', 'readlink -f /usr/lib/x86_64-linux-gnu/libsqlite3.so.0'], { encoding: 'utf8' }).trim();
    expect(parseElf(readFileSync(sqlite)).soname).toBe('libsqlite3.so.0');
    expect(parseElf(readFileSync(PYTHON)).soname).toBeUndefined();
    const link = /\.gnu_debuglink[^\n]*\n/.test(execFileSync('readelf', ['-WS', LIBC], { encoding: 'utf8' }));
    expect(parseElf(readFileSync(LIBC)).debugLink?.name !== undefined).toBe(link);
    const copies = execFileSync('readelf', ['-Wr', '/usr/bin/bash'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('R_X86_64_COPY')).map((l) => l.trim().split(/\s+/)[4]!.split('@')[0]);
    expect(copies).toContain('__environ');
    expect([...parseElf(readFileSync('/usr/bin/bash')).copyRelocations()].sort()).toEqual([...copies].sort());
  });

  it('reads headers and symbol tables only, never the whole file (a 2 GiB file costs what its tables do)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pvm-elf-'));
    try {
      const big = join(dir, 'big');
      copyFileSync(FIXTURE_BINARY, big);
      truncateSync(big, 2 ** 31); // the ELF file, then 2 GiB of (sparse) data it does not describe
      const reader = countingReader(big);
      const elf = parseReader(reader);
      expect(elf.findSymbol('counter')?.type).toBe(STT_OBJECT);
      reader.close();
      expect(reader.asked()).toBeLessThan(256 * 1024);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
