// Cutting an address range by a sorted list of ranges (resident pages, holes):
// what the scan plan, the live scan's reads and the memory target's pagemap
// each need.
import type { AddressRange } from '../native/pagemap.ts';

/**
 * Walks [from, to) against `ranges` (sorted, not overlapping), in address
 * order: `inside` for each part a range covers, `outside` for each part
 * between them.
 */
export function splitByRanges(ranges: readonly AddressRange[], from: bigint, to: bigint, inside: (start: bigint, end: bigint) => void, outside: (start: bigint, end: bigint) => void): void {
  let at = from;
  for (const range of ranges) {
    if (range.end <= at || range.start >= to) continue;
    if (range.start > at) outside(at, range.start);
    const end = range.end < to ? range.end : to;
    inside(range.start > at ? range.start : at, end);
    at = end;
  }
  if (at < to) outside(at, to);
}

/**
 * The index of the first range (sorted, not overlapping) that ends after `address`: a binary search, as a process
 * may have thousands. Addresses as bigints (regions), or as numbers where a scan keeps them so (static-bases.ts).
 */
export function firstEndingAfter<Address extends bigint | number>(ranges: readonly { readonly end: Address }[], address: Address): number {
  let low = 0;
  let high = ranges.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (ranges[middle]!.end <= address) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The ranges sorted, with those that touch or overlap joined into one. */
export function joinRanges(ranges: readonly AddressRange[]): AddressRange[] {
  const joined: AddressRange[] = [];
  for (const range of [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))) {
    const last = joined[joined.length - 1];
    if (last !== undefined && last.end >= range.start) joined[joined.length - 1] = { start: last.start, end: last.end > range.end ? last.end : range.end };
    else joined.push({ start: range.start, end: range.end });
  }
  return joined;
}

/**
 * The first address in [address, address + length) that no region `covers`
 * accepts lies in (or the end, when they cover it all). Regions need not be
 * sorted; a process has a few hundred.
 */
export function firstUncovered<R extends { readonly start: bigint; readonly end: bigint }>(regions: readonly R[], address: bigint, length: number, covers: (region: R) => boolean): bigint {
  const end = address + BigInt(length);
  let at = address;
  while (at < end) {
    const region = regions.find((r) => r.start <= at && at < r.end);
    if (region === undefined || !covers(region)) return at;
    at = region.end;
  }
  return end;
}
