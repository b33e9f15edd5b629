// Text → checked plan, synchronously (Ohm loaded with this module): for tests
// and scripts. The CLI uses compile-recipe.ts, which loads Ohm only when the
// fast parser gives up.
import { checkNesting } from './brackets.ts';
import { RecipeCompiler } from './compile.ts';
import { fastParsePieces, parsedRecipe } from './fast-parse.ts';
import { parse, parsePieces } from './parse.ts';
import type { Plan } from '../plan/plan.ts';
import type { SourceFile } from './source.ts';

/** Text → checked plan, or throws `InvalidRecipe` with every diagnostic. */
export function compileSource(source: SourceFile): Plan {
  let compiler = new RecipeCompiler(source);
  const { statementStarts } = checkNesting(source);
  const pieces = fastParsePieces(source.text, statementStarts, compiler.add);
  if (pieces === undefined) {
    // A statement already compiled was on the line of one the fast parser gave up on: read the recipe again, whole.
    compiler = new RecipeCompiler(source);
    parse(source).statements.forEach(compiler.add);
  } else (parsedRecipe(pieces) ?? parsePieces(source, pieces, statementStarts)).statements.forEach(compiler.add);
  return compiler.finish().plan;
}
