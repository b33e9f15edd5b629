// Brackets, found in one pass before any parser runs: nesting deeper than
// MAX_NESTING is a diagnostic (not a stack overflow in a parser), and the
// newlines outside every bracket are where top-level statements may start
// (Ohm matches a large recipe a chunk of statements at a time, and resumes
// there after an error).
import { MAX_NESTING } from '../limits.ts';
import { InvalidRecipe } from './diagnostic.ts';
import type { SourceFile } from './source.ts';

/** Throws `too-deep` for nesting past MAX_NESTING; else the statement starts (see scanBrackets). */
export function checkNesting(source: SourceFile): { statementStarts: number[] } {
  const { tooDeep, statementStarts } = scanBrackets(source.text);
  if (tooDeep !== undefined) {
    throw new InvalidRecipe(source, [{ code: 'too-deep', message: `nesting deeper than ${MAX_NESTING} levels of (), [] and {}`, span: { start: tooDeep, end: tooDeep + 1 }, hint: 'name intermediate values with let, or split the blocks' }]);
  }
  return { statementStarts };
}

/**
 * One pass over the text, outside strings and comments: where brackets first
 * nest deeper than MAX_NESTING, and the offsets just after each newline outside
 * every bracket, where a top-level statement may start; and how many brackets
 * are still open at the end (the REPL reads on until none is).
 */
export function scanBrackets(text: string): { tooDeep: number | undefined; statementStarts: number[]; depth: number } {
  const statementStarts: number[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22 && text.charCodeAt(i) !== 0x0a; i++) if (text.charCodeAt(i) === 0x5c /* \ */) i++;
    } else if (c === 0x23 /* # */) {
      while (i + 1 < text.length && text.charCodeAt(i + 1) !== 0x0a) i++;
    } else if (c === 0x28 || c === 0x5b || c === 0x7b) {
      if (++depth > MAX_NESTING) return { tooDeep: i, statementStarts, depth };
    } else if (c === 0x29 || c === 0x5d || c === 0x7d) depth = Math.max(0, depth - 1);
    else if (c === 0x0a && depth === 0) statementStarts.push(i + 1);
  }
  return { tooDeep: undefined, statementStarts, depth };
}
