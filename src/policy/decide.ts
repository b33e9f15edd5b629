// The policy's decisions, as pure functions of the policies and the facts:
// may this process be a target, may these bytes be read or written, may
// threads be stopped. Every policy that applies must allow (the system
// policy and --policy: a user's policy can only narrow the system's). A
// denial names its rule: the file, the JSON path and the value.
import { isAnonymous } from '../target/skip-rules.ts';
import { type AddressRange, namesModule, type Region } from '../target/target.ts';
import type { TargetFacts } from '../target/target-facts.ts';
import type { LoadedPolicy } from './load.ts';
import type { TargetRuleValue } from './schema.ts';

export interface Rule {
  readonly file: string;
  /** `write.regions`, `targets`, `read.maxBytes` … */
  readonly path: string;
  readonly value: unknown;
}

export type Decision = { readonly allowed: true } | { readonly allowed: false; readonly rule: Rule; readonly why: string };

export const ALLOWED: Decision = { allowed: true };

/** `write.regions ["[heap]"] in policy.json`: how messages cite a rule. */
export function describeRule(rule: Rule): string {
  return `${rule.path} ${JSON.stringify(rule.value)} in ${rule.file}`;
}

/** A process may be a target when, in every policy that lists targets, one entry matches it. */
export function decideTarget(policies: readonly LoadedPolicy[], facts: TargetFacts): Decision {
  for (const { path, policy } of policies) {
    if (policy.targets === undefined) continue;
    if (!policy.targets.some((rule) => targetMatches(rule, facts))) {
      const why = facts.core === true
        ? facts.buildId === undefined
          ? "a core proves only its executable's build-id, and this one holds no copy of the executable's headers to prove it by: no entry of targets can match it"
          : `a core proves only its executable's build-id (${facts.buildId}), and no entry of targets names it alone (exe, comm, uid and cgroup match no core): add {"buildId": "${facts.buildId}"} to targets`
        : `it is none of the targets the policy allows (exe ${facts.exe ?? 'unknown'}, comm ${facts.comm ?? 'unknown'}, uid ${facts.uid ?? 'unknown'})${
          facts.spawn === true ? '; a program pvm starts matches only an entry that names its exe or buildId (its comm, uid and cgroup say nothing of the file it runs)' : ''
        }`;
      return { allowed: false, rule: { file: path, path: 'targets', value: policy.targets }, why };
    }
  }
  return ALLOWED;
}

function targetMatches(rule: TargetRuleValue, facts: TargetFacts): boolean {
  if (facts.spawn === true && rule.exe === undefined && rule.buildId === undefined) return false;
  if (rule.exe !== undefined && rule.exe !== facts.exe) return false;
  if (rule.buildId !== undefined && rule.buildId !== facts.buildId) return false;
  if (rule.uid !== undefined && rule.uid !== facts.uid) return false;
  if (rule.comm !== undefined && rule.comm !== facts.comm) return false;
  if (rule.cgroup !== undefined) {
    const wanted = rule.cgroup.replace(/\/+$/, '');
    if (!facts.cgroups.some((group) => group === wanted || group.startsWith(`${wanted}/`))) return false;
  }
  return true;
}

/** How selectors find addresses: the map, and a symbol's extent (its ELF size). */
export interface SelectorContext {
  readonly regions: readonly Region[];
  /**
   * [start, start + size) of a symbol; undefined when its module is not
   * mapped (the rule covers nothing in this target, as `module:NAME` would);
   * throws, saying why, when the module is mapped but the symbol cannot be
   * resolved (a misspelt name, a stripped file without its debug file).
   */
  symbol(module: string, name: string): AddressRange | undefined;
  /** Why this map cannot name pseudo-regions (`[heap]`, `[stack]` …), or undefined when it can (core-target.ts). */
  readonly unnamedRegions?: string | undefined;
}

/** A rule pvm cannot resolve against this target: the run is refused (policies fail closed). */
export interface UnresolvedRule {
  readonly rule: Rule;
  readonly selector: string;
  readonly why: string;
}

/** The address ranges a region selector covers now; throws (saying why) when pvm cannot know what it covers. */
export function selectorRanges(selector: string, context: SelectorContext): AddressRange[] {
  const range = /^(0x[0-9a-f]+)-(0x[0-9a-f]+)$/i.exec(selector);
  if (range !== null) return [{ start: BigInt(range[1]!), end: BigInt(range[2]!) }];
  if (selector.startsWith('symbol:')) {
    const [, module, ...name] = selector.split(':');
    const found = context.symbol(module!, name.join(':'));
    return found === undefined ? [] : [found];
  }
  let matches: (region: Region) => boolean;
  if (selector === 'anon') matches = isAnonymous;
  else if (selector.startsWith('module:')) {
    const name = selector.slice('module:'.length);
    matches = (r) => r.path.startsWith('/') && namesModule(r.path, name);
  } else {
    if (context.unnamedRegions !== undefined) throw new Error(context.unnamedRegions);
    matches = (r) => r.path === selector;
  }
  return context.regions.filter(matches).map((r) => ({ start: r.start, end: r.end }));
}

/** Whether every byte of [start, end) lies in the union of `ranges`. */
function covered(ranges: readonly AddressRange[], start: bigint, end: bigint): boolean {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let at = start;
  for (const range of sorted) {
    if (range.start > at) break;
    if (range.end > at) at = range.end;
    if (at >= end) return true;
  }
  return at >= end;
}

function overlaps(ranges: readonly AddressRange[], start: bigint, end: bigint): boolean {
  return ranges.some((r) => r.start < end && start < r.end);
}

/**
 * The region rules of all policies, resolved against one map: what may be
 * read, and written. Built once per map (a live map changes: the guard
 * rebuilds it when a decision would be a denial, in case a region is new).
 */
export class RegionRules {
  readonly #rules: { readonly rule: Rule; readonly ranges: readonly AddressRange[]; readonly kind: 'read-allow' | 'read-deny' | 'write-regions' }[] = [];
  /** Rules whose selectors pvm could not resolve here: the guard refuses the run rather than guess what they cover. */
  readonly unresolved: UnresolvedRule[] = [];

  constructor(policies: readonly LoadedPolicy[], context: SelectorContext) {
    for (const { path, policy } of policies) {
      const add = (kind: 'read-allow' | 'read-deny' | 'write-regions', json: string, selectors: readonly string[] | undefined) => {
        if (selectors === undefined) return;
        const rule = { file: path, path: json, value: selectors };
        const ranges = selectors.flatMap((selector) => {
          try {
            return selectorRanges(selector, context);
          } catch (error) {
            const hint = (error as { hint?: string }).hint;
            this.unresolved.push({ rule, selector, why: `${(error as Error).message}${hint === undefined ? '' : ` (${hint})`}` });
            return [];
          }
        });
        this.#rules.push({ kind, rule, ranges });
      };
      add('read-allow', 'read.allow', policy.read?.allow);
      add('read-deny', 'read.deny', policy.read?.deny);
      add('write-regions', 'write.regions', policy.write?.regions);
    }
  }

  /** May [start, end) be read? */
  read(start: bigint, end: bigint): Decision {
    for (const { kind, rule, ranges } of this.#rules) {
      if (kind === 'read-deny' && overlaps(ranges, start, end)) return { allowed: false, rule, why: 'the policy denies reading there' };
      if (kind === 'read-allow' && !covered(ranges, start, end)) return { allowed: false, rule, why: 'it lies outside the regions the policy allows to be read' };
    }
    return ALLOWED;
  }

  /** May [start, end) be written? (Being readable is not asked: a write is not a read.) */
  write(start: bigint, end: bigint): Decision {
    for (const { kind, rule, ranges } of this.#rules) {
      if (kind === 'write-regions' && !covered(ranges, start, end)) return { allowed: false, rule, why: 'it lies outside the regions the policy allows to be written' };
    }
    return ALLOWED;
  }
}

/** May the recipe write at all? Each policy must say `write.allow: true`. */
export function decideWriting(policies: readonly LoadedPolicy[]): Decision {
  for (const { path, policy } of policies) {
    if (policy.write?.allow !== true) return { allowed: false, rule: { file: path, path: 'write.allow', value: policy.write?.allow ?? false }, why: 'the policy does not allow writing' };
  }
  return ALLOWED;
}

/** May code (pages without write permission, through /proc/PID/mem) be patched? Each policy must say `write.code: true`. */
export function decideCode(policies: readonly LoadedPolicy[]): Decision {
  for (const { path, policy } of policies) {
    if (policy.write?.code !== true) return { allowed: false, rule: { file: path, path: 'write.code', value: policy.write?.code ?? false }, why: 'the policy does not allow patching code' };
  }
  return ALLOWED;
}

/**
 * May threads' registers be read (`reg()`)? Registers hold copies of memory
 * (a key being copied sits in r15), so a policy that limits what may be read
 * lets them be read only when it says `read.registers: true`; one without
 * read rules allows them unless it says false.
 */
export function decideRegisters(policies: readonly LoadedPolicy[]): Decision {
  for (const { path, policy } of policies) {
    const limitsReads = policy.read?.allow !== undefined || policy.read?.deny !== undefined;
    const registers = policy.read?.registers;
    if (registers === false || (limitsReads && registers !== true)) {
      return {
        allowed: false,
        rule: { file: path, path: 'read.registers', value: registers ?? false },
        why: registers === false ? 'the policy does not allow reading registers' : 'registers hold copies of memory, and a policy that limits reads allows them only with read.registers: true',
      };
    }
  }
  return ALLOWED;
}

/** May threads be stopped (a patch of code, --freeze, registers)? Allowed unless a policy says `freeze.allow: false`. */
export function decideFreeze(policies: readonly LoadedPolicy[]): Decision {
  for (const { path, policy } of policies) {
    if (policy.freeze?.allow === false) return { allowed: false, rule: { file: path, path: 'freeze.allow', value: false }, why: 'the policy does not allow stopping threads' };
  }
  return ALLOWED;
}

/** A budget: the smallest any policy sets, with the rule that set it, or undefined. */
export function tightest(policies: readonly LoadedPolicy[], path: string, pick: (policy: LoadedPolicy['policy']) => number | undefined): { readonly limit: number; readonly rule: Rule } | undefined {
  let best: { limit: number; rule: Rule } | undefined;
  for (const loaded of policies) {
    const limit = pick(loaded.policy);
    if (limit !== undefined && (best === undefined || limit < best.limit)) best = { limit, rule: { file: loaded.path, path, value: limit } };
  }
  return best;
}
