// The reverse pointer map of a pointer scan: every aligned 8-byte word of the
// memory scanned whose value points where a path may lead (into a span the
// caller gives), as its location and value, and an index by value. It is
// filled in one pass, chunk by chunk, as a scan reads them (`collect` is the
// chunk visit of scan.ts), then indexed by a counting sort on buckets of
// values: linear in the number of pointers, and each bucket's entries stay in
// location order. Addresses are numbers: user space ends below 2^47, and
// spans past 2^53 are left out.
import type { ChunkVisit } from './chunk-search.ts';

/** Entries a block holds while the map is filled: the map is copied into arrays of its exact size once, at the end. */
const BLOCK = 1 << 16;
const TWO_32 = 4294967296;

/** Where pointers may point: sorted, disjoint [start, end) ranges. */
export interface ValueSpans {
  readonly starts: Float64Array;
  readonly ends: Float64Array;
}

/** Joins ranges that overlap or touch into ascending spans, leaving out what lies past 2^53. */
export function valueSpans(ranges: readonly { readonly start: number; readonly end: number }[]): ValueSpans {
  const sorted = ranges.filter((r) => r.end > r.start && r.start < Number.MAX_SAFE_INTEGER).sort((a, b) => a.start - b.start);
  const starts: number[] = [];
  const ends: number[] = [];
  for (const r of sorted) {
    const end = Math.min(r.end, Number.MAX_SAFE_INTEGER);
    if (ends.length > 0 && r.start <= ends[ends.length - 1]!) ends[ends.length - 1] = Math.max(ends[ends.length - 1]!, end);
    else {
      starts.push(Math.max(0, r.start));
      ends.push(end);
    }
  }
  return { starts: Float64Array.from(starts), ends: Float64Array.from(ends) };
}

/** The span holding `value`, or -1. */
function spanOf(spans: ValueSpans, value: number): number {
  const { starts, ends } = spans;
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (ends[mid]! <= value) low = mid + 1;
    else high = mid;
  }
  return low < starts.length && starts[low]! <= value ? low : -1;
}

/** Fills a map from the chunks a scan reads. */
export class PointerCollector {
  readonly #spans: ValueSpans;
  readonly #low: number;
  readonly #high: number;
  /** The upper 32 bits of the lowest and highest value in a span, and for each upper half between, whether a span has values with it: most words are rejected by one look. */
  readonly #lowHigh: number;
  readonly #highHigh: number;
  readonly #upperHalves: Uint8Array;
  readonly #blocks: { locations: Float64Array; values: Float64Array; spans: Uint32Array }[] = [];
  #used = BLOCK;
  #count = 0;
  /** Whole words seen. */
  words = 0;

  constructor(spans: ValueSpans) {
    this.#spans = spans;
    this.#low = spans.starts.length === 0 ? 1 : spans.starts[0]!;
    this.#high = spans.starts.length === 0 ? 0 : spans.ends[spans.ends.length - 1]!;
    this.#lowHigh = Math.floor(this.#low / TWO_32);
    this.#highHigh = Math.floor((this.#high - 1) / TWO_32);
    // User space is below 2^47: at most 2^15 upper halves.
    this.#upperHalves = new Uint8Array(Math.max(0, Math.min(this.#highHigh - this.#lowHigh + 1, 1 << 21)));
    for (let s = 0; s < spans.starts.length; s++) {
      const first = Math.floor(spans.starts[s]! / TWO_32);
      const last = Math.min(Math.floor((spans.ends[s]! - 1) / TWO_32), this.#lowHigh + this.#upperHalves.length - 1);
      for (let h = first; h <= last; h++) this.#upperHalves[h - this.#lowHigh] = 1;
    }
  }

  /** The chunk visit: every aligned word of the chunk's searched part whose value lies in a span. */
  readonly collect: ChunkVisit = (bytes, first, searchEnd) => {
    const base = Number(first);
    // Words are 8-aligned in the target; a chunk starts on a page or a region, so `skip` is 0 but for odd maps.
    const skip = (8 - (base % 8)) % 8;
    const count = Math.max(0, Math.floor((searchEnd - skip) / 8));
    if (count === 0) return true;
    const words = (bytes.byteOffset + skip) % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset + skip, count * 2) : new Uint32Array(bytes.slice(skip, skip + count * 8).buffer);
    const spans = this.#spans;
    const low = this.#low;
    const high = this.#high;
    const lowHigh = this.#lowHigh;
    const halves = this.#upperHalves;
    const halvesLength = halves.length;
    const at = base + skip;
    for (let i = 0, n = count * 2; i < n; i += 2) {
      const hi = words[i + 1]!;
      // Within bounds, or V8 leaves its fast path: an upper half below the lowest wraps past the length.
      const half = (hi - lowHigh) >>> 0;
      if (half >= halvesLength || halves[half] === 0) continue;
      const value = hi * TWO_32 + words[i]!;
      if (value < low || value >= high) continue;
      const span = spanOf(spans, value);
      if (span >= 0) this.#add(at + i * 4, value, span);
    }
    this.words += count;
    return true;
  };

  #add(location: number, value: number, span: number): void {
    if (this.#used === BLOCK) {
      this.#blocks.push({ locations: new Float64Array(BLOCK), values: new Float64Array(BLOCK), spans: new Uint32Array(BLOCK) });
      this.#used = 0;
    }
    const block = this.#blocks[this.#blocks.length - 1]!;
    block.locations[this.#used] = location;
    block.values[this.#used] = value;
    block.spans[this.#used] = span;
    this.#used++;
    this.#count++;
  }

  /** The map, indexed. The chunks must have been visited in ascending address order. */
  finish(): PointerMap {
    const n = this.#count;
    const locations = new Float64Array(n);
    const values = new Float64Array(n);
    const spanOfEntry = new Uint32Array(n);
    this.#blocks.forEach((block, i) => {
      const length = i === this.#blocks.length - 1 ? this.#used : BLOCK;
      locations.set(block.locations.subarray(0, length), i * BLOCK);
      values.set(block.values.subarray(0, length), i * BLOCK);
      spanOfEntry.set(block.spans.subarray(0, length), i * BLOCK);
    });
    this.#blocks.length = 0;
    return new PointerMap(this.#spans, locations, values, spanOfEntry);
  }
}

export class PointerMap {
  readonly count: number;
  /** Entry i's location (ascending) and value. */
  readonly locations: Float64Array;
  readonly values: Float64Array;
  readonly #spans: ValueSpans;
  /** Bucket b of span s covers values from starts[s] + (b - firstBucket[s]) × bucketSize. */
  readonly #firstBucket: Float64Array;
  readonly #bucketSize: number;
  /** Bucket b's entries are order[bucketStart[b] … bucketStart[b + 1]), in location order. */
  readonly #bucketStart: Uint32Array;
  readonly #order: Uint32Array;

  constructor(spans: ValueSpans, locations: Float64Array, values: Float64Array, spanOfEntry: Uint32Array) {
    this.count = locations.length;
    this.locations = locations;
    this.values = values;
    this.#spans = spans;
    // About one bucket per entry, of a power of two bytes (at least 8, a word).
    let total = 0;
    for (let s = 0; s < spans.starts.length; s++) total += spans.ends[s]! - spans.starts[s]!;
    const perEntry = total / Math.max(1, this.count);
    this.#bucketSize = 2 ** Math.min(40, Math.max(3, Math.ceil(Math.log2(Math.max(1, perEntry)))));
    this.#firstBucket = new Float64Array(spans.starts.length + 1);
    for (let s = 0; s < spans.starts.length; s++) this.#firstBucket[s + 1] = this.#firstBucket[s]! + Math.ceil((spans.ends[s]! - spans.starts[s]!) / this.#bucketSize);
    const buckets = this.#firstBucket[spans.starts.length]!;
    const bucketStart = new Uint32Array(buckets + 1);
    const bucketOf = (i: number) => {
      const s = spanOfEntry[i]!;
      return this.#firstBucket[s]! + Math.floor((values[i]! - spans.starts[s]!) / this.#bucketSize);
    };
    for (let i = 0; i < this.count; i++) bucketStart[bucketOf(i) + 1]!++;
    for (let b = 0; b < buckets; b++) bucketStart[b + 1]! += bucketStart[b]!;
    const next = bucketStart.slice(0, buckets);
    const order = new Uint32Array(this.count);
    for (let i = 0; i < this.count; i++) order[next[bucketOf(i)]!++] = i;
    this.#bucketStart = bucketStart;
    this.#order = order;
  }

  /** Bytes the map holds. */
  get bytes(): number {
    return this.locations.byteLength + this.values.byteLength + this.#order.byteLength + this.#bucketStart.byteLength + this.#firstBucket.byteLength;
  }

  /** Calls `visit` with each entry whose value lies in [low, high]. */
  each(low: number, high: number, visit: (entry: number) => void): void {
    const { starts, ends } = this.#spans;
    const size = this.#bucketSize;
    let s = 0;
    let top = starts.length;
    while (s < top) {
      const mid = (s + top) >>> 1;
      if (ends[mid]! <= low) s = mid + 1;
      else top = mid;
    }
    for (; s < starts.length && starts[s]! <= high; s++) {
      const from = this.#firstBucket[s]! + Math.floor((Math.max(low, starts[s]!) - starts[s]!) / size);
      const to = this.#firstBucket[s]! + Math.floor((Math.min(high, ends[s]! - 1) - starts[s]!) / size);
      for (let b = from; b <= to; b++) {
        for (let k = this.#bucketStart[b]!, end = this.#bucketStart[b + 1]!; k < end; k++) {
          const entry = this.#order[k]!;
          const value = this.values[entry]!;
          if (value >= low && value <= high) visit(entry);
        }
      }
    }
  }
}
