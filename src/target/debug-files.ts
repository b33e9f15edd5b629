// Separate debug files, found the way gdb finds them ("Separate Debug Files"
// in gdb's manual): by build-id under each debug directory
// (`/usr/lib/debug/.build-id/ab/cdef….debug`), then by the file's
// .gnu_debuglink name beside it, in `.debug/` beside it, and under each debug
// directory followed by the file's directory. A candidate is used only when
// it is the module's: the same build-id, or, for a module without one, the
// CRC32 its debuglink records. Read from this machine's file system.
import { closeSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { attempt } from '../attempt.ts';
import { type ElfFile, parseElf } from '../native/elf.ts';
import { openRegularFile } from '../regular-file.ts';
import { crc32 } from './crc32.ts';
import { readAt } from './file-mapping.ts';

export const DEFAULT_DEBUG_DIRECTORIES: readonly string[] = ['/usr/lib/debug'];

export interface DebugFile {
  readonly path: string;
  readonly elf: ElfFile;
}

/** The candidates, in the order gdb tries them, for a module at `path` (as the target names it). */
export function debugFileCandidates(path: string, elf: Pick<ElfFile, 'buildId' | 'debugLink'>, directories: readonly string[]): string[] {
  const candidates: string[] = [];
  const id = elf.buildId;
  if (id !== undefined && id.length > 2) { for (const directory of directories) candidates.push(join(directory, '.build-id', id.slice(0, 2), `${id.slice(2)}.debug`)); }
  const link = elf.debugLink;
  if (link !== undefined && !link.name.includes('/')) {
    const home = dirname(path);
    candidates.push(join(home, link.name), join(home, '.debug', link.name));
    for (const directory of directories) candidates.push(join(directory, home, link.name));
  }
  return candidates.filter((candidate) => candidate !== path);
}

/**
 * The module's debug file, opened and checked, or undefined with the paths
 * tried. The file stays open for the caller's symbol lookups until `close`.
 */
export function findDebugFile(path: string, elf: Pick<ElfFile, 'buildId' | 'debugLink'>, directories: readonly string[]): { file: DebugFile & { close(): void } } | { tried: string[] } {
  const tried = debugFileCandidates(path, elf, directories);
  for (const candidate of tried) {
    // A regular file only: a FIFO in a debug directory would block the open, a device feed the CRC for ever.
    const opened = openRegularFile(candidate);
    if ('problem' in opened) continue;
    const { fd } = opened;
    const debug = attempt(() => parseElf({ read: (offset, length) => readAt(fd, offset, length) }));
    const matches = debug !== undefined && (elf.buildId !== undefined ? debug.buildId === elf.buildId : elf.debugLink !== undefined && crc32OfFile(fd) === elf.debugLink.crc);
    if (matches) return { file: { path: candidate, elf: debug, close: () => closeSync(fd) } };
    closeSync(fd);
  }
  return { tried };
}

/** The CRC32 (zlib's, as .gnu_debuglink records it) of a whole open file. */
export function crc32OfFile(fd: number): number {
  const buffer = new Uint8Array(1 << 20);
  let crc = 0;
  for (let offset = 0;;) {
    const n = readSync(fd, buffer, 0, buffer.length, offset);
    if (n <= 0) break;
    crc = crc32(buffer.subarray(0, n), crc);
    offset += n;
  }
  return crc;
}
