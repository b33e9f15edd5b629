// A core's region table. A pvm snapshot carries the map exactly as /proc
// showed it (snapshot-note.ts). Any other core is rebuilt from its PT_LOAD
// segments joined by address with NT_FILE, as gdb does (docs/kernel.md §6): the
// kernel writes a segment for every mapping, with p_filesz 0 where it left
// unmodified file pages out; gcore leaves some mappings out altogether, and
// those are known from NT_FILE alone, their permissions from the file's own
// program headers.
import type { CoreLayout, CoreSegment } from '../native/core-format.ts';
import { isFileMapping } from './file-mapping.ts';
import type { SnapshotNote } from './snapshot-note.ts';
import type { AddressRange, Region } from './target.ts';

export interface CoreRegion extends Region {
  /** The PT_LOAD holding this region's bytes, if the core holds any. */
  readonly segment: CoreSegment | undefined;
  /** The file mapped here (NT_FILE), for the bytes the core does not hold. */
  readonly file: string | undefined;
  readonly vmFlags: readonly string[];
  /** Why nothing of the region can be read (left out of a snapshot, or not readable), or undefined. */
  readonly leftOut: string | undefined;
  /** A snapshot's pages that held no data: zeros in the file, skipped by scans as they are live. */
  readonly untouched: readonly AddressRange[];
  /** A snapshot's pages that could not be read during the capture: reads fault there. */
  readonly missing: readonly AddressRange[];
  /** Bytes neither the core nor a file holds. */
  readonly absent: readonly AddressRange[];
}

/** `filePerms(path, offset)`: the permissions a mapping of the file at that offset has, from its ELF headers, if known. */
export function coreRegions(layout: CoreLayout, note: SnapshotNote | undefined, filePerms: (path: string, offset: bigint) => string | undefined): CoreRegion[] {
  const segmentAt = new Map(layout.segments.map((s) => [s.vaddr, s]));
  if (note !== undefined) {
    return note.regions.map((r) => {
      const segment = r.leftOut === undefined ? segmentAt.get(r.start) : undefined;
      const file = isFileMapping(r) && !r.deleted ? r.path : undefined;
      return { ...r, segment, file, absent: absentOf(r, segment, file) };
    });
  }
  const regions: CoreRegion[] = [];
  const mappingAt = new Map(layout.files.map((f) => [f.start, f]));
  for (const segment of layout.segments) {
    if (segment.memsz === 0n) continue;
    const mapping = mappingAt.get(segment.vaddr);
    const { path, deleted } = splitDeleted(mapping?.path ?? '');
    const perms = `${segment.flags & 4 ? 'r' : '-'}${segment.flags & 2 ? 'w' : '-'}${segment.flags & 1 ? 'x' : '-'}p`;
    const region = { start: segment.vaddr, end: segment.vaddr + segment.memsz, perms, offset: mapping?.offset ?? 0n, path, deleted };
    regions.push(core(region, segment, fileOf(region)));
  }
  // Mappings no segment covers (gcore leaves some out), found in one pass over both sorted lists.
  const segments = [...layout.segments].sort((a, b) => (a.vaddr < b.vaddr ? -1 : a.vaddr > b.vaddr ? 1 : 0));
  const files = [...layout.files].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let next = 0;
  for (const mapping of files) {
    while (next < segments.length && segments[next]!.vaddr + segments[next]!.memsz <= mapping.start) next++;
    const segment = segments[next];
    if (segment !== undefined && segment.vaddr <= mapping.start) continue;
    const { path, deleted } = splitDeleted(mapping.path);
    const region = { start: mapping.start, end: mapping.end, perms: 'r--p', offset: mapping.offset, path, deleted };
    const file = fileOf(region);
    if (file !== undefined) region.perms = filePerms(path, mapping.offset) ?? 'r--p';
    regions.push(core(region, undefined, file));
  }
  return nameKnownRegions(regions.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0)), layout);
}

const AT_SYSINFO_EHDR = 33n;
const VSYSCALL = 0xffffffffff600000n;
const RSP = 19;

/**
 * A core names only file mappings. These others are known for sure: the vDSO
 * (the auxiliary vector says where), the vsyscall page (a fixed address) and
 * the main thread's stack (it holds the thread's rsp). The heap is not: the
 * kernel's brk is in no note, so region("[heap]") needs a pvm snapshot.
 */
function nameKnownRegions(regions: CoreRegion[], layout: CoreLayout): CoreRegion[] {
  const vdso = auxvValue(layout.auxv, AT_SYSINFO_EHDR);
  const main = layout.threads.find((t) => t.tid === layout.process?.pid) ?? layout.threads[0];
  const rsp = main?.registers[RSP];
  // The kernel's vvar pages lie just below the vDSO (x86-64): [vvar], and on 6.x [vvar_vclock] too.
  const vdsoIndex = regions.findIndex((r) => r.start === vdso);
  const vvar = new Set<CoreRegion>();
  for (let i = vdsoIndex - 1, end = vdso; i >= 0 && i >= vdsoIndex - 2 && regions[i]!.path === '' && regions[i]!.end === end; i--) {
    vvar.add(regions[i]!);
    end = regions[i]!.start;
  }
  return regions.map((region) => {
    if (region.path !== '') return region;
    if (vvar.has(region)) return { ...region, path: '[vvar]', leftOut: 'kernel data page (reading it faults)' };
    const name = region.start === vdso ? '[vdso]' : region.start === VSYSCALL ? '[vsyscall]' : rsp !== undefined && region.start <= rsp && rsp < region.end ? '[stack]' : undefined;
    if (name === undefined) return region;
    // [vsyscall] is not read, as live (skip-rules.ts); gcore writes it although it could not read it.
    return name === '[vsyscall]' ? { ...region, path: name, perms: '--xp', leftOut: 'not readable' } : { ...region, path: name };
  });
}

/** The value of an auxiliary vector entry (AT_*), or undefined. */
export function auxvValue(auxv: Uint8Array | undefined, type: bigint): bigint | undefined {
  if (auxv === undefined) return undefined;
  const view = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
  for (let at = 0; at + 16 <= auxv.length; at += 16) if (view.getBigUint64(at, true) === type) return view.getBigUint64(at + 8, true);
  return undefined;
}

/** The file to take a mapping's missing bytes from: an ordinary file that still exists by that name (not a device, not deleted). */
function fileOf(region: Region): string | undefined {
  return isFileMapping(region) && !region.deleted ? region.path : undefined;
}

/** Shared by every region that has none: a core may list a million mappings, and each array costs. */
const NONE: readonly never[] = Object.freeze([]);

function core(region: Region, segment: CoreSegment | undefined, file: string | undefined): CoreRegion {
  const leftOut = region.perms.startsWith('r') ? undefined : 'not readable';
  const { start, end, perms, offset, path, deleted } = region;
  return { start, end, perms, offset, path, deleted, segment, file, vmFlags: NONE, leftOut, untouched: NONE, missing: NONE, absent: leftOut === undefined ? absentOf(region, segment, file) : NONE };
}

/** What of a region neither the core (its segment's file bytes) nor a mapped file holds. */
function absentOf(region: Region, segment: CoreSegment | undefined, file: string | undefined): readonly AddressRange[] {
  if (file !== undefined) return NONE;
  const held = segment === undefined ? region.start : segment.vaddr + segment.filesz;
  return held < region.end ? [{ start: held > region.start ? held : region.start, end: region.end }] : NONE;
}

/** NT_FILE keeps the kernel's ` (deleted)` suffix on a file removed since it was mapped. */
function splitDeleted(path: string): { path: string; deleted: boolean } {
  return path.endsWith(' (deleted)') ? { path: path.slice(0, -' (deleted)'.length), deleted: true } : { path, deleted: false };
}
