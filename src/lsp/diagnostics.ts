// The checker's diagnostics as the protocol has them: the same code, message,
// hint and span as `pvm check --json` gives, positions in UTF-16 units from 0
// (a span's offsets are already UTF-16: JavaScript strings count so), the
// hint on a line of the message, where every editor shows it.
import { type Diagnostic, DiagnosticSeverity } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { EditorDiagnostic, Severity } from './recipe-analysis.ts';
import type { TargetConfigProblem } from './target-config.ts';
import type { TargetProblem } from './target-names.ts';

const SEVERITY: Readonly<Record<Severity, DiagnosticSeverity>> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
};

export function protocolDiagnostic(document: TextDocument, d: EditorDiagnostic): Diagnostic {
  return {
    range: { start: document.positionAt(d.span.start), end: document.positionAt(Math.max(d.span.end, d.span.start)) },
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'pvm',
    message: withHint(d.message, d.hint),
    ...(d.hint === undefined ? {} : { data: { hint: d.hint } }),
  };
}

/** A target the recipe cannot be read against: one warning on its first line, saying why, with the error's code. */
export function targetDiagnostic(document: TextDocument, problem: TargetProblem | TargetConfigProblem): Diagnostic {
  const firstLine = document.getText({ start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }).replace(/\r?\n$/, '');
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: firstLine.length } },
    severity: DiagnosticSeverity.Warning,
    ...(problem.code === undefined ? {} : { code: problem.code }),
    source: 'pvm',
    message: withHint(problem.message, problem.hint),
    ...(problem.hint === undefined ? {} : { data: { hint: problem.hint } }),
  };
}

function withHint(message: string, hint: string | undefined): string {
  return hint === undefined ? message : `${message}\nhint: ${hint}`;
}
