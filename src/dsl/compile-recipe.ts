// Text → checked plan: the entry point. The fast parser reads the recipe, and
// ohm-js (about 100 ms to load here) is imported only when it gives up: a
// syntax error, or something only Ohm reads.
import { RecipeCompiler } from './compile.ts';
import type { StaticType } from './static-type.ts';
import type { Plan } from '../plan/plan.ts';
import { readRecipe } from './read-recipe.ts';
import type { SourceFile } from './source.ts';

export interface CompiledRecipe {
  readonly plan: Plan;
  /** The names the recipe declares at its top level, with their types (for the REPL's next input). */
  readonly declared: ReadonlyMap<string, StaticType>;
}

/**
 * Text → checked plan, or throws `InvalidRecipe` with every diagnostic (syntax errors first). `session`: the
 * names a REPL's earlier inputs declared, which this input sees.
 */
export async function compileRecipe(source: SourceFile, session?: ReadonlyMap<string, StaticType>): Promise<CompiledRecipe> {
  const reading = readRecipe(source, () => new RecipeCompiler(source, session));
  return reading.complete(reading.needsOhm ? (await import('./parse.ts')).parsePieces : undefined).finish();
}
