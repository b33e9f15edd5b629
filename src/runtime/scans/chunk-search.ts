// Reading and searching a scan's chunks, a batch at a time: what one thread
// of a scan does (scan.ts runs it alone or beside a worker, worker-search.ts
// runs it in the worker). Each batch is read in one call into memory the
// target reuses and searched there at once, in address order; a chunk that
// faulted (its region unmapped mid-scan) is searched up to the fault, what its
// plan has after the fault is read again, and the gap is reported.
import type { ReadResult, ScanAccess } from '../../target/target.ts';
import type { Matcher } from '../evaluation/match.ts';
import type { SkippedRange } from './scan.ts';

export interface Chunk {
  readonly start: bigint;
  /** Bytes read: the searched part plus the overlap into the next chunk. */
  readonly length: number;
  /** Matches must start within the first `search` bytes. */
  readonly search: number;
  /** Where a region of the plan starts inside the chunk: after a fault, reading resumes at the next one. */
  readonly boundaries: readonly bigint[];
}

/**
 * What a scan does with the bytes of a chunk: `bytes` were read from address
 * `first`, and what it looks for must start within the first `searchEnd` of
 * them (the rest is the overlap into the next chunk). False stops the scan.
 */
export type ChunkVisit = (bytes: Uint8Array, first: bigint, searchEnd: number) => boolean;

/** A pattern's matches, `align`ed, into `hits` until there are `limit`: what `scan` does with each chunk. */
export function patternVisit(matcher: Matcher, align: number, limit: number, hits: bigint[]): ChunkVisit {
  const alignment = BigInt(align);
  return (bytes, first, searchEnd) => {
    let full = false;
    matcher.find(bytes, 0, searchEnd, (at) => {
      const address = first + BigInt(at);
      if (alignment === 1n || address % alignment === 0n) hits.push(address);
      full = hits.length >= limit;
      return !full;
    }, Number(first % 4n));
    return !full;
  };
}

/** Reads a scan's chunks a batch at a time and hands each to `visit`, rescuing what follows a fault. */
export class ChunkSearcher {
  readonly skipped: SkippedRange[] = [];
  bytesScanned = 0;
  readonly #access: ScanAccess;
  readonly #visit: ChunkVisit;

  constructor(access: ScanAccess, visit: ChunkVisit) {
    this.#access = access;
    this.#visit = visit;
  }

  /**
   * Reads and searches a batch of chunks (one call's worth), in address
   * order; false once the visit says stop. A chunk that faulted is rescued
   * before the next is searched, and since a rescue reads into the memory
   * the batch's other chunks are in, the chunks after it are read again: so
   * every visit comes in address order (a pointer map relies on it), at the
   * cost of a read more only where memory went away.
   */
  searchBatch(batch: readonly Chunk[]): boolean {
    let rest = batch;
    while (rest.length > 0) {
      const results = this.#access.readChunks(rest.map((c) => ({ address: c.start, length: c.length })));
      let next = rest.length;
      for (let i = 0; i < rest.length; i++) {
        const result = results[i]!;
        if (!this.#search(rest[i]!, result, 0)) return false;
        if (result.fault === undefined) continue;
        if (!this.#rescue(rest[i]!, result.fault.address)) return false;
        next = i + 1;
        break;
      }
      rest = rest.slice(next);
    }
    return true;
  }

  /** Searches what a chunk read holds, from its `offset`-th byte; false once the visit says stop. */
  #search(chunk: Chunk, result: ReadResult, offset: number): boolean {
    const done = result.done;
    this.bytesScanned += Math.max(0, Math.min(done, chunk.search - offset));
    return this.#visit(result.bytes.subarray(0, done), chunk.start + BigInt(offset), Math.min(chunk.search - offset, done));
  }

  /**
   * A chunk that faulted: the region under the fault is gone or shrank. What
   * the plan has after it in the chunk (the next region of a joined stream)
   * is read again on its own; the gap is reported.
   */
  #rescue(chunk: Chunk, fault: bigint): boolean {
    const searchEnd = chunk.start + BigInt(chunk.search);
    while (fault < searchEnd) {
      const next = chunk.boundaries.find((b) => b > fault);
      this.skipped.push({ start: fault, end: next ?? searchEnd, reason: 'unreadable now (unmapped or changed during the scan)' });
      if (next === undefined) return true;
      const offset = Number(next - chunk.start);
      const [result] = this.#access.readChunks([{ address: next, length: chunk.length - offset }]);
      if (!this.#search(chunk, result!, offset)) return false;
      if (result!.fault === undefined) return true;
      fault = result!.fault.address;
    }
    return true;
  }
}
