// The refusals of a recipe that writes, decided before anything runs: without
// --allow-write (docs/policy.md), and against a core or snapshot, which can
// only be read.
import { DeniedError } from '../errors.ts';
import type { Plan } from '../plan/plan.ts';

/** A recipe that writes, against a core or snapshot: refused before anything runs. */
export function readOnlyRefusal(plan: Plan, target: string): DeniedError {
  return new DeniedError('read-only-target', `${plan.recipe.name} writes memory, and ${target} is a core file: it can only be read`, {
    hint: 'run recipes that write or patch against the live process (--pid); `pvm plan` shows which statements write',
  });
}

/** A recipe that writes runs only with --allow-write; refused before anything is touched. */
export function writeRefusal(plan: Plan): DeniedError {
  return new DeniedError('write-not-allowed', `${plan.recipe.name} writes to the target's memory, and writing was not allowed`, {
    hint: 'run it with --allow-write once you have checked it (`pvm plan` shows every write; --dry-run shows what it would write, without writing)',
  });
}
