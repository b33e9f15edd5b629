// The source line with a caret under a span, gcc style, for diagnostics
// (from the DSL) and runtime errors (from plan locations) alike:
//    12 | let n = read u24 at counter
//       |              ^~~

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

export function formatExcerpt({ line, col, text, width }: SourceLine): string {
  const gutter = String(line);
  // Tabs stay tabs, so the caret lines up however the terminal expands them.
  const indent = text.slice(0, col - 1).replace(/[^\t]/g, ' ');
  return `${gutter} | ${text}\n${' '.repeat(gutter.length)} | ${indent}^${'~'.repeat(Math.max(0, width - 1))}`;
}
