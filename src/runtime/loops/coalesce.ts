// Reads many ranges with as few iovecs as possible: adjacent or overlapping
// requests are merged into one (a table of pointers becomes one read), and
// each request gets back exactly its own bytes. Each iovec costs a full page
// pinning round in the kernel (docs/kernel.md §7), so merging is the cheapest win.
// A large request is read on its own, into memory of its own, unless others
// overlap it: joining it to its neighbours saves nothing, and a value can then
// keep its bytes without a copy (a view of a shared buffer would keep the
// whole buffer alive).
import { DIRECT_BYTES } from '../../native/vm.ts';
import type { MemorySource, ReadRequest, ReadResult } from '../../target/target.ts';

/**
 * Requests of at least this many bytes are read alone (one call each: a call
 * costs ~1 µs, copying 64 KiB ~10): the size from which a live process reads
 * straight into a result's own memory, or into the memory `into` gives.
 */
export const LARGE_READ = DIRECT_BYTES;

interface Span {
  start: bigint;
  end: bigint;
  /** Indices of the requests inside this span. */
  members: number[];
  /** Holds a large request (LARGE_READ): read alone, and joined only by requests that overlap it. */
  large: boolean;
}

/**
 * Like `target.read(requests)`, in fewer iovecs; results of small requests are
 * views of shared buffers, a large one's its own, or the memory `into` gives
 * it (memory reused from window to window: reused-reads.ts).
 */
export function readCoalesced(target: MemorySource, requests: readonly ReadRequest[], into?: (request: number) => Uint8Array | undefined): ReadResult[] {
  const spans = merge(requests);
  const results: ReadResult[] = new Array(requests.length);
  const retry: number[] = [];
  const merged = spans.filter((s) => !s.large);
  const mergedRead = merged.length === 0 ? [] : target.read(merged.map((s) => ({ address: s.start, length: Number(s.end - s.start) })));
  let next = 0;
  spans.forEach((span) => {
    const got = span.large ? readLarge(target, span, into) : mergedRead[next++]!;
    const readEnd = span.start + BigInt(got.done);
    for (const index of span.members) {
      const request = requests[index]!;
      const offset = Number(request.address - span.start);
      const end = request.address + BigInt(request.length);
      if (got.fault === undefined || end <= readEnd) {
        results[index] = { bytes: got.bytes.subarray(offset, offset + request.length), done: request.length, fault: undefined };
      } else if (request.address < readEnd) {
        // Starts before the fault: its bytes up to the fault, and the fault, as a lone read would give.
        results[index] = { bytes: got.bytes.subarray(offset, offset + request.length), done: Number(readEnd - request.address), fault: got.fault };
      } else {
        // Starts past the fault: maybe on a readable page after a hole. Ask again on its own.
        retry.push(index);
      }
    }
  });
  if (retry.length > 0) {
    const again = target.read(retry.map((i) => requests[i]!));
    retry.forEach((index, i) => {
      results[index] = again[i]!;
    });
  }
  return results;
}

/**
 * A span holding a large request, alone: into the memory `into` gives its
 * request if it is the only one (others would see memory that is reused
 * later) and the target can read into memory; otherwise into fresh memory.
 */
function readLarge(target: MemorySource, span: Span, into: ((request: number) => Uint8Array | undefined) | undefined): ReadResult {
  const request = { address: span.start, length: Number(span.end - span.start) };
  const memory = span.members.length === 1 ? into?.(span.members[0]!) : undefined;
  return memory !== undefined && target.readInto !== undefined ? target.readInto(request, memory) : target.read([request])[0]!;
}

/** Requests sorted by address and merged where they overlap, or touch when neither is large (LARGE_READ). */
function merge(requests: readonly ReadRequest[]): Span[] {
  let sorted = true;
  for (let i = 1; i < requests.length && sorted; i++) if (requests[i]!.address < requests[i - 1]!.address) sorted = false;
  // User-space addresses (below 2^48) are exact as numbers: sorted by digits; others compared exactly.
  const order = sorted ? undefined : requests.every((r) => r.address < 1n << 48n) ? sortedOrder(Float64Array.from(requests, (r) => Number(r.address))) : comparedOrder(requests);
  const spans: Span[] = [];
  for (let i = 0; i < requests.length; i++) {
    const index = order === undefined ? i : order[i]!;
    const { address, length } = requests[index]!;
    const end = address + BigInt(length);
    const last = spans[spans.length - 1];
    const large = length >= LARGE_READ;
    // Overlapping requests always share a span (no byte is read twice: a policy's read budget counts bytes); touching
    // ones only when both are small, so that large reads next to each other each get memory of their own.
    if (last !== undefined && (address < last.end || (address === last.end && !large && !last.large))) {
      if (end > last.end) last.end = end;
      last.large ||= large;
      last.members.push(index);
    } else {
      spans.push({ start: address, end, members: [index], large });
    }
  }
  return spans;
}

/** The order of the requests by address, by comparing (any addresses): Number() keeps the order of addresses, ties are settled exactly. */
function comparedOrder(requests: readonly ReadRequest[]): number[] {
  const keys = new Float64Array(requests.length);
  for (let i = 0; i < requests.length; i++) keys[i] = Number(requests[i]!.address);
  return requests.map((_, i) => i).sort((a, b) => {
    if (keys[a]! !== keys[b]!) return keys[a]! - keys[b]!;
    const x = requests[a]!.address;
    const y = requests[b]!.address;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * The indices of `keys` (exact integers) in ascending order of key, equal
 * keys in index order. Keys already in order (a table read front to back)
 * cost one pass. Many keys below 2^48 (user-space addresses) are radix-sorted
 * on their distance from the smallest, in as few passes of at most 11 bits as
 * that distance needs (three for keys within 8 GiB): integer digits, no
 * comparisons and no objects. A few keys (a pass costs ~2 000 steps however
 * few they are) or larger ones are sorted by comparison.
 */
export function sortedOrder(keys: Float64Array): Uint32Array {
  const count = keys.length;
  const order = new Uint32Array(count);
  let min = Infinity;
  let max = -Infinity;
  let ascending = true;
  for (let i = 0; i < count; i++) {
    const key = keys[i]!;
    order[i] = i;
    if (key < max) ascending = false;
    if (key < min) min = key;
    if (key > max) max = key;
  }
  if (ascending) return order;
  if (count < 1024 || max >= 2 ** 48) return order.sort((a, b) => keys[a]! - keys[b]! || a - b);
  // Each key's distance from the smallest, split into 32-bit halves, so digits are taken with integer shifts.
  const low = new Uint32Array(count);
  const high = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const distance = keys[i]! - min;
    low[i] = distance >>> 0;
    high[i] = (distance - low[i]!) / 2 ** 32;
  }
  const bits = Math.max(1, Math.ceil(Math.log2(max - min + 1)));
  const passes = Math.ceil(bits / 11);
  const width = Math.ceil(bits / passes);
  const mask = (1 << width) - 1;
  const buckets = new Uint32Array(mask + 1);
  let from = order;
  let to = new Uint32Array(count);
  for (let pass = 0, shift = 0; pass < passes; pass++, shift += width) {
    const digit = shift + width <= 32 ? (k: number) => (low[k]! >>> shift) & mask : shift >= 32 ? (k: number) => (high[k]! >>> (shift - 32)) & mask : (k: number) => ((low[k]! >>> shift) | (high[k]! << (32 - shift))) & mask;
    buckets.fill(0);
    for (let i = 0; i < count; i++) buckets[digit(i)]!++;
    for (let b = 0, sum = 0; b <= mask; b++) {
      const n = buckets[b]!;
      buckets[b] = sum;
      sum += n;
    }
    for (let i = 0; i < count; i++) {
      const k = from[i]!;
      to[buckets[digit(k)]!++] = k;
    }
    [from, to] = [to, from];
  }
  return from;
}
