// Walking plan data: the expressions a step evaluates, and every read of a plan.
import { assertNever } from '../errors.ts';
import type { PlanExpr, PlanStep } from './plan.ts';

export type ReadNode = Extract<PlanExpr, { op: 'read' }>;

/** The expressions a step evaluates itself, not those of its nested blocks. */
export function rootsOf(step: PlanStep): readonly PlanExpr[] {
  switch (step.op) {
    case 'print':
      return step.values;
    case 'if':
      return [step.condition];
    case 'for':
      return [...(step.over.kind === 'range' ? [step.over.from, step.over.to] : [step.over.list]), ...(step.limit === undefined ? [] : [step.limit])];
    case 'while':
      return [step.condition, ...(step.limit === undefined ? [] : [step.limit])];
    case 'assert':
      return [step.condition, ...(step.message === undefined ? [] : [step.message])];
    case 'write':
      return [step.address, step.datum.value];
    case 'dump':
      return [step.address, step.length];
    case 'patch':
      return step.sites.flatMap((site) => [site.address, site.expect.value, site.replacement.value]);
    case 'let':
    case 'assign':
    case 'emit':
      return [step.value];
    case 'read-ahead':
    case 'break':
      return [];
    default:
      return assertNever(step);
  }
}

/** The blocks nested in a step. */
export function blocksOf(step: PlanStep): readonly (readonly PlanStep[])[] {
  if (step.op === 'if') return [step.then, step.otherwise];
  if (step.op === 'for' || step.op === 'while') return [step.body];
  return [];
}

/** The direct subexpressions of an expression. */
export function childrenOf(e: PlanExpr): readonly PlanExpr[] {
  switch (e.op) {
    case 'read':
      return [e.address];
    case 'unary':
    case 'not':
      return [e.operand];
    case 'field':
      return [e.object];
    case 'binary':
    case 'compare':
    case 'logical':
      return [e.left, e.right];
    case 'index':
      return [e.object, e.index];
    case 'call':
      return e.args;
    case 'list':
      return e.items;
    case 'ripref':
      return [e.insn, e.dispOffset, e.insnLength];
    case 'scan':
      return [e.needle.value, ...(e.range.kind === 'region' ? [e.range.region] : []), ...(e.limit === undefined ? [] : [e.limit])];
    case 'pointerscan':
      return [e.address, e.depth, e.offset, ...(e.limit === undefined ? [] : [e.limit]), ...(e.within === undefined ? [] : [e.within])];
    case 'narrow': {
      const test = e.test;
      return [e.list, ...(test.kind === 'compare' ? [test.value, ...(test.within === undefined ? [] : [test.within])] : test.kind === 'between' ? [test.low, test.high] : test.kind === 'to' ? [test.address] : [])];
    }
    default:
      return [];
  }
}

/** Whether some expression of the steps passes `test`: their subexpressions and nested blocks included, in order, stopping at the first. */
export function someExpression(steps: readonly PlanStep[], test: (e: PlanExpr) => boolean): boolean {
  const visit = (e: PlanExpr): boolean => test(e) || childrenOf(e).some(visit);
  return steps.some((step) => rootsOf(step).some(visit) || blocksOf(step).some((block) => someExpression(block, test)));
}

/** Every read node of some steps, nested blocks included, by site. */
export function readSites(steps: readonly PlanStep[]): Map<number, ReadNode> {
  const sites = new Map<number, ReadNode>();
  // A test that never passes visits every expression.
  someExpression(steps, (e) => {
    if (e.op === 'read') sites.set(e.site, e);
    return false;
  });
  return sites;
}

/**
 * Whether running the steps reads memory in batches through the target's
 * reads, not one request at a time: a narrowing of hits (which reads every
 * hit), or a loop whose body reads. A live target needs smaps for batches
 * (target/userfault-stops.ts: the pages a read would block on).
 */
export function readsInBatches(steps: readonly PlanStep[]): boolean {
  const loopReads = (step: PlanStep): boolean => (step.op === 'for' || step.op === 'while') && (someStep(step.body, (s) => s.op === 'dump' || s.op === 'patch') || someExpression(step.body, (e) => e.op === 'read'));
  return someStep(steps, loopReads) || someExpression(steps, (e) => e.op === 'narrow');
}

/** readsSmaps of each plan's steps, worked out once: a run over many processes asks for each (~50 µs a walk on Node). */
const smapsReaders = new WeakMap<readonly PlanStep[], boolean>();

/**
 * Whether running the steps reads a live target's smaps: to read in batches
 * (readsInBatches), or to scan (the map and its VmFlags, live-scan.ts). The
 * run then reads it ahead, on another thread while pvm loads.
 */
export function readsSmaps(steps: readonly PlanStep[]): boolean {
  let reads = smapsReaders.get(steps);
  if (reads === undefined) smapsReaders.set(steps, reads = readsInBatches(steps) || hasScan(steps));
  return reads;
}

/** Whether the steps hold a scan (a pointer scan is one). */
export function hasScan(steps: readonly PlanStep[]): boolean {
  return someExpression(steps, (e) => e.op === 'scan' || e.op === 'pointerscan');
}

/** Whether some step passes `test`, the steps of nested blocks included. */
function someStep(steps: readonly PlanStep[], test: (step: PlanStep) => boolean): boolean {
  return steps.some((step) => test(step) || blocksOf(step).some((block) => someStep(block, test)));
}

/** Scans of at least this many bytes take a worker thread beside the main one, when the target offers (a live process). */
export const PARALLEL_BYTES = 128 << 20;

/**
 * Whether some scan of the steps is surely large: `in all`, `in anon`, or a
 * range of at least PARALLEL_BYTES written as a number. A run warms a worker
 * thread for it (target/scan-worker/start-worker.ts), and loads that module only then.
 */
export function hasLargeScan(steps: readonly PlanStep[]): boolean {
  return someExpression(steps, (e) => {
    if (e.op === 'pointerscan') return true; // it reads all the memory that may hold pointers
    if (e.op !== 'scan') return false;
    if (e.range.kind !== 'region') return true;
    const region = e.range.region;
    const size = region.op === 'call' && region.name === 'range' ? region.args[1] : undefined;
    return size?.op === 'int' && BigInt(size.value) >= BigInt(PARALLEL_BYTES);
  });
}
