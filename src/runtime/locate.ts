// Runtime errors point into the recipe like compile-time ones do:
// `recipe.pvm:3:9`, then the source line with a caret.
import { PvmError } from '../errors.ts';
import { formatExcerpt } from '../excerpt.ts';
import type { Loc } from '../plan/plan.ts';

export interface SourcePoint {
  /** `recipe.pvm:3:9` */
  readonly where: string;
  readonly line?: number;
  readonly col?: number;
  /** The source line and a caret under the failing expression. */
  readonly excerpt?: string | undefined;
}

export function locate(recipeName: string, loc: Loc): SourcePoint {
  return { where: `${recipeName}:${loc.line}:${loc.col}`, line: loc.line, col: loc.col, excerpt: formatExcerpt(loc) };
}

/** An error from below the runtime (a target or resolver), placed at the recipe expression that caused it. */
export function placeError(error: unknown, point: SourcePoint): unknown {
  if (!(error instanceof PvmError) || error.where !== undefined) return error;
  return new PvmError(error.exit, error.code, error.message, { ...point, hint: error.hint, cause: error.cause });
}
