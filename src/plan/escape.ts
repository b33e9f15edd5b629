// Which values of a loop's body die with their iteration. A `bytes` value
// read by `let NAME = read bytes N at …` straight in the body, and used only
// where its bytes are consumed at once (indexed, measured, turned to hex,
// compared), is gone when the iteration ends: the next iteration may read
// into the same memory (runtime/loops/reused-reads.ts), where a value kept in a
// variable, printed, emitted or written would need memory of its own.
import type { PlanExpr, PlanStep } from './plan.ts';
import { blocksOf, childrenOf, rootsOf } from './walk.ts';

/** Sites of the body's `let NAME = read bytes …` statements whose value cannot outlive its iteration. */
export function transientReads(body: readonly PlanStep[]): ReadonlySet<number> {
  const sites = new Set<number>();
  for (const step of body) {
    if (step.op === 'let' && step.value.op === 'read' && step.value.type.kind === 'bytes' && diesWithIteration(body, step)) sites.add(step.value.site);
  }
  return sites;
}

/** Whether every use of the name `declared` declares, in the whole body, consumes its value at once, and nothing else binds the name. */
function diesWithIteration(body: readonly PlanStep[], declared: Extract<PlanStep, { op: 'let' }>): boolean {
  const name = declared.name;
  let dies = true;
  const visit = (e: PlanExpr, parent: PlanExpr | undefined): void => {
    if (e.op === 'var' && e.name === name && !consumes(parent, e)) dies = false;
    for (const child of childrenOf(e)) visit(child, e);
  };
  const visitSteps = (steps: readonly PlanStep[]): void => {
    for (const step of steps) {
      // Another binding of the name (even in a nested block) is left to the safe side: the value is not reused.
      if (step !== declared && (step.op === 'let' || step.op === 'assign') && step.name === name) dies = false;
      if (step.op === 'for' && step.variable === name) dies = false;
      // A statement's own expressions have no parent: a name there is printed, emitted, written or bound, and kept.
      for (const root of rootsOf(step)) visit(root, undefined);
      for (const block of blocksOf(step)) visitSteps(block);
    }
  };
  visitSteps(body);
  return dies;
}

/** Whether `parent` takes what it needs from the value of `child` and keeps none of its bytes. */
function consumes(parent: PlanExpr | undefined, child: PlanExpr): boolean {
  if (parent === undefined) return false;
  switch (parent.op) {
    case 'index':
      return parent.object === child; // one byte, as an int
    case 'call':
      return parent.name === 'len' || parent.name === 'hex'; // an int, a new string
    case 'compare':
      return true; // a bool
    default:
      return false;
  }
}
