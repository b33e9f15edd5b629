// Which regions are never read (by a scan or a snapshot), and where only the
// pages that hold data are read: rules of the target's memory, docs/kernel.md §4.
import { isFileMapping } from './file-mapping.ts';
import type { Region } from './target.ts';

/** Why a region is never read by a scan or a snapshot, or undefined if it may be (docs/kernel.md §4). `flags`: its smaps VmFlags. */
export function skipReason(region: Region, flags: readonly string[] = []): string | undefined {
  if (!region.perms.startsWith('r')) return 'not readable';
  if (region.path === '[vvar]' || region.path === '[vvar_vclock]') return 'kernel data page (reading it faults)';
  if (region.path === '[vsyscall]') return 'legacy vsyscall page';
  if (flags.includes('io')) return 'device memory (VmFlags io): reading it can have side effects';
  if (flags.includes('pf')) return 'raw page-frame mapping (VmFlags pf): device or driver memory';
  const uffd = ['um', 'ui', 'uw'].find((flag) => flags.includes(flag));
  if (uffd !== undefined) return `registered with userfaultfd (VmFlags ${uffd}): a read can block until the target is killed`;
  if (region.path.startsWith('/secretmem')) return 'memfd_secret memory: the kernel refuses to read it';
  return undefined;
}

/**
 * True when only the pages that hold data are read: everything but mappings
 * of ordinary files and the vDSO. A never-touched page of anonymous or shared
 * memory reads as zeros, and reading it makes the kernel build page tables in
 * the target (shared memory may even allocate the page). A file's pages are
 * all searched, but those the target has not touched come from the file
 * itself (the target's `openScan` does that), so code that has not run yet
 * is found and the target does not grow either way.
 */
export function residentOnly(region: Region): boolean {
  return region.path !== '[vdso]' && !isFileMapping(region);
}

/**
 * Paths the kernel gives mappings that have no file of their own: shared
 * anonymous memory (`/dev/zero (deleted)`), memfd (`/memfd:NAME (deleted)`),
 * SysV shared memory (`/SYSV0000002a (deleted)`) and anonymous huge pages.
 */
const FILELESS_PATHS = ['/memfd:', '/SYSV', '/anon_hugepage'];

/**
 * Anonymous memory: every mapping with no file of its own. Private ones
 * (heap, stacks, `[anon:NAME]`), and shared ones that only look like files in
 * the maps: what `anon` means to scans and to policies (`read.deny ["anon"]`
 * must cover a secret kept in a memfd as much as one on the heap).
 */
export function isAnonymous(region: Region): boolean {
  const path = region.path;
  if (path === '' || path === '[heap]' || path.startsWith('[stack') || path.startsWith('[anon:') || path.startsWith('[anon_shmem:')) return true;
  return path === '/dev/zero' || FILELESS_PATHS.some((prefix) => path.startsWith(prefix));
}
