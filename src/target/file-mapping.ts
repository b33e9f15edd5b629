// Which mappings hold an ordinary file's pages. Their pages that are not in
// the target's page tables hold exactly the file's bytes (a page the target
// changed is present or swapped), so a scan reads those from the file instead
// of making the target fault them in.
import { readSync } from 'node:fs';
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
