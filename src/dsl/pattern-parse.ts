// The text of `hex"…"` → pattern tokens, with YARA's hex-string forms:
// `48` a byte, `??` any byte, `?5` / `4?` one nibble, `~00` not this byte,
// `[4]` / `[2-4]` a jump, `( 62 b4 | 56 )` alternatives. Pure.
import { MAX_NESTING } from '../limits.ts';
import { MAX_PATTERN_SPAN, type Pattern, patternLength, type PatternToken } from '../plan/pattern.ts';

/** A problem in the pattern text: `offset` counts from the first character inside the quotes. */
export interface PatternProblem {
  readonly message: string;
  readonly offset: number;
  readonly length: number;
  readonly hint: string;
}

export type PatternResult = { readonly ok: true; readonly pattern: Pattern } | { readonly ok: false; readonly problem: PatternProblem };

class Problem extends Error {
  readonly problem: PatternProblem;

  constructor(problem: PatternProblem) {
    super(problem.message);
    this.problem = problem;
  }
}

/** Byte tokens are shared (they are never changed): 1.3 million alternatives of a 4 MiB pattern held 330 MB as objects each. */
const BYTE_TOKENS = new Map<number, PatternToken>();
function byteToken(value: number, mask: number, not: boolean): PatternToken {
  const key = value | (mask << 8) | (not ? 1 << 16 : 0);
  let token = BYTE_TOKENS.get(key);
  if (token === undefined) BYTE_TOKENS.set(key, token = Object.freeze({ t: 'byte', value, mask, not }));
  return token;
}

export function parsePattern(text: string): PatternResult {
  let at = 0;
  let depth = 0;
  const fail = (message: string, offset: number, length: number, hint: string): never => {
    throw new Problem({ message, offset, length: Math.max(1, length), hint });
  };
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  const nibble = (ch: string | undefined): number | undefined => (ch !== undefined && /^[0-9a-fA-F]$/.test(ch) ? parseInt(ch, 16) : ch === '?' ? -1 : undefined);

  const sequence = (inAlt: boolean): PatternToken[] => {
    const tokens: PatternToken[] = [];
    for (;;) {
      skipSpace();
      const ch = text[at];
      if (ch === undefined || (inAlt && (ch === '|' || ch === ')'))) return tokens;
      const start = at;
      if (ch === '[') {
        const close = text.indexOf(']', at);
        if (close < 0) fail('unclosed jump', start, 1, 'write a jump as [N] or [N-M], e.g. [2-4]');
        const body = text.slice(at + 1, close).replace(/\s+/g, '');
        at = close + 1;
        const m = /^(\d+)(?:-(\d*))?$/.exec(body) ?? /^-()()$/.exec(body);
        if (m === null) fail(`bad jump '[${body}]'`, start, at - start, 'write a jump as [N] or [N-M], e.g. [2-4]');
        if (m![1] === '' || m![2] === '') fail(`unbounded jump '[${body}]'`, start, at - start, 'give the jump an upper bound, e.g. [4-64]: every scan is bounded');
        const min = Number(m![1]);
        const max = m![2] === undefined ? min : Number(m![2]);
        if (max < min) fail(`jump [${min}-${max}] ends before it starts`, start, at - start, `write [${max}-${min}]`);
        if (max > MAX_PATTERN_SPAN) fail(`jump of up to ${max} bytes is too long`, start, at - start, `keep jumps under ${MAX_PATTERN_SPAN} bytes`);
        if (max === 0) fail('a jump of 0 bytes matches nothing', start, at - start, 'remove it');
        tokens.push({ t: 'jump', min, max });
      } else if (ch === '(') {
        // Alternatives are matched, measured and printed recursively: their nesting is bounded as brackets are.
        if (++depth > MAX_NESTING) fail(`alternatives nested deeper than ${MAX_NESTING} levels`, start, 1, 'write the alternatives flat: ( 01 | 02 03 | 04 )');
        at++;
        const options: PatternToken[][] = [];
        for (;;) {
          const optionStart = at;
          const option = sequence(true);
          if (option.length === 0) fail('empty alternative', optionStart, 1, 'each alternative needs bytes: ( 62 b4 | 56 )');
          options.push(option.slice()); // a copy of its size: a grown array keeps room for 16 more tokens, 150 bytes an alternative
          if (text[at] === '|') {
            at++;
            continue;
          }
          if (text[at] === ')') {
            at++;
            break;
          }
          fail('unclosed alternatives', start, 1, 'close them with ): ( 62 b4 | 56 )');
        }
        depth--;
        tokens.push({ t: 'alt', options });
      } else {
        const not = ch === '~';
        if (not) at++;
        const high = nibble(text[at]);
        const low = nibble(text[at + 1]);
        if (high === undefined || low === undefined) {
          const bad = high === undefined ? at : at + 1;
          const found = text[bad];
          fail(
            found === undefined || /\s|[|)]/.test(found) ? `incomplete byte '${text.slice(start, bad)}'` : `unexpected '${found}' in a byte pattern`,
            found === undefined ? start : bad,
            1,
            'write each byte as two hex digits (48), ?? for any byte, ?5 or 4? for one nibble, ~00 for "not 00"',
          );
        }
        if (not && high === -1 && low === -1) fail("'~??' matches no byte", start, 3, 'use ?? for any byte');
        at += 2;
        const mask = (high === -1 ? 0 : 0xf0) | (low === -1 ? 0 : 0x0f);
        const value = ((high === -1 ? 0 : high!) << 4) | (low === -1 ? 0 : low!);
        tokens.push(byteToken(value, mask, not));
      }
    }
  };

  try {
    const tokens = sequence(false);
    if (at < text.length) fail(`unexpected '${text[at]}'`, at, 1, 'alternatives are written ( 62 b4 | 56 )');
    if (tokens.length === 0) fail('empty byte pattern', 0, 1, 'write bytes inside the quotes: hex"48 8b 05"');
    if (tokens[0]!.t === 'jump' || tokens[tokens.length - 1]!.t === 'jump') {
      fail('a pattern cannot start or end with a jump', 0, text.length, 'remove the jump, or use ?? for bytes that must be there');
    }
    if (patternLength(tokens).max > MAX_PATTERN_SPAN) fail(`the pattern can span more than ${MAX_PATTERN_SPAN} bytes`, 0, text.length, 'use shorter jumps');
    return { ok: true, pattern: { tokens } };
  } catch (error) {
    if (error instanceof Problem) return { ok: false, problem: error.problem };
    throw error;
  }
}
