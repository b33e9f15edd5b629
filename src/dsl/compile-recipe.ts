// Text → checked plan: the entry point. The fast parser reads the recipe, and
// ohm-js (about 100 ms to load here) is imported only when it gives up: a
// syntax error, or something only Ohm reads.
import { type CompileOptions, RecipeCompiler } from './compile.ts';
import type { StaticType } from './static-type.ts';
import type { Plan } from '../plan/plan.ts';
import { readRecipe } from './read-recipe.ts';
import type { SourceFile } from './source.ts';
import type { TypeSession } from './typed-lowering.ts';

export type { CompileOptions };

export interface CompiledRecipe {
  readonly plan: Plan;
  /** The names the recipe declares at its top level, with their types (for the REPL's next input). */
  readonly declared: ReadonlyMap<string, StaticType>;
  /** The types it declares and its typed names (for the REPL's next input). */
  readonly typeSession: TypeSession;
}

/**
 * Text → checked plan, or throws `InvalidRecipe` with every diagnostic (syntax errors first). `options`: the
 * names and types a REPL's earlier inputs declared, and where types from debug info come from.
 */
export async function compileRecipe(source: SourceFile, options: CompileOptions = {}): Promise<CompiledRecipe> {
  const reading = readRecipe(source, () => new RecipeCompiler(source, options));
  return reading.complete(reading.needsOhm ? (await import('./parse.ts')).parsePieces : undefined).finish();
}

/**
 * The plan of a recipe compiled before its target is open, or undefined when it names types from debug
 * info, which only the target gives (compile it again then, with the target's types).
 */
export async function compileBeforeTarget(source: SourceFile): Promise<Plan | undefined> {
  const { TYPES_FROM_THE_TARGET, TypesNeedTarget } = await import('../types/type-source.ts');
  try {
    return (await compileRecipe(source, { types: TYPES_FROM_THE_TARGET })).plan;
  } catch (error) {
    if (error instanceof TypesNeedTarget) return undefined;
    throw error;
  }
}
