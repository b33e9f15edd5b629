// How a scan finds where its anchor (exact bytes at a fixed offset in every
// match, see match.ts) occurs, without the traps of one substring search:
// glibc memmem compares at every position when the needle's bytes fill the
// haystack (`07 00 00 00` over zero pages: 6 s per GiB in C). So, after the
// Rust memchr crate's memmem:
//   - an aligned scan (align 4 or 8) for a 4-byte-aligned word compares words
//     (wmemchr: `scan u32 7 … align 4` runs at copying speed over any memory);
//   - otherwise the needle's rarest byte, by a table of how common each byte
//     is in process memory, is found with memchr and the rest verified; when
//     that finds candidates too often (every < 256 bytes on average: the
//     byte is not rare here), the rest of the chunk goes to memmem.
import type { ByteSearch } from '../native/search.ts';

/** A prefilter that stops skipping at least this many bytes per candidate, on average, is turned off for the chunk. */
const MIN_AVERAGE_SKIP = 256;
/** Candidates a prefilter is given before it is judged. */
const TRIAL_CANDIDATES = 16;
/** A needle whose rarest byte is this common (all zeros) is not prefiltered. */
const TOO_COMMON = 255;

export class AnchorSearch {
  readonly #anchor: Uint8Array;
  readonly #search: ByteSearch;
  /** For an aligned scan: the anchor's 4-byte window compared as a word, at `offset` in the anchor. */
  readonly #word: { readonly value: number; readonly offset: number } | undefined;
  /** The anchor's rarest byte and its index, for the memchr prefilter (undefined: memmem only). */
  readonly #rare: { readonly byte: number; readonly index: number } | undefined;
  #prefiltering = true;
  #candidates = 0;
  #skipped = 0;

  /** `anchorOffset`: where the anchor sits in each match; `align`: the scan's alignment (matches start at its multiples). */
  constructor(anchor: Uint8Array, anchorOffset: number, align: number, search: ByteSearch) {
    this.#anchor = anchor;
    this.#search = search;
    this.#word = align % 4 === 0 ? alignedWord(anchor, anchorOffset) : undefined;
    const rare = rarestByte(anchor);
    this.#rare = anchor.length > 1 && rare !== undefined && byteRank(anchor[rare]!) < TOO_COMMON ? { byte: anchor[rare]!, index: rare } : undefined;
  }

  /** Called before each new buffer: the prefilter is judged afresh on each chunk (memory changes from region to region). */
  reset(): void {
    this.#prefiltering = true;
    this.#candidates = 0;
    this.#skipped = 0;
  }

  /**
   * The first index ≥ `from` where the anchor occurs in `bytes`, or -1. For
   * an aligned scan, only occurrences where a match would start aligned:
   * `phase` is the address of `bytes[0]` modulo 4.
   */
  next(bytes: Uint8Array, from: number, phase: number): number {
    const anchor = this.#anchor;
    const word = this.#word;
    if (word !== undefined) {
      // The window's position p and the match start differ by a multiple of 4: p aligned ⇔ the start is.
      let p = from + word.offset;
      p += (4 - ((phase + p) % 4)) % 4;
      for (;;) {
        const found = this.#search.findWord32(bytes, word.value, p);
        if (found < 0) return -1;
        const at = found - word.offset;
        if (at + anchor.length <= bytes.length && equalAt(anchor, bytes, at)) return at;
        p = found + 4;
      }
    }
    if (anchor.length === 1) return this.#search.findByte(bytes, anchor[0]!, from);
    const rare = this.#rare;
    while (rare !== undefined && this.#prefiltering) {
      const found = this.#search.findByte(bytes, rare.byte, from + rare.index);
      if (found < 0) return -1;
      this.#candidates++;
      this.#skipped += found - (from + rare.index);
      if (this.#candidates >= TRIAL_CANDIDATES && this.#skipped < this.#candidates * MIN_AVERAGE_SKIP) this.#prefiltering = false;
      const at = found - rare.index;
      if (at + anchor.length <= bytes.length && equalAt(anchor, bytes, at)) return at;
      from = at + 1;
    }
    return this.#search.find(bytes, anchor, from);
  }
}

function equalAt(needle: Uint8Array, bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < needle.length; i++) if (bytes[at + i] !== needle[i]) return false;
  return true;
}

/**
 * The anchor's best 4-byte window that starts at a multiple of 4 from the
 * match's start (so it is aligned when the match is), as a little-endian
 * word; the rarest by the byte table. Undefined when the anchor has none.
 */
function alignedWord(anchor: Uint8Array, anchorOffset: number): { value: number; offset: number } | undefined {
  let best: { value: number; offset: number; rank: number } | undefined;
  for (let offset = (4 - (anchorOffset % 4)) % 4; offset + 4 <= anchor.length; offset += 4) {
    const rank = Math.min(byteRank(anchor[offset]!), byteRank(anchor[offset + 1]!), byteRank(anchor[offset + 2]!), byteRank(anchor[offset + 3]!));
    const value = (anchor[offset]! | (anchor[offset + 1]! << 8) | (anchor[offset + 2]! << 16) | (anchor[offset + 3]! << 24)) >>> 0;
    if (best === undefined || rank < best.rank) best = { value, offset, rank };
  }
  return best === undefined ? undefined : { value: best.value, offset: best.offset };
}

/** The index of the needle's rarest byte (the first on a tie), or undefined for an empty needle. */
export function rarestByte(needle: Uint8Array): number | undefined {
  let best: number | undefined;
  for (let i = 0; i < needle.length; i++) if (best === undefined || byteRank(needle[i]!) < byteRank(needle[best]!)) best = i;
  return best;
}

/**
 * How common a byte is in a process's memory, 0 (rare) to 255 (zero, the
 * commonest): a judgement, not a measurement of one program. Text corpora
 * (the memchr crate's table) rank zero rare; memory is mostly zeros, all-ones,
 * small integers, pointer bytes (0x7f, 0x55, 0x56), x86 code and text.
 */
export function byteRank(byte: number): number {
  return RANKS[byte]!;
}

const RANKS = (() => {
  const ranks = new Uint8Array(256).fill(100);
  for (let b = 0x80; b < 0xff; b++) ranks[b] = 90;
  for (let b = 0x10; b < 0x20; b++) ranks[b] = 150;
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~') ranks[c.charCodeAt(0)] = 120;
  for (const c of 'bcdfghjklmpquvwxyz0123456789') ranks[c.charCodeAt(0)] = 150;
  for (const c of 'etaoinsr') ranks[c.charCodeAt(0)] = 180;
  for (const b of [0x48, 0x89, 0x8b, 0xe8, 0x24, 0x83, 0x44, 0x4c, 0xc3, 0x41]) ranks[b] = 200;
  for (let b = 0x01; b < 0x10; b++) ranks[b] = 230 - b;
  for (const b of [0xcc, 0x90, 0x20]) ranks[b] = 235;
  for (const b of [0x7f, 0x55, 0x56]) ranks[b] = 240;
  ranks[0xff] = 250;
  ranks[0x00] = 255;
  return ranks;
})();
