// Which reads of a loop body can be read ahead for all iterations at once.
// Pure analysis of plan data. Being wrong costs speed, never correctness: the
// runtime uses a prefetched value only when its address is the one the
// iteration really reads.
import type { LoopPrefetch, PlanExpr, PlanStep } from './plan.ts';
import { blocksOf } from './walk.ts';

/** More levels than this are read live: deep chains are rare and each level is a round of calls. */
export const MAX_PREFETCH_LEVEL = 8;

export function analyzeLoop(variable: string, body: readonly PlanStep[]): LoopPrefetch {
  const assigned = new Set<string>();
  const declared = new Set<string>();
  // A body that writes could change what a later iteration reads: read nothing ahead.
  if (collectNames(body, assigned, declared)) return { sites: [], lets: [] };
  const letLevels = new Map<string, number>();
  const sites: { site: number; level: number }[] = [];

  /** The level of an expression (0: no reads), or undefined when it cannot be computed ahead. */
  const levelOf = (e: PlanExpr, register: boolean): number | undefined => {
    switch (e.op) {
      case 'int':
      case 'float':
      case 'str':
      case 'bytes':
      case 'pattern':
      case 'module':
      case 'symbol':
        return 0;
      case 'index':
        return maxLevel(levelOf(e.object, register), levelOf(e.index, register));
      case 'call':
        return e.args.map((a) => levelOf(a, register)).reduce<number | undefined>(maxLevel, 0);
      case 'ripref':
      case 'scan':
        // They read memory of their own, which the prefetcher does not model.
        return undefined;
      case 'var':
        if (e.name === variable) return 0;
        if (assigned.has(e.name)) return undefined;
        if (letLevels.has(e.name)) return letLevels.get(e.name);
        // Declared in the body but not an eligible let: its value is not known ahead.
        return declared.has(e.name) ? undefined : 0;
      case 'unary':
      case 'not':
        return levelOf(e.operand, register);
      case 'field':
        return levelOf(e.object, register);
      case 'binary':
      case 'compare':
        return maxLevel(levelOf(e.left, register), levelOf(e.right, register));
      case 'logical':
        // The right side runs only sometimes: its reads are not read ahead.
        levelOf(e.left, register);
        levelOf(e.right, false);
        return undefined;
      case 'read': {
        const inner = levelOf(e.address, register);
        if (inner === undefined || inner + 1 > MAX_PREFETCH_LEVEL) return undefined;
        if (register) sites.push({ site: e.site, level: inner + 1 });
        return inner + 1;
      }
    }
  };

  for (const step of body) {
    switch (step.op) {
      case 'let': {
        const level = levelOf(step.value, true);
        if (level !== undefined && !assigned.has(step.name)) letLevels.set(step.name, level);
        break;
      }
      case 'assign':
      case 'emit':
        levelOf(step.value, true);
        break;
      case 'print':
        step.values.forEach((v) => levelOf(v, true));
        break;
      case 'assert':
        levelOf(step.condition, true);
        break;
      case 'if':
        // The condition always runs; the branches only sometimes.
        levelOf(step.condition, true);
        break;
      case 'for':
        if (step.over.kind === 'range') {
          levelOf(step.over.from, true);
          levelOf(step.over.to, true);
        } else {
          levelOf(step.over.list, true);
        }
        if (step.limit !== undefined) levelOf(step.limit, true);
        break;
      case 'dump':
        levelOf(step.address, true);
        levelOf(step.length, true);
        break;
      case 'write':
      case 'patch':
        break;
    }
  }
  return { sites: sites.sort((a, b) => a.level - b.level), lets: [...letLevels.keys()] };
}

function maxLevel(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : Math.max(a, b);
}

/** Names assigned or declared anywhere in a body, nested blocks included; true if the body writes memory. */
function collectNames(steps: readonly PlanStep[], assigned: Set<string>, declared: Set<string>): boolean {
  let writes = false;
  for (const step of steps) {
    if (step.op === 'assign') assigned.add(step.name);
    if (step.op === 'let') declared.add(step.name);
    if (step.op === 'for') declared.add(step.variable);
    if (step.op === 'write' || step.op === 'patch') writes = true;
    for (const block of blocksOf(step)) writes = collectNames(block, assigned, declared) || writes;
  }
  return writes;
}
