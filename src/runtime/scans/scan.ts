// `scan`: finds a pattern in the target's regions. Regions are filtered
// (range, perms, and what must not be read: see `skipReason`), pages that
// hold no data are left out of anonymous memory (see `residentOnly`), what
// is left is joined into streams where it touches so a match may span two
// regions, and each stream is read in chunks that overlap by the pattern's
// longest match less one byte, so a match across a chunk boundary is found
// exactly once. Each call reads about one chunk into memory the target reuses,
// which is searched while it is still in the CPU's cache; small regions share
// a call (up to 1024). A chunk that faults (a region unmapped mid-scan) is
// searched up to the fault and reported, not fatal.
import { MAX_PATTERN_SPAN, type Pattern } from '../../plan/pattern.ts';
import { PARALLEL_BYTES } from '../../plan/walk.ts';
import type { MemorySource, Region, ScanAccess } from '../../target/target.ts';
import { isAnonymous, residentOnly, skipReason } from '../../target/skip-rules.ts';
import { splitByRanges } from '../../target/ranges.ts';
import { Matcher } from '../evaluation/match.ts';
import { type Chunk, ChunkSearcher, patternVisit } from './chunk-search.ts';
import { patternFind, searchWithWorker } from './parallel-scan.ts';

export type ScanArea =
  | { readonly kind: 'all' }
  | { readonly kind: 'anon' }
  /** `parts`: the ranges a module really covers, when its mappings have gaps (other memory) between them. */
  | { readonly kind: 'region'; readonly start: bigint; readonly end: bigint; readonly parts?: readonly { readonly start: bigint; readonly end: bigint }[] };

export interface ScanRequest {
  readonly pattern: Pattern;
  readonly area: ScanArea;
  /** `r-x`, `rw`: see `permsMatch`. */
  readonly perms: string | undefined;
  readonly align: number;
  /** Stop after this many hits. */
  readonly limit: number;
}

export interface SkippedRange {
  readonly start: bigint;
  readonly end: bigint;
  readonly reason: string;
}

export interface ScanOutcome {
  /** Match addresses, ascending, at most `limit`. */
  readonly hits: bigint[];
  /** What was not searched, and why (default-skipped regions, pages without data, faults mid-scan). */
  readonly skipped: SkippedRange[];
  readonly bytesScanned: number;
  /** Regions searched (at least in part). */
  readonly regions: number;
}

/** How far a scan has got, reported after each call (for a progress line). */
export interface ScanProgress {
  readonly bytesScanned: number;
  readonly bytesTotal: number;
  readonly hits: number;
}

/** Bytes searched per chunk: calls are few (1024 per GiB) and a chunk stays in cache until it is searched. */
export const CHUNK_BYTES = 1 << 20;
/** Chunks read per call at most: the kernel's iovec limit. */
const CHUNKS_PER_CALL = 1024;
/** Bytes read per call at most: a full chunk with its overlap (less than the longest pattern) goes alone; small regions share a call. */
const BYTES_PER_CALL = CHUNK_BYTES + MAX_PATTERN_SPAN;

/** `r-x`: r and x required, w absent; `rw`: r and w required; `?` or a missing letter: either way. */
export function permsMatch(filter: string, perms: string): boolean {
  for (let i = 0; i < filter.length; i++) {
    const want = filter[i]!;
    if (want === '?') continue;
    const has = perms[i]!;
    if (want === '-' ? has !== '-' : has !== want) return false;
  }
  return true;
}

/** Address ranges to search; `boundaries` are where the regions joined into one stream meet. */
export interface Stream {
  start: bigint;
  end: bigint;
  readonly boundaries: bigint[];
}

export function scanTarget(target: MemorySource, request: ScanRequest, onProgress?: (progress: ScanProgress) => void): ScanOutcome {
  const access = target.openScan();
  try {
    return scanWith(access, request, onProgress);
  } finally {
    access.close();
  }
}

function scanWith(access: ScanAccess, request: ScanRequest, onProgress?: (progress: ScanProgress) => void): ScanOutcome {
  const matcher = new Matcher(request.pattern, access.search, request.align);
  const perms = request.perms;
  const { streams, skipped, regions: searched } = planStreams(access, request.area, (region) => perms === undefined || permsMatch(perms, region.perms));
  const chunks = chunksOf(streams, matcher.maxLength - 1);
  const bytesTotal = streams.reduce((sum, s) => sum + Number(s.end - s.start), 0);
  const hits: bigint[] = [];
  const searcher = new ChunkSearcher(access, patternVisit(matcher, request.align, request.limit, hits));
  const progress = (bytesScanned: number, hits: number) => onProgress?.({ bytesScanned, bytesTotal, hits });
  if (request.limit > 0) {
    const parallel = access.parallel !== undefined && bytesTotal >= PARALLEL_BYTES ? access.parallel : undefined;
    const helped = parallel !== undefined && searchWithWorker(chunks, searcher, patternFind(request.pattern, request.align, request.limit, hits), parallel, progress);
    if (!helped) {
      for (const batch of batches(chunks, 0, chunks.length)) {
        const going = searcher.searchBatch(batch);
        progress(searcher.bytesScanned, hits.length);
        if (!going) break;
      }
    }
  }
  return { hits, skipped: mergeSkipped([...skipped, ...searcher.skipped]), bytesScanned: searcher.bytesScanned, regions: searched };
}

/** The streams cut into chunks that overlap by `overlap` bytes, in address order. */
export function chunksOf(streams: readonly Stream[], overlap: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (const stream of streams) {
    for (let at = stream.start; at < stream.end; at += BigInt(CHUNK_BYTES)) {
      const searchEnd = at + BigInt(CHUNK_BYTES) < stream.end ? at + BigInt(CHUNK_BYTES) : stream.end;
      const readEnd = searchEnd + BigInt(overlap) < stream.end ? searchEnd + BigInt(overlap) : stream.end;
      const boundaries = stream.boundaries.filter((b) => b > at && b < searchEnd);
      chunks.push({ start: at, length: Number(readEnd - at), search: Number(searchEnd - at), boundaries });
    }
  }
  return chunks;
}

/** Chunks [from, to) grouped into calls: a full chunk alone, small ones together (up to 1024 or a chunk's bytes). */
export function* batches(chunks: readonly Chunk[], from: number, to: number): Generator<Chunk[]> {
  let batch: Chunk[] = [];
  let bytes = 0;
  for (let i = from; i < to; i++) {
    const chunk = chunks[i]!;
    if (batch.length === CHUNKS_PER_CALL || (batch.length > 0 && bytes + chunk.length > BYTES_PER_CALL)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(chunk);
    bytes += chunk.length;
  }
  if (batch.length > 0) yield batch;
}

/**
 * The address ranges to search in `area`, of the regions `accept` takes,
 * joined where they touch; the ranges left out with the reason; and how many
 * regions are searched.
 */
export function planStreams(access: ScanAccess, area: ScanArea, accept: (region: Region) => boolean): { streams: Stream[]; skipped: SkippedRange[]; regions: number } {
  const streams: Stream[] = [];
  const skipped: SkippedRange[] = [];
  let searched = 0;
  const add = (start: bigint, end: bigint) => {
    const last = streams[streams.length - 1];
    if (last !== undefined && last.end === start) {
      last.end = end;
      last.boundaries.push(start);
    } else streams.push({ start, end, boundaries: [] });
  };
  for (const region of access.regions) {
    let start = region.start;
    let end = region.end;
    if (area.kind === 'region') {
      // A module is its mappings: within its span, only the parts it covers (a region between them is other memory).
      const part = (area.parts ?? [area]).find((p) => region.start < p.end && p.start < region.end);
      if (part === undefined) continue;
      if (start < part.start) start = part.start;
      if (end > part.end) end = part.end;
    }
    if (area.kind === 'anon' && !isAnonymous(region)) continue;
    if (!accept(region)) continue;
    const name = region.path === '' ? '' : `${region.path}: `;
    const reason = skipReason(region, access.vmFlags.get(region.start)) ?? access.skip?.(region);
    if (reason !== undefined) {
      skipped.push({ start, end, reason: `${name}${reason}` });
      continue;
    }
    searched++;
    if (!residentOnly(region)) {
      add(start, end);
      continue;
    }
    splitByRanges(access.residentRuns(start, end), start, end, add, (a, b) => skipped.push({ start: a, end: b, reason: `${name}${NO_DATA}` }));
  }
  return { streams, skipped, regions: searched };
}

const NO_DATA = 'pages that hold no data (never touched): not read, so the target does not grow';

export function mergeSkipped(skipped: SkippedRange[]): SkippedRange[] {
  const sorted = [...skipped].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const merged: SkippedRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.end === range.start && last.reason === range.reason) merged[merged.length - 1] = { ...last, end: range.end };
    else merged.push(range);
  }
  return merged;
}
