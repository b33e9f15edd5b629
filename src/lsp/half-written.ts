// The names a recipe declares while a line of it is half written (it does
// not parse): the text read again with what does not parse blanked, each
// character a space so that every offset stays where it was. First the
// lines of the syntax errors (the cursor's line, mostly: hovering a name
// elsewhere keeps that name's line); then those and the cursor's line;
// failing that, everything from the cursor's line on, with the brackets
// still open closed after the end. Failing all, no names: never the names of
// an older text, whose offsets are not this one's.
import { scanBrackets } from '../dsl/brackets.ts';
import type { Span } from '../dsl/source.ts';
import type { TypeSource } from '../types/type-source.ts';
import { analyzeRecipe, type Declaration } from './recipe-analysis.ts';

/** The declarations, and whether they hold wherever the cursor is in this text (its line was not blanked). */
export interface WhileTyping {
  readonly declarations: readonly Declaration[];
  readonly anyLine: boolean;
}

export async function declarationsWhileTyping(name: string, text: string, offset: number, syntaxErrors: readonly Span[], types: TypeSource | undefined): Promise<WhileTyping> {
  const cursorLine = lineStart(text, offset);
  const errors = blankLines(text, syntaxErrors);
  const blanked = blankLines(errors, [{ start: offset, end: offset }]);
  const tail = `${blanked.slice(0, cursorLine)}${blank(blanked.slice(cursorLine))}`;
  const candidates = [errors, blanked, `${tail}${closers(tail)}`];
  for (const [i, candidate] of candidates.entries()) {
    if (i > 0 && candidate === candidates[i - 1]) continue; // the cursor's line had an error: read already
    const { diagnostics, declarations } = await analyzeRecipe({ name, text: candidate }, types);
    if (!diagnostics.some((d) => d.code === 'syntax')) return { declarations, anyLine: i === 0 };
  }
  return { declarations: [], anyLine: false };
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** `text` with the whole lines each span touches blanked. */
function blankLines(text: string, spans: readonly Span[]): string {
  const ranges = spans.map((span) => {
    const end = text.indexOf('\n', Math.max(span.start, span.end - 1)); // a span's end is exclusive
    return { start: lineStart(text, span.start), end: end < 0 ? text.length : end };
  }).sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const { start, end } of ranges) {
    if (end <= at) continue;
    const from = Math.max(start, at);
    out += text.slice(at, from) + blank(text.slice(from, end));
    at = end;
  }
  return out + text.slice(at);
}

/** Spaces for every character but line ends. */
function blank(text: string): string {
  return text.replace(/[^\r\n]/g, ' ');
}

const CLOSING: Readonly<Record<string, string>> = { '{': '}', '(': ')', '[': ']' };

/** What closes the brackets `text` leaves open (strings and comments aside), each on a line of its own. */
function closers(text: string): string {
  const { open } = scanBrackets(text);
  return open === '' ? '' : `\n${[...open].reverse().map((bracket) => CLOSING[bracket]).join('\n')}\n`;
}
