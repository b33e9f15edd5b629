// A recipe's text with its name, and the line/column arithmetic every
// diagnostic needs. Spans are offsets into the text; lines and columns count from 1.
import { formatExcerpt, type SourceLine } from '../excerpt.ts';

export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface SourceFile {
  /** As the user named it: `recipe.pvm`, or `<-e>` for a one-line recipe. */
  readonly name: string;
  readonly text: string;
}

export interface Position {
  readonly line: number;
  readonly col: number;
}

/** Line and column (from 1) of an offset; columns count UTF-16 units, like editors. */
export function positionOf(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

/** `recipe.pvm:12:17` */
export function locationOf(source: SourceFile, offset: number): string {
  const { line, col } = positionOf(source.text, offset);
  return `${source.name}:${line}:${col}`;
}

/** The line a span starts on, its column, and how much of that line it covers. */
export function lineOf(source: SourceFile, span: Span): SourceLine {
  return lineIndex(source).lineOf(span);
}

/**
 * Where each line starts, found once: the compiler asks for the line of
 * every node, and scanning the text from its start each time made a large
 * recipe take quadratic time (20 000 lines: 20 s).
 */
export function lineIndex(source: SourceFile): { lineOf(span: Span): SourceLine } {
  const starts = [0];
  for (let i = source.text.indexOf('\n'); i >= 0; i = source.text.indexOf('\n', i + 1)) starts.push(i + 1);
  return {
    lineOf(span) {
      let low = 0;
      let high = starts.length - 1;
      const offset = Math.min(span.start, source.text.length);
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if (starts[middle]! <= offset) low = middle;
        else high = middle - 1;
      }
      const lineStart = starts[low]!;
      let lineEnd = source.text.indexOf('\n', lineStart);
      if (lineEnd < 0) lineEnd = source.text.length;
      const text = source.text.slice(lineStart, lineEnd).replace(/\r$/, '');
      return { line: low + 1, col: span.start - lineStart + 1, text, width: Math.max(1, Math.min(span.end, lineStart + text.length) - span.start) };
    },
  };
}

/** The source line of a span with a caret under it (see excerpt.ts). */
export function excerptOf(source: SourceFile, span: Span): string {
  return formatExcerpt(lineOf(source, span));
}
