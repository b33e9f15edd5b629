// Where a pointer path may start (Cheat Engine's "static" addresses): memory
// a module's file mapped writable, which lies at the same offset from the
// module's start in every run of the program, whatever ASLR does. A module is
// a file mapped private and executable somewhere (a program or a library, not
// a data file, nor shared memory such as /dev/zero or /memfd:). From the map,
// so that it holds for a live process, a snapshot and a core:
// - a file's rw mappings (.data, and .got where it is not read-only);
// - its relro: the r-- mapping the loader made read-only after relocation,
//   which is followed at once by the rest of the writable segment (an rw
//   mapping of the file, or the anonymous .bss), and is never the file's
//   first page (the ELF header is);
// - its .bss: the anonymous rw mapping that starts where one of the above ends,
//   up to where the file's writable segment ends when the file can be read
//   (the kernel may have joined a later anonymous mapping, a heap arena, to
//   it); the whole mapping when it cannot (a core whose files are gone).
// With `stacks`, also the top of each thread's stack (Cheat Engine's
// THREADSTACK bases): the frames just below where a thread started, which a
// program that loops in them keeps at the same place in every run.
import { attempt } from '../../attempt.ts';
import { readElfHeaders } from '../../native/elf-headers.ts';
import { type FileReader, PT_LOAD } from '../../native/elf.ts';
import { firstEndingAfter } from '../../target/ranges.ts';
import type { Region } from '../../target/target.ts';

export interface StaticRange {
  readonly start: number;
  readonly end: number;
  readonly base: StaticBase;
}

/** What a static range's addresses count from: a module's start (up), or the top of a thread's stack (down). */
export type StaticBase =
  /** `module`: what `module("…")` finds the file by (its base name, or its whole path where two mapped files share one); `start`: the module's lowest mapping. */
  | { readonly kind: 'module'; readonly module: string; readonly start: number }
  /** `thread`: its index in threads(); `top`: where its stack's frames start (runtime/threads.ts stackTops). */
  | { readonly kind: 'stack'; readonly thread: number; readonly top: number };

/** How far below a stack's top its frames count as static: Cheat Engine's default. */
export const STACK_DEPTH = 4096;

/** The ranges just below each thread's stack top, within the mapping its stack pointer is in. */
export function stackRanges(regions: readonly Region[], stacks: readonly { readonly thread: number; readonly top: number; readonly sp: number }[]): StaticRange[] {
  return stacks.flatMap(({ thread, top, sp }) => {
    const region = regions.find((r) => Number(r.start) <= sp && sp < Number(r.end));
    if (region === undefined) return [];
    const start = Math.max(Number(region.start), top - STACK_DEPTH);
    const end = Math.min(Number(region.end), top);
    return start < end ? [{ start, end, base: { kind: 'stack', thread, top } }] : [];
  });
}

/**
 * The static ranges of a map, ascending. `writableEnd(path, start)`: where the
 * writable segments of the module at `path`, mapped from `start`, end (its
 * .bss included), or undefined when its file cannot be read.
 */
export function staticRanges(regions: readonly Region[], writableEnd: (path: string, start: bigint) => bigint | undefined = () => undefined): StaticRange[] {
  const sorted = [...regions].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const files = sorted.filter((r) => r.path.startsWith('/'));
  const modules = new Set(files.filter((r) => r.perms[2] === 'x' && r.perms[3] === 'p').map((r) => r.path));
  const starts = new Map<string, bigint>();
  for (const r of files) if (!starts.has(r.path) || r.start < starts.get(r.path)!) starts.set(r.path, r.start);
  const byName = new Map<string, Set<string>>();
  for (const path of starts.keys()) byName.set(baseName(path), (byName.get(baseName(path)) ?? new Set()).add(path));
  const nameOf = (path: string) => (byName.get(baseName(path))!.size === 1 ? baseName(path) : path);
  const ranges: StaticRange[] = [];
  let previous: { end: bigint; path: string } | undefined;
  for (let i = 0; i < sorted.length; i++) {
    const region = sorted[i]!;
    const next = sorted[i + 1];
    const writable = region.perms.startsWith('rw') && region.perms[3] === 'p';
    let owner: string | undefined;
    let end = region.end;
    if (modules.has(region.path)) {
      const relro = region.perms.startsWith('r--') && region.offset > 0n && next !== undefined && next.start === region.end && next.perms.startsWith('rw') && (next.path === region.path || next.path === '');
      if (writable || relro) owner = region.path;
    } else if (region.path === '' && writable && previous !== undefined && previous.end === region.start) {
      owner = previous.path;
      const segments = writableEnd(owner, starts.get(owner)!);
      if (segments !== undefined && segments < end) end = segments;
    }
    previous = undefined;
    if (owner === undefined || end <= region.start) continue;
    ranges.push({ start: Number(region.start), end: Number(end), base: { kind: 'module', module: nameOf(owner), start: Number(starts.get(owner)!) } });
    previous = { end: region.end, path: owner };
  }
  return ranges;
}

/** The static range holding `address`, if any (`ranges` ascending). */
export function staticRangeAt(ranges: readonly StaticRange[], address: number): StaticRange | undefined {
  const range = ranges[firstEndingAfter(ranges, address)];
  return range !== undefined && range.start <= address ? range : undefined;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Where a module's writable segments end once loaded (its .bss included,
 * rounded up to a page), from its ELF program headers: for `staticRanges`.
 * Undefined when the file cannot be opened or read as ELF.
 */
export function writableSegmentsEnd(open: (path: string) => FileReader): (path: string, start: bigint) => bigint | undefined {
  return (path, start) => {
    const headers = attempt(() => {
      const file = open(path);
      return readElfHeaders((offset, length) => file.read(offset, length));
    });
    const loads = headers?.segments.filter((s) => s.type === PT_LOAD) ?? [];
    const writable = loads.filter((s) => (s.flags & 2) !== 0);
    if (loads.length === 0 || writable.length === 0) return undefined;
    const bias = start - (loads[0]!.vaddr & ~0xfffn);
    const end = writable.reduce((most, s) => (s.vaddr + s.memsz > most ? s.vaddr + s.memsz : most), 0n) + bias;
    return (end + 0xfffn) & ~0xfffn;
  };
}
