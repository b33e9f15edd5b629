// A run under policies, in the order it must happen: the plan is judged
// before any target is opened; the target's facts are judged before its
// memory is touched; then every access goes through the guard, with the
// budgets the policies set.
import { DeniedError } from '../errors.ts';
import { DEFAULT_LIMITS, type Limits } from '../limits.ts';
import type { Plan } from '../plan/plan.ts';
import { describeTarget, type MemorySource, type TargetIdentity } from '../target/target.ts';
import type { TargetFacts } from '../target/target-facts.ts';
import { decideTarget, describeRule, tightest } from './decide.ts';
import { type AuditEntry, type GuardOptions, guardSource } from './guard.ts';
import type { LoadedPolicy } from './load.ts';
import { checkPlanStatically, formatStaticDecision } from './static.ts';

/** Refuses (exit 3) a plan any of whose statements the policies deny, naming the first and its line. */
export function refusePlan(plan: Plan, policies: readonly LoadedPolicy[], freezeAll: boolean): void {
  if (policies.length === 0) return;
  const denied = checkPlanStatically(plan, policies, freezeAll).find((d) => d.verdict === 'denied');
  if (denied === undefined) return;
  throw new DeniedError('policy-denied', formatStaticDecision(plan.recipe.name, denied).replace(/^[^:]+:\d+:\d+: /, ''), {
    where: `${plan.recipe.name}:${denied.loc.line}:${denied.loc.col}`,
    hint: '`pvm check RECIPE --policy FILE` lists what the policy allows, denies and leaves to run time',
  });
}

/** Refuses (exit 3) a target the policies do not list. */
export function refuseTarget(policies: readonly LoadedPolicy[], facts: TargetFacts, identity: Pick<TargetIdentity, 'pid' | 'name'>, audit?: (entry: AuditEntry) => void): void {
  if (policies.length === 0) return;
  const decision = decideTarget(policies, facts);
  audit?.({ op: 'target', allowed: decision.allowed, ...(decision.allowed ? {} : { rule: decision.rule, detail: decision.why }) });
  if (decision.allowed) return;
  throw new DeniedError('policy-denied', `denied: ${describeTarget({ kind: 'process', exe: undefined, cmdline: [], startTime: undefined, ...identity })}: ${decision.why} — ${describeRule(decision.rule)}`, {
    hint: 'the policy lists the processes pvm may read; choose one of them',
  });
}

/** The budgets of a run: the defaults, lowered by any policy. */
export function policyLimits(policies: readonly LoadedPolicy[]): Limits {
  const steps = tightest(policies, 'run.maxSteps', (p) => p.run?.maxSteps);
  const scanBytes = tightest(policies, 'scan.maxBytes', (p) => p.scan?.maxBytes);
  const scanHits = tightest(policies, 'scan.maxHits', (p) => p.scan?.maxHits);
  const seconds = tightest(policies, 'run.maxSeconds', (p) => p.run?.maxSeconds);
  const lower = (fallback: number, budget: { limit: number } | undefined) => (budget === undefined ? fallback : Math.min(fallback, budget.limit));
  return {
    ...DEFAULT_LIMITS,
    steps: lower(DEFAULT_LIMITS.steps, steps),
    scanBytes: lower(DEFAULT_LIMITS.scanBytes, scanBytes),
    scanHits: lower(DEFAULT_LIMITS.scanHits, scanHits),
    seconds: seconds?.limit,
    rules: {
      ...(seconds === undefined ? {} : { seconds: describeRule(seconds.rule) }),
      ...(steps === undefined ? {} : { steps: describeRule(steps.rule) }),
      ...(scanBytes === undefined ? {} : { scanBytes: describeRule(scanBytes.rule) }),
      ...(scanHits === undefined ? {} : { scanHits: describeRule(scanHits.rule) }),
    },
  };
}

/** The source every access of the run goes through: guarded when a policy applies. */
export function policedSource(source: MemorySource, policies: readonly LoadedPolicy[], options: Omit<GuardOptions, 'policies'>): MemorySource {
  return policies.length === 0 ? source : guardSource(source, { ...options, policies });
}
