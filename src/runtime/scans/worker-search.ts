// The worker's half of a parallel scan (parallel-scan.ts has this thread's):
// it claims chunks from the end of the list a call's worth at a time until
// its claims meet the other thread's, searches them as a scan on one thread
// would (chunk-search.ts), and leaves its skipped ranges and state in shared
// memory, as its hits or pointers are (a pointer scan's: shared-pointers.ts).
// The worker thread (target/scan-worker/scan-worker.ts) opens the process and
// runs it.
import { DONE, FAILED, HITS, SKIPPED, STATE, STOP, WORKING } from '../../target/scan-worker/control.ts';
import type { ScanAccess } from '../../target/target.ts';
import { Matcher } from '../evaluation/match.ts';
import { ChunkSearcher, type ChunkVisit, patternVisit } from './chunk-search.ts';
import { CLAIM_BYTES, FREE, type JobFind, type ScanJob, SKIPPED_BYTES, WORKER_DONE, WORKERS } from './parallel-scan.ts';
import { PointerCollector } from './pointer-map.ts';
import { SharedPointerWriter } from './shared-pointers.ts';

/** What the worker does with its chunks: the visit, a mark where each claimed batch starts, and the results it leaves when it is done. */
interface WorkerFind {
  readonly visit: ChunkVisit;
  batch(firstChunk: number): void;
  finish(control: Int32Array): void;
}

/** Claims chunks from the end and searches them, then leaves the results, skipped ranges and state (DONE or FAILED) in `control`. */
export function searchFromEnd(data: ScanJob, access: ScanAccess, control: Int32Array): typeof DONE | typeof FAILED {
  const claims = new Int32Array(data.claims);
  const bytes = new BigInt64Array(data.bytes);
  // Claiming (the other thread may be waiting for this: PVM_SCAN_WORKERS=wait).
  Atomics.store(control, STATE, WORKING);
  Atomics.notify(control, STATE);
  const find = workerFind(data.find, access);
  const searcher = new ChunkSearcher(access, find.visit);
  const chunks = data.chunks;
  let next = chunks.length - 1;
  let state: typeof DONE | typeof FAILED = DONE;
  while (next >= 0 && Atomics.load(control, STOP) === 0) {
    const to = next;
    let claimed = 0;
    while (next >= 0 && (next === to || claimed + chunks[next]!.length <= CLAIM_BYTES) && Atomics.compareExchange(claims, next, FREE, WORKERS) === FREE) claimed += chunks[next--]!.length;
    if (next === to) break; // met the other thread
    const before = searcher.bytesScanned;
    find.batch(next + 1);
    const going = searcher.searchBatch(chunks.slice(next + 1, to + 1));
    for (let i = next + 1; i <= to; i++) Atomics.store(claims, i, WORKER_DONE);
    Atomics.add(bytes, 0, BigInt(searcher.bytesScanned - before));
    if (!going) {
      state = FAILED;
      break;
    }
  }
  if (state === DONE) {
    const skipped = new TextEncoder().encode(JSON.stringify(searcher.skipped.map((r) => ({ start: String(r.start), end: String(r.end), reason: r.reason }))));
    if (searcher.skipped.length > 0 && skipped.length > SKIPPED_BYTES) state = FAILED;
    else {
      find.finish(control);
      if (searcher.skipped.length > 0) {
        new Uint8Array(data.skipped).set(skipped);
        Atomics.store(control, SKIPPED, skipped.length);
      }
    }
  }
  return state;
}

function workerFind(job: JobFind, access: ScanAccess): WorkerFind {
  if (job.kind === 'pattern') {
    // One more than it can hold stops it: then the other thread searches its chunks again.
    const hits: bigint[] = [];
    return {
      visit: patternVisit(new Matcher(job.pattern, access.search, job.align), job.align, job.capacity + 1, hits),
      batch: () => {},
      finish(control) {
        new BigUint64Array(job.hits).set(hits);
        Atomics.store(control, HITS, hits.length);
      },
    };
  }
  // Into shared memory; batches are claimed from the end, so each starts blocks of its own, put in order by the main thread.
  const writer = new SharedPointerWriter(job.shared);
  const collector = new PointerCollector({ starts: job.starts, ends: job.ends }, writer.newBlock, new Uint32Array(job.shared.counts));
  return {
    visit: collector.collect,
    batch(firstChunk) {
      collector.startSegment();
      writer.batch(firstChunk);
    },
    finish: () => writer.finish(),
  };
}
