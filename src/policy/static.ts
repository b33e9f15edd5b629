// What a policy says of a recipe before any target is opened (`pvm check
// --policy`, and `pvm run` before the first syscall): for each statement
// that writes, patches, stops threads or reads a named module or symbol,
// allowed, denied (with the rule), or decided at run time because its
// address is known only then. Pure: the plan and the policies.
import type { Loc, Plan, PlanExpr, PlanStep } from '../plan/plan.ts';
import { blocksOf, childrenOf, rootsOf } from '../plan/walk.ts';
import { decideCode, decideFreeze, decideRegisters, decideWriting, type Decision, describeRule, type Rule } from './decide.ts';
import type { LoadedPolicy } from './load.ts';

export interface StaticDecision {
  readonly loc: Loc;
  /** `write`, `patch "fly"`, `read of symbol("app", "key")` … */
  readonly what: string;
  readonly verdict: 'allowed' | 'denied' | 'run time';
  readonly rule: Rule | undefined;
  /** Why: the denial's reason, or what the run-time check will look at. */
  readonly why: string;
}

/** Every decision the policies allow to be made now, in recipe order. */
export function checkPlanStatically(plan: Plan, policies: readonly LoadedPolicy[], freezeAll: boolean): StaticDecision[] {
  const out: StaticDecision[] = [];
  const writing = decideWriting(policies);
  const freezing = decideFreeze(policies);
  const writeRegions = policies.some((p) => p.policy.write?.regions !== undefined);
  const readRules = policies.filter((p) => p.policy.read?.allow !== undefined || p.policy.read?.deny !== undefined);
  const codeAllowed = policies.every((p) => p.policy.write?.code === true);

  const named = (e: PlanExpr): PlanExpr | undefined => {
    // The module or symbol an address is an offset from: symbol("m", "n") + 8 names symbol:m:n.
    if ((e.op === 'symbol' && e.module !== undefined) || e.op === 'module') return e;
    if (e.op === 'binary' && (e.operator === '+' || e.operator === '-')) return named(e.left);
    return undefined;
  };
  const selectorOf = (e: PlanExpr | undefined): string | undefined => e?.op === 'symbol' ? `symbol:${e.module}:${e.name}` : e?.op === 'module' ? `module:${e.name}` : undefined;
  const describeAddress = (e: PlanExpr) => {
    const base = named(e);
    return base?.op === 'symbol' ? `symbol("${base.module}", "${base.name}")` : base?.op === 'module' ? `module("${base.name}")` : undefined;
  };
  const push = (loc: Loc, what: string, decision: Decision | 'run time', why = '') => {
    if (decision === 'run time') out.push({ loc, what, verdict: 'run time', rule: undefined, why });
    else if (decision.allowed) out.push({ loc, what, verdict: 'allowed', rule: undefined, why });
    else out.push({ loc, what, verdict: 'denied', rule: decision.rule, why: decision.why });
  };
  /** A region rule that names this module or symbol exactly, as far as can be told without the target. */
  const staticRegion = (selector: string, list: readonly string[] | undefined): boolean | undefined => {
    if (list === undefined) return true;
    if (list.includes(selector)) return true;
    const module = selector.startsWith('symbol:') ? `module:${selector.split(':')[1]}` : selector;
    if (list.includes(module)) return true;
    return undefined; // another selector may still cover it: only the target can tell
  };

  const unwritable = certainlyUnwritable(plan);

  const registers = decideRegisters(policies);
  const visitReads = (e: PlanExpr): void => {
    if (e.op === 'call' && e.name === 'reg') push(e.loc, 'read of registers', registers);
    if (e.op === 'read' && readRules.length > 0) {
      const selector = selectorOf(named(e.address));
      const where = describeAddress(e.address);
      if (selector !== undefined && where !== undefined) {
        const denied = readRules.find((p) => p.policy.read?.deny?.includes(selector) || (selector.startsWith('symbol:') && p.policy.read?.deny?.includes(`module:${selector.split(':')[1]}`)));
        if (denied !== undefined) push(e.loc, `read at ${where}`, { allowed: false, rule: { file: denied.path, path: 'read.deny', value: denied.policy.read!.deny }, why: 'the policy denies reading there' });
        else if (readRules.every((p) => staticRegion(selector, p.policy.read?.allow) === true)) push(e.loc, `read at ${where}`, { allowed: true });
        else push(e.loc, `read at ${where}`, 'run time', 'read.allow is checked against the map');
      } else push(e.loc, 'read', 'run time', 'its address is known only when the recipe runs');
    }
    childrenOf(e).forEach(visitReads);
  };

  const walk = (steps: readonly PlanStep[]): void => {
    for (const step of steps) {
      rootsOf(step).forEach(visitReads);
      if (step.op === 'write' || step.op === 'patch') {
        const what = step.op === 'write' ? 'write' : step.name === undefined ? 'patch' : `patch "${step.name}"`;
        const addresses = step.op === 'write' ? [step.address] : step.sites.map((s) => s.address);
        const code = step.op === 'patch' && !codeAllowed ? step.sites.map((site) => unwritable(site.address)).find((scan) => scan !== undefined) : undefined;
        if (!writing.allowed) push(step.loc, what, writing);
        else if (code !== undefined) {
          const denial = decideCode(policies);
          push(step.loc, what, denial.allowed ? denial : { ...denial, why: `${denial.why}, and a site is a hit of the scan at line ${code.loc.line}, which looks only in pages without write permission: perms "${code.perms}"` });
        } else if (step.op === 'patch' && (step.freeze || freezeAll) && !freezing.allowed) push(step.loc, what, freezing);
        else {
          // What is left to run time: each site's region, and whether a site is code; said together.
          const later: string[] = [];
          if (writeRegions) {
            const verdicts = addresses.map((a) => {
              const selector = selectorOf(named(a));
              return selector === undefined ? undefined : policies.every((p) => staticRegion(selector, p.policy.write?.regions) === true);
            });
            if (!verdicts.every((v) => v === true)) later.push('write.regions is checked against each resolved address');
          }
          if (step.op === 'patch' && !codeAllowed) {
            const denial = decideCode(policies);
            later.push(`${denial.allowed ? 'write.code' : describeRule(denial.rule)} denies it if a site is on a page without write permission (code); where each site lies is known when the recipe runs`);
          }
          if (later.length === 0) push(step.loc, what, { allowed: true });
          else push(step.loc, what, 'run time', later.join('; '));
        }
      }
      blocksOf(step).forEach(walk);
    }
  };
  walk(plan.steps);
  return out.sort((a, b) => a.loc.line - b.loc.line || a.loc.col - b.loc.col);
}

type ScanExpr = Extract<PlanExpr, { op: 'scan' }>;

/**
 * The address a patch site is at, when the plan alone says it lies in pages without write permission, which only
 * write.code lets a patch write: a hit of a scan whose perms say `-` for w (`perms "r-x"`), itself, an item of
 * its hits, or a name bound to either once in the whole recipe (never assigned, nor a loop's or a param's).
 * Returns that scan, or undefined: any other address is known only at run time.
 */
function certainlyUnwritable(plan: Plan): (address: PlanExpr) => ScanExpr | undefined {
  // Each name bound once by a let; null: bound more than once, or otherwise.
  const bound = new Map<string, PlanExpr | null>(plan.params.map((p) => [p.name, null]));
  const collect = (steps: readonly PlanStep[]): void => {
    for (const step of steps) {
      if (step.op === 'let') bound.set(step.name, bound.has(step.name) ? null : step.value);
      else if (step.op === 'assign') bound.set(step.name, null);
      else if (step.op === 'for') bound.set(step.variable, null);
      blocksOf(step).forEach(collect);
    }
  };
  collect(plan.steps);
  const scanOf = (e: PlanExpr, depth: number): ScanExpr | undefined => {
    if (depth > 16) return undefined;
    if (e.op === 'scan') return e.perms?.[1] === '-' ? e : undefined;
    if (e.op === 'index') return scanOf(e.object, depth + 1);
    if (e.op === 'var') {
      const value = bound.get(e.name);
      return value === undefined || value === null ? undefined : scanOf(value, depth + 1);
    }
    return undefined;
  };
  return (address) => scanOf(address, 0);
}

/** `recipe.pvm:4:3: denied: write — write.allow false in policy.json (the policy does not allow writing)` */
export function formatStaticDecision(recipe: string, d: StaticDecision): string {
  const at = `${recipe}:${d.loc.line}:${d.loc.col}`;
  if (d.verdict === 'denied') return `${at}: denied: ${d.what} — ${describeRule(d.rule!)} (${d.why})`;
  if (d.verdict === 'run time') return `${at}: checked at run time: ${d.what} (${d.why})`;
  return `${at}: allowed: ${d.what}`;
}
