// Text → checked plan for the CLI: the fast parser reads the recipe, and
// ohm-js (about 100 ms to load here) is imported only when it gives up: a
// syntax error, or something only Ohm reads.
import { checkNesting } from './brackets.ts';
import { compileInSession, compileParsed } from './compile.ts';
import type { StaticType } from './static-type.ts';
import { fastParse } from './fast-parse.ts';
import type { Plan } from '../plan/plan.ts';
import type { SourceFile } from './source.ts';

/** Text → checked plan, or throws `InvalidRecipe` with every diagnostic. */
export async function compileRecipe(source: SourceFile): Promise<Plan> {
  const { statementStarts } = checkNesting(source);
  const recipe = fastParse(source.text) ?? (await import('./parse.ts')).parseWithOhm(source, statementStarts);
  return compileParsed(source, recipe);
}

/** One REPL input → checked plan, seeing the names earlier inputs declared; with the names it declares. */
export async function compileInput(source: SourceFile, session: ReadonlyMap<string, StaticType>): Promise<ReturnType<typeof compileInSession>> {
  const { statementStarts } = checkNesting(source);
  const recipe = fastParse(source.text) ?? (await import('./parse.ts')).parseWithOhm(source, statementStarts);
  return compileInSession(source, recipe, session);
}
