// Which reads can be read ahead: those of a loop body for all iterations at
// once, or those of a run of straight-line steps before the first runs.
// Pure analysis of plan data. Being wrong costs speed, never correctness: the
// runtime uses a value read ahead only when its address is the one the
// step really reads.
import type { PlanExpr, PlanStep, ReadAhead } from './plan.ts';
import { blocksOf } from './walk.ts';

/** More levels than this are read live: deep chains are rare and each level is a round of calls. */
export const MAX_READ_AHEAD_LEVEL = 8;

const NOTHING: ReadAhead = { sites: [], lets: [] };

/** A loop's reads, batched across its iterations. */
export function analyzeLoop(variable: string, body: readonly PlanStep[]): ReadAhead {
  // A body that writes could change what a later iteration reads: read nothing ahead.
  return writesIn(body) ? NOTHING : analyze(body, variable);
}

/**
 * The reads of a run of straight-line steps that can be computed before the
 * first of them runs. The caller makes sure that no step writes memory before
 * a read it reads ahead (a step's nested blocks may write: only its own
 * expressions are read ahead).
 */
export function analyzeSteps(steps: readonly PlanStep[]): ReadAhead {
  return analyze(steps, undefined);
}

/**
 * With a loop `variable`, the steps are a body run again and again: a name it
 * assigns or declares anywhere is unknown everywhere, since an iteration sees
 * what the one before it left. Without, the steps run once, in order: a name
 * becomes unknown only from the step that assigns it on.
 */
function analyze(steps: readonly PlanStep[], variable: string | undefined): ReadAhead {
  const assigned = new Set<string>();
  const declared = new Set<string>();
  const loop = variable !== undefined;
  if (loop) collectNames(steps, assigned, declared);
  const letLevels = new Map<string, number>();
  const sites: { site: number; level: number }[] = [];

  /** The level of an expression (0: no reads), or undefined when it cannot be computed ahead. */
  const levelOf = (e: PlanExpr, register: boolean): number | undefined => {
    switch (e.op) {
      case 'int':
      case 'float':
      case 'bool':
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
      case 'list':
        return e.items.map((a) => levelOf(a, register)).reduce<number | undefined>(maxLevel, 0);
      case 'ripref':
      case 'scan':
      case 'narrow':
        // They read memory of their own, which the read-ahead does not model.
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
        if (inner === undefined || inner + 1 > MAX_READ_AHEAD_LEVEL) return undefined;
        if (register) sites.push({ site: e.site, level: inner + 1 });
        return inner + 1;
      }
    }
  };

  for (const step of steps) {
    switch (step.op) {
      case 'let': {
        const level = levelOf(step.value, true);
        if (level !== undefined && !assigned.has(step.name)) letLevels.set(step.name, level);
        else declared.add(step.name);
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
      case 'while':
        // Its condition is read again after every iteration (a loop that polls memory): never read ahead.
      case 'break':
      case 'write':
      case 'patch':
      case 'read-ahead':
        break;
    }
    if (!loop) {
      // What this step changes is unknown to the steps after it. Names declared
      // in its nested blocks end with them; names assigned there do not.
      if (step.op === 'assign') assigned.add(step.name);
      for (const block of blocksOf(step)) collectNames(block, assigned, new Set());
    }
  }
  return { sites: sites.sort((a, b) => a.level - b.level), lets: [...letLevels.keys()] };
}

function maxLevel(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : Math.max(a, b);
}

/** Names assigned or declared anywhere in some steps, nested blocks included. */
function collectNames(steps: readonly PlanStep[], assigned: Set<string>, declared: Set<string>): void {
  for (const step of steps) {
    if (step.op === 'assign') assigned.add(step.name);
    if (step.op === 'let') declared.add(step.name);
    if (step.op === 'for') declared.add(step.variable);
    for (const block of blocksOf(step)) collectNames(block, assigned, declared);
  }
}

/** True if a step, or any step nested in it, writes memory. */
export function writesIn(steps: readonly PlanStep[]): boolean {
  return steps.some((step) => step.op === 'write' || step.op === 'patch' || blocksOf(step).some(writesIn));
}
