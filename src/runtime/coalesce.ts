// Reads many ranges with as few iovecs as possible: adjacent or overlapping
// requests are merged into one (a table of pointers becomes one read), and
// each request gets back exactly its own bytes. Each iovec costs a full page
// pinning round in the kernel (KERNEL.md §7), so merging is the cheapest win.
import type { MemorySource, ReadRequest, ReadResult } from '../target/target.ts';

interface Span {
  start: bigint;
  end: bigint;
  /** Indices of the requests inside this span. */
  members: number[];
}

/** Like `target.read(requests)`, in fewer iovecs; results are views of shared buffers. */
export function readCoalesced(target: MemorySource, requests: readonly ReadRequest[]): ReadResult[] {
  const spans = merge(requests);
  const results: ReadResult[] = new Array(requests.length);
  const retry: number[] = [];
  const read = target.read(spans.map((s) => ({ address: s.start, length: Number(s.end - s.start) })));
  spans.forEach((span, i) => {
    const got = read[i]!;
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

/** Requests sorted by address and merged where they touch or overlap. */
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
    if (last !== undefined && address <= last.end) {
      if (end > last.end) last.end = end;
      last.members.push(index);
    } else {
      spans.push({ start: address, end, members: [index] });
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
 * keys in index order: a radix sort on four 12-bit digits for many keys below
 * 2^48 (user-space addresses), no comparisons and no objects; a comparison
 * sort for a few (the radix sort's passes cost ~16 000 steps whatever the
 * count) or for larger keys.
 */
export function sortedOrder(keys: Float64Array): Uint32Array {
  const count = keys.length;
  let order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (count < 1024 || keys.some((key) => key >= 2 ** 48)) return order.sort((a, b) => keys[a]! - keys[b]! || a - b);
  let next = new Uint32Array(count);
  const buckets = new Uint32Array(4096);
  for (let shift = 1; shift < 2 ** 48; shift *= 4096) {
    buckets.fill(0);
    for (let i = 0; i < count; i++) buckets[Math.floor(keys[i]! / shift) % 4096]!++;
    for (let b = 0, sum = 0; b < 4096; b++) {
      const n = buckets[b]!;
      buckets[b] = sum;
      sum += n;
    }
    for (let i = 0; i < count; i++) {
      const k = order[i]!;
      next[buckets[Math.floor(keys[k]! / shift) % 4096]!++] = k;
    }
    [order, next] = [next, order];
  }
  return order;
}
