// The sandbox's bounds on work (SPEC §3: every loop is bounded; reads and steps
// have budgets). A recipe that hits one stops with a clear error rather than
// running away against a production process.
import { DeniedError, RecipeError } from '../errors.ts';
import { DEFAULT_LIMITS, type Limits } from '../limits.ts';
import type { Loc } from '../plan/plan.ts';
import type { SourcePoint } from './locate.ts';

export { DEFAULT_LIMITS, type Limits };

/** ` — run.maxSteps 1000 in policy.json` when a policy set the budget. */
export function ruleOf(limits: Limits, budget: 'steps' | 'scanBytes' | 'scanHits'): string {
  const rule = limits.rules?.[budget];
  return rule === undefined ? '' : ` — ${rule}`;
}

export class Budget {
  readonly limits: Limits;
  #steps = 0;
  #readBytes = 0;
  #scanBytes = 0;

  /** Places an error at a statement of the recipe: called only when a budget runs out (no closure per step). */
  readonly #locate: (loc: Loc) => SourcePoint;

  constructor(limits: Limits = DEFAULT_LIMITS, locate: (loc: Loc) => SourcePoint) {
    this.limits = limits;
    this.#locate = locate;
  }

  step(loc: Loc): void {
    if (++this.#steps > this.limits.steps) {
      throw new DeniedError('step-budget', `the recipe ran more than ${this.limits.steps} statements${ruleOf(this.limits, 'steps')}`, { ...this.#locate(loc), hint: 'bound its loops more tightly (`limit N`)' });
    }
  }

  read(bytes: number, loc: Loc): void {
    this.#readBytes += bytes;
    if (this.#readBytes > this.limits.readBytes) {
      throw new DeniedError('read-budget', `the recipe read more than ${this.limits.readBytes} bytes`, { ...this.#locate(loc), hint: 'read less, or read only what the result needs' });
    }
  }

  /** Statements left before the step budget runs out (a compiled loop counts its own, then says what it spent). */
  get stepsLeft(): number {
    return this.limits.steps - this.#steps;
  }

  /** Bytes left before the read budget runs out. */
  get readBytesLeft(): number {
    return this.limits.readBytes - this.#readBytes;
  }

  /** What a compiled loop ran and read, within what was left (it stops before either runs out). */
  spent(steps: number, readBytes: number): void {
    this.#steps += steps;
    this.#readBytes += readBytes;
  }

  scanned(bytes: number, at: () => SourcePoint): void {
    this.#scanBytes += bytes;
    if (this.#scanBytes > this.limits.scanBytes) {
      throw new DeniedError('scan-budget', `the recipe's scans searched more than ${this.limits.scanBytes} bytes${ruleOf(this.limits, 'scanBytes')}`, {
        ...at(),
        hint: 'scan a narrower range: module("name"), region("[heap]"), anon, or perms',
      });
    }
  }

  /** How many times a loop runs: all of `count`, up to an explicit `limit`; over the cap without one is an error. */
  iterations(count: bigint, limit: bigint | undefined, at: () => SourcePoint): bigint {
    if (limit !== undefined) return count < limit ? count : limit;
    if (count > this.limits.loopIterations) {
      throw new RecipeError('unbounded-loop', `this loop would run ${count} times, more than the default cap of ${this.limits.loopIterations}`, {
        ...at(),
        hint: 'add `limit N` to run at most N iterations',
      });
    }
    return count;
  }
}
