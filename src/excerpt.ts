// The source line with a caret under a span, gcc style, for diagnostics
// (from the DSL) and runtime errors (from plan locations) alike:
//    12 | let n = read u24 at counter
//       |              ^~~

import { MAX_EXCERPT_COLUMNS } from './limits.ts';

export interface SourceLine {
  /** From 1. */
  readonly line: number;
  /** From 1, in UTF-16 units. */
  readonly col: number;
  /** The whole source line, without its line break. */
  readonly text: string;
  /** Columns to underline, at least 1. */
  readonly width: number;
}

/** A longer line is shown cut to MAX_EXCERPT_COLUMNS around the caret, `…` where it was cut: a 1 MB line is not echoed whole. */
export function formatExcerpt({ line, col, text, width }: SourceLine): string {
  const gutter = String(line);
  let [from, to] = [0, text.length];
  if (text.length > MAX_EXCERPT_COLUMNS) {
    // The caret at about a third of the window, so that what led to it shows.
    from = Math.max(0, Math.min(col - 1 - Math.floor(MAX_EXCERPT_COLUMNS / 3), text.length - MAX_EXCERPT_COLUMNS));
    to = from + MAX_EXCERPT_COLUMNS;
    if (isLowSurrogate(text.charCodeAt(from))) from++; // never half a character
    if (isLowSurrogate(text.charCodeAt(to))) to++;
  }
  const [before, after] = [from > 0 ? '…' : '', to < text.length ? '…' : ''];
  // Tabs stay tabs, so the caret lines up however the terminal expands them.
  const indent = before.replace(/./, ' ') + text.slice(from, col - 1).replace(/[^\t]/g, ' ');
  const underline = Math.max(0, Math.min(width, to - (col - 1)) - 1);
  return `${gutter} | ${before}${text.slice(from, to)}${after}\n${' '.repeat(gutter.length)} | ${indent}^${'~'.repeat(underline)}`;
}

const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;
