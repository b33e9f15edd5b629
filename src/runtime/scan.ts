// `scan`: finds a pattern in the target's regions. Regions are filtered
// (range, perms, and what must not be read), adjacent ones are joined into
// streams so a match may span them, and each stream is read in chunks that
// overlap by the pattern's longest match less one byte, so a match across a
// chunk boundary is found exactly once. Chunks go to the target in batches
// (up to 1024 per call), and a chunk that faults (a region unmapped mid-scan)
// is searched up to the fault and reported, not fatal.
import type { Pattern } from '../plan/pattern.ts';
import type { Region, Target } from '../target/target.ts';
import { Matcher } from './match.ts';

export type ScanArea = { readonly kind: 'all' } | { readonly kind: 'anon' } | { readonly kind: 'region'; readonly start: bigint; readonly end: bigint };

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
  /** What was not searched, and why (default-skipped regions, faults mid-scan). */
  readonly skipped: SkippedRange[];
  readonly bytesScanned: number;
}

/** Bytes searched per chunk; large enough that calls are few, small enough to stay in cache. */
export const CHUNK_BYTES = 1 << 20;
/** Chunks read per call at most: the kernel's iovec limit. */
const CHUNKS_PER_CALL = 1024;
/** Bytes read per call at most. */
const BYTES_PER_CALL = 16 << 20;

/** Why a region is never read by a scan, or undefined if it may be (KERNEL.md §1, §4). */
export function skipReason(region: Region): string | undefined {
  if (!region.perms.startsWith('r')) return 'not readable';
  if (region.path === '[vvar]' || region.path === '[vvar_vclock]') return 'kernel data page (reading it faults)';
  if (region.path === '[vsyscall]') return 'legacy vsyscall page';
  return undefined;
}

/** Anonymous memory: no file behind it (heap, stacks, anonymous mappings). */
export function isAnonymous(region: Region): boolean {
  return region.path === '' || region.path === '[heap]' || region.path.startsWith('[stack') || region.path.startsWith('[anon:');
}

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

interface Chunk {
  readonly start: bigint;
  /** Bytes read: the searched part plus the overlap into the next chunk. */
  readonly length: number;
  /** Matches must start within the first `search` bytes. */
  readonly search: number;
}

export function scanTarget(target: Target, request: ScanRequest): ScanOutcome {
  const matcher = new Matcher(request.pattern);
  const { streams, skipped } = planStreams(target.regions(), request);
  const overlap = matcher.maxLength - 1;
  const hits: bigint[] = [];
  const align = BigInt(request.align);
  let bytesScanned = 0;

  const chunks = function* (): Generator<Chunk> {
    for (const stream of streams) {
      for (let at = stream.start; at < stream.end; at += BigInt(CHUNK_BYTES)) {
        const searchEnd = at + BigInt(CHUNK_BYTES) < stream.end ? at + BigInt(CHUNK_BYTES) : stream.end;
        const readEnd = searchEnd + BigInt(overlap) < stream.end ? searchEnd + BigInt(overlap) : stream.end;
        yield { start: at, length: Number(readEnd - at), search: Number(searchEnd - at) };
      }
    }
  };

  let batch: Chunk[] = [];
  let batchBytes = 0;
  const flush = (): boolean => {
    const results = target.read(batch.map((c) => ({ address: c.start, length: c.length })));
    for (let i = 0; i < batch.length; i++) {
      const chunk = batch[i]!;
      const result = results[i]!;
      bytesScanned += result.done;
      if (result.fault !== undefined) {
        skipped.push({ start: result.fault.address, end: chunk.start + BigInt(chunk.search), reason: 'unreadable now (unmapped or changed during the scan)' });
      }
      const done = result.done;
      let full = false;
      matcher.find(result.bytes.subarray(0, done), 0, Math.min(chunk.search, done), (offset) => {
        const address = chunk.start + BigInt(offset);
        if (align === 1n || address % align === 0n) hits.push(address);
        full = hits.length >= request.limit;
        return !full;
      });
      if (full) return false;
    }
    batch = [];
    batchBytes = 0;
    return true;
  };

  if (request.limit > 0) {
    for (const chunk of chunks()) {
      if (batch.length === CHUNKS_PER_CALL || (batch.length > 0 && batchBytes + chunk.length > BYTES_PER_CALL)) {
        if (!flush()) break;
      }
      batch.push(chunk);
      batchBytes += chunk.length;
    }
    if (batch.length > 0) flush();
  }
  return { hits, skipped: mergeSkipped(skipped), bytesScanned };
}

/** The address ranges to search, joined where regions touch, and the regions left out with the reason. */
function planStreams(regions: readonly Region[], request: ScanRequest): { streams: { start: bigint; end: bigint }[]; skipped: SkippedRange[] } {
  const streams: { start: bigint; end: bigint }[] = [];
  const skipped: SkippedRange[] = [];
  const area = request.area;
  for (const region of regions) {
    let start = region.start;
    let end = region.end;
    if (area.kind === 'region') {
      if (region.end <= area.start || region.start >= area.end) continue;
      if (start < area.start) start = area.start;
      if (end > area.end) end = area.end;
    }
    if (area.kind === 'anon' && !isAnonymous(region)) continue;
    if (request.perms !== undefined && !permsMatch(request.perms, region.perms)) continue;
    const reason = skipReason(region);
    if (reason !== undefined) {
      skipped.push({ start, end, reason: `${region.path === '' ? '' : `${region.path}: `}${reason}` });
      continue;
    }
    const last = streams[streams.length - 1];
    if (last !== undefined && last.end === start) last.end = end;
    else streams.push({ start, end });
  }
  return { streams, skipped };
}

function mergeSkipped(skipped: SkippedRange[]): SkippedRange[] {
  const sorted = [...skipped].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const merged: SkippedRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && last.end === range.start && last.reason === range.reason) merged[merged.length - 1] = { ...last, end: range.end };
    else merged.push(range);
  }
  return merged;
}
