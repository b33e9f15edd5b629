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
  const { statementStarts } = checkNesting(source);
  const { pieces, whole } = fastParsePieces(source.text, statementStarts, compiler.add);
  // Syntax errors are thrown here, before the checker's diagnostics.
  const rest = await statementsOf(source, pieces, statementStarts);
  if (whole) rest.forEach(compiler.add);
  else {
    // Ohm found no error on a line whose first statements were compiled already: read the recipe again, whole.
    compiler = new RecipeCompiler(source, session);
    (await statementsOf(source, fastParsePieces(source.text, statementStarts), statementStarts)).forEach(compiler.add);
  }
  return compiler.finish();
}

/** The statements of the pieces: Ohm (loaded then only) reads those the fast parser was not sure of. */
async function statementsOf(source: SourceFile, pieces: readonly FastPiece[], statementStarts: readonly number[]): Promise<readonly Ast.Statement[]> {
  return (parsedRecipe(pieces) ?? (await import('./parse.ts')).parsePieces(source, pieces, statementStarts)).statements;
}
