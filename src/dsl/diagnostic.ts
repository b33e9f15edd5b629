// What `check` and `parse` report: coded issues with spans, collected rather
// than thrown one at a time (STYLE habit 4), and rendered gcc-style.
import type { ErrorCode } from '../error-codes.ts';
import { RecipeError } from '../errors.ts';
import { formatExcerpt } from '../excerpt.ts';
import { type LineIndex, lineIndex, type SourceFile, type Span } from './source.ts';

export interface Diagnostic {
  /** Stable for scripts and tests: `unknown-type`, `syntax`, … */
  readonly code: ErrorCode;
  readonly message: string;
  readonly span: Span;
  /** How to fix it. */
  readonly hint?: string | undefined;
}

/** `file:line:col: error: message`, then the source line with a caret, then the hint. */
export function renderDiagnostic(source: SourceFile, d: Diagnostic, index: LineIndex = lineIndex(source)): string {
  const { line, col } = index.position(d.span.start);
  const lines = [`${source.name}:${line}:${col}: error: ${d.message}`, formatExcerpt(index.lineOf(d.span))];
  if (d.hint !== undefined) lines.push(`hint: ${d.hint}`);
  return lines.join('\n');
}

/** An invalid recipe with every diagnostic found; exit status 2. */
export class InvalidRecipe extends RecipeError {
  readonly diagnostics: readonly Diagnostic[];
  readonly source: SourceFile;

  constructor(source: SourceFile, diagnostics: readonly Diagnostic[]) {
    const index = lineIndex(source); // once for all: a large recipe may have thousands of diagnostics
    super('invalid-recipe', diagnostics.map((d) => renderDiagnostic(source, d, index)).join('\n\n'));
    this.diagnostics = diagnostics;
    this.source = source;
  }
}
