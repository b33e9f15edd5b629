// Where a worker's share of a pointer map goes: memory the main thread
// allocates and the worker fills, so that nothing is copied or sent back (a
// message of 100 MB takes seconds to arrive on Deno; shared memory is seen at
// once). Its size is a guess, a pointer per two words of all the memory the
// scan reads (the worker may take most of the chunks), and a slot more per
// batch the worker may claim; the system gives the pages only as they are
// written. A worker that fills it stops, counts as failed, and the main
// thread reads its chunks again itself. Where the system will not reserve
// that much (more than it has memory for), there is no worker.
//
// Layout: `locations`, `values` and `buckets` are `blocks` slots of
// BLOCK_ENTRIES entries; `lengths[k]` is slot k's entries; `counts` the
// entries per bucket; `batches` [n, then n × (first chunk, first slot, slots)]:
// the worker's batches, in the order it took them (from the end).
import { type Block, BLOCK_ENTRIES, bucketCount, type ValueSpans } from './pointer-map.ts';
import { CLAIM_BYTES } from './parallel-scan.ts';

export interface SharedPointers {
  readonly blocks: number;
  readonly locations: SharedArrayBuffer;
  readonly values: SharedArrayBuffer;
  readonly buckets: SharedArrayBuffer;
  readonly lengths: SharedArrayBuffer;
  readonly counts: SharedArrayBuffer;
  readonly batches: SharedArrayBuffer;
}

/**
 * Room for a pointer per two words of `bytes`, and a slot more per batch
 * (each batch starts a slot of its own: at most one per chunk, and a batch
 * holds about a claim's bytes); undefined when the system will not reserve it.
 */
export function sharedPointers(spans: ValueSpans, bytes: number, chunks: number): SharedPointers | undefined {
  const batches = Math.min(chunks, 2 * Math.ceil(bytes / CLAIM_BYTES) + 2);
  const blocks = Math.ceil(bytes / 16 / BLOCK_ENTRIES) + batches;
  try {
    return reserve(spans, blocks, chunks);
  } catch {
    return undefined; // RangeError: the system would not reserve it
  }
}

function reserve(spans: ValueSpans, blocks: number, chunks: number): SharedPointers {
  return {
    blocks,
    locations: new SharedArrayBuffer(blocks * BLOCK_ENTRIES * 8),
    values: new SharedArrayBuffer(blocks * BLOCK_ENTRIES * 8),
    buckets: new SharedArrayBuffer(blocks * BLOCK_ENTRIES * 4),
    lengths: new SharedArrayBuffer(blocks * 4),
    counts: new SharedArrayBuffer((bucketCount(spans) + 1) * 4),
    batches: new SharedArrayBuffer((1 + 3 * chunks) * 4),
  };
}

function slot(shared: SharedPointers, k: number, length: number): Block {
  const from = k * BLOCK_ENTRIES;
  return {
    locations: new Float64Array(shared.locations, from * 8, BLOCK_ENTRIES),
    values: new Float64Array(shared.values, from * 8, BLOCK_ENTRIES),
    buckets: new Uint32Array(shared.buckets, from * 4, BLOCK_ENTRIES),
    length,
  };
}

/** The worker's side: the slots in turn as its collector's blocks, the batches as it takes them, and what it leaves when done. */
export class SharedPointerWriter {
  readonly #shared: SharedPointers;
  readonly #taken: Block[] = [];
  readonly #batches: number[] = [];

  constructor(shared: SharedPointers) {
    this.#shared = shared;
  }

  readonly newBlock = (): Block | undefined => {
    if (this.#taken.length === this.#shared.blocks) return undefined;
    const block = slot(this.#shared, this.#taken.length, 0);
    this.#taken.push(block);
    return block;
  };

  /** A batch starts at chunk `firstChunk`; its entries go to slots of its own (the collector starts a block). */
  batch(firstChunk: number): void {
    this.#batches.push(firstChunk, this.#taken.length);
  }

  /** Leaves each slot's length and the batches for the main thread. */
  finish(): void {
    const lengths = new Int32Array(this.#shared.lengths);
    this.#taken.forEach((block, k) => (lengths[k] = block.length));
    const batches = new Int32Array(this.#shared.batches);
    const n = this.#batches.length / 2;
    batches[0] = n;
    for (let b = 0; b < n; b++) {
      const first = this.#batches[2 * b + 1]!;
      const next = b + 1 < n ? this.#batches[2 * b + 3]! : this.#taken.length;
      batches.set([this.#batches[2 * b]!, first, next - first], 1 + 3 * b);
    }
  }
}

/** The main thread's side, once the worker is done: its blocks in address order (lowest batch first), and its counts. */
export function sharedBlocks(shared: SharedPointers): { readonly blocks: Block[]; readonly counts: Uint32Array } {
  const lengths = new Int32Array(shared.lengths);
  const table = new Int32Array(shared.batches);
  const batches = Array.from({ length: table[0]! }, (_, b) => ({ firstChunk: table[1 + 3 * b]!, first: table[2 + 3 * b]!, slots: table[3 + 3 * b]! }));
  batches.sort((a, b) => a.firstChunk - b.firstChunk);
  const blocks = batches.flatMap(({ first, slots }) => Array.from({ length: slots }, (_, i) => slot(shared, first + i, lengths[first + i]!)));
  return { blocks: blocks.filter((block) => block.length > 0), counts: new Uint32Array(shared.counts) };
}
