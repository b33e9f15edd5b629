// Go to definition: where the name under the cursor is declared (a let, a
// param, a loop variable, or a struct, union or enum of the recipe).
import { inCommentOrString, lineBefore, wordAt } from './cursor.ts';
import { type Declaration, declarationAt } from './recipe-analysis.ts';
import type { Span } from '../dsl/source.ts';

export function definitionAt(text: string, offset: number, declarations: readonly Declaration[]): Span | undefined {
  const word = wordAt(text, offset);
  // A word in a comment or a string is prose, not the name it spells.
  if (word === undefined || inCommentOrString(text, word.start) !== undefined) return undefined;
  // After a dot it is a member, not the name: `p.level` is no `let level`.
  if (/\.\s*$/.test(lineBefore(text, word.start))) return undefined;
  return declarationAt(declarations, word.text, offset)?.span;
}
