// Reads of many small ranges, grouped by page. The kernel pins the pages of
// each remote iovec of a process_vm_readv call on its own (~0.5 µs each, a
// local iovec ~36 ns: docs/kernel.md §7), so a loop chasing 100 000 pointers into
// a few hundred pages pays for 100 000 pins where a few thousand would do.
// This plans the calls instead: the ranges sorted by address, each run of
// ranges on one page read as one remote iovec, and the kernel scatters it
// through local iovecs, each range's bytes to its place and the bytes between
// two ranges (on that same page: readable if the ranges are, and never shown)
// to a junk buffer. Measured in C on the bench's walk, 100 000 pointers into
// 196 pages: 19–21 ms → 11–12 ms.
//
// The planning runs in WebAssembly (same-page-plan.ts), for every batch: a CLI
// run plans a handful of batches, while JavaScript would still be cold (a JS
// version took 20 ms for its first 16 384 ranges).
import { SAME_PAGE_PLAN_BASE64 } from './same-page-plan-bytes.ts';

export const PAGE_SHIFT = 12;

/**
 * A gap between two ranges on one page is read (to the junk buffer) when at
 * most this long, else the second range starts an iovec of its own: copying
 * ~2 KiB costs about what one more iovec does. Measured in C: on the walk's
 * dense table every limit from 256 B to 4 KiB did the same; on 100 000 random
 * pointers into 16 MiB, 2 KiB took 26 ms, 1 KiB 30, 4 KiB 28, 256 B 45, none 39.
 * (Changing it, or the other constants here, needs `npm run wasm`.)
 */
export const MAX_GAP = 2048;

/** Bits a pass of the radix sort orders: 11 sorts 100 000 ranges within 1 MiB in two passes (8 took three, ~15% longer). */
export const DIGIT_BITS = 11;
export const DIGITS = 1 << DIGIT_BITS;

/** Fewer ranges than this are read as they are: too few to share pages. */
export const SAME_PAGE_MIN = 64;

/**
 * Unsorted ranges are sorted and grouped when at most this share of them lie
 * on pages of their own: sorting costs ~10 ns a range a pass, an iovec saved
 * 0.3–0.5 µs.
 */
const MOST_PAGES_PER_RANGE = 0.75;

/** Bits of the pages-seen bitmap per range of capacity (linear counting, see `plan`). */
const SEEN_BITS_PER_RANGE = 2;

/** Bytes of a call's entry in the plan's table (same-page-plan.ts writes them). */
export const CALL_ENTRY = 32;

/**
 * The calls planned for one batch of ranges: call c sends `localCount(c)`
 * local and `remoteCount(c)` remote iovecs and moves `expected(c)` bytes,
 * those of the ranges `ranges(c)` (their indices, by address).
 */
export interface PlannedCalls {
  readonly count: number;
  local(call: number): Uint8Array;
  localCount(call: number): number;
  remote(call: number): Uint8Array;
  remoteCount(call: number): number;
  expected(call: number): number;
  ranges(call: number): Int32Array;
}

/** Where each array lies in a planner's memory, for `capacity` ranges (the ranges themselves at 0). */
interface Layout {
  readonly capacity: number;
  readonly offsets: number;
  readonly order: number;
  readonly spare: number;
  readonly counts: number;
  readonly local: number;
  readonly spans: number;
  readonly calls: number;
  readonly expected: number;
  readonly junk: number;
  /** The pages seen, hashed into a bitmap of `seenBytes` × 8 bits. */
  readonly seen: number;
  readonly seenBytes: number;
  readonly bytes: number;
}

function layoutFor(capacity: number): Layout {
  let at = capacity * 16;
  const take = (bytes: number) => {
    const place = at;
    at += Math.ceil(bytes / 16) * 16;
    return place;
  };
  return {
    capacity,
    offsets: take((capacity + 1) * 4),
    order: take(capacity * 4),
    spare: take(capacity * 4),
    counts: take(DIGITS * 4),
    // A range and the gap before it: two local iovecs at most.
    local: take(capacity * 2 * 16),
    spans: take(capacity * 16),
    // Each call holds at least one range.
    calls: take(capacity * CALL_ENTRY),
    expected: take(capacity * 8),
    junk: take(1 << PAGE_SHIFT),
    seen: take((capacity * SEEN_BITS_PER_RANGE) / 8),
    seenBytes: (capacity * SEEN_BITS_PER_RANGE) / 8,
    bytes: at,
  };
}

type Plan = (count: number, base: bigint, junk: bigint, leastUnseen: number, ...areas: (number | bigint)[]) => number;

/** The compiled module, shared by every planner. */
let compiled: WebAssembly.Module | undefined;

/** Plans calls for batches of ranges, in memory that grows to the largest batch (capacities are powers of two). */
export class SamePagePlanner {
  readonly #addressOf: (bytes: Uint8Array) => number;
  #layout: Layout | undefined;
  #plan: Plan | undefined;
  #memory: WebAssembly.Memory | undefined;

  constructor(addressOf: (bytes: Uint8Array) => number) {
    this.#addressOf = addressOf;
  }

  /**
   * Plans the reads of `count` remote iovecs (`remote`, as VectorReader.read
   * takes them: address and length, 16 bytes each) into native memory at
   * `base` + offsets[r]. Undefined when grouping would not pay (fewer than
   * SAME_PAGE_MIN ranges, fewer than two that read anything, unsorted ranges
   * mostly on pages of their own) or the planner's memory cannot grow.
   */
  plan(remote: Uint8Array, count: number, offsets: Int32Array, base: number): PlannedCalls | undefined {
    if (count < SAME_PAGE_MIN) return undefined;
    const layout = this.#prepare(count);
    if (layout === undefined) return undefined;
    // Views after #prepare: growing the memory detaches the old ones.
    const memory = new Uint8Array(this.#memory!.buffer);
    memory.set(remote.subarray(0, count * 16), 0);
    new Int32Array(memory.buffer, layout.offsets, count + 1).set(offsets.subarray(0, count + 1));
    // Linear counting: n ranges on n distinct pages leave about m·e^(-n/m) of m bits unset (fewer pages, more), with
    // m = SEEN_BITS_PER_RANGE × n rounded up to a power of two: the bitmap is cleared and tallied for each batch.
    const seenBits = Math.min(layout.seenBytes * 8, 2 ** Math.ceil(Math.log2(Math.max(1024, SEEN_BITS_PER_RANGE * count))));
    const leastUnseen = Math.floor(seenBits * Math.exp((-MOST_PAGES_PER_RANGE * count) / seenBits));
    const { offsets: o, order, spare, counts, local, spans, calls: c, expected: e, seen } = layout;
    const junk = BigInt(this.#addressOf(memory) + layout.junk);
    // In planCode's order of parameters (same-page-plan.ts); the bitmap used for this batch, of `seenBits`.
    const calls = this.#plan!(count, BigInt(base), junk, leastUnseen, o, order, spare, counts, local, spans, c, e, seen, seenBits / 8, BigInt(64 - Math.log2(seenBits)));
    if (calls === 0) return undefined;
    const table = new Int32Array(memory.buffer, layout.calls, (calls * CALL_ENTRY) / 4);
    const field = (call: number, k: number) => table[(call * CALL_ENTRY) / 4 + k]!;
    const expected = new BigInt64Array(memory.buffer, layout.expected, calls);
    return {
      count: calls,
      local: (call) => memory.subarray(layout.local + field(call, 0) * 16),
      localCount: (call) => field(call, 1),
      remote: (call) => memory.subarray(layout.spans + field(call, 2) * 16),
      remoteCount: (call) => field(call, 3),
      expected: (call) => Number(expected[call]!),
      ranges: (call) => new Int32Array(memory.buffer, field(call, 6) + field(call, 4) * 4, field(call, 5)),
    };
  }

  /** The layout for `count` ranges, the memory grown to hold it; undefined if it cannot grow (the ranges are then read as they are). */
  #prepare(count: number): Layout | undefined {
    if (this.#layout !== undefined && this.#layout.capacity >= count) return this.#layout;
    const layout = layoutFor(2 ** Math.ceil(Math.log2(Math.max(count, 1024))));
    if (this.#memory === undefined) {
      compiled ??= new WebAssembly.Module(bytesOf(SAME_PAGE_PLAN_BASE64));
      const instance = new WebAssembly.Instance(compiled, {});
      this.#plan = instance.exports.plan as Plan;
      this.#memory = instance.exports.memory as WebAssembly.Memory;
    }
    const pages = Math.ceil(layout.bytes / 65536);
    const have = this.#memory.buffer.byteLength / 65536;
    try {
      if (pages > have) this.#memory.grow(pages - have);
    } catch {
      return undefined;
    }
    this.#layout = layout;
    return layout;
  }
}

function bytesOf(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
