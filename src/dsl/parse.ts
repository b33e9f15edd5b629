// Ohm's side of parsing, and the only file that uses ohm-js (grammar-bundle.ts
// holds its grammar, prebuilt). The fast parser (fast-parse.ts) reads
// recipes; Ohm, with grammar.ohm, the grammar of record, reads only the
// statements the fast parser was not sure of, and explains every syntax error
// (what it expected there; after an error it resumes at the next top-level
// statement, so every broken statement is reported at once). read-recipe.ts
// decides which. Ohm's intervals become our `Span`s here.
import type { FailedMatchResult, IterationNode, MatchResult, Node, NonterminalNode, TerminalNode } from 'ohm-js';
import type * as Ast from './ast.ts';
import { type Diagnostic, InvalidRecipe } from './diagnostic.ts';
import { scanBrackets } from './brackets.ts';
import type { FastPiece } from './fast-parse.ts';
import { grammar } from './grammar-bundle.ts';
import { BINARY_RULES, type Change, ESCAPES, EXPRESSION_KEYWORDS, KEYWORDS, STATEMENT_WORDS, WORDS } from './grammar-words.ts';
import { closest, editDistance, LONGEST_SUGGESTED } from '../suggest.ts';
import { MAX_DEPTH, MAX_SYNTAX_ERRORS } from '../limits.ts';
import { parsePattern } from './pattern-parse.ts';
import type { SourceFile, Span } from './source.ts';

/**
 * Ohm matches about 50-100 KB of this grammar a second, and keeps about 1.4 KB of memo per character: a
 * statement of up to OHM_STATEMENT_BYTES is given to it whole, and OHM_TOTAL_BYTES at most for one recipe,
 * so that any recipe up to MAX_RECIPE_BYTES is checked in bounded time and memory (issue 29: a 2 MB
 * identifier before a syntax error took Ohm 20 s and 2.9 GB). Past them, a statement is cut at the end of the
 * line where the fast parser gave up; and if Ohm finds no error in that part either, the fast parser's
 * position is reported, without Ohm's list of what was expected.
 */
const OHM_STATEMENT_BYTES = 16 << 10;
const OHM_TOTAL_BYTES = 64 << 10;

/** The fast parser's pieces, the unsure ones parsed by Ohm (or explained without it, past its budget): the tree, or every error. */
export function parsePieces(source: SourceFile, pieces: readonly FastPiece[], statementStarts: readonly number[]): Ast.Recipe {
  const statements: Ast.Statement[] = [];
  const diagnostics: Diagnostic[] = [];
  let ohmBytes = 0;
  const text = source.text;
  for (const piece of pieces) {
    if (diagnostics.length >= MAX_SYNTAX_ERRORS) break;
    if (piece.kind === 'parsed') {
      for (const statement of piece.statements) statements.push(statement);
      continue;
    }
    if (piece.kind === 'too-deep') {
      diagnostics.push(tooDeepDiagnostic(piece.at));
      continue;
    }
    const lineEnd = text.indexOf('\n', piece.at);
    const cut = lineEnd < 0 || lineEnd >= piece.end ? piece.end : lineEnd + 1;
    const whole = piece.end - piece.start <= OHM_STATEMENT_BYTES;
    const end = whole ? piece.end : cut;
    if (end - piece.start > OHM_STATEMENT_BYTES || ohmBytes + (end - piece.start) > OHM_TOTAL_BYTES) {
      diagnostics.push(syntaxDiagnostic(source, piece.at, undefined));
      continue;
    }
    ohmBytes += end - piece.start;
    const found = parseWithOhm(source, statementStarts.filter((at) => at > piece.start && at < end), { start: piece.start, end, cut: !whole });
    for (const statement of found.statements) statements.push(statement);
    for (const diagnostic of found.diagnostics) if (diagnostics.length < MAX_SYNTAX_ERRORS) diagnostics.push(diagnostic);
    // Cut short, the statement ran on past what Ohm saw; or Ohm ran out of stack: where the fast parser gave up is what is known.
    if (found.overflowed || (!whole && found.diagnostics.length === 0)) diagnostics.push(syntaxDiagnostic(source, piece.at, undefined));
  }
  if (diagnostics.length > 0) throw new InvalidRecipe(source, diagnostics);
  return { statements };
}

function tooDeepDiagnostic(offset: number): Diagnostic {
  return {
    code: 'too-deep',
    message: `nesting deeper than ${MAX_DEPTH} levels`,
    span: { start: offset, end: offset + 1 },
    hint: 'brackets, blocks, unary operators, reads, `else if`s and each operator of a chain all count: name intermediate values with let, or split the chain',
  };
}

/** How deep a tree of Ohm's nests, counted iteratively (an Ohm tree is not from the fast parser, which counts as it reads): the offset of a node deeper than MAX_DEPTH, if any. */
function tooDeepAt(statements: readonly Ast.Statement[]): number | undefined {
  const stack: [unknown, number][] = statements.map((s) => [s, 0]);
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object' || ArrayBuffer.isView(node)) continue;
    if (Array.isArray(node)) {
      for (const item of node) stack.push([item, depth]);
      continue;
    }
    const record = node as Record<string, unknown>;
    const level = typeof record.kind === 'string' ? depth + 1 : depth;
    if (level > MAX_DEPTH) return (record.span as Span | undefined)?.start ?? 0;
    for (const key in record) if (key !== 'span') stack.push([record[key], level]);
  }
  return undefined;
}

interface OhmRange {
  statements: Ast.Statement[];
  diagnostics: Diagnostic[];
  overflowed: boolean;
}

/** Ohm's parse (the grammar of record) of a whole recipe: the tree, or every syntax error. `statementStarts`: see scanBrackets. */
export function parseWithOhm(source: SourceFile, statementStarts?: readonly number[]): Ast.Recipe;
/**
 * Ohm's parse of `range` of a recipe: its statements and syntax errors; `cut`: the range ends before its
 * statement does (no error is reported at its end); `overflowed`: Ohm ran out of stack.
 */
export function parseWithOhm(source: SourceFile, statementStarts: readonly number[], range: { start: number; end: number; cut: boolean }): OhmRange;
export function parseWithOhm(
  source: SourceFile,
  statementStarts: readonly number[] = scanBrackets(source.text).statementStarts,
  range?: { start: number; end: number; cut: boolean },
): Ast.Recipe | OhmRange {
  const statements: Ast.Statement[] = [];
  const diagnostics: Diagnostic[] = [];
  let overflowed = false;
  // Ohm memoizes every rule at every position of the text it matches: a large recipe costs memory and time
  // beyond its size (20 000 lines: 6 s, 850 MB). Top-level statements are matched a chunk of lines at a time.
  const parseRange = (start: number, end: number): void => {
    if (diagnostics.length >= MAX_SYNTAX_ERRORS) return;
    let match: MatchResult;
    let recipe: Ast.Recipe | undefined;
    try {
      match = grammar.match(start === 0 && end === source.text.length ? source.text : source.text.slice(start, end));
      if (!match.failed()) recipe = semantics(match).ast() as Ast.Recipe;
    } catch (error) {
      // Ohm recurses a dozen rules per level of the grammar: a statement within MAX_DEPTH (a chain of 190 `read …
      // at`) may still be too deep for it. Then what the fast parser found is reported instead.
      if (!(error instanceof RangeError && /call stack/.test(error.message))) throw error;
      if (range === undefined) diagnostics.push(tooDeepDiagnostic(start));
      else overflowed = true;
      return;
    }
    if (recipe !== undefined) {
      // Measured before shiftSpans, which recurses.
      const deep = tooDeepAt(recipe.statements);
      if (deep !== undefined) diagnostics.push(tooDeepDiagnostic(start + deep));
      else {
        if (start > 0) shiftSpans(recipe, start);
        for (const statement of recipe.statements) statements.push(statement);
      }
      return;
    }
    // The statement that failed lies between the top-level line starts around the failure: parse what comes
    // before it, report it, and go on after it.
    const failed = match as FailedMatchResult;
    const failure = start + failed.getRightmostFailurePosition();
    if (range?.cut === true && failure >= range.end) return; // the cut, not an error
    const before = lastAtMost(statementStarts, failure, start);
    const after = statementStarts.find((at) => at > failure && at <= end) ?? end;
    if (before > start) parseRange(start, before);
    if (diagnostics.length < MAX_SYNTAX_ERRORS) diagnostics.push(syntaxDiagnostic(source, failure, failed.getExpectedText()));
    if (after < end) parseRange(after, end);
  };
  if (range !== undefined) {
    parseRange(range.start, range.end);
    return { statements, diagnostics, overflowed };
  }
  for (const { start, end } of chunks(statementStarts, source.text.length, CHUNK_BYTES)) parseRange(start, end);
  if (diagnostics.length > 0) throw new InvalidRecipe(source, diagnostics);
  return { statements };
}

/** Bytes of recipe matched at once, at most (a chunk ends after a line, between statements). */
const CHUNK_BYTES = 4 << 10;

/** The largest of the sorted `offsets` that is at most `limit`, or `floor`. */
function lastAtMost(offsets: readonly number[], limit: number, floor: number): number {
  let found = floor;
  for (const at of offsets) {
    if (at > limit) break;
    if (at > found) found = at;
  }
  return found;
}

/** The text cut at top-level statement starts into pieces of about `size`. */
function chunks(statementStarts: readonly number[], length: number, size: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start = 0;
  for (const at of statementStarts) {
    if (at - start >= size) {
      out.push({ start, end: at });
      start = at;
    }
  }
  if (start < length || out.length === 0) out.push({ start, end: length });
  return out;
}

/** Moves every span of a chunk's AST (objects `{ start, end }`) to where the chunk lies in the whole text, each once. */
function shiftSpans(node: unknown, by: number, seen = new Set<object>()): void {
  if (node === null || typeof node !== 'object' || ArrayBuffer.isView(node) || seen.has(node)) return;
  seen.add(node);
  if (Array.isArray(node)) {
    for (const item of node) shiftSpans(item, by, seen);
    return;
  }
  const record = node as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 2 && typeof record.start === 'number' && typeof record.end === 'number') {
    record.start += by;
    record.end += by;
    return;
  }
  for (const key of keys) shiftSpans(record[key], by, seen);
}

/** `expected`: Ohm's list of what could come there; undefined where the fast parser's position is all that is known. */
function syntaxDiagnostic(source: SourceFile, offset: number, expected: string | undefined): Diagnostic {
  const found = source.text.slice(offset).match(/^(\r?\n|[A-Za-z_0-9]+|[^ \t])?/u)?.[0] ?? '';
  // A byte-order mark, a vertical tab, a no-break space: invisible, so named by their code point.
  const invisible = found.length > 0 && /^[\s\u200b\ufeff]$/u.test(found) && !found.endsWith('\n');
  const what = found === '' ? 'end of recipe' : found.endsWith('\n') ? 'end of line' : invisible ? `character U+${found.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} (invisible)` : `'${found}'`;
  const keyword = KEYWORDS.has(found) && expected?.includes('a name') === true;
  // `}` then a newline then `else`: the if ended at the newline, as in Go.
  const lineStart = source.text.lastIndexOf('\n', offset - 1) + 1;
  if (found === 'else' && source.text.slice(lineStart, offset).trim() === '' && /}\s*$/.test(source.text.slice(0, lineStart))) {
    return {
      code: 'syntax',
      message: '`else` must follow the `}` of its `if` on the same line',
      span: { start: offset, end: offset + 4 },
      hint: 'write `} else {` (a newline after `}` ends the if statement)',
    };
  }
  const misspelt = misspeltStatementWord(source.text, offset);
  if (misspelt !== undefined) return misspelt;
  return {
    code: 'syntax',
    message: keyword ? `'${found}' is a keyword and cannot be a name` : expected === undefined ? `unexpected ${what}` : `unexpected ${what}: expected ${expected}`,
    span: { start: offset, end: offset + Math.max(1, found.trimEnd().length) },
    hint: keyword ? `choose another name, such as '${found}_'` : 'one statement per line (or separated by `;`); see docs/language.md',
  };
}

/** The words a misspelt first word of a statement may have meant: a statement's, or a value's (`scna` for `scan`). */
const MEANT_WORDS = [...STATEMENT_WORDS, ...[...EXPRESSION_KEYWORDS].filter((word) => word !== 'true' && word !== 'false')];

/**
 * `prnt 1`, `lett x = 1`: the statement's first word is no keyword, so it was read as the name an assignment
 * starts with, and the error found where `=` should have been. Said of the word instead, when it is near a
 * keyword: a diagnostic that depends on the text and the offset only, so that the fast parser's and Ohm's
 * positions give the same one.
 */
function misspeltStatementWord(text: string, offset: number): Diagnostic | undefined {
  let end = offset;
  while (end > 0 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  let start = end;
  // A misspelt keyword is short: the scan back stops past any word closest() would consider.
  while (start > 0 && end - start <= LONGEST_SUGGESTED && /[A-Za-z0-9_]/.test(text[start - 1]!)) start--;
  const word = text.slice(start, end);
  if (!/^[A-Za-z_]/.test(word) || KEYWORDS.has(word) || WORDS.has(word)) return undefined;
  let before = start;
  while (before > 0 && (text[before - 1] === ' ' || text[before - 1] === '\t')) before--;
  if (before > 0 && !'\n;{'.includes(text[before - 1]!)) return undefined;
  const meant = closest(word, MEANT_WORDS);
  // `x` is two edits from `if`, as from most short words: a suggestion keeps at least one letter of the word.
  if (meant === undefined || editDistance(word, meant) >= word.length) return undefined;
  const assignment = `a statement that starts with a name assigns to it: \`${word} = …\``;
  return {
    code: 'syntax',
    message: `'${word}' is not a statement keyword`,
    span: { start, end },
    hint: STATEMENT_WORDS.has(meant) ? `did you mean '${meant}'? (${assignment})` : `did you mean '${meant}'? it gives a value: \`let NAME = ${meant} …\``,
  };
}

function span(node: Node): Span {
  return { start: node.source.startIdx, end: node.source.endIdx };
}

function binary(operator: Ast.BinaryOperator) {
  return function (this: NonterminalNode, left: Node, op: Node, right: Node): Ast.BinaryExpression {
    return { kind: 'binary', operator, left: left['ast'](), right: right['ast'](), operatorSpan: span(op), span: span(this) };
  };
}

function unary(operator: Ast.UnaryOperator) {
  return function (this: NonterminalNode, _op: Node, operand: Node): Ast.UnaryExpression {
    return { kind: 'unary', operator, operand: operand['ast'](), span: span(this) };
  };
}

function integerLiteral(this: NonterminalNode): Ast.IntegerLiteral {
  return { kind: 'integer', value: BigInt(this.sourceString.replaceAll('_', '')), span: span(this) };
}

const utf8 = new TextEncoder();

/**
 * A scan's or a pointer scan's options by their word (`limit`, `unique` …), the first of each: `value(word)`, its
 * expression's AST; `given`, whether it is there; `repeated`, the spans of those given again.
 */
function optionsGiven(options: IterationNode): { given: (word: string) => boolean; value: (word: string) => Ast.Expression | undefined; repeated: Span[] } {
  const first = new Map<string, Node>();
  const repeated: Span[] = [];
  for (const option of options.children) {
    const name = /^[a-z]+/.exec(option.sourceString)![0];
    if (first.has(name)) repeated.push(span(option));
    else first.set(name, option);
  }
  return {
    given: (word) => first.has(word),
    value: (word) => {
      const option = first.get(word);
      return option === undefined ? undefined : (option['ast']() as Ast.Expression);
    },
    repeated,
  };
}

/** The AST of an optional clause (`Foo?`), or undefined. */
function optional<T>(node: IterationNode): T | undefined {
  const first = node.children[0];
  return first === undefined ? undefined : (first['ast']() as T);
}

const semantics = grammar.createSemantics().addOperation<unknown>('ast', {
  Recipe(_leading: Node, statements: Node, _trailing: Node): Ast.Recipe {
    return { statements: statements.asIteration().children.map((s) => s['ast']()) };
  },
  TypeDecl_struct(this: NonterminalNode, _kw: Node, name: Node, packed: IterationNode, fields: Node): Ast.TypeDeclaration {
    return { kind: 'type', tag: 'struct', name: name['ast'](), packed: packed.children.length > 0, fields: fields['ast'](), enumerators: [], base: undefined, span: span(this) };
  },
  TypeDecl_union(this: NonterminalNode, _kw: Node, name: Node, fields: Node): Ast.TypeDeclaration {
    return { kind: 'type', tag: 'union', name: name['ast'](), packed: false, fields: fields['ast'](), enumerators: [], base: undefined, span: span(this) };
  },
  TypeDecl_enum(this: NonterminalNode, _kw: Node, name: Node, base: IterationNode, enumerators: Node): Ast.TypeDeclaration {
    return { kind: 'type', tag: 'enum', name: name['ast'](), packed: false, fields: [], enumerators: enumerators['ast'](), base: optional(base), span: span(this) };
  },
  FieldBlock(_open: Node, _leading: Node, fields: Node, _trailing: Node, _close: Node): Ast.FieldDeclaration[] {
    return fields.asIteration().children.map((f) => f['ast']());
  },
  Field(this: NonterminalNode, name: Node, _colon: Node, type: Node, at: IterationNode): Ast.FieldDeclaration {
    return { name: name['ast'](), type: type['ast'](), at: optional(at), span: span(this) };
  },
  FieldAt(_kw: Node, offset: Node): Ast.Expression {
    return offset['ast']();
  },
  EnumBase(_colon: Node, type: Node): Ast.TypeExpression {
    return type['ast']();
  },
  EnumBlock(_open: Node, _leading: Node, enumerators: Node, _trailing: Node, _close: Node): Ast.EnumeratorDeclaration[] {
    return enumerators.asIteration().children.map((e) => e['ast']());
  },
  Enumerator(this: NonterminalNode, name: Node, value: IterationNode): Ast.EnumeratorDeclaration {
    return { name: name['ast'](), value: optional(value), span: span(this) };
  },
  EnumValue(_eq: Node, value: Node): Ast.Expression {
    return value['ast']();
  },
  TypeExpr_pointer(this: NonterminalNode, target: Node, _star: Node): Ast.TypeExpression {
    return { kind: 'pointer', target: target['ast'](), span: span(this) };
  },
  TypeExpr_array(this: NonterminalNode, element: Node, _open: Node, count: IterationNode, _close: Node): Ast.TypeExpression {
    return { kind: 'array', element: element['ast'](), count: optional(count), span: span(this) };
  },
  TypeExpr_tagged(this: NonterminalNode, tag: Node, name: Node): Ast.TypeExpression {
    return { kind: 'named', tag: tag.sourceString as 'struct' | 'union' | 'enum', name: name.sourceString, span: span(this) };
  },
  TypeExpr_named(this: NonterminalNode, name: Node): Ast.TypeExpression {
    return { kind: 'named', tag: undefined, name: name.sourceString, span: span(this) };
  },
  Cast_as(this: NonterminalNode, value: Node, _kw: Node, type: Node, module: IterationNode): Ast.CastExpression {
    return { kind: 'cast', value: value['ast'](), type: type['ast'](), module: optional(module), span: span(this) };
  },
  CastFrom(_kw: Node, module: Node): Ast.StringLiteral {
    return module['ast']();
  },
  SizeOf(this: NonterminalNode, _kw: Node, _open: Node, type: Node, module: IterationNode, _close: Node): Ast.SizeofExpression {
    return { kind: 'sizeof', type: type['ast'](), module: optional(module), span: span(this) };
  },
  OffsetOf(this: NonterminalNode, _kw: Node, _open: Node, type: Node, module: IterationNode, _comma: Node, path: Node, _close: Node): Ast.OffsetofExpression {
    return { kind: 'offsetof', type: type['ast'](), module: optional(module), path: path['ast'](), span: span(this) };
  },
  FieldPath(first: Node, steps: IterationNode): Ast.OffsetofExpression['path'] {
    return [{ kind: 'member', name: first['ast']() }, ...steps.children.map((s) => s['ast']())];
  },
  FieldStep_member(_dot: Node, name: Node): Ast.OffsetofExpression['path'][number] {
    return { kind: 'member', name: name['ast']() };
  },
  FieldStep_index(this: NonterminalNode, _open: Node, index: Node, _close: Node): Ast.OffsetofExpression['path'][number] {
    return { kind: 'index', index: index['ast'](), span: span(this) };
  },
  Param(this: NonterminalNode, _kw: Node, name: Node, _colon: Node, type: Node, dflt: IterationNode): Ast.ParamStatement {
    const first = dflt.children[0];
    return { kind: 'param', name: name['ast'](), type: type['ast'](), default: first === undefined ? undefined : first['ast'](), span: span(this) };
  },
  ParamDefault(_eq: Node, value: Node): Ast.Expression {
    return value['ast']();
  },
  Let(this: NonterminalNode, _kw: Node, name: Node, _eq: Node, value: Node): Ast.LetStatement {
    return { kind: 'let', name: name['ast'](), value: value['ast'](), span: span(this) };
  },
  Print(this: NonterminalNode, _kw: Node, values: Node): Ast.PrintStatement {
    return { kind: 'print', values: values.asIteration().children.map((v) => v['ast']()), span: span(this) };
  },
  Emit(this: NonterminalNode, _kw: Node, name: Node, _eq: Node, value: Node): Ast.EmitStatement {
    return { kind: 'emit', name: name['ast'](), value: value['ast'](), span: span(this) };
  },
  Assign(this: NonterminalNode, name: Node, _eq: Node, value: Node): Ast.AssignStatement {
    return { kind: 'assign', name: name['ast'](), value: value['ast'](), span: span(this) };
  },
  If(this: NonterminalNode, _kw: Node, condition: Node, then: Node, otherwise: IterationNode): Ast.IfStatement {
    const clause = otherwise.children[0];
    return { kind: 'if', condition: condition['ast'](), then: then['ast'](), otherwise: clause === undefined ? undefined : clause['ast'](), span: span(this) };
  },
  Else_if(_kw: Node, nested: Node): Ast.Statement[] {
    return [nested['ast']()];
  },
  Else_block(_kw: Node, block: Node): Ast.Statement[] {
    return block['ast']();
  },
  For(this: NonterminalNode, _kw: Node, variable: Node, _in: Node, over: Node, limit: IterationNode, body: Node): Ast.ForStatement {
    return { kind: 'for', variable: variable['ast'](), over: over['ast'](), limit: optional(limit), body: body['ast'](), span: span(this) };
  },
  While(this: NonterminalNode, _kw: Node, condition: Node, limit: IterationNode, body: Node): Ast.WhileStatement {
    return { kind: 'while', condition: condition['ast'](), limit: optional(limit), body: body['ast'](), span: span(this) };
  },
  Break(this: NonterminalNode, _kw: Node): Ast.BreakStatement {
    return { kind: 'break', span: span(this) };
  },
  ListLiteral_empty(this: NonterminalNode, _open: Node, _close: Node): Ast.ListLiteral {
    return { kind: 'list', items: [], span: span(this) };
  },
  ListLiteral_items(this: NonterminalNode, _open: Node, first: Node, _comma: Node, rest: Node, _trailing: IterationNode, _close: Node): Ast.ListLiteral {
    return { kind: 'list', items: [first['ast'](), ...rest.asIteration().children.map((item) => item['ast']())], span: span(this) };
  },
  boolean(this: NonterminalNode, _word: Node): Ast.BooleanLiteral {
    return { kind: 'boolean', value: this.sourceString === 'true', span: span(this) };
  },
  ForSource_range(from: Node, _dots: Node, to: Node): Ast.ForRange {
    return { kind: 'range', from: from['ast'](), to: to['ast']() };
  },
  ForSource_list(list: Node): Ast.ForList {
    return { kind: 'list', list: list['ast']() };
  },
  Write(this: NonterminalNode, _kw: Node, type: Node, _at: Node, address: Node, _eq: Node, value: Node): Ast.WriteStatement {
    return { kind: 'write', type: type['ast'](), address: address['ast'](), value: value['ast'](), span: span(this) };
  },
  Dump(this: NonterminalNode, _kw: Node, address: Node, _comma: Node, length: Node): Ast.DumpStatement {
    return { kind: 'dump', address: address['ast'](), length: length['ast'](), span: span(this) };
  },
  Patch(this: NonterminalNode, _kw: Node, name: IterationNode, freeze: IterationNode, body: Node): Ast.PatchStatement {
    return { kind: 'patch', name: optional(name), freeze: freeze.children.length > 0, sites: body['ast'](), span: span(this) };
  },
  PatchBody_block(_open: Node, _leading: Node, sites: Node, _trailing: Node, _close: Node): Ast.PatchSite[] {
    return sites.asIteration().children.map((s) => s['ast']());
  },
  PatchBody_single(site: Node): Ast.PatchSite[] {
    return [site['ast']()];
  },
  PatchSite(this: NonterminalNode, _at: Node, address: Node, expect: IterationNode, _with: Node, replacement: Node): Ast.PatchSite {
    return { address: address['ast'](), expect: optional(expect), replacement: replacement['ast'](), span: span(this) };
  },
  PatchExpect(_kw: Node, datum: Node): Ast.Datum {
    return datum['ast']();
  },
  Datum_typed(this: NonterminalNode, type: Node, value: Node): Ast.Datum {
    return { kind: 'typed', type: { name: type.sourceString, size: undefined, span: span(type) }, value: value['ast'](), span: span(this) };
  },
  Datum_utf16(this: NonterminalNode, _kw: Node, value: Node): Ast.Datum {
    return { kind: 'utf16', value: value['ast'](), span: span(this) };
  },
  Datum_plain(this: NonterminalNode, value: Node): Ast.Datum {
    return { kind: 'plain', value: value['ast'](), span: span(this) };
  },
  Scan(this: NonterminalNode, _kw: Node, needle: Node, _in: Node, range: Node, options: IterationNode): Ast.ScanExpression {
    const { given, value, repeated } = optionsGiven(options);
    return { kind: 'scan', needle: needle['ast'](), range: range['ast'](), perms: value('perms'), align: value('align'), limit: value('limit'), unique: given('unique'), repeated, span: span(this) };
  },
  PointerScan(this: NonterminalNode, _kw: Node, _to: Node, address: Node, options: IterationNode): Ast.PointerScanExpression {
    const { given, value, repeated } = optionsGiven(options);
    return { kind: 'pointerscan', address: address['ast'](), depth: value('depth'), offset: value('offset'), limit: value('limit'), within: value('in'), stacks: given('stacks'), repeated, span: span(this) };
  },
  PointerScanOption_in(_kw: Node, value: Node): Ast.Expression {
    return value['ast']();
  },
  PointerScanOption_depth(_kw: Node, value: Node): Ast.Expression {
    return value['ast']();
  },
  PointerScanOption_offset(_kw: Node, value: Node): Ast.Expression {
    return value['ast']();
  },
  PointerScanOption_limit(_kw: Node, value: Node): Ast.Expression {
    return value['ast']();
  },
  PointerScanOption_stacks(_word: Node): undefined {
    return undefined;
  },
  Narrow_to(this: NonterminalNode, _kw: Node, list: Node, to: Node, address: Node): Ast.NarrowExpression {
    return { kind: 'narrow', list: list['ast'](), type: undefined, test: { kind: 'to', address: address['ast'](), span: { start: span(to).start, end: span(address).end } }, span: span(this) };
  },
  Narrow_typed(this: NonterminalNode, _kw: Node, list: Node, type: Node, test: Node): Ast.NarrowExpression {
    return { kind: 'narrow', list: list['ast'](), type: { name: type.sourceString, size: undefined, span: span(type) }, test: test['ast'](), span: span(this) };
  },
  NarrowTest_compare(this: NonterminalNode, operator: Node, value: Node, within: IterationNode): Ast.NarrowTest {
    return { kind: 'compare', operator: operator.sourceString as Ast.CompareOperator, value: value['ast'](), within: optional(within), span: span(this) };
  },
  NarrowTest_between(this: NonterminalNode, _kw: Node, low: Node, _and: Node, high: Node): Ast.NarrowTest {
    return { kind: 'between', low: low['ast'](), high: high['ast'](), span: span(this) };
  },
  NarrowTest_any(this: NonterminalNode, _word: Node): Ast.NarrowTest {
    return { kind: 'any', span: span(this) };
  },
  NarrowTest_change(this: NonterminalNode, word: Node): Ast.NarrowTest {
    return { kind: 'change', change: word.sourceString as Change, span: span(this) };
  },
  NarrowWithin(_kw: Node, value: Node): Ast.Expression {
    return value['ast']();
  },
  ScanRange_all(this: NonterminalNode, _kw: Node) {
    return { kind: 'all', span: span(this) };
  },
  ScanRange_anon(this: NonterminalNode, _kw: Node) {
    return { kind: 'anon', span: span(this) };
  },
  ScanRange_region(this: NonterminalNode, region: Node) {
    return { kind: 'region', region: region['ast'](), span: span(this) };
  },
  ScanOption_perms(_kw: Node, value: Node): Ast.Expression {
    return value['ast']();
  },
  ScanOption_align(_kw: Node, value: Node): Ast.Expression {
    return value['ast']();
  },
  ScanOption_limit(_kw: Node, value: Node): Ast.Expression {
    return value['ast']();
  },
  ScanOption_unique(_kw: Node): undefined {
    return undefined;
  },
  ForLimit(_kw: Node, value: Node): Ast.Expression {
    return value['ast']();
  },
  Assert(this: NonterminalNode, _kw: Node, condition: Node, message: IterationNode): Ast.AssertStatement {
    const clause = message.children[0];
    return { kind: 'assert', condition: condition['ast'](), message: clause === undefined ? undefined : clause['ast'](), span: span(this) };
  },
  AssertMessage(_comma: Node, value: Node): Ast.Expression {
    return value['ast']();
  },
  Block(_open: Node, _leading: Node, statements: Node, _trailing: Node, _close: Node): Ast.Statement[] {
    return statements.asIteration().children.map((s) => s['ast']());
  },
  Or_or(this: NonterminalNode, left: Node, _op: Node, right: Node): Ast.LogicalExpression {
    return { kind: 'logical', operator: '||', left: left['ast'](), right: right['ast'](), span: span(this) };
  },
  And_and(this: NonterminalNode, left: Node, _op: Node, right: Node): Ast.LogicalExpression {
    return { kind: 'logical', operator: '&&', left: left['ast'](), right: right['ast'](), span: span(this) };
  },
  Not_not(this: NonterminalNode, _op: Node, operand: Node): Ast.NotExpression {
    return { kind: 'not', operand: operand['ast'](), span: span(this) };
  },
  Compare_compare(this: NonterminalNode, left: Node, op: Node, right: Node): Ast.CompareExpression {
    return { kind: 'compare', operator: op.sourceString as Ast.CompareOperator, left: left['ast'](), right: right['ast'](), span: span(this) };
  },
  CstringMax(this: NonterminalNode, kw: Node, _max: Node, value: Node): Ast.TypeRef {
    return { name: kw.sourceString, size: value['ast'](), span: span(this) };
  },
  SizedType(this: NonterminalNode, name: Node, value: Node): Ast.TypeRef {
    return { name: name.sourceString, size: value['ast'](), span: span(this) };
  },
  typeName(this: NonterminalNode, _first: Node, _rest: Node): Ast.TypeRef {
    return { name: this.sourceString, size: undefined, span: span(this) };
  },
  // BitOr_or, …, Mul_mod: one action for each operator of the grammar.
  ...Object.fromEntries(Object.entries(BINARY_RULES).map(([rule, operator]) => [rule, binary(operator)])),
  Unary_neg: unary('-'),
  Unary_not: unary('~'),
  Postfix_index(this: NonterminalNode, object: Node, _open: Node, index: Node, _close: Node): Ast.IndexExpression {
    return { kind: 'index', object: object['ast'](), index: index['ast'](), span: span(this) };
  },
  Postfix_field(this: NonterminalNode, object: Node, _dot: Node, field: Node): Ast.FieldExpression {
    return { kind: 'field', object: object['ast'](), field: field['ast'](), span: span(this) };
  },
  Call(this: NonterminalNode, callee: Node, _open: Node, args: Node, _close: Node): Ast.CallExpression {
    return { kind: 'call', callee: callee['ast'](), args: args.asIteration().children.map((a) => a['ast']()), span: span(this) };
  },
  Read(this: NonterminalNode, _kw: Node, type: Node, _at: Node, address: Node): Ast.ReadExpression {
    return { kind: 'read', type: type['ast'](), address: address['ast'](), span: span(this) };
  },
  Deref(this: NonterminalNode, _open: Node, address: Node, _close: Node): Ast.DerefExpression {
    return { kind: 'deref', address: address['ast'](), span: span(this) };
  },
  Paren(_open: Node, inner: Node, _close: Node): Ast.Expression {
    return inner['ast']();
  },
  number_float(this: NonterminalNode, _int: Node, _dot: Node, _frac: Node): Ast.FloatLiteral {
    return { kind: 'float', value: Number(this.sourceString), span: span(this) };
  },
  number_hex(this: NonterminalNode, _prefix: Node, _first: Node, _rest: Node) {
    return integerLiteral.call(this);
  },
  number_bin(this: NonterminalNode, _prefix: Node, _first: Node, _rest: Node) {
    return integerLiteral.call(this);
  },
  number_dec(this: NonterminalNode, _first: Node, _rest: Node) {
    return integerLiteral.call(this);
  },
  string(this: NonterminalNode, _open: Node, chars: IterationNode, _close: Node): Ast.StringLiteral {
    // `children` builds its array anew on every access: take it once (a 64 KiB string has 64 Ki children).
    const children = chars.children;
    const parts = children.map((c) => c['ast']() as string);
    // `\xNN` is the byte NN; every other character is its UTF-8.
    const bytes = parts.flatMap((part, i) => (children[i]!.sourceString.startsWith('\\x') ? [part.charCodeAt(0)] : [...utf8.encode(part)]));
    return { kind: 'string', value: parts.join(''), bytes: Uint8Array.from(bytes), span: span(this) };
  },
  hexString(this: NonterminalNode, _open: Node, chars: IterationNode, _close: Node): Ast.BytesLiteral {
    const text = chars.sourceString;
    const result = parsePattern(text);
    return { kind: 'bytes', pattern: result.ok ? result.pattern : undefined, problem: result.ok ? undefined : result.problem, text, span: span(this) };
  },
  strChar_escaped(_backslash: Node, escape: Node): string {
    return escape['ast']();
  },
  strChar_plain(this: NonterminalNode, _char: Node): string {
    return this.sourceString;
  },
  escape_hex(this: NonterminalNode, _x: Node, _h1: Node, _h2: Node): string {
    return String.fromCharCode(parseInt(this.sourceString.slice(1), 16));
  },
  escape_single(this: NonterminalNode, _char: Node): string {
    return ESCAPES[this.sourceString] ?? this.sourceString;
  },
  memberName(this: NonterminalNode, _start: Node, _rest: Node): Ast.NameReference {
    return { kind: 'name', name: this.sourceString, span: span(this) };
  },
  ident(this: NonterminalNode, _start: Node, _rest: Node): Ast.Identifier | Ast.NameReference {
    // An identifier in expression position is a name reference; as a
    // declaration's name the caller reads only `name` and `span`.
    return { kind: 'name', name: this.sourceString, span: span(this) };
  },
  _terminal(this: TerminalNode): string {
    return this.sourceString;
  },
});
