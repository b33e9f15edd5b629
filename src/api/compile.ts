// compile(): a recipe checked and compiled without a target, as `pvm check`
// and `pvm plan` do it: the plan `pvm plan --json` prints, or every
// diagnostic `pvm check --json` gives.
import { InvalidRecipe } from '../dsl/diagnostic.ts';
import { planJson } from '../plan/json.ts';
import { type ErrorEvent, errorEvents } from './events.ts';
import { type Recipe, sourceOf } from './recipe-source.ts';

/** A diagnostic of an invalid recipe: where it starts and ends (1-based; the end exclusive), why, and a fix. */
export type Diagnostic = ErrorEvent & { readonly line: number; readonly col: number; readonly endLine: number; readonly endCol: number };

/** The plan as `pvm plan --json` prints it (docs/design.md, "The plan"). */
export interface PlanJson {
  readonly format: 'pvm-plan';
  readonly version: number;
  readonly recipe: { readonly name: string; readonly sha256: string };
  readonly writes: boolean;
  readonly params: readonly { readonly name: string; readonly type: unknown; readonly default?: unknown }[];
  readonly steps: readonly unknown[];
}

export type Compiled =
  /** A valid recipe, and its plan. */
  | { readonly ok: true; readonly needsTarget: false; readonly plan: PlanJson; readonly diagnostics: readonly [] }
  /** A valid recipe that names types from debug info, which only a target gives: its plan is made against one. */
  | { readonly ok: true; readonly needsTarget: true; readonly plan: undefined; readonly diagnostics: readonly [] }
  | { readonly ok: false; readonly needsTarget: false; readonly plan: undefined; readonly diagnostics: readonly Diagnostic[] };

/** Checks and compiles a recipe; an invalid one gives its diagnostics, anything else that goes wrong rejects with its PvmError. */
export async function compile(recipe: Recipe): Promise<Compiled> {
  const source = sourceOf(recipe, 'compile');
  try {
    const plan = await (await import('../dsl/compile-recipe.ts')).compileBeforeTarget(source);
    if (plan === undefined) return { ok: true, needsTarget: true, plan: undefined, diagnostics: [] };
    return { ok: true, needsTarget: false, plan: JSON.parse(planJson(plan)) as PlanJson, diagnostics: [] };
  } catch (error) {
    if (!(error instanceof InvalidRecipe)) throw error;
    return { ok: false, needsTarget: false, plan: undefined, diagnostics: errorEvents(error) as Diagnostic[] };
  }
}
