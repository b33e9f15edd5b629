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
 * every bracket, where a top-level statement may start; and the brackets still
 * open at the end, innermost last (the REPL reads on until none is; the
 * language server closes them to read a block being typed).
 */
export function scanBrackets(text: string): { tooDeep: number | undefined; statementStarts: number[]; open: string } {
  const statementStarts: number[] = [];
  const open: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22 && text.charCodeAt(i) !== 0x0a; i++) if (text.charCodeAt(i) === 0x5c /* \ */) i++;
    } else if (c === 0x23 /* # */) {
      while (i + 1 < text.length && text.charCodeAt(i + 1) !== 0x0a) i++;
    } else if (c === 0x28 || c === 0x5b || c === 0x7b) {
      open.push(text[i]!);
      if (open.length > MAX_NESTING) return { tooDeep: i, statementStarts, open: open.join('') };
    } else if (c === 0x29 || c === 0x5d || c === 0x7d) open.pop();
    else if (c === 0x0a && open.length === 0) statementStarts.push(i + 1);
  }
  return { tooDeep: undefined, statementStarts, open: open.join('') };
}
