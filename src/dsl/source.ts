// A recipe's text with its name, and the line/column arithmetic every
// diagnostic needs. Spans are offsets into the text; lines and columns count from 1.
import type { SourceLine } from '../excerpt.ts';

export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface SourceFile {
  /** As the user named it: `recipe.pvm`, or `<-e>` for a one-line recipe. */
  readonly name: string;
  readonly text: string;
  /** The bytes the text was decoded from, when it was read from a file: what a signature of the recipe covers (policy/recipe-signature.ts). */
  readonly bytes?: Uint8Array | undefined;
}

/** Line and column, from 1; columns count UTF-16 units, like editors. */
export interface Position {
  readonly line: number;
  readonly col: number;
}

/**
 * Where each line starts, found once: the compiler asks for the line of
 * every node, and scanning the text from its start each time made a large
 * recipe take quadratic time (20 000 lines: 20 s).
 */
export interface LineIndex {
  lineOf(span: Span): SourceLine;
  /** The line and column of an offset (a binary search, not a scan of the text). */
  position(offset: number): Position;
}

export function lineIndex(source: SourceFile): LineIndex {
  const starts = [0];
  for (let i = source.text.indexOf('\n'); i >= 0; i = source.text.indexOf('\n', i + 1)) starts.push(i + 1);
  /** The index of the line that holds `offset`. */
  const lineAt = (offset: number): number => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  };
  let cachedLine = -1;
  let cachedText = '';
  return {
    position(offset) {
      const line = lineAt(Math.min(offset, source.text.length));
      return { line: line + 1, col: offset - starts[line]! + 1 };
    },
    lineOf(span) {
      const low = lineAt(Math.min(span.start, source.text.length));
      const lineStart = starts[low]!;
      if (low !== cachedLine) {
        // The line ends before the next line's start: not indexOf('\n') from the line's start, which made
        // 524 000 statements on one 4 MB line (`print 1;` …) scan it once each (24 s).
        let lineEnd = low + 1 < starts.length ? starts[low + 1]! - 1 : source.text.length;
        if (lineEnd > lineStart && source.text.charCodeAt(lineEnd - 1) === 0x0d) lineEnd--; // not replace(/\r$/): a regular expression scans a 4 MB line
        // One string for every location on a line (a plan holds one per step and per read).
        cachedText = source.text.slice(lineStart, lineEnd);
        cachedLine = low;
      }
      const text = cachedText;
      return { line: low + 1, col: span.start - lineStart + 1, text, width: Math.max(1, Math.min(span.end, lineStart + text.length) - span.start) };
    },
  };
}
