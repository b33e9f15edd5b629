// What is refused before a target is touched: a plan the policies deny
// (pvm run's refusal, pvm check's exit status), a write to a core or
// snapshot (it can only be read), a write without --allow-write or
// --dry-run (docs/policy.md), and a revert (which writes) without that grant
// or under a policy that does not allow writing; and what may not start
// before the policies have judged the target. The CLI and the runtime ask
// here; neither decides it itself.
import { DeniedError, type PvmError } from '../errors.ts';
import type { Plan } from '../plan/plan.ts';
import type { LoadedPolicy } from './load.ts';
import type { StaticDecision } from './static.ts';
import { count } from '../count.ts';

/** What a command grants its writes (--allow-write, --dry-run). */
export interface WriteGrant {
  readonly allowWrite: boolean;
  readonly writing: { readonly dryRun: boolean };
}

/** What judgePlan needs of the target and the writing options: whether it is a core, and whether threads stop (--freeze). */
export interface PlanRun extends WriteGrant {
  readonly target: { readonly kind: string; readonly path?: string };
  readonly writing: { readonly dryRun: boolean; readonly freeze: boolean };
}

/**
 * Refuses a plan before the target is touched: what the policy denies, a write to a core, a write without
 * --allow-write (or --dry-run). `notAllowed` words that last refusal where the caller knows better (the REPL).
 */
export async function judgePlan(plan: Plan, policies: readonly LoadedPolicy[], run: PlanRun, notAllowed?: (plan: Plan) => PvmError): Promise<void> {
  (await import('./apply.ts')).refusePlan(plan, policies, run.writing.freeze);
  if (plan.writes && run.target.kind === 'core') throw readOnlyRefusal(plan, run.target.path ?? 'the core');
  if (writesUnallowed(plan, run)) throw (notAllowed ?? writeRefusal)(plan);
}

/** Whether the plan writes without --allow-write or --dry-run (judgePlan refuses it). */
export function writesUnallowed(plan: Pick<Plan, 'writes'>, grant: WriteGrant): boolean {
  return plan.writes && !grant.allowWrite && !grant.writing.dryRun;
}

/**
 * Whether work on a target may start before the policies have judged it (reading its smaps ahead, warming a scan
 * worker that opens it on its own): only under no policy. Under one, the target is judged first, and a worker never
 * reads it (the guard hands on no worker).
 */
export function mayWorkBeforeJudging(policies: readonly LoadedPolicy[]): boolean {
  return policies.length === 0;
}

/** `pvm check --policy`: exit 3 when the policies deny any statement (what pvm run would refuse). */
export function refuseChecked(plan: Plan, decisions: readonly StaticDecision[]): void {
  const denied = decisions.filter((d) => d.verdict === 'denied').length;
  if (denied > 0) throw new DeniedError('policy-denied', `the policy denies ${count(denied, 'statement')} of ${plan.recipe.name}`, { hint: 'pvm run refuses this recipe before opening the target' });
}

/** A journal is input, like a recipe: writing it back needs the same grant as a recipe's writes (checked before it is read)... */
export function refuseUngrantedRevert(grant: WriteGrant): void {
  if (grant.allowWrite || grant.writing.dryRun) return;
  throw new DeniedError('write-not-allowed', `pvm revert writes to the target's memory, and writing was not allowed`, {
    hint: `run it with --allow-write once you have checked the journal (--dry-run shows what it would write, without writing)`,
  });
}

/** ... and the same policy. */
export async function refuseRevertByPolicy(grant: WriteGrant, policies: readonly LoadedPolicy[]): Promise<void> {
  if (policies.length === 0 || grant.writing.dryRun) return;
  const { decideWriting, describeRule } = await import('./decide.ts');
  const writing = decideWriting(policies);
  if (!writing.allowed) throw new DeniedError('policy-denied', `denied: pvm revert writes, and ${writing.why} — ${describeRule(writing.rule)}`, { hint: 'ask for the policy to allow writing, or revert by hand' });
}

/** A recipe that writes, against a core or snapshot: refused before anything runs. */
export function readOnlyRefusal(plan: Pick<Plan, 'recipe'>, target: string): DeniedError {
  return new DeniedError('read-only-target', `${plan.recipe.name} writes memory, and ${target} is a core file: it can only be read`, {
    hint: 'run recipes that write or patch against the live process (--pid); `pvm plan` shows which statements write',
  });
}

/** A recipe that writes runs only with --allow-write; refused before anything is touched. */
export function writeRefusal(plan: Pick<Plan, 'recipe'>): DeniedError {
  return new DeniedError('write-not-allowed', `${plan.recipe.name} writes to the target's memory, and writing was not allowed`, {
    hint: 'run it with --allow-write once you have checked it (`pvm plan` shows every write; --dry-run shows what it would write, without writing)',
  });
}
