// Text → checked plan, synchronously (Ohm loaded with this module): for tests
// and scripts. The CLI uses compile-recipe.ts, which loads Ohm only when the
// fast parser gives up.
import { compileParsed } from './compile.ts';
import { parse } from './parse.ts';
import type { Plan } from '../plan/plan.ts';
import type { SourceFile } from './source.ts';

/** Text → checked plan, or throws `InvalidRecipe` with every diagnostic. */
export function compileSource(source: SourceFile): Plan {
  return compileParsed(source, parse(source));
}
