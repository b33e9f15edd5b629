// Hover: what the checker knows of the name under the cursor. A name's static
// type (and, for a typed address, the layout of what it points at); a struct,
// union or enum the recipe declares, laid out as `pvm types` prints it; a
// struct member's place and size; a builtin's signature.
import { type Builtin, BUILTINS } from '../dsl/builtins.ts';
import { describeType } from '../dsl/static-type.ts';
import { type CType, sizeOf, spell } from '../types/ctype.ts';
import { layoutOf } from '../types/layout.ts';
import { layoutText } from '../types/layout-text.ts';
import { inCommentOrString, lineBefore, wordAt } from './cursor.ts';
import { memberContext, memberOf } from './members.ts';
import { type Declaration, declarationAt } from './recipe-analysis.ts';

export interface HoverText {
  /** Markdown. */
  readonly markdown: string;
  readonly start: number;
  readonly end: number;
}

export function hoverAt(text: string, offset: number, declarations: readonly Declaration[]): HoverText | undefined {
  const word = wordAt(text, offset);
  // A word in a comment or a string is prose, not the name it spells.
  if (word === undefined || inCommentOrString(text, word.start) !== undefined) return undefined;
  const shown = (markdown: string): HoverText => ({ markdown, start: word.start, end: word.end });
  const member = memberContext(lineBefore(text, word.end));
  if (member !== undefined && member.typed === word.text) {
    const found = memberOf(declarations, member.chain, word.text, offset);
    if (found === undefined) return undefined;
    const size = sizeOf(found.type);
    return shown(`${code('c', `${spell(found.type, word.text)};`)}\nat offset ${found.offset}${size === undefined ? '' : `, ${size} bytes`}`);
  }
  const declared = declarationAt(declarations, word.text, offset);
  if (declared !== undefined) return shown(declarationText(declared));
  const builtin = BUILTINS.get(word.text);
  if (builtin !== undefined && calledAt(text, word.end)) return shown(builtinText(word.text, builtin));
  return undefined;
}

/** Whether a `(` follows `end` (spaces aside): the name is called. */
function calledAt(text: string, end: number): boolean {
  const call = /\s*\(/y;
  call.lastIndex = end;
  return call.test(text);
}

function declarationText(d: Declaration): string {
  if (d.kind === 'type') return d.ctype === undefined ? code('pvm', d.name) : layout(d.ctype);
  const head = code('pvm', `${d.kind === 'loop' ? 'for' : d.kind} ${d.name}${d.type === undefined ? '' : `: ${d.type}`}`);
  const what = d.type === undefined ? '' : `\n${describeType(d.type)}`;
  return d.ctype === undefined ? `${head}${what}` : `${head}\nthe address of ${spell(d.ctype)}:\n${layout(d.ctype)}`;
}

/** `symbol([module], name)`: the leading params it may leave out in brackets. */
export function builtinSignature(name: string, builtin: Builtin): string {
  const optional = builtin.atLeast === undefined ? 0 : builtin.params.length - builtin.atLeast;
  const params = builtin.params.map((p, i) => (i < optional ? `[${p}]` : p));
  return `${name}(${params.join(', ')}${builtin.variadic === true ? ', …' : ''})`;
}

function builtinText(name: string, builtin: Builtin): string {
  return `${code('pvm', builtinSignature(name, builtin))}\nbuiltin; e.g. \`${builtin.example}\``;
}

function layout(type: CType): string {
  return code('c', layoutText(layoutOf(type)));
}

function code(language: string, text: string): string {
  return `\`\`\`${language}\n${text}\n\`\`\``;
}
