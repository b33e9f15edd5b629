// The sandbox's bounds on work (docs/policy.md: every loop is bounded; reads and steps
// have budgets). A recipe that hits one stops with a clear error rather than
// running away against a production process.
import { DeniedError, RecipeError } from '../errors.ts';
import { CLOCK_EVERY_STEPS, COMPILED_CLOCK_STEPS, DEFAULT_LIMITS, type Limits } from '../limits.ts';
import type { Loc } from '../plan/plan.ts';
import type { SourcePoint } from './locate.ts';

export { DEFAULT_LIMITS, type Limits };

/** ` — run.maxSteps 1000 in policy.json` when a policy set the budget. */
export function ruleOf(limits: Limits, budget: 'steps' | 'scanBytes' | 'scanHits' | 'seconds'): string {
  const rule = limits.rules?.[budget];
  return rule === undefined ? '' : ` — ${rule}`;
}

export class Budget {
  readonly limits: Limits;
  #steps = 0;
  #readBytes = 0;
  #scanBytes = 0;
  /**
   * The step count at which `step` leaves its fast path: the step budget's
   * end, or, when the run has a time limit, the next look at the clock
   * (every CLOCK_EVERY_STEPS): one comparison a step either way.
   */
  #nextCheck: number;
  /** performance.now() when the run began and when it must end, for a time limit. */
  readonly #started = performance.now();
  readonly #deadline: number | undefined;

  /** Places an error at a statement of the recipe: called only when a budget runs out (no closure per step). */
  readonly #locate: (loc: Loc) => SourcePoint;

  constructor(limits: Limits = DEFAULT_LIMITS, locate: (loc: Loc) => SourcePoint) {
    this.limits = limits;
    this.#locate = locate;
    this.#deadline = limits.seconds === undefined ? undefined : this.#started + limits.seconds * 1000;
    this.#nextCheck = this.#deadline === undefined ? limits.steps : Math.min(limits.steps, CLOCK_EVERY_STEPS);
  }

  step(loc: Loc): void {
    if (++this.#steps > this.#nextCheck) this.#check(loc);
  }

  /**
   * Work inside one statement that grows with its data (max() over a list of
   * N items is N units): it counts as steps, so that run.maxSteps and the
   * clock bound a loop whose statements each do much.
   */
  work(units: number, loc: Loc): void {
    this.#steps += units;
    if (this.#steps > this.#nextCheck) this.#check(loc);
  }

  /** Past the fast path: the step budget ran out, or it is time to look at the clock. */
  #check(loc: Loc): void {
    if (this.#steps > this.limits.steps) {
      throw new DeniedError('step-budget', `the recipe ran more than ${this.limits.steps} statements${ruleOf(this.limits, 'steps')}`, { ...this.#locate(loc), hint: 'bound its loops more tightly (`limit N`)' });
    }
    this.checkClock(loc);
    this.#nextCheck = Math.min(this.limits.steps, this.#steps + CLOCK_EVERY_STEPS);
  }

  /** Refuses to go on past the run's time limit (a policy's run.maxSeconds); every engine calls it, at least every few milliseconds of work. */
  checkClock(loc: Loc): void {
    if (this.#deadline === undefined) return;
    const now = performance.now();
    if (now <= this.#deadline) return;
    const seconds = (now - this.#started) / 1000;
    throw new DeniedError('policy-denied', `denied: the run took longer than the policy allows (${seconds.toFixed(seconds < 10 ? 3 : 1)} s)${ruleOf(this.limits, 'seconds')}`, {
      ...this.#locate(loc),
      hint: "bound the recipe's work more tightly (`limit N`, narrower scans), or ask for a longer run.maxSeconds",
    });
  }

  read(bytes: number, loc: Loc): void {
    this.#readBytes += bytes;
    if (this.#readBytes > this.limits.readBytes) {
      throw new DeniedError('read-budget', `the recipe read more than ${this.limits.readBytes} bytes`, { ...this.#locate(loc), hint: 'read less, or read only what the result needs' });
    }
  }

  /**
   * Statements a compiled loop may run before it must hand back (it counts
   * its own, then says what it spent): to the step budget's end, and, when
   * the run has a time limit, at most COMPILED_CLOCK_STEPS, so that the clock
   * is looked at between its windows.
   */
  get stepsLeft(): number {
    const left = this.limits.steps - this.#steps;
    return this.#deadline === undefined ? left : Math.min(left, COMPILED_CLOCK_STEPS);
  }

  /** Bytes left before the read budget runs out. */
  get readBytesLeft(): number {
    return this.limits.readBytes - this.#readBytes;
  }

  /** What a compiled loop ran and read, within what was left (it stops before either runs out; it looks at the clock itself). */
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
