// Batches the reads of straight-line steps: `print read u8 at p, read u16 at q`
// or two `let`s that read should cost one process_vm_readv, not one each.
// A pass over the compiled steps that puts a `read-ahead` step before each run
// of steps whose reads can be made together. Loops already read their bodies
// ahead for all iterations (read-ahead-analysis.ts); their reads are left to them.
import type { PlanStep } from './plan.ts';
import { analyzeSteps, writesIn } from './read-ahead-analysis.ts';

const NO_SITES: ReadonlySet<number> = new Set();

/**
 * The steps with `read-ahead` steps added, in nested blocks too: the same array (and the same steps) where
 * none is added, so that the plan of 190 000 `if` lines is not copied whole once it is made.
 */
export function addReadAhead(steps: readonly PlanStep[], loopSites: ReadonlySet<number> = NO_SITES): readonly PlanStep[] {
  const out: PlanStep[] = [];
  let changed = false;
  let run: PlanStep[] = [];
  const close = (): void => {
    const reads = analyzeSteps(run);
    const sites = reads.sites.filter((s) => !loopSites.has(s.site));
    if (worthBatching(sites)) {
      out.push({ op: 'read-ahead', steps: run.length, readAhead: { sites, lets: reads.lets }, loc: run[0]!.loc });
      changed = true;
    }
    for (const step of run) out.push(step); // not push(...run): a block of 124 000 steps is more arguments than a call takes
    run = [];
  };
  for (const original of steps) {
    const step = withNestedReadAhead(original, loopSites);
    if (step !== original) changed = true;
    // Memory written before a read must not be read ahead of the write: a
    // write ends the run before it, a step whose nested blocks write ends the
    // run after its own expressions (a condition, a loop's bounds).
    if (step.op === 'write' || step.op === 'patch') {
      close();
      out.push(step);
      continue;
    }
    run.push(step);
    if (writesIn([step])) close();
  }
  close();
  return changed ? out : steps;
}

function withNestedReadAhead(step: PlanStep, loopSites: ReadonlySet<number>): PlanStep {
  switch (step.op) {
    case 'if': {
      const [then, otherwise] = [addReadAhead(step.then, loopSites), addReadAhead(step.otherwise, loopSites)];
      return then === step.then && otherwise === step.otherwise ? step : { ...step, then, otherwise };
    }
    case 'for': {
      const inLoop = step.readAhead.sites.length === 0 ? loopSites : new Set([...loopSites, ...step.readAhead.sites.map((s) => s.site)]);
      const body = addReadAhead(step.body, inLoop);
      return body === step.body ? step : { ...step, body };
    }
    default:
      return step;
  }
}

/** The steps the `read-ahead` step at `index` of a block reads for. */
export function readAheadSteps(steps: readonly PlanStep[], index: number): readonly PlanStep[] {
  const step = steps[index]!;
  return step.op === 'read-ahead' ? steps.slice(index + 1, index + 1 + step.steps) : [];
}

/** Worth a step only when some batch would carry two reads or more: one read is one call either way. */
function worthBatching(sites: readonly { level: number }[]): boolean {
  const perLevel = new Map<number, number>();
  for (const { level } of sites) perLevel.set(level, (perLevel.get(level) ?? 0) + 1);
  return [...perLevel.values()].some((n) => n >= 2);
}
