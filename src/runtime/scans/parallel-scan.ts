// A large scan of a live process on two cores: a worker thread
// (target/scan-worker/, running worker-search.ts) takes chunks from the end of
// the list while this thread takes them from the start, each claiming a call's
// worth at a time in a shared array, until they meet. The engine is
// synchronous, so this thread never yields: it searches its chunks, then
// waits for the worker with Atomics.wait, and takes its results from shared
// memory. A worker that starts late only gets what is left; one that fails (or
// finds more hits than it can hold) has its chunks searched again here. The
// hits are the same, in the same order, as a scan on one thread. What the
// threads look for (a pattern's hits, or a pointer scan's pointers: `Find`)
// is the caller's; claiming, waiting and falling back are the same for both.
import type { Worker } from 'node:worker_threads';
import type { SharedPointers } from './shared-pointers.ts';
import type { Pattern } from '../../plan/pattern.ts';
import type { SkippedRange } from './scan.ts';
import type { Chunk, ChunkSearcher } from './chunk-search.ts';
import type { ParallelScan } from '../../target/target.ts';
import { DONE, FAILED, HITS, READY, SKIPPED, STARTING, STATE, STOP } from '../../target/scan-worker/control.ts';
import { takeScanWorker } from '../../target/scan-worker/start-worker.ts';

/** Claims of each chunk. */
export const FREE = 0;
export const MINE = 1;
export const WORKERS = 2;
export const WORKER_DONE = 3;
/** Bytes of JSON the worker may report skipped ranges in; more fails it (its chunks are searched again here). */
export const SKIPPED_BYTES = 1 << 16;
/** Bytes claimed at a time: about one call. */
export const CLAIM_BYTES = 1 << 20;

/** A worker's job (a message): the chunks, what to find, and shared memory for claims and results. */
export interface ScanJob {
  readonly chunks: readonly Chunk[];
  /** The smaps the chunks were planned from (the worker scans from the same map), if read. */
  readonly smaps: string | undefined;
  readonly find: JobFind;
  readonly claims: SharedArrayBuffer;
  /** [bytes searched by the worker], for progress. */
  readonly bytes: SharedArrayBuffer;
  readonly skipped: SharedArrayBuffer;
}

/**
 * What the worker looks for: a pattern's matches, into `hits` (it may hold
 * `capacity`; one more fails it); or a pointer scan's pointers (whose values
 * lie in the spans), into `shared` (shared-pointers.ts).
 */
export type JobFind =
  | { readonly kind: 'pattern'; readonly pattern: Pattern; readonly align: number; readonly capacity: number; readonly hits: SharedArrayBuffer }
  | { readonly kind: 'pointers'; readonly starts: Float64Array; readonly ends: Float64Array; readonly shared: SharedPointers };

/** The caller's side of a search shared with a worker: what the worker is to find, and how its results join this thread's. */
export interface Find {
  readonly job: JobFind;
  /** Takes what the worker found, once it finished its chunks. */
  join(control: Int32Array): void;
  /** How many things are found so far, for progress. */
  found(): number;
}

/** A pattern's matches, shared with the worker: its hits come back in shared memory, and join this thread's in address order up to `limit`. */
export function patternFind(pattern: Pattern, align: number, limit: number, hits: bigint[]): Find {
  const shared = new SharedArrayBuffer(8 * limit);
  return {
    job: { kind: 'pattern', pattern, align, capacity: limit, hits: shared },
    join(control) {
      const found = new BigUint64Array(shared, 0, Atomics.load(control, HITS)).slice().sort();
      for (const hit of found) hits.push(hit);
      hits.splice(limit);
    },
    found: () => hits.length,
  };
}

/** How long the worker may go without progress before it counts as failed (a batch takes about a millisecond). */
const STALL_MS = 10_000;

/**
 * Searches `chunks` with a worker thread's help, into `searcher` and `find`; false when no
 * worker could be started (the caller searches alone). With `target.wait`,
 * this thread waits for the worker to be ready before it starts, so that both
 * search (tests check the merge so); `target.report` is told how the work was
 * shared.
 */
export function searchWithWorker(
  chunks: readonly Chunk[],
  searcher: ChunkSearcher,
  find: Find,
  target: ParallelScan,
  progress: (bytesScanned: number, found: number) => void,
): boolean {
  if (chunks.length < 2) return false;
  const helper = takeScanWorker(target.pid);
  if (helper === undefined) return false;
  const { worker } = helper;
  const data: ScanJob = {
    chunks,
    smaps: target.smapsText,
    find: find.job,
    claims: new SharedArrayBuffer(4 * chunks.length),
    bytes: new SharedArrayBuffer(8),
    skipped: new SharedArrayBuffer(SKIPPED_BYTES),
  };
  worker.postMessage(data);
  const claims = new Int32Array(data.claims);
  const control = new Int32Array(helper.control);
  const workerBytes = new BigInt64Array(data.bytes);
  const report = () => progress(searcher.bytesScanned + Number(Atomics.load(workerBytes, 0)), find.found());
  try {
    if (target.wait) {
      const until = Date.now() + 10_000;
      for (let state = Atomics.load(control, STATE); (state === STARTING || state === READY) && Date.now() < until; state = Atomics.load(control, STATE)) Atomics.wait(control, STATE, state, 100);
    }
    // From the start, a call's worth at a time, until a claim meets the worker's.
    let next = 0;
    let going = true;
    while (going && next < chunks.length) {
      const from = next;
      let bytes = 0;
      while (next < chunks.length && (next === from || bytes + chunks[next]!.length <= CLAIM_BYTES) && Atomics.compareExchange(claims, next, FREE, MINE) === FREE) bytes += chunks[next++]!.length;
      if (next === from) break; // the worker has the rest
      going = searcher.searchBatch(chunks.slice(from, next));
      report();
    }
    if (!going) {
      // This thread has all it needs (`limit` hits, all before any the worker can find): its work is not needed.
      Atomics.store(control, STOP, 1);
      return true;
    }
    if (!claims.some((claim) => claim === WORKERS || claim === WORKER_DONE)) return true; // it never took a chunk
    waitFor(worker, control, workerBytes, report);
    if (Atomics.load(control, STATE) === DONE) {
      find.join(control);
      const skippedLength = Atomics.load(control, SKIPPED);
      if (skippedLength > 0) {
        const ranges = JSON.parse(new TextDecoder().decode(new Uint8Array(data.skipped).slice(0, skippedLength))) as { start: string; end: string; reason: string }[];
        for (const r of ranges) searcher.skipped.push({ start: BigInt(r.start), end: BigInt(r.end), reason: r.reason } satisfies SkippedRange);
      }
      searcher.bytesScanned += Number(Atomics.load(workerBytes, 0));
    } else {
      // It failed, or found more than it could hold: its chunks are searched again here, in order (they come after this thread's).
      const theirs = chunks.filter((_, i) => claims[i] === WORKERS || claims[i] === WORKER_DONE);
      for (let i = 0; i < theirs.length && going; i++) going = searcher.searchBatch([theirs[i]!]);
    }
    report();
    return true;
  } finally {
    // Told to stop, the worker leaves between two batches and closes what it opened (terminating it would skip
    // its `finally`: file descriptors and native memory would stay open in a long REPL or fleet run).
    Atomics.store(control, STOP, 1);
    target.report?.(`worker took ${claims.filter((c) => c >= WORKERS).length} of ${chunks.length} chunks`);
  }
}

/** Waits until the worker is done or failed; one that makes no progress for STALL_MS is marked failed. */
function waitFor(worker: Worker, control: Int32Array, bytes: BigInt64Array, report: () => void): void {
  let seen = Atomics.load(bytes, 0);
  let since = Date.now();
  for (;;) {
    const state = Atomics.load(control, STATE);
    if (state === DONE || state === FAILED) return;
    Atomics.wait(control, STATE, state, 100);
    report();
    const now = Atomics.load(bytes, 0);
    if (now !== seen) {
      seen = now;
      since = Date.now();
    } else if (Date.now() - since > STALL_MS) {
      // Stuck (a read that never returns): it is stopped for good, and counted failed (its chunks are searched again here).
      Atomics.store(control, STOP, 1);
      Atomics.store(control, STATE, FAILED);
      void worker.terminate();
      return;
    }
  }
}
