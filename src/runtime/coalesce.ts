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
  const order = sorted ? undefined : packedOrder(requests) ?? comparedOrder(requests);
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

/** Bits of a packed sort key that hold the request's index: user-space addresses fit in the other 47. */
const INDEX_BITS = 17n;
const ADDRESS_LIMIT = 1n << (64n - INDEX_BITS);

/**
 * The order of the requests by address, by a native sort of 64-bit keys (address above, index below): many
 * times faster than sorting indices with a comparator. Undefined when an address or the count does not fit.
 */
function packedOrder(requests: readonly ReadRequest[]): Uint32Array | undefined {
  if (requests.length > 1 << Number(INDEX_BITS)) return undefined;
  const keys = new BigUint64Array(requests.length);
  for (let i = 0; i < requests.length; i++) {
    const address = requests[i]!.address;
    if (address >= ADDRESS_LIMIT) return undefined;
    keys[i] = (address << INDEX_BITS) | BigInt(i);
  }
  keys.sort();
  const order = new Uint32Array(requests.length);
  const mask = (1n << INDEX_BITS) - 1n;
  for (let i = 0; i < keys.length; i++) order[i] = Number(keys[i]! & mask);
  return order;
}

/** The same order by comparing (any addresses): Number() keeps the order of addresses, ties are settled exactly. */
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
