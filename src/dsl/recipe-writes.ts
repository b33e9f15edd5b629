// Whether a recipe writes, known from its statements alone: what a recipe
// whose types come from the target's debug info (compiled only once the
// target is open) is judged on before anything is opened, as any recipe is
// (--allow-write, a core that cannot be written).
import type * as Ast from './ast.ts';
import { readRecipe } from './read-recipe.ts';
import type { SourceFile } from './source.ts';

/** True when any statement, at any depth, writes or patches; throws `InvalidRecipe` for a syntax error. */
export async function recipeWrites(source: SourceFile): Promise<boolean> {
  let writes = false;
  const visit = (statements: readonly Ast.Statement[]): void => {
    for (const s of statements) {
      if (s.kind === 'write' || s.kind === 'patch') writes = true;
      else if (s.kind === 'if') visit([...s.then, ...(s.otherwise ?? [])]);
      else if (s.kind === 'for' || s.kind === 'while') visit(s.body);
    }
  };
  const reading = readRecipe(source, () => ({ add: (statement: Ast.Statement) => visit([statement]) }));
  reading.complete(reading.needsOhm ? (await import('./parse.ts')).parsePieces : undefined);
  return writes;
}
