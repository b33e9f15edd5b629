// Text → checked plan, synchronously (Ohm loaded with this module): for tests
// and scripts. The CLI uses compile-recipe.ts, which loads Ohm only when the
// fast parser gives up.
import { checkNesting } from './brackets.ts';
import { RecipeCompiler } from './compile.ts';
import { fastParsePieces, parsedRecipe } from './fast-parse.ts';
import { parsePieces } from './parse.ts';
import type { Plan } from '../plan/plan.ts';
import type { SourceFile } from './source.ts';

/** Text → checked plan, or throws `InvalidRecipe` with every diagnostic. */
export function compileSource(source: SourceFile): Plan {
  let compiler = new RecipeCompiler(source);
  const { statementStarts } = checkNesting(source);
  const { pieces, whole } = fastParsePieces(source.text, statementStarts, compiler.add);
  // Syntax errors are thrown here, before the checker's diagnostics.
  const rest = (parsedRecipe(pieces) ?? parsePieces(source, pieces, statementStarts)).statements;
  if (whole) rest.forEach(compiler.add);
  else {
    // Ohm found no error on a line whose first statements were compiled already: read the recipe again, whole.
    compiler = new RecipeCompiler(source);
    const again = fastParsePieces(source.text, statementStarts);
    (parsedRecipe(again) ?? parsePieces(source, again, statementStarts)).statements.forEach(compiler.add);
  }
  return compiler.finish().plan;
}
