// One level of a compiled loop's read-ahead (js-kernel.ts): every site's
// address for every iteration of a window, read in as few kernel calls as a
// C program would make.
//
// A recipe runs once, so most of this code runs before the JIT has optimised
// it, and each loop of its own over tens of thousands of reads costs
// milliseconds before it is. Hence one pass gathers the ranges, in iteration
// order as the recipe asks for them (a table read front to back becomes one
// range, the fields of one node one range; a sort would cost more than the
// kernel gains from sorted iovecs), one call of the source reads them, and
// values are decoded where they are used (`valueAt`), the commonest types
// (u64, pointers, u32) as 32-bit words. The arrays live as long as the loop's
// kernel and serve every window.
import type { MemoryType } from '../../plan/plan.ts';
import type { MemorySource, RangesRead } from '../../target/target.ts';
import type { ExactInt } from '../evaluation/exact-int.ts';
import { decodeInteger } from '../evaluation/value.ts';

export type IntType = MemoryType & { readonly kind: 'int' | 'ptr' };

/** How a site's values are decoded: two little-endian 32-bit words, one, or through `decodeInteger`. */
const UNSIGNED_64 = 0;
const UNSIGNED_32 = 1;
const OTHER = 2;

/** One site's reads for a window: the address read ahead for each iteration (NaN: none) and where its bytes lie. */
export interface SiteWindow {
  readonly type: IntType;
  readonly decode: number;
  readonly addresses: Float64Array;
  /** Where iteration i's bytes lie in `bytes`. */
  readonly at: Float64Array;
  bytes: Uint8Array;
  /** `bytes` as 32-bit words, where it starts on a multiple of 4. */
  words: Uint32Array | undefined;
}

/** The value read ahead for iteration `index` of a site (whose address is not NaN). */
export function valueAt(window: SiteWindow, index: number): ExactInt {
  const at = window.at[index]!;
  if (window.words !== undefined && at % 4 === 0) {
    if (window.decode === UNSIGNED_64) {
      const high = window.words[(at >> 2) + 1]!;
      if (high < 0x200000) return high * 0x100000000 + window.words[at >> 2]!;
    } else if (window.decode === UNSIGNED_32) return window.words[at >> 2]!;
  }
  return decodeInteger(window.type, window.bytes, at);
}

export class LevelReader {
  readonly #windows: SiteWindow[];
  /** By site: the range each iteration's read lies in. */
  #rangeOf: Int32Array[] = [];
  #starts = new Float64Array(0);
  #lengths = new Float64Array(0);
  /** Where each range's bytes begin in what the source returns (ranges lie back to back). */
  #offsets = new Float64Array(0);

  /** A reader for sites of these types. */
  constructor(types: readonly IntType[]) {
    this.#windows = types.map((type) => ({
      type,
      decode: (type.kind === 'ptr' || !type.bigEndian) && !(type.kind === 'int' && type.signed) && (type.size === 8 || type.size === 4) ? (type.size === 8 ? UNSIGNED_64 : UNSIGNED_32) : OTHER,
      addresses: new Float64Array(0),
      at: new Float64Array(0),
      bytes: new Uint8Array(0),
      words: undefined,
    }));
  }

  /** The arrays the level's generated code fills with addresses, emptied (NaN) for a window of `size` iterations. */
  addresses(size: number): Float64Array[] {
    const sites = this.#windows.length;
    if ((this.#windows[0]?.addresses.length ?? size) < size) {
      this.#windows.forEach((window, s) => {
        this.#windows[s] = { ...window, addresses: new Float64Array(size), at: new Float64Array(size) };
      });
      this.#rangeOf = this.#windows.map(() => new Int32Array(size));
      this.#starts = new Float64Array(size * sites);
      this.#lengths = new Float64Array(size * sites);
      this.#offsets = new Float64Array(size * sites);
    }
    return this.#windows.map((window) => window.addresses.fill(NaN, 0, size));
  }

  /**
   * Reads what `addresses(size)` was filled with. A read that did not wholly
   * arrive gets NaN for its address, so the body reads it again live and
   * raises its error where the recipe makes it.
   */
  read(target: MemorySource, size: number): readonly SiteWindow[] {
    const windows = this.#windows;
    const sites = windows.length;
    const starts = this.#starts;
    const lengths = this.#lengths;
    const ranges = gather(windows, this.#rangeOf, size, starts, lengths, this.#offsets);
    const read = target.readRanges?.(starts.subarray(0, ranges), lengths.subarray(0, ranges)) ?? joined(target, starts.subarray(0, ranges), lengths.subarray(0, ranges));
    const words = read.bytes.byteOffset % 4 === 0 ? new Uint32Array(read.bytes.buffer, read.bytes.byteOffset, read.bytes.length >> 2) : undefined;
    let complete = true;
    for (let r = 0; r < ranges && complete; r++) complete = read.done[r] === lengths[r];
    for (let s = 0; s < sites; s++) {
      const window = windows[s]!;
      window.bytes = read.bytes;
      window.words = words;
      if (complete) continue;
      // Some range stopped short (a fault): its reads past that point are left to the body.
      for (let index = 0; index < size; index++) {
        const address = window.addresses[index]!;
        if (address !== address) continue;
        const range = this.#rangeOf[s]![index]!;
        if (address - starts[range]! + window.type.size > read.done[range]!) window.addresses[index] = NaN;
      }
    }
    return windows;
  }
}

/**
 * Lays the window's reads out as ranges, in iteration order: a read that
 * starts inside or at the end of the range before it joins that range, and a
 * read that lies within the range its site read last time (a header read in
 * every iteration) reuses it. The loop is a function of its own, so that the
 * JIT, which optimises it while it runs, finds no code after it it has not
 * seen run. Returns the number of ranges.
 */
function gather(windows: readonly SiteWindow[], rangeOf: readonly Int32Array[], size: number, starts: Float64Array, lengths: Float64Array, offsets: Float64Array): number {
  const sites = windows.length;
  const lastRange = new Int32Array(sites).fill(-1);
  let ranges = 0;
  let rangeStart = -1;
  let rangeEnd = -1;
  let total = 0;
  for (let index = 0; index < size; index++) {
    for (let s = 0; s < sites; s++) {
      const window = windows[s]!;
      const address = window.addresses[index]!;
      if (address !== address) continue;
      const end = address + window.type.size;
      const last = lastRange[s]!;
      if (last >= 0 && address >= starts[last]! && end <= starts[last]! + lengths[last]!) {
        window.at[index] = offsets[last]! + (address - starts[last]!);
        rangeOf[s]![index] = last;
        continue;
      }
      if (address >= rangeStart && address <= rangeEnd) {
        if (end > rangeEnd) {
          total += end - rangeEnd;
          rangeEnd = end;
          lengths[ranges - 1] = end - rangeStart;
        }
      } else {
        rangeStart = address;
        rangeEnd = end;
        starts[ranges] = address;
        offsets[ranges] = total;
        lengths[ranges++] = end - address;
        total += end - address;
      }
      window.at[index] = offsets[ranges - 1]! + (address - rangeStart);
      rangeOf[s]![index] = ranges - 1;
      lastRange[s] = ranges - 1;
    }
  }
  return ranges;
}

/** `readRanges` through `read`, for sources without it. */
function joined(target: MemorySource, starts: Float64Array, lengths: Float64Array): RangesRead {
  const results = target.read([...starts].map((start, i) => ({ address: BigInt(start), length: lengths[i]! })));
  const done = Float64Array.from(results, (result) => result.done);
  const bytes = new Uint8Array(lengths.reduce((sum, length) => sum + length, 0));
  let offset = 0;
  results.forEach((result, i) => {
    bytes.set(result.bytes.subarray(0, result.done), offset);
    offset += lengths[i]!;
  });
  return { bytes, done };
}
