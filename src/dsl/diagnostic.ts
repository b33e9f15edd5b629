// What `check` and `parse` report: coded issues with spans, collected rather
// than thrown one at a time, and rendered gcc-style.
import type { ErrorCode } from '../error-codes.ts';
import { RecipeError } from '../errors.ts';
import { count } from '../count.ts';
import { formatExcerpt } from '../excerpt.ts';
import { MAX_DIAGNOSTICS, MAX_EXCERPT_COLUMNS } from '../limits.ts';
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
  const lines = [`${source.name}:${line}:${col}: error: ${bounded(d.message)}`, formatExcerpt(index.lineOf(d.span))];
  if (d.hint !== undefined) lines.push(`hint: ${bounded(d.hint)}`);
  return lines.join('\n');
}

/** A message quoting a 2 MB name is cut, as the excerpt is (MAX_EXCERPT_COLUMNS). */
function bounded(text: string): string {
  return text.length <= 2 * MAX_EXCERPT_COLUMNS ? text : `${text.slice(0, MAX_EXCERPT_COLUMNS)}…${text.slice(-MAX_EXCERPT_COLUMNS / 2)}`;
}

/** An invalid recipe with every diagnostic found (MAX_DIAGNOSTICS at most, the rest counted); exit status 2. */
export class InvalidRecipe extends RecipeError {
  readonly diagnostics: readonly Diagnostic[];
  readonly source: SourceFile;
  /** How many were found and not kept. */
  readonly omitted: number;

  /** `omitted`: diagnostics found and not kept, past MAX_DIAGNOSTICS. */
  constructor(source: SourceFile, diagnostics: readonly Diagnostic[], omitted = 0) {
    const index = lineIndex(source); // once for all: a large recipe may have thousands of diagnostics
    const kept = diagnostics.slice(0, MAX_DIAGNOSTICS);
    const more = omitted + diagnostics.length - kept.length;
    const rendered = kept.map((d) => renderDiagnostic(source, d, index));
    if (more > 0) rendered.push(`${source.name}: and ${count(more, 'more error')} not shown`);
    // The first diagnostic's place and fix, for whoever reads one error (the API's caller); --json lists each.
    const first = kept[0] === undefined ? undefined : index.position(kept[0].span.start);
    super('invalid-recipe', rendered.join('\n\n'), first === undefined ? {} : { where: `${source.name}:${first.line}:${first.col}`, line: first.line, col: first.col, hint: kept[0]!.hint });
    this.diagnostics = kept;
    this.source = source;
    this.omitted = more;
  }
}
