// What changed between two snapshots or cores of one process (or of one
// build): regions added, removed, resized and changed, and within each pair of
// matched regions the byte ranges that differ. Pages a side does not store
// are not read: a snapshot's untouched pages (zeros, holes in its file), and
// bytes both sides take from the same mapped file (a kernel core's unmodified
// file pages). Bytes a side cannot give (left out, unreadable during the
// capture, held by no core and no file) are not compared, and counted.
// docs/forensics.md, "pvm diff", says what a user sees.
import type { CoreRegion } from '../target/core-regions.ts';
import { firstEndingAfter } from '../target/ranges.ts';
import type { CoreTarget } from '../target/core-target.ts';
import type { Region } from '../target/target.ts';

/** Changed bytes fewer than this many unchanged bytes apart are one range: a struct's fields written together read as one change. */
export const COALESCE_GAP = 16;
/** The ranges a diff keeps (with their addresses); past this it counts them. */
export const MAX_RANGES = 10_000;
/** Bytes compared per read of each side. */
const CHUNK = 4 << 20;
/** The block a chunk that differs is searched in for where: blocks that compare equal are passed over at memcmp's speed. */
const BLOCK = 4096;
const SUB_BLOCK = 64;

export interface ChangedRange {
  /** Where the range lies on each side (the same, unless its region moved). */
  readonly addressA: bigint;
  readonly addressB: bigint;
  readonly length: number;
  /** Bytes in it that differ (the rest are the unchanged bytes between changes, fewer than COALESCE_GAP). */
  readonly changed: number;
}

/** Two regions taken to be the same memory: how they differ. */
export interface RegionPair {
  readonly a: Region;
  readonly b: Region;
  /** Lengths differ: the part they share is compared (from the start, or from the end for a stack, which grows down). */
  readonly resized: boolean;
  /** Matched at another address (ASLR between two runs of one build), by file and offset or by name. */
  readonly moved: boolean;
  readonly permsChanged: boolean;
  readonly ranges: readonly ChangedRange[];
  /** Ranges past MAX_RANGES, counted only. */
  readonly rangesOmitted: number;
  readonly bytesChanged: bigint;
  /** Bytes that could not be compared (one side cannot give them), and the first reason. */
  readonly notCompared: bigint;
  readonly notComparedWhy: string | undefined;
}

export interface CoreDiff {
  readonly pairs: readonly RegionPair[];
  readonly added: readonly Region[];
  readonly removed: readonly Region[];
  /** Regions in one side's map only, which that side left out (kernel data pages, unreadable ones): no bytes to say they went or came. */
  readonly leftOut: readonly CoreRegion[];
  /** Bytes read from both sides and compared. */
  readonly bytesCompared: bigint;
  /** Bytes neither side stores (holes, or one file's bytes on both), passed over unread. */
  readonly bytesSkipped: bigint;
  readonly rangesOmitted: number;
}

/** Whether the pair differs in anything: its size, its permissions or its bytes. */
export function pairDiffers(pair: RegionPair): boolean {
  return pair.resized || pair.permsChanged || pair.bytesChanged > 0n;
}

/** Whether two captures differ: a region added or removed, or a pair that differs (what makes pvm diff exit 1). */
export function coresDiffer(diff: CoreDiff): boolean {
  return diff.added.length > 0 || diff.removed.length > 0 || diff.pairs.some(pairDiffers);
}

/** What a diff reads of a core: its regions, its bytes, why a file mapping's file cannot be used, and whether it is a pvm snapshot. */
export type DiffSource = Pick<CoreTarget, 'regions' | 'readv' | 'fileProblem' | 'snapshot'>;

export function diffCores(a: DiffSource, b: DiffSource): CoreDiff {
  const { pairs, added, removed } = matchRegions(a.regions() as readonly CoreRegion[], b.regions() as readonly CoreRegion[]);
  // gcore marks every segment readable, and the kernel's and gcore's cores record no unreadable region pvm's would: only a pvm snapshot's permissions say whether a page was readable.
  const readBitKnown = a.snapshot !== undefined && b.snapshot !== undefined;
  const compare = new Comparer(a, b, readBitKnown);
  const compared = pairs.map(([ra, rb]) => compare.pair(ra, rb));
  return {
    pairs: compared,
    added: added.filter((r) => r.leftOut === undefined),
    removed: removed.filter((r) => r.leftOut === undefined),
    leftOut: [...removed, ...added].filter((r) => r.leftOut !== undefined),
    bytesCompared: compare.bytesCompared,
    bytesSkipped: compare.bytesSkipped,
    rangesOmitted: compare.rangesOmitted,
  };
}

/**
 * Pairs regions of A and B, in this order: the same start and path; the same
 * start where one side has no name (gcore and the kernel name only files); a
 * file mapping by its path and file offset (ASLR moves a module, not its
 * file offsets); a pseudo-region (`[heap]`, `[stack]`) by its name, when each
 * side has one of that name; memory without a name at the same distance
 * from a paired neighbour on both sides (a module's .bss, a mapping made
 * beside it). Whatever is left is removed (A only) or added (B only).
 */
export function matchRegions<R extends Region>(as: readonly R[], bs: readonly R[]): { pairs: [R, R][]; added: R[]; removed: R[] } {
  const pairs: [R, R][] = [];
  let leftA = [...as];
  let leftB = [...bs];
  const pass = (keyOf: (region: R) => string | undefined, unique = false) => {
    const byKey = new Map<string, R[]>();
    for (const region of leftB) {
      const key = keyOf(region);
      if (key !== undefined) byKey.set(key, [...(byKey.get(key) ?? []), region]);
    }
    const countA = new Map<string, number>();
    for (const region of leftA) {
      const key = keyOf(region);
      if (key !== undefined) countA.set(key, (countA.get(key) ?? 0) + 1);
    }
    const taken = new Set<R>();
    const kept: R[] = [];
    for (const region of leftA) {
      const key = keyOf(region);
      const candidates = key === undefined ? undefined : byKey.get(key);
      if (key === undefined || candidates === undefined || candidates.length === 0 || (unique && (candidates.length > 1 || countA.get(key)! > 1))) {
        kept.push(region);
        continue;
      }
      const other = candidates.shift()!;
      taken.add(other);
      pairs.push([region, other]);
    }
    leftA = kept;
    leftB = leftB.filter((region) => !taken.has(region));
  };
  pass((r) => `${r.start}\0${r.path}`);
  pass((r) => (r.path === '' || r.path.startsWith('[') ? `${r.start}` : undefined));
  pass((r) => (r.path.startsWith('/') ? `${r.path}\0${r.offset}` : undefined));
  pass((r) => (r.path.startsWith('[') ? r.path : undefined), true);
  const byStart = ([a]: [R, R], [b]: [R, R]) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0);
  pairs.sort(byStart);
  // ASLR moves the whole mmap area by one distance: memory without a name lies as far from the paired region beside it on both sides.
  const unnamedB = new Map(leftB.filter((r) => r.path === '').map((r) => [r.start, r]));
  const kept: R[] = [];
  for (const region of leftA) {
    const at = region.path === '' ? firstEndingAfter(pairs.map(([a]) => a), region.start) : -1;
    const besides = at < 0 ? [] : [pairs[at], pairs[at - 1]].filter((pair) => pair !== undefined);
    const other = besides.map(([a, b]) => unnamedB.get(region.start + (b.start - a.start))).find((r) => r !== undefined);
    if (other === undefined) kept.push(region);
    else {
      unnamedB.delete(other.start);
      pairs.push([region, other]);
    }
  }
  const pairedB = new Set(pairs.map(([, b]) => b));
  pairs.sort(byStart);
  return { pairs, added: leftB.filter((r) => !pairedB.has(r)), removed: kept };
}

/** What a side holds at a region offset: its bytes, zeros it does not store, the mapped file's bytes, or nothing it can give. */
type Kind = 'data' | 'zero' | 'file' | 'unknown';
interface Span {
  readonly start: bigint;
  readonly end: bigint;
  readonly kind: Kind;
  readonly why: string | undefined;
}

/** A region's offsets [from, to) cut by what its side holds there, in order. */
export function spansOf(region: CoreRegion, from: bigint, to: bigint, side: string, fileProblem: string | undefined): Span[] {
  if (region.leftOut !== undefined) return [{ start: from, end: to, kind: 'unknown', why: `${side} left it out (${region.leftOut})` }];
  const relative = (kind: Kind, why: string | undefined) => (range: { start: bigint; end: bigint }): Span => ({ start: range.start - region.start, end: range.end - region.start, kind, why });
  const byStart = (a: Span, b: Span) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0);
  const unknown = [
    ...region.missing.map(relative('unknown', `${side} could not read it during the capture`)),
    ...region.absent.map(relative('unknown', `${side} holds no bytes there and no file is mapped to take them from`)),
  ].sort(byStart);
  const zero = region.untouched.map(relative('zero', undefined));
  const file: Span[] = [];
  if (region.file !== undefined) {
    const held = region.segment === undefined || region.segment.vaddr !== region.start ? 0n : region.segment.filesz;
    if (held < region.end - region.start) file.push({ start: held, end: region.end - region.start, kind: fileProblem === undefined ? 'file' : 'unknown', why: fileProblem && `${side}: ${fileProblem}` });
  }
  // Each list is sorted and without overlaps; where lists overlap, the first claims the offsets: unknown before zero before file.
  const lists = [unknown, zero, file];
  const cursors = [0, 0, 0];
  const points = [...new Set([from, to, ...lists.flat().flatMap((m) => [m.start, m.end]).filter((p) => p > from && p < to)])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const spans: Span[] = [];
  for (let p = 0; p + 1 < points.length; p++) {
    const at = points[p]!;
    let claim: Span | undefined;
    for (let l = 0; l < lists.length && claim === undefined; l++) {
      const list = lists[l]!;
      while (cursors[l]! < list.length && list[cursors[l]!]!.end <= at) cursors[l]!++;
      const mark = list[cursors[l]!];
      if (mark !== undefined && mark.start <= at) claim = mark;
    }
    const kind = claim?.kind ?? 'data';
    const last = spans.at(-1);
    if (last !== undefined && last.kind === kind && last.why === claim?.why) spans[spans.length - 1] = { ...last, end: points[p + 1]! };
    else spans.push({ start: at, end: points[p + 1]!, kind, why: claim?.why });
  }
  return spans;
}

class Comparer {
  bytesCompared = 0n;
  bytesSkipped = 0n;
  rangesOmitted = 0;
  #kept = 0;
  readonly #a: DiffSource;
  readonly #b: DiffSource;
  readonly #memoryA = new Uint8Array(CHUNK);
  readonly #memoryB = new Uint8Array(CHUNK);
  readonly #zeros = new Uint8Array(CHUNK);
  readonly #readBitKnown: boolean;

  constructor(a: DiffSource, b: DiffSource, readBitKnown: boolean) {
    this.#a = a;
    this.#b = b;
    this.#readBitKnown = readBitKnown;
  }

  pair(a: CoreRegion, b: CoreRegion): RegionPair {
    const sizeA = a.end - a.start;
    const sizeB = b.end - b.start;
    const common = sizeA < sizeB ? sizeA : sizeB;
    // A stack grows down: what it shares with its other self is its top.
    const fromEnd = a.path === '[stack]' || a.vmFlags.includes('gd');
    const skipA = fromEnd ? sizeA - common : 0n;
    const skipB = fromEnd ? sizeB - common : 0n;
    const spansA = spansOf(a, skipA, skipA + common, 'A', this.#a.fileProblem(a));
    const spansB = spansOf(b, skipB, skipB + common, 'B', this.#b.fileProblem(b)).map((s) => ({ ...s, start: s.start - skipB + skipA, end: s.end - skipB + skipA }));
    const ranges = new RangeCollector(a.start, b.start - skipA + skipB, this);
    let notCompared = 0n;
    let notComparedWhy: string | undefined;
    const unknown = (length: bigint, why: string | undefined) => {
      notCompared += length;
      notComparedWhy ??= why;
      ranges.close(); // a range never spans bytes that were not compared (its hexdump would show them)
    };
    let i = 0;
    let j = 0;
    let at = skipA;
    while (at < skipA + common) {
      while (spansA[i]!.end <= at) i++;
      while (spansB[j]!.end <= at) j++;
      const sa = spansA[i]!;
      const sb = spansB[j]!;
      const end = sa.end < sb.end ? sa.end : sb.end;
      const length = end - at;
      if (sa.kind === 'unknown' && sb.kind === 'unknown') this.bytesSkipped += length; // neither side has them: nothing to compare
      else if (sa.kind === 'unknown' || sb.kind === 'unknown') unknown(length, sa.why ?? sb.why);
      else if (sa.kind === 'zero' && sb.kind === 'zero') this.bytesSkipped += length;
      else if (sa.kind === 'file' && sb.kind === 'file' && a.file === b.file && a.offset + at === b.offset + (at - skipA + skipB)) this.bytesSkipped += length;
      else {
        const why = this.#compare(at, a.start + at, sa.kind === 'zero', b.start + at - skipA + skipB, sb.kind === 'zero', length, ranges);
        if (why !== undefined) unknown(why.length, why.reason);
      }
      at = end;
    }
    const kept = ranges.finish();
    return {
      a,
      b,
      resized: sizeA !== sizeB,
      moved: a.start !== b.start,
      permsChanged: this.#readBitKnown ? a.perms !== b.perms : a.perms.slice(1) !== b.perms.slice(1),
      ranges: kept.ranges,
      rangesOmitted: kept.omitted,
      bytesChanged: kept.changed,
      notCompared,
      notComparedWhy,
    };
  }

  /** Whether another range may be kept (MAX_RANGES in all); counts those that may not. */
  keep(): boolean {
    if (this.#kept < MAX_RANGES) {
      this.#kept++;
      return true;
    }
    this.rangesOmitted++;
    return false;
  }

  /** Compares [addressA, +length) (at `offset` in A's region) with [addressB, +length), a chunk at a time; a side that is zeros is not read. Returns what could not be read, if anything. */
  #compare(offset: bigint, addressA: bigint, zeroA: boolean, addressB: bigint, zeroB: boolean, length: bigint, ranges: RangeCollector): { length: bigint; reason: string | undefined } | undefined {
    for (let done = 0n; done < length;) {
      const n = Number(length - done < BigInt(CHUNK) ? length - done : BigInt(CHUNK));
      const a = zeroA ? { bytes: this.#zeros, done: n, reason: undefined } : readInto(this.#a, addressA + done, n, this.#memoryA);
      const b = zeroB ? { bytes: this.#zeros, done: n, reason: undefined } : readInto(this.#b, addressB + done, n, this.#memoryB);
      const got = Math.min(a.done, b.done);
      this.bytesCompared += BigInt(got);
      differences(a.bytes, b.bytes, got, (from, to, changed) => ranges.add(offset + done + BigInt(from), offset + done + BigInt(to), changed));
      if (got < n) return { length: length - done - BigInt(got), reason: a.done < n ? `A: ${a.reason ?? 'not readable'}` : `B: ${b.reason ?? 'not readable'}` };
      done += BigInt(n);
    }
    return undefined;
  }
}

function readInto(target: DiffSource, address: bigint, length: number, memory: Uint8Array): { bytes: Uint8Array; done: number; reason: string | undefined } {
  const ranges = new Uint8Array(16);
  const view = new DataView(ranges.buffer);
  view.setBigUint64(0, address, true);
  view.setBigUint64(8, BigInt(length), true);
  const done = Int32Array.of(length);
  const stops: ({ reason: string | undefined } | undefined)[] = [];
  target.readv({ ranges, count: 1, offsets: Int32Array.of(0, length), done, memory, stops });
  return { bytes: memory, done: done[0]!, reason: stops[0]?.reason };
}

/**
 * Calls `found(from, to, changed)` for each run of bytes that differ in
 * a[0, n) and b[0, n), joined when fewer than COALESCE_GAP bytes apart
 * (`changed`: the bytes in it that differ). Equal blocks cost one memcmp.
 */
export function differences(a: Uint8Array, b: Uint8Array, n: number, found: (from: number, to: number, changed: number) => void): void {
  const bufferA = Buffer.from(a.buffer, a.byteOffset, n);
  const bufferB = Buffer.from(b.buffer, b.byteOffset, n);
  if (bufferA.equals(bufferB)) return;
  let runStart = -1;
  let runEnd = -1;
  let changed = 0;
  const byte = (i: number) => {
    if (runStart >= 0 && i - runEnd < COALESCE_GAP) {
      runEnd = i + 1;
      changed++;
      return;
    }
    if (runStart >= 0) found(runStart, runEnd, changed);
    runStart = i;
    runEnd = i + 1;
    changed = 1;
  };
  for (let block = 0; block < n; block += BLOCK) {
    const blockEnd = Math.min(block + BLOCK, n);
    if (bufferA.compare(bufferB, block, blockEnd, block, blockEnd) === 0) continue;
    for (let sub = block; sub < blockEnd; sub += SUB_BLOCK) {
      const subEnd = Math.min(sub + SUB_BLOCK, blockEnd);
      if (bufferA.compare(bufferB, sub, subEnd, sub, subEnd) === 0) continue;
      for (let i = sub; i < subEnd; i++) if (a[i] !== b[i]) byte(i);
    }
  }
  if (runStart >= 0) found(runStart, runEnd, changed);
}

/** A region pair's ranges as the chunks report them: joined across chunk and span boundaries, kept up to MAX_RANGES in all. */
class RangeCollector {
  readonly #baseA: bigint;
  readonly #baseB: bigint;
  readonly #comparer: Comparer;
  readonly #ranges: ChangedRange[] = [];
  #open: { start: bigint; end: bigint; changed: number } | undefined;
  #omitted = 0;
  #changed = 0n;

  /** `baseA`, `baseB`: the addresses of offset 0 on each side. */
  constructor(baseA: bigint, baseB: bigint, comparer: Comparer) {
    this.#baseA = baseA;
    this.#baseB = baseB;
    this.#comparer = comparer;
  }

  /** Offsets from the region's start on side A. */
  add(start: bigint, end: bigint, changed: number): void {
    this.#changed += BigInt(changed);
    const open = this.#open;
    if (open !== undefined && start - open.end < BigInt(COALESCE_GAP)) {
      open.end = end;
      open.changed += changed;
      return;
    }
    this.close();
    this.#open = { start, end, changed };
  }

  finish(): { ranges: ChangedRange[]; omitted: number; changed: bigint } {
    this.close();
    return { ranges: this.#ranges, omitted: this.#omitted, changed: this.#changed };
  }

  /** Ends the range being made: the next change starts another. */
  close(): void {
    const open = this.#open;
    if (open === undefined) return;
    this.#open = undefined;
    if (!this.#comparer.keep()) {
      this.#omitted++;
      return;
    }
    this.#ranges.push({ addressA: this.#baseA + open.start, addressB: this.#baseB + open.start, length: Number(open.end - open.start), changed: open.changed });
  }
}
