// Which mappings hold an ordinary file's pages. Their pages that are not in
// the target's page tables hold exactly the file's bytes (a page the target
// changed is present or swapped), so a scan reads those from the file instead
// of making the target fault them in.
import { type BigIntStats, fstatSync, readSync, statSync } from 'node:fs';
import type { MapsEntry } from '../native/maps.ts';
import type { Region } from './target.ts';

const PAGE = 4096;

/** Paths that look like files but are memory: shared anonymous memory, SysV and memfd segments, secret memory. */
const MEMORY_PREFIXES = ['/dev/', '/SYSV', '/memfd:', '/anon_hugepage', '/secretmem'];

export function isFileMapping(region: Region): boolean {
  return region.path.startsWith('/') && !MEMORY_PREFIXES.some((prefix) => region.path.startsWith(prefix));
}

/**
 * Reads a file's bytes as a mapping of it shows them: from `offset`, the page
 * that holds the end of the file reads as zeros past it, and pages wholly
 * past it cannot be read (a process faults there). Returns the bytes filled.
 */
export function readFileAsMapped(fd: number, into: Uint8Array, offset: bigint): number {
  let got = 0;
  while (got < into.length) {
    const n = readSync(fd, into, got, into.length - got, Number(offset) + got);
    if (n <= 0) break;
    got += n;
  }
  if (got === into.length) return got;
  const start = Number(offset);
  const endOfPage = Math.ceil((start + got) / PAGE) * PAGE - start;
  const filled = Math.min(into.length, endOfPage);
  into.fill(0, got, filled);
  return filled;
}

/** True when the open file is the one the maps line names: same inode on the same device (`fe:01`). */
export function isMappedFile(fd: number, entry: MapsEntry): boolean {
  return isSameFile(fstatSync(fd, { bigint: true }), entry);
}

/** True when a file exists at `path` and is the one the maps line names. */
export function isMappedPath(path: string, entry: MapsEntry): boolean {
  const stat = statSync(path, { bigint: true, throwIfNoEntry: false });
  return stat !== undefined && isSameFile(stat, entry);
}

function isSameFile(stat: BigIntStats, entry: MapsEntry): boolean {
  const [major, minor] = entry.device.split(':').map((part) => BigInt(`0x${part}`));
  // Linux's dev_t: minor in bits 0-7 and 20-31, major in bits 8-19 and 32-43.
  const statMajor = ((stat.dev >> 8n) & 0xfffn) | ((stat.dev >> 32n) & ~0xfffn);
  const statMinor = (stat.dev & 0xffn) | ((stat.dev >> 12n) & ~0xffn);
  return stat.ino === BigInt(entry.inode) && statMajor === major && statMinor === minor;
}

/** Up to `length` bytes of an open file at `offset` (fewer at its end): the reader the ELF and core parsers take. */
export function readAt(fd: number, offset: number, length: number): Uint8Array {
  const buffer = new Uint8Array(length);
  return buffer.subarray(0, readSync(fd, buffer, 0, length, offset));
}

/** What names an open file's contents: device, inode, size and change time (a file rewritten in place gets a new key). */
export function fileKey(fd: number): string {
  const stat = fstatSync(fd);
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
}
