// The worker's half of a parallel scan (parallel-scan.ts has this thread's):
// it claims chunks from the end of the list a call's worth at a time until
// its claims meet the other thread's, searches them as a scan on one thread
// would (chunk-search.ts), and leaves its hits, skipped ranges and state in
// shared memory. The worker thread (target/scan-worker/scan-worker.ts) opens
// the process and runs it.
import { DONE, FAILED, HITS, SKIPPED, STATE, STOP, WORKING } from '../../target/scan-worker/control.ts';
import type { ScanAccess } from '../../target/target.ts';
import { Matcher } from '../evaluation/match.ts';
import { ChunkSearcher, patternVisit } from './chunk-search.ts';
import { CLAIM_BYTES, FREE, type ScanJob, SKIPPED_BYTES, WORKER_DONE, WORKERS } from './parallel-scan.ts';

/** Claims chunks from the end and searches them, then leaves the hits, skipped ranges and state (DONE or FAILED) in `control`. */
export function searchFromEnd(data: ScanJob, access: ScanAccess, control: Int32Array): typeof DONE | typeof FAILED {
  const claims = new Int32Array(data.claims);
  const bytes = new BigInt64Array(data.bytes);
  // Claiming (the other thread may be waiting for this: PVM_SCAN_WORKERS=wait).
  Atomics.store(control, STATE, WORKING);
  Atomics.notify(control, STATE);
  // One more than it can hold stops it: then the other thread searches its chunks again.
  const hits: bigint[] = [];
  const searcher = new ChunkSearcher(access, patternVisit(new Matcher(data.pattern, access.search, data.align), data.align, data.capacity + 1, hits));
  const chunks = data.chunks;
  let next = chunks.length - 1;
  let state: typeof DONE | typeof FAILED = DONE;
  while (next >= 0 && Atomics.load(control, STOP) === 0) {
    const to = next;
    let claimed = 0;
    while (next >= 0 && (next === to || claimed + chunks[next]!.length <= CLAIM_BYTES) && Atomics.compareExchange(claims, next, FREE, WORKERS) === FREE) claimed += chunks[next--]!.length;
    if (next === to) break; // met the other thread
    const before = searcher.bytesScanned;
    const going = searcher.searchBatch(chunks.slice(next + 1, to + 1));
    for (let i = next + 1; i <= to; i++) Atomics.store(claims, i, WORKER_DONE);
    Atomics.add(bytes, 0, BigInt(searcher.bytesScanned - before));
    if (!going) {
      state = FAILED;
      break;
    }
  }
  if (state === DONE) {
    new BigUint64Array(data.hits).set(hits);
    Atomics.store(control, HITS, hits.length);
    const skipped = new TextEncoder().encode(JSON.stringify(searcher.skipped.map((r) => ({ start: String(r.start), end: String(r.end), reason: r.reason }))));
    if (searcher.skipped.length > 0 && skipped.length > SKIPPED_BYTES) state = FAILED;
    else if (searcher.skipped.length > 0) {
      new Uint8Array(data.skipped).set(skipped);
      Atomics.store(control, SKIPPED, skipped.length);
    }
  }
  return state;
}
