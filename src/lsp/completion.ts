// Completion: what may be written at the cursor. In code: the names visible
// there, the builtins, the types and the grammar's words (the lists the
// editor grammar is generated from, grammar-words.ts); after `NAME.`: the
// members of the struct NAME points at (a region's start, end and size);
// inside `module("` and `symbol("MODULE", "`: the target's module and symbol
// names, which the server asks the target for.
import { BUILTINS, REGION_FIELDS } from '../dsl/builtins.ts';
import { WORDS } from '../dsl/grammar-words.ts';
import { describeType } from '../dsl/static-type.ts';
import { TYPE_NAMES } from '../dsl/types.ts';
import { memberNames } from '../types/ctype.ts';
import { inCommentOrString, lineBefore } from './cursor.ts';
import { builtinSignature } from './hover.ts';
import { aggregateOf, memberContext } from './members.ts';
import { type Declaration, declarationAt, namesVisibleAt } from './recipe-analysis.ts';

export type CompletionContext =
  /** Inside `module("…` (or the first argument of `symbol("…`): a module's name. */
  | { readonly kind: 'module'; readonly typed: string }
  /** Inside the second argument of `symbol("MODULE", "…`. */
  | { readonly kind: 'symbol'; readonly module: string; readonly typed: string }
  /** Anywhere else code may go. */
  | { readonly kind: 'code'; readonly line: string }
  /** A comment, or another string: nothing to offer. */
  | { readonly kind: 'none' };

export interface Completion {
  readonly label: string;
  readonly kind: 'keyword' | 'function' | 'type' | 'variable' | 'field' | 'module' | 'symbol';
  readonly detail?: string | undefined;
}

const MODULE_ARGUMENT = /\b(?:module|symbol)\(\s*"([^"\\]*)$/;
const SYMBOL_ARGUMENT = /\bsymbol\(\s*"((?:[^"\\]|\\.)*)"\s*,\s*"([^"\\]*)$/;
/** Where a type is written: `as T`, `sizeof(T`, `offsetof(T`, a field's or a param's `: T`. */
const TYPE_PLACE = /(?:\bas\s+|\b(?:sizeof|offsetof)\(\s*|:\s*)\w*$/;

export function completionContext(text: string, offset: number): CompletionContext {
  const line = lineBefore(text, offset);
  const inside = inCommentOrString(text, offset);
  // `# see module("` is prose; inside a string, only module(" and symbol(" arguments are asked for.
  if (inside === 'comment') return { kind: 'none' };
  const symbol = SYMBOL_ARGUMENT.exec(line);
  if (symbol !== null) return { kind: 'symbol', module: symbol[1]!, typed: symbol[2]! };
  const module = MODULE_ARGUMENT.exec(line);
  if (module !== null) return { kind: 'module', typed: module[1]! };
  return inside === undefined ? { kind: 'code', line } : { kind: 'none' };
}

/** The grammar's words that are not types: keywords, and the words read in their place (`perms`, `unique`, `struct` …). */
const KEYWORDS: readonly string[] = [...WORDS].filter((word) => !TYPE_NAMES.includes(word));

/** What may be written at `offset` in code (`line`: its line up to there). */
export function codeCompletions(line: string, offset: number, declarations: readonly Declaration[]): Completion[] {
  const member = memberContext(line);
  if (member !== undefined) {
    const aggregate = aggregateOf(declarations, member.chain, offset);
    if (aggregate !== undefined) return memberNames(aggregate).map((label) => ({ label, kind: 'field' }));
    const value = member.chain.length === 1 ? declarationAt(declarations, member.chain[0]!, offset) : undefined;
    if (value?.type === 'region') return [...REGION_FIELDS].map(([label, type]) => ({ label, kind: 'field', detail: describeType(type) }));
    return [];
  }
  const types: Completion[] = [
    ...declarations.filter((d) => d.kind === 'type').map((d): Completion => ({ label: d.name, kind: 'type', detail: 'declared in the recipe' })),
    ...TYPE_NAMES.map((label): Completion => ({ label, kind: 'type' })),
  ];
  if (TYPE_PLACE.test(line)) return types;
  return [
    ...namesVisibleAt(declarations, offset).map((d): Completion => ({ label: d.name, kind: 'variable', detail: d.type === undefined ? d.kind : `${d.kind}: ${describeType(d.type)}` })),
    ...[...BUILTINS].map(([label, builtin]): Completion => ({ label, kind: 'function', detail: builtinSignature(label, builtin) })),
    ...types,
    ...KEYWORDS.map((label): Completion => ({ label, kind: 'keyword' })),
  ];
}

/** At most this many of a target's names: libc's debug file has ~10 000 symbols. */
export const MOST_NAMES = 500;

/** The names that start with what is typed, MOST_NAMES at most; `complete` false when some were left out. */
export function namesStarting(names: readonly string[], typed: string): { names: string[]; complete: boolean } {
  const found: string[] = [];
  for (const name of names) {
    if (!name.startsWith(typed)) continue;
    if (found.length === MOST_NAMES) return { names: found, complete: false };
    found.push(name);
  }
  return { names: found, complete: true };
}
