// Finds a pattern in a buffer. The search is anchored on the rarest run of
// exact bytes at a fixed offset from the start (see `anchorQuality`), found
// with the target's fastest searches (see anchor-search.ts), and each
// candidate is then verified against the whole pattern: wildcards, nibbles,
// `~`, jumps and alternatives. A pattern with no exact byte at a fixed offset
// is tried at every position.
import { bufferSearch, type ByteSearch } from '../../native/search.ts';
import { AnchorSearch } from '../anchor-search.ts';
import { type Pattern, patternLength, type PatternToken } from '../../plan/pattern.ts';

/** A pattern element linked to what follows it, so alternatives and jumps continue without copying. */
type Node =
  | { readonly t: 'byte'; readonly value: number; readonly mask: number; readonly not: boolean; readonly next: Node | null }
  | { readonly t: 'jump'; readonly min: number; readonly max: number; readonly next: Node | null }
  | { readonly t: 'alt'; readonly options: readonly Node[] };

export class Matcher {
  /** Shortest and longest match in bytes. */
  readonly minLength: number;
  readonly maxLength: number;
  readonly #first: Node;
  /** The anchor: exact bytes found at `anchorOffset` from the start of every match. */
  readonly #anchor: Uint8Array | undefined;
  readonly #anchorOffset: number;
  readonly #anchorSearch: AnchorSearch | undefined;
  /** 1 for each byte value a match can start with. */
  readonly #startBytes: Uint8Array;

  /** `align`: matches are wanted only at its multiples (a scan filters the others; an aligned anchor is searched for faster). */
  constructor(pattern: Pattern, search: ByteSearch = bufferSearch, align = 1) {
    const { min, max } = patternLength(pattern.tokens);
    this.minLength = min;
    this.maxLength = max;
    this.#first = link(pattern.tokens, null)!;
    const anchor = bestFixedRun(pattern.tokens);
    this.#anchor = anchor === undefined ? undefined : Uint8Array.from(anchor.bytes);
    this.#anchorOffset = anchor?.offset ?? 0;
    this.#anchorSearch = this.#anchor === undefined ? undefined : new AnchorSearch(this.#anchor, this.#anchorOffset, align, search);
    this.#startBytes = startBytes(this.#first);
  }

  /** The anchor and its offset in every match (for tests and `pvm plan`). */
  get anchor(): { readonly bytes: Uint8Array; readonly offset: number } | undefined {
    return this.#anchor === undefined ? undefined : { bytes: this.#anchor, offset: this.#anchorOffset };
  }

  /**
   * Calls `onMatch(offset)` for each match starting in [from, to) of `bytes`, in
   * order; a match may extend to `bytes.length`. `onMatch` returns false to stop.
   * `phase`: the address of `bytes[0]` modulo 4, for an aligned search (which may
   * leave out unaligned matches).
   */
  find(bytes: Uint8Array, from: number, to: number, onMatch: (offset: number) => boolean, phase = 0): void {
    const end = bytes.length;
    const lastStart = Math.min(to, end - this.minLength + 1);
    if (this.#anchor === undefined) {
      // No exact byte to search for: a table of the bytes a match can start with skips most positions cheaply.
      const starts = this.#startBytes;
      for (let start = from; start < lastStart; start++) {
        if (starts[bytes[start]!] === 1 && matchAt(this.#first, bytes, start, end) && !onMatch(start)) return;
      }
      return;
    }
    const search = this.#anchorSearch!;
    search.reset();
    const offset = this.#anchorOffset;
    let at = from + offset;
    while (at - offset < lastStart) {
      const found = search.next(bytes, at, phase);
      if (found < 0) return;
      const start = found - offset;
      if (start >= lastStart) return;
      if (matchAt(this.#first, bytes, start, end) && !onMatch(start)) return;
      at = found + 1;
    }
  }
}

/** The byte values a match from `node` can start with (a jump that may skip bytes: any). */
function startBytes(node: Node | null): Uint8Array {
  const set = new Uint8Array(256);
  const add = (n: Node | null): void => {
    if (n === null) {
      set.fill(1); // an empty rest matches before any byte
    } else if (n.t === 'byte') {
      for (let b = 0; b < 256; b++) if (((b & n.mask) === n.value) !== n.not) set[b] = 1;
    } else if (n.t === 'jump') {
      if (n.max > 0) set.fill(1);
      else add(n.next);
    } else n.options.forEach(add);
  };
  add(node);
  return set;
}

/** True when the pattern from `node` matches at `pos` without passing `end`. */
function matchAt(node: Node | null, bytes: Uint8Array, pos: number, end: number): boolean {
  while (node !== null) {
    if (node.t === 'byte') {
      if (pos >= end) return false;
      if (((bytes[pos]! & node.mask) === node.value) === node.not) return false;
      pos++;
      node = node.next;
    } else if (node.t === 'jump') {
      for (let n = node.min; n <= node.max && pos + n <= end; n++) {
        if (matchAt(node.next, bytes, pos + n, end)) return true;
      }
      return false;
    } else {
      for (const option of node.options) if (matchAt(option, bytes, pos, end)) return true;
      return false;
    }
  }
  return true;
}

function link(tokens: readonly PatternToken[], next: Node | null): Node | null {
  let node = next;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i]!;
    if (token.t === 'byte') node = { ...token, value: token.value & token.mask, next: node };
    else if (token.t === 'jump') node = { ...token, next: node };
    else {
      const rest = node;
      node = { t: 'alt', options: token.options.map((option) => link(option, rest)!) };
    }
  }
  return node;
}

/**
 * The best run of exact bytes before the first element whose length varies:
 * the one with the highest `anchorQuality`, the longer on a tie.
 */
function bestFixedRun(tokens: readonly PatternToken[]): { bytes: number[]; offset: number } | undefined {
  let best: { bytes: number[]; offset: number; quality: number } | undefined;
  let run: number[] = [];
  let runStart = 0;
  let offset = 0;
  const close = () => {
    const quality = anchorQuality(run);
    if (run.length > 0 && (best === undefined || quality > best.quality || (quality === best.quality && run.length > best.bytes.length))) best = { bytes: run, offset: runStart, quality };
    run = [];
  };
  for (const token of tokens) {
    if (token.t === 'byte' && token.mask === 0xff && !token.not) {
      if (run.length === 0) runStart = offset;
      run.push(token.value);
      offset++;
      continue;
    }
    close();
    const { min, max } = patternLength([token]);
    if (min !== max) break;
    offset += min;
  }
  close();
  return best;
}

/** Bytes that fill memory (padding, int3, nop, spaces, all-ones): an anchor made of them matches almost everywhere. */
const COMMON_BYTES = new Set([0x00, 0xff, 0xcc, 0x90, 0x20]);

/**
 * How rarely a run of bytes is expected to occur, after YARA's atom quality:
 * each byte counts, common filler bytes little, and repeating the same byte
 * adds little, so `48 8b 05` beats `00 00 00 00` though both are exact.
 */
export function anchorQuality(run: readonly number[]): number {
  const seen = new Set<number>();
  let quality = 0;
  for (const byte of run) {
    quality += COMMON_BYTES.has(byte) ? 1 : seen.has(byte) ? 2 : 4;
    seen.add(byte);
  }
  return quality;
}
