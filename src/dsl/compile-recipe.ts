// Text → checked plan for the CLI: the fast parser reads the recipe, and
// ohm-js (about 100 ms to load here) is imported only when it gives up: a
// syntax error, or something only Ohm reads.
import type * as Ast from './ast.ts';
import { checkNesting } from './brackets.ts';
import { compileInSession, compileParsed } from './compile.ts';
import type { StaticType } from './static-type.ts';
import { fastParsePieces, parsedRecipe } from './fast-parse.ts';
import type { Plan } from '../plan/plan.ts';
import type { SourceFile } from './source.ts';

/** Text → checked plan, or throws `InvalidRecipe` with every diagnostic. */
export async function compileRecipe(source: SourceFile): Promise<Plan> {
  const recipe = await parseRecipe(source);
  return compileParsed(source, recipe);
}

/** The fast parser's tree, or Ohm's where the fast parser was not sure of a statement (Ohm is loaded then only). */
async function parseRecipe(source: SourceFile): Promise<Ast.Recipe> {
  const { statementStarts } = checkNesting(source);
  const pieces = fastParsePieces(source.text, statementStarts);
  return parsedRecipe(pieces) ?? (await import('./parse.ts')).parsePieces(source, pieces, statementStarts);
}

/** One REPL input → checked plan, seeing the names earlier inputs declared; with the names it declares. */
export async function compileInput(source: SourceFile, session: ReadonlyMap<string, StaticType>): Promise<ReturnType<typeof compileInSession>> {
  const recipe = await parseRecipe(source);
  return compileInSession(source, recipe, session);
}
