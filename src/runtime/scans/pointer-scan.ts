// `pointerscan to ADDR depth D offset MAX` (Cheat Engine's pointer scan):
// every path [[…[BASE] + o1] + …] + oD == ADDR with 0 ≤ each offset ≤ MAX,
// BASE static (static-bases.ts), so that the path still finds the value after
// the program restarts. One pass over the memory that may hold pointers (rw
// mappings and relro), with the scan's reads (scan.ts: batched, untouched
// pages and the default-skipped regions left out, faults rescued), fills the
// reverse pointer map (pointer-map.ts). Then the search goes backwards from
// ADDR, a level at a time: level 1 is every pointer whose value lies in
// [ADDR - MAX, ADDR], level k every pointer whose value lies at most MAX below
// a location of level k - 1. A level is a sorted list of map entries (4 bytes
// each), each location at most once however many ways it leads on; paths are
// spelt out only at the end, shortest first, up to the limit.
import { describeTarget, type MemorySource, type Region } from '../../target/target.ts';
import { TargetError } from '../../errors.ts';
import { hexAddress } from '../../bytes.ts';
import { explainFault } from '../explain-fault.ts';
import type { PathBase, PointerPath } from '../evaluation/value.ts';
import { ChunkSearcher } from './chunk-search.ts';
import { PointerCollector, type PointerMap, type ValueSpans, valueSpans } from './pointer-map.ts';
import { sharedBlocks, type SharedPointers, sharedPointers } from './shared-pointers.ts';
import { type Find, searchWithWorker } from './parallel-scan.ts';
import { PARALLEL_BYTES } from '../../plan/walk.ts';
import { batches, chunksOf, mergeSkipped, planStreams, type ScanProgress, type SkippedRange } from './scan.ts';
import { stackRanges, type StaticRange, staticRangeAt, staticRanges, writableSegmentsEnd } from './static-bases.ts';

export interface PointerScanRequest {
  /** ADDR, below 2^53. */
  readonly address: number;
  readonly depth: number;
  readonly maxOffset: number;
  /** Paths to find at most. */
  readonly limit: number;
  /** Threads whose stack tops are bases too (`stacks`): their index, their stack's top and their stack pointer. */
  readonly stacks?: readonly { readonly thread: number; readonly top: number; readonly sp: number }[];
  /** `in REGION`: module bases only within these ranges (a module's mappings, say). */
  readonly within?: readonly { readonly start: number; readonly end: number }[];
}

export interface PointerScanOutcome {
  /** Shortest first; within a depth, by base address, then offsets. */
  readonly paths: PointerPath[];
  readonly skipped: SkippedRange[];
  readonly bytesScanned: number;
  readonly regions: number;
  /** Entries of the map, and its bytes. */
  readonly pointers: number;
  readonly mapBytes: number;
  /** Locations found at each depth, 1 first. */
  readonly levels: number[];
  /** The search stopped before `depth`: its levels would have held more than the map (then `levels` is shorter). */
  readonly cut: boolean;
}

export function pointerScan(target: MemorySource, request: PointerScanRequest, onProgress?: (progress: ScanProgress) => void): PointerScanOutcome {
  const access = target.openScan();
  try {
    // A path leads to memory: an address no mapping holds (a typo, a small number) would make every zero word a pointer to it.
    const address = BigInt(request.address);
    if (!access.regions.some((r) => r.start <= address && address < r.end)) {
      throw new TargetError('unmapped', `pointerscan to ${hexAddress(address)}: ${explainFault(address, access.regions, describeTarget(target.identity), 'r')}`, {
        hint: 'give the address of a value the target holds, as a scan found it or pvm maps shows it',
      });
    }
    const modules = staticRanges(access.regions, writableSegmentsEnd((path) => target.moduleFile(path)));
    const holdsPointers = (region: Region) => region.perms.startsWith('rw') || staticRangeAt(modules, Number(region.start)) !== undefined;
    const bases = request.within === undefined ? modules : clipped(modules, request.within);
    const statics = [...bases, ...stackRanges(access.regions, request.stacks ?? [])].sort((a, b) => a.start - b.start);
    const { streams, skipped, regions } = planStreams(access, { kind: 'all' }, holdsPointers);
    // A path's pointers point into memory that holds the next pointer (at most MAX below it), or near ADDR.
    const spans = valueSpans([
      ...access.regions.filter(holdsPointers).map((r) => ({ start: Number(r.start) - request.maxOffset, end: Number(r.end) })),
      { start: request.address - request.maxOffset, end: request.address + 1 },
    ]);
    const collector = new PointerCollector(spans);
    const searcher = new ChunkSearcher(access, collector.collect);
    const chunks = chunksOf(streams, 0);
    const bytesTotal = streams.reduce((sum, s) => sum + Number(s.end - s.start), 0);
    const progress = (bytesScanned: number) => onProgress?.({ bytesScanned, bytesTotal, hits: 0 });
    // With a worker thread on the other core, as a scan does: it fills a map of its own from the end, which joins this one.
    const parallel = access.parallel !== undefined && bytesTotal >= PARALLEL_BYTES ? access.parallel : undefined;
    const shared = parallel === undefined ? undefined : sharedPointers(spans, bytesTotal, chunks.length);
    const helped = shared !== undefined && searchWithWorker(chunks, searcher, pointersFind(collector, shared, spans), parallel!, progress);
    if (!helped) {
      for (const batch of batches(chunks, 0, chunks.length)) {
        searcher.searchBatch(batch);
        progress(searcher.bytesScanned);
      }
    }
    const map = collector.finish();
    const { levels, cut } = searchBack(map, request);
    const paths = spellPaths(map, levels, request, (location) => staticRangeAt(statics, location));
    return {
      paths,
      skipped: mergeSkipped([...skipped, ...searcher.skipped]),
      bytesScanned: searcher.bytesScanned,
      regions,
      pointers: map.count,
      mapBytes: map.bytes,
      levels: levels.map((level) => level.length),
      cut,
    };
  } finally {
    access.close();
  }
}

/** The parts of `ranges` within `within` (both ascending or not: few ranges). */
function clipped(ranges: readonly StaticRange[], within: readonly { readonly start: number; readonly end: number }[]): StaticRange[] {
  return ranges.flatMap((range) =>
    within.flatMap((part) => {
      const start = Math.max(range.start, part.start);
      const end = Math.min(range.end, part.end);
      return start < end ? [{ ...range, start, end }] : [];
    })
  );
}

/** A pointer scan's share of a worker's help: the worker fills `shared`, whose blocks join `collector`'s after its own. */
function pointersFind(collector: PointerCollector, shared: SharedPointers, spans: ValueSpans): Find {
  return {
    job: { kind: 'pointers', starts: spans.starts, ends: spans.ends, shared },
    join() {
      const { blocks, counts } = sharedBlocks(shared);
      collector.adopt(blocks, counts);
    },
    found: () => 0,
  };
}

/**
 * The levels, 1 to `depth` (fewer when cut), each the map entries it holds in
 * location order. Each level is counted before it is kept, in an array of
 * its exact size, and all of them together may take as many bytes as the
 * map: a pointer scan's memory stays within twice its map's (besides the
 * paths spelt out, which the limit bounds).
 */
function searchBack(map: PointerMap, request: PointerScanRequest): { levels: Uint32Array[]; cut: boolean } {
  const max = request.maxOffset;
  const levels: Uint32Array[] = [];
  let room = Math.floor(map.bytes / 4);
  let previous: { readonly length: number; at(j: number): number } = { length: 1, at: () => request.address };
  for (let depth = 1; depth <= request.depth && previous.length > 0; depth++) {
    // The values wanted, walked twice (to count, then to keep) rather than held: there may be millions.
    const wanted = (visit: (low: number, high: number) => void) => eachWanted(previous, max, visit);
    let count = 0;
    wanted((from, to) => map.each(from, to, () => count++));
    if (count > room) return { levels, cut: true };
    const level = new Uint32Array(count);
    let at = 0;
    wanted((from, to) => map.each(from, to, (entry) => (level[at++] = entry)));
    level.sort();
    levels.push(level);
    room -= count;
    previous = { length: level.length, at: (j) => map.location(level[j]!) };
  }
  return { levels, cut: false };
}

/** The values a level's pointers may hold: [x - MAX, x] for each location x of the level before (ascending), joined where they overlap. */
function eachWanted(previous: { readonly length: number; at(j: number): number }, max: number, visit: (low: number, high: number) => void): void {
  let low = previous.at(0) - max;
  let high = previous.at(0);
  for (let j = 1; j <= previous.length; j++) {
    const x = j < previous.length ? previous.at(j) : Infinity;
    if (x - max <= high + 1) {
      high = x;
      continue;
    }
    visit(low, high);
    low = x - max;
    high = x;
  }
}

/**
 * The paths from each static location of each level, shortest first, up to
 * the limit: first ADDR itself when it is static (a path of no pointers).
 * A path never passes through static memory (Cheat Engine's "stop at a
 * static"): from there the shorter path is the one given, and the longer
 * ones are aliases (a pointer to itself, a table of the loader's).
 */
function spellPaths(map: PointerMap, levels: readonly Uint32Array[], request: PointerScanRequest, staticAt: (location: number) => StaticRange | undefined): PointerPath[] {
  const max = request.maxOffset;
  const paths: PointerPath[] = [];
  const offsets: number[] = [];
  const baseAt = (location: number, range: StaticRange): PathBase => {
    const { base } = range;
    return base.kind === 'module' ? { kind: 'module', module: base.module, offset: BigInt(location - base.start) } : { kind: 'stack', thread: base.thread, offset: BigInt(base.top - location) };
  };
  /** Spells every way from `entry` of level `depth` (1-based) down to ADDR; false once the limit is reached. */
  const down = (depth: number, entry: number, emit: () => boolean): boolean => {
    const value = map.value(entry);
    if (depth === 1) {
      offsets.push(request.address - value);
      const going = emit();
      offsets.pop();
      return going;
    }
    const below = levels[depth - 2]!;
    for (let j = lowerBound(below, map, value); j < below.length && map.location(below[j]!) <= value + max; j++) {
      const location = map.location(below[j]!);
      if (staticAt(location) !== undefined) continue;
      offsets.push(location - value);
      const going = down(depth - 1, below[j]!, emit);
      offsets.pop();
      if (!going) return false;
    }
    return true;
  };
  const itself = staticAt(request.address);
  if (itself !== undefined && request.limit > 0) paths.push({ base: baseAt(request.address, itself), offsets: [] });
  for (let depth = 1; depth <= levels.length; depth++) {
    for (const entry of levels[depth - 1]!) {
      if (paths.length >= request.limit) return paths;
      const location = map.location(entry);
      const range = staticAt(location);
      if (range === undefined) continue;
      const from = baseAt(location, range);
      const going = down(depth, entry, () => {
        paths.push({ base: from, offsets: offsets.map(BigInt) });
        return paths.length < request.limit;
      });
      if (!going) return paths;
    }
  }
  return paths;
}

/** The first j whose location is at least `value`. */
function lowerBound(level: Uint32Array, map: PointerMap, value: number): number {
  let low = 0;
  let high = level.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (map.location(level[mid]!) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
