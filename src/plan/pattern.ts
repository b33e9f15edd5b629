// Byte patterns (docs/language.md), as plan data: what `scan` looks for and what a
// `patch` expects. `hex"48 8b ?? ?5 ~00 [2-4] ( 62 b4 | 56 )"` is parsed into
// tokens by dsl/pattern-parse.ts and matched by runtime/evaluation/match.ts.

/** One element of a pattern. A byte matches when `(b & mask) === value`, inverted by `not`. */
export type PatternToken =
  | { readonly t: 'byte'; readonly value: number; readonly mask: number; readonly not: boolean }
  /** Any `min` to `max` bytes. */
  | { readonly t: 'jump'; readonly min: number; readonly max: number }
  /** One of several sequences. */
  | { readonly t: 'alt'; readonly options: readonly (readonly PatternToken[])[] };

export interface Pattern {
  readonly tokens: readonly PatternToken[];
}

/** The longest match a pattern can make is bounded, so scans know how far chunks must overlap. */
export const MAX_PATTERN_SPAN = 1 << 16;

/** A pattern of exactly these bytes. */
export function literalPattern(bytes: Uint8Array): Pattern {
  return { tokens: [...bytes].map((value) => ({ t: 'byte', value, mask: 0xff, not: false })) };
}

/** The bytes of a pattern without wildcards, jumps or alternatives; undefined if it has any. */
export function concreteBytes(pattern: Pattern): Uint8Array | undefined {
  const bytes: number[] = [];
  for (const token of pattern.tokens) {
    if (token.t !== 'byte' || token.mask !== 0xff || token.not) return undefined;
    bytes.push(token.value);
  }
  return Uint8Array.from(bytes);
}

/** Shortest and longest match, in bytes. */
export function patternLength(tokens: readonly PatternToken[]): { min: number; max: number } {
  let min = 0;
  let max = 0;
  for (const token of tokens) {
    if (token.t === 'byte') {
      min += 1;
      max += 1;
    } else if (token.t === 'jump') {
      min += token.min;
      max += token.max;
    } else {
      // A loop, not Math.min(...): 124 000 alternatives are more arguments than a call takes.
      let [least, most] = [Infinity, 0];
      for (const option of token.options) {
        const length = patternLength(option);
        least = Math.min(least, length.min);
        most = Math.max(most, length.max);
      }
      min += least;
      max += most;
    }
  }
  return { min, max };
}

/** The pattern in its canonical text: lowercase, one space between elements. */
export function formatPattern(tokens: readonly PatternToken[]): string {
  return tokens
    .map((token) => {
      if (token.t === 'jump') return token.min === token.max ? `[${token.min}]` : `[${token.min}-${token.max}]`;
      if (token.t === 'alt') return `( ${token.options.map(formatPattern).join(' | ')} )`;
      const nibble = (shift: number) => ((token.mask >> shift) & 0xf ? ((token.value >> shift) & 0xf).toString(16) : '?');
      return `${token.not ? '~' : ''}${nibble(4)}${nibble(0)}`;
    })
    .join(' ');
}
