// Which mappings hold an ordinary file's pages. Their pages that are not in
// the target's page tables hold exactly the file's bytes (a page the target
// changed is present or swapped), so a scan reads those from the file instead
// of making the target fault them in.
import type { Region } from './target.ts';

/** Paths that look like files but are memory: shared anonymous memory, SysV and memfd segments, secret memory. */
const MEMORY_PREFIXES = ['/dev/', '/SYSV', '/memfd:', '/anon_hugepage', '/secretmem'];

export function isFileMapping(region: Region): boolean {
  return region.path.startsWith('/') && !MEMORY_PREFIXES.some((prefix) => region.path.startsWith(prefix));
}
