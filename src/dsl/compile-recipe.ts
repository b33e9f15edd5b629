// Text → checked plan for the CLI: the fast parser reads the recipe, and
// ohm-js (about 100 ms to load here) is imported only when it gives up: a
// syntax error, or something only Ohm reads.
import type * as Ast from './ast.ts';
import { checkNesting } from './brackets.ts';
import { RecipeCompiler } from './compile.ts';
import type { StaticType } from './static-type.ts';
import { fastParsePieces, type FastPiece, parsedRecipe } from './fast-parse.ts';
import type { Plan } from '../plan/plan.ts';
import type { SourceFile } from './source.ts';

/** Text → checked plan, or throws `InvalidRecipe` with every diagnostic. */
export async function compileRecipe(source: SourceFile): Promise<Plan> {
  return (await compileIn(source, undefined)).plan;
}

/** One REPL input → checked plan, seeing the names earlier inputs declared; with the names it declares. */
export async function compileInput(source: SourceFile, session: ReadonlyMap<string, StaticType>): Promise<{ plan: Plan; declared: ReadonlyMap<string, StaticType> }> {
  return await compileIn(source, session);
}

async function compileIn(source: SourceFile, session: ReadonlyMap<string, StaticType> | undefined): Promise<{ plan: Plan; declared: ReadonlyMap<string, StaticType> }> {
  let compiler = new RecipeCompiler(source, session);
  const rest = await parseRecipe(source, compiler.add);
  if (rest === undefined) {
    // A statement already compiled was on the line of one the fast parser gave up on: read the recipe again, whole.
    compiler = new RecipeCompiler(source, session);
    (await parseRecipe(source))!.forEach(compiler.add);
  } else rest.forEach(compiler.add);
  return compiler.finish();
}

/**
 * The statements of the recipe, from the fast parser or from Ohm where the fast parser was not sure of a
 * statement (Ohm is loaded then only). With `take`, see fastParsePieces: the statements of the recipe that
 * `take` was not given.
 */
async function parseRecipe(source: SourceFile, take?: (statement: Ast.Statement) => void): Promise<readonly Ast.Statement[] | undefined> {
  const { statementStarts } = checkNesting(source);
  const pieces: FastPiece[] | undefined = take === undefined ? fastParsePieces(source.text, statementStarts) : fastParsePieces(source.text, statementStarts, take);
  if (pieces === undefined) return undefined;
  return (parsedRecipe(pieces) ?? (await import('./parse.ts')).parsePieces(source, pieces, statementStarts)).statements;
}
