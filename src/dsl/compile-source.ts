// compileRecipe's synchronous twin, for tests and scripts: the same reading
// and checking, with Ohm loaded with this module (the CLI never imports it).
import { type CompileOptions, RecipeCompiler } from './compile.ts';
import { parsePieces } from './parse.ts';
import type { Plan } from '../plan/plan.ts';
import { readRecipe } from './read-recipe.ts';
import type { SourceFile } from './source.ts';

/** Text → checked plan, or throws `InvalidRecipe` with every diagnostic (syntax errors first). */
export function compileSource(source: SourceFile, options: CompileOptions = {}): Plan {
  return readRecipe(source, () => new RecipeCompiler(source, options)).complete(parsePieces).finish().plan;
}
