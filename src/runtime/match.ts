// Finds a pattern in a buffer. The search is anchored on the longest run of
// exact bytes at a fixed offset from the start (found with Buffer.indexOf,
// which is memmem underneath on every runtime), and each candidate is then
// verified against the whole pattern: wildcards, nibbles, `~`, jumps and
// alternatives. A pattern with no exact byte at a fixed offset is tried at
// every position.
import { Buffer } from 'node:buffer';
import { patternLength, type Pattern, type PatternToken } from '../plan/pattern.ts';

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
  readonly #anchor: Buffer | undefined;
  readonly #anchorOffset: number;

  constructor(pattern: Pattern) {
    const { min, max } = patternLength(pattern.tokens);
    this.minLength = min;
    this.maxLength = max;
    this.#first = link(pattern.tokens, null)!;
    const anchor = longestFixedRun(pattern.tokens);
    this.#anchor = anchor === undefined ? undefined : Buffer.from(anchor.bytes);
    this.#anchorOffset = anchor?.offset ?? 0;
  }

  /**
   * Calls `onMatch(offset)` for each match starting in [from, to) of `bytes`, in
   * order; a match may extend to `bytes.length`. `onMatch` returns false to stop.
   */
  find(bytes: Uint8Array, from: number, to: number, onMatch: (offset: number) => boolean): void {
    const end = bytes.length;
    const lastStart = Math.min(to, end - this.minLength + 1);
    if (this.#anchor === undefined) {
      for (let start = from; start < lastStart; start++) {
        if (matchAt(this.#first, bytes, start, end) && !onMatch(start)) return;
      }
      return;
    }
    const haystack = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const anchor = this.#anchor;
    const offset = this.#anchorOffset;
    let at = from + offset;
    while (at - offset < lastStart) {
      const found = anchor.length === 1 ? haystack.indexOf(anchor[0]!, at) : haystack.indexOf(anchor, at);
      if (found < 0) return;
      const start = found - offset;
      if (start >= lastStart) return;
      if (matchAt(this.#first, bytes, start, end) && !onMatch(start)) return;
      at = found + 1;
    }
  }
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

/** The longest run of exact bytes before the first element whose length varies. */
function longestFixedRun(tokens: readonly PatternToken[]): { bytes: number[]; offset: number } | undefined {
  let best: { bytes: number[]; offset: number } | undefined;
  let run: number[] = [];
  let runStart = 0;
  let offset = 0;
  const close = () => {
    if (run.length > 0 && (best === undefined || run.length > best.bytes.length)) best = { bytes: run, offset: runStart };
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
