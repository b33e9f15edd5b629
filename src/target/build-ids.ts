// The build-id of every ELF file a target maps, read from the target's own
// copy of the file's first page (its headers and notes), not from the file:
// what ran, whether or not the file on disk is still the same. A live process
// and its snapshot give the same answer.
import { attempt } from '../attempt.ts';
import { readElfHeaders } from '../native/elf-headers.ts';
import { isFileMapping } from './file-mapping.ts';
import type { MemorySource, Region } from './target.ts';

export interface ModuleBuildId {
  readonly path: string;
  /** Lowercase hex, or undefined for a file without one (or not ELF). */
  readonly buildId: string | undefined;
}

/** One entry per mapped file whose first page is mapped and readable, in address order (a file mapped twice counts once). */
export function moduleBuildIds(source: Pick<MemorySource, 'read'>, regions: readonly Region[]): ModuleBuildId[] {
  const seen = new Set<string>();
  return regions
    .filter((r) => isFileMapping(r) && r.offset === 0n && r.perms.startsWith('r') && !seen.has(r.path) && seen.add(r.path) !== undefined)
    .map((r) => ({
      path: r.path,
      buildId: attempt(() =>
        readElfHeaders((offset, length) => {
          const [result] = source.read([{ address: r.start + BigInt(offset), length }]);
          return result!.bytes.subarray(0, result!.done);
        })?.buildId
      ),
    }));
}
