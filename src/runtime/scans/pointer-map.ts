// The reverse pointer map of a pointer scan: every aligned 8-byte word of the
// memory scanned whose value points where a path may lead (into a span the
// caller gives), as its location and value, and an index by value. It is
// filled in one pass, chunk by chunk, as a scan reads them (`collect` is the
// chunk visit of scan.ts), then indexed by a counting sort on buckets of
// values: linear in the number of pointers, and each bucket's entries stay in
// location order. Addresses are numbers: user space ends below 2^47, and
// spans past 2^53 are left out.
import type { ChunkVisit } from './chunk-search.ts';

/** Entries a block holds (1.25 MiB of location, value and bucket): the map is its blocks, never copied. */
export const BLOCK_ENTRIES = 1 << 16;
const TWO_32 = 4294967296;

/** Where pointers may point: sorted, disjoint [start, end) ranges. */
export interface ValueSpans {
  readonly starts: Float64Array;
  readonly ends: Float64Array;
}

/** The first page, which no mapping holds (mmap_min_addr): NULL and small integers are never pointers. */
const FIRST_PAGE_END = 4096;

/** Joins ranges that overlap or touch into ascending spans, leaving out the first page and what lies past 2^53. */
export function valueSpans(ranges: readonly { readonly start: number; readonly end: number }[]): ValueSpans {
  const sorted = ranges.filter((r) => r.end > Math.max(r.start, FIRST_PAGE_END) && r.start < Number.MAX_SAFE_INTEGER).sort((a, b) => a.start - b.start);
  const starts: number[] = [];
  const ends: number[] = [];
  for (const r of sorted) {
    const end = Math.min(r.end, Number.MAX_SAFE_INTEGER);
    if (ends.length > 0 && r.start <= ends[ends.length - 1]!) ends[ends.length - 1] = Math.max(ends[ends.length - 1]!, end);
    else {
      starts.push(Math.max(FIRST_PAGE_END, r.start));
      ends.push(end);
    }
  }
  return { starts: Float64Array.from(starts), ends: Float64Array.from(ends) };
}

/** The span holding `value`, or -1. */
function spanOf(spans: ValueSpans, value: number): number {
  const s = firstEndingAfter(spans, value);
  return s < spans.starts.length && spans.starts[s]! <= value ? s : -1;
}

/** The first span that ends after `value` (spans.starts.length if none does). */
function firstEndingAfter(spans: ValueSpans, value: number): number {
  const ends = spans.ends;
  let low = 0;
  let high = ends.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (ends[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Fills a map from the chunks a scan reads. */
export class PointerCollector {
  readonly #spans: ValueSpans;
  readonly #low: number;
  readonly #high: number;
  /** The upper 32 bits of the lowest value in a span, and for each upper half from there, whether a span has values with it: most words are rejected by one look. */
  readonly #lowHigh: number;
  readonly #upperHalves: Uint8Array;
  readonly #buckets: Buckets;
  /** Entries per bucket, counted as they come (the counting sort's first pass). */
  readonly #counts: Uint32Array;
  readonly #blocks: Block[] = [];
  /** Entries in the last block; BLOCK_ENTRIES: a new block takes the next. */
  #used = BLOCK_ENTRIES;
  #count = 0;
  /** The span the last pointer pointed into: the next one likely points there too (a heap's pointers point into the heap). */
  #lastSpan = 0;

  /** Where blocks come from: fresh memory, or (a worker's) slices of memory shared with the thread that takes them; undefined when there is no more (the visit then stops the scan). */
  readonly #newBlock: () => Block | undefined;

  /** `counts`: where to count entries per bucket (shared, for a worker), of `bucketCount(spans) + 1` slots. */
  constructor(spans: ValueSpans, newBlock: () => Block | undefined = freshBlock, counts?: Uint32Array) {
    this.#spans = spans;
    this.#newBlock = newBlock;
    this.#low = spans.starts.length === 0 ? 1 : spans.starts[0]!;
    this.#high = spans.starts.length === 0 ? 0 : spans.ends[spans.ends.length - 1]!;
    this.#lowHigh = Math.floor(this.#low / TWO_32);
    const highHigh = Math.floor((this.#high - 1) / TWO_32);
    // User space is below 2^47 (2^15 upper halves); spans reach past it only near an ADDR past it, bounded here all the same.
    this.#upperHalves = new Uint8Array(Math.max(0, Math.min(highHigh - this.#lowHigh + 1, 1 << 21)));
    for (let s = 0; s < spans.starts.length; s++) {
      const first = Math.floor(spans.starts[s]! / TWO_32);
      const last = Math.min(Math.floor((spans.ends[s]! - 1) / TWO_32), this.#lowHigh + this.#upperHalves.length - 1);
      for (let h = first; h <= last; h++) this.#upperHalves[h - this.#lowHigh] = 1;
    }
    this.#buckets = bucketsOf(spans);
    this.#counts = counts ?? new Uint32Array(this.#buckets.total + 1);
  }

  /** The chunk visit: every aligned word of the chunk's searched part whose value lies in a span. */
  readonly collect: ChunkVisit = (bytes, first, searchEnd) => {
    const base = Number(first);
    // Words are 8-aligned in the target; a chunk starts on a page or a region, so `skip` is 0 but for odd maps.
    const skip = (8 - (base % 8)) % 8;
    const count = Math.max(0, Math.floor((searchEnd - skip) / 8));
    if (count === 0) return true;
    const words = (bytes.byteOffset + skip) % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset + skip, count * 2) : new Uint32Array(bytes.slice(skip, skip + count * 8).buffer);
    const { starts, ends } = this.#spans;
    const low = this.#low;
    const high = this.#high;
    const lowHigh = this.#lowHigh;
    const halves = this.#upperHalves;
    const halvesLength = halves.length;
    const { first: firstBucket, size } = this.#buckets;
    // A power of two: multiplying by its inverse is exact, and cheaper than dividing.
    const perBucket = 1 / size;
    const counts = this.#counts;
    const at = base + skip;
    // The span the last pointer pointed into, its bounds and first bucket held in locals (one typed-array load less a pointer).
    let span = this.#lastSpan;
    let spanStart = starts[span] ?? Infinity;
    let spanEnd = ends[span] ?? -Infinity;
    let spanBucket = firstBucket[span] ?? 0;
    // The block being filled, if it has room (none after startSegment).
    let block = this.#used === BLOCK_ENTRIES ? undefined : this.#blocks[this.#blocks.length - 1];
    let used = this.#used;
    let added = 0;
    for (let i = 0, n = count * 2; i < n; i += 2) {
      const hi = words[i + 1]!;
      // Within bounds, or V8 leaves its fast path: an upper half below the lowest wraps past the length.
      const half = (hi - lowHigh) >>> 0;
      if (half >= halvesLength || halves[half] === 0) continue;
      const value = hi * TWO_32 + words[i]!;
      if (value < low || value >= high) continue;
      if (!(value >= spanStart && value < spanEnd)) {
        const found = spanOf(this.#spans, value);
        if (found < 0) continue;
        span = found;
        spanStart = starts[span]!;
        spanEnd = ends[span]!;
        spanBucket = firstBucket[span]!;
      }
      if (block === undefined || used === BLOCK_ENTRIES) {
        if (block !== undefined) block.length = used;
        block = this.#newBlock();
        if (block === undefined) {
          this.#used = BLOCK_ENTRIES;
          this.#count += added;
          return false;
        }
        this.#blocks.push(block);
        used = 0;
      }
      const bucket = spanBucket + Math.floor((value - spanStart) * perBucket);
      counts[bucket + 1]!++;
      block.locations[used] = at + i * 4;
      block.values[used] = value;
      block.buckets[used] = bucket;
      used++;
      added++;
    }
    this.#count += added;
    this.#lastSpan = span;
    this.#used = used;
    if (block !== undefined) block.length = used;
    return true;
  };

  /** What follows goes into a block of its own: a worker's batches come back as blocks that `adopt` puts in address order. */
  startSegment(): void {
    this.#used = BLOCK_ENTRIES;
  }

  /** Takes blocks another collector over the same spans filled, whose entries lie after every entry here, in address order. */
  adopt(blocks: readonly Block[], counts: Uint32Array): void {
    for (const block of blocks) {
      this.#blocks.push(block);
      this.#count += block.length;
    }
    for (let b = 0; b < counts.length; b++) this.#counts[b]! += counts[b]!;
    this.#used = BLOCK_ENTRIES;
  }

  /** The map, indexed. The chunks must have been visited in ascending address order. */
  finish(): PointerMap {
    const counts = this.#counts;
    for (let b = 0; b < this.#buckets.total; b++) counts[b + 1]! += counts[b]!;
    // The counting sort's second pass: each entry's index into its bucket's place, in location order.
    const next = counts.slice(0, this.#buckets.total);
    const order = new Uint32Array(this.#count);
    let first = 0;
    for (const block of this.#blocks) {
      const buckets = block.buckets;
      for (let j = 0; j < block.length; j++) order[next[buckets[j]!]!++] = first + j;
      first += block.length;
    }
    // The blocks without their buckets, which the index replaces: their memory goes.
    const blocks = this.#blocks.map((block) => ({ locations: block.locations, values: block.values, length: block.length }));
    this.#blocks.length = 0;
    return new PointerMap(this.#spans, this.#buckets, this.#count, blocks, counts, order);
  }
}

function freshBlock(): Block {
  return { locations: new Float64Array(BLOCK_ENTRIES), values: new Float64Array(BLOCK_ENTRIES), buckets: new Uint32Array(BLOCK_ENTRIES), length: 0 };
}

/** The buckets a map over `spans` counts entries in. */
export function bucketCount(spans: ValueSpans): number {
  return bucketsOf(spans).total;
}

/** Entries as they are filled: up to BLOCK_ENTRIES at a time, never copied (the map reads them in place). */
export interface Block {
  readonly locations: Float64Array;
  readonly values: Float64Array;
  /** Each entry's bucket, until the map is indexed. */
  readonly buckets: Uint32Array;
  /** Entries it holds. */
  length: number;
}

/** A block of the map: its entries' locations and values. */
type StoredBlock = Pick<Block, 'locations' | 'values' | 'length'>;

/** Buckets of values, each `size` bytes of a span: bucket b of span s covers values from starts[s] + (b - first[s]) × size. */
interface Buckets {
  readonly size: number;
  readonly first: Float64Array;
  readonly total: number;
}

/** At most this many buckets: a bucket index of 4 bytes each, 16 MiB. */
const MAX_BUCKETS = 1 << 22;

/** Buckets of 64 bytes (a few words) or, for spans past 256 MiB, of the power of two that keeps them within MAX_BUCKETS. */
function bucketsOf(spans: ValueSpans): Buckets {
  let total = 0;
  for (let s = 0; s < spans.starts.length; s++) total += spans.ends[s]! - spans.starts[s]!;
  let size = 64;
  while (total / size > MAX_BUCKETS) size *= 2;
  const first = new Float64Array(spans.starts.length + 1);
  for (let s = 0; s < spans.starts.length; s++) first[s + 1] = first[s]! + Math.ceil((spans.ends[s]! - spans.starts[s]!) / size);
  return { size, first, total: first[spans.starts.length]! };
}

export class PointerMap {
  readonly count: number;
  readonly #spans: ValueSpans;
  readonly #buckets: Buckets;
  readonly #blocks: readonly StoredBlock[];
  /** Where each block's entries start in the numbering, and the block the last lookup found (lookups come near each other). */
  readonly #firstOf: Float64Array;
  #last = 0;
  /** Bucket b's entries are order[bucketStart[b] … bucketStart[b + 1]), in location order. */
  readonly #bucketStart: Uint32Array;
  readonly #order: Uint32Array;

  constructor(spans: ValueSpans, buckets: Buckets, count: number, blocks: readonly StoredBlock[], bucketStart: Uint32Array, order: Uint32Array) {
    this.count = count;
    this.#spans = spans;
    this.#buckets = buckets;
    this.#blocks = blocks;
    this.#firstOf = new Float64Array(blocks.length + 1);
    blocks.forEach((block, k) => (this.#firstOf[k + 1] = this.#firstOf[k]! + block.length));
    this.#bucketStart = bucketStart;
    this.#order = order;
  }

  /** Entry i's location: entries are numbered in location order. */
  location(i: number): number {
    const k = this.#blockOf(i);
    return this.#blocks[k]!.locations[i - this.#firstOf[k]!]!;
  }

  /** Entry i's value. */
  value(i: number): number {
    const k = this.#blockOf(i);
    return this.#blocks[k]!.values[i - this.#firstOf[k]!]!;
  }

  #blockOf(i: number): number {
    const firstOf = this.#firstOf;
    let k = this.#last;
    if (i >= firstOf[k]! && i < firstOf[k + 1]!) return k;
    let low = 0;
    let high = this.#blocks.length;
    while (low + 1 < high) {
      const mid = (low + high) >>> 1;
      if (firstOf[mid]! <= i) low = mid;
      else high = mid;
    }
    k = low;
    this.#last = k;
    return k;
  }

  /** Bytes the map's entries and index take (blocks not yet full take more: up to one a worker's batch, whose pages the system gives only as written). */
  get bytes(): number {
    return this.count * 16 + this.#order.byteLength + this.#bucketStart.byteLength + this.#buckets.first.byteLength;
  }

  /** Calls `visit` with each entry whose value lies in [low, high]. */
  each(low: number, high: number, visit: (entry: number) => void): void {
    const { starts, ends } = this.#spans;
    const { size, first } = this.#buckets;
    for (let s = firstEndingAfter(this.#spans, low); s < starts.length && starts[s]! <= high; s++) {
      const from = first[s]! + Math.floor((Math.max(low, starts[s]!) - starts[s]!) / size);
      const to = first[s]! + Math.floor((Math.min(high, ends[s]! - 1) - starts[s]!) / size);
      for (let b = from; b <= to; b++) {
        for (let k = this.#bucketStart[b]!, end = this.#bucketStart[b + 1]!; k < end; k++) {
          const entry = this.#order[k]!;
          const value = this.value(entry);
          if (value >= low && value <= high) visit(entry);
        }
      }
    }
  }
}
