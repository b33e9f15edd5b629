// Runtime errors point into the recipe like compile-time ones do:
// `recipe.pvm:3:9`, then the source line with a caret.
import { PvmError } from '../errors.ts';
import type { Loc } from '../plan/plan.ts';

export interface SourcePoint {
  /** `recipe.pvm:3:9` */
  readonly where: string;
  /** The source line and a caret under the failing expression. */
  readonly excerpt: string;
}

export function locate(recipeName: string, loc: Loc): SourcePoint {
  const gutter = String(loc.line);
  const indent = loc.text.slice(0, loc.col - 1).replace(/[^\t]/g, ' ');
  return {
    where: `${recipeName}:${loc.line}:${loc.col}`,
    excerpt: `${gutter} | ${loc.text}\n${' '.repeat(gutter.length)} | ${indent}^${'~'.repeat(Math.max(0, loc.width - 1))}`,
  };
}

/** An error from below the runtime (a target or resolver), placed at the recipe expression that caused it. */
export function placeError(error: unknown, point: SourcePoint): unknown {
  if (!(error instanceof PvmError) || error.where !== undefined) return error;
  return new PvmError(error.exit, error.code, error.message, { ...point, hint: error.hint, cause: error.cause });
}
