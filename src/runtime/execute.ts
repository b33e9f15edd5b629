// Walks a plan against a target. Prints and emits go to a sink as events;
// the CLI decides how they look. Nothing here prints or exits.
import { attempt } from '../attempt.ts';
import { AssertionFailed, assertNever, RecipeError } from '../errors.ts';
import { readOnlyRefusal, writeRefusal } from '../policy/refusals.ts';
import { MAX_DUMP } from '../limits.ts';
import type { Loc, Plan, PlanExpr, PlanStep } from '../plan/plan.ts';
import { describeTarget, type MemorySource, type WritableTarget } from '../target/target.ts';
import { Budget, type Limits } from './budget.ts';
import { compare, type EvalContext, evaluate } from './evaluation/evaluate.ts';
import { locate, type SourcePoint } from './locate.ts';
import { readAheadSteps } from '../plan/read-ahead.ts';
import { ModuleResolver } from './symbols/modules.ts';
import type { ElfFiles } from './symbols/elf-files.ts';
import { Scope } from './evaluation/scope.ts';
import { humanValue } from './evaluation/show.ts';
import type { PatchOutcome } from './writes/patch.ts';
import type { ScanProgress, SkippedRange } from './scans/scan.ts';
import type { JournalEntry } from './journal/journal.ts';
import { numeric, type Value } from './evaluation/value.ts';
import { LoopRunner, WASM_FROM } from './loops/run-loop.ts';
import { OutputGate } from './output-gate.ts';
import { RunReads } from './run-reads.ts';
import { checkAddress, RunWrites } from './run-writes.ts';

export type OutputEvent =
  | { readonly type: 'print'; readonly values: readonly Value[]; readonly line: number }
  | { readonly type: 'emit'; readonly name: string; readonly value: Value; readonly line: number }
  | { readonly type: 'dump'; readonly address: bigint; readonly bytes: Uint8Array; readonly line: number }
  | { readonly type: 'patch'; readonly name: string | undefined; readonly outcome: PatchOutcome; readonly line: number }
  /** A write that landed, or one a dry run did not make (--dry-run: checked against the maps, not sent). */
  | { readonly type: 'write'; readonly status: 'wrote' | 'would write'; readonly address: bigint; readonly bytes: Uint8Array; readonly line: number }
  /** After each scan: what it covered and what it left out, and why. */
  | {
    readonly type: 'scan';
    readonly hits: number;
    readonly bytesScanned: number;
    readonly regions: number;
    readonly skipped: readonly SkippedRange[];
    /** A pointer scan's map (its words that point where a path may lead, and its bytes) and search (locations at each depth; cut: it stopped early, its levels about to outgrow the map). */
    readonly pointers?: { readonly count: number; readonly mapBytes: number; readonly levels: readonly number[]; readonly cut: boolean };
    readonly line: number;
  };

export interface ExecuteOptions {
  readonly plan: Plan;
  /** What the recipe reads; a plan that writes also needs its `writable` capability (a live process). */
  readonly target: MemorySource;
  /** Bound params (see params.ts). */
  readonly params: ReadonlyMap<string, Value>;
  readonly output: (event: OutputEvent) => void;
  /** Budgets; the defaults of budget.ts unless a caller narrows them. */
  readonly limits?: Limits;
  /** Writes and patches run only when allowed (docs/policy.md); the CLI refuses earlier, this is the last guard. */
  readonly allowWrite?: boolean;
  /** Verify and show every write and patch, and write nothing (--dry-run); runs without `allowWrite`. */
  readonly dryRun?: boolean;
  /** Run loops compiled where they can be (loops/run-loop.ts); false runs everything in the interpreter (tests compare the two). */
  readonly compileLoops?: boolean;
  /** Iterations from which a run of a compiled loop goes to WebAssembly (loops/run-loop.ts, WASM_FROM unless given); Infinity: never. */
  readonly wasmLoopsFrom?: number | undefined;
  /** Stop every thread of the target for each patch's write (--freeze), not only for patches of code. */
  readonly freeze?: boolean;
  /** Given the sites of each patch, and each batch of writes, just before they are written, to record durably (--journal): one call, one sync. */
  readonly journal?: ((entries: readonly JournalEntry[]) => void) | undefined;
  /**
   * True when `journal` keeps a journal file (--journal), which must hold the
   * bytes each write replaces: a write whose old bytes the policy forbids
   * reading is then refused. Otherwise (an audit log, a report) such a write
   * is recorded with its old bytes withheld (empty).
   */
  readonly journalFile?: boolean;
  /**
   * A patch found already applied is journaled too (journalFile only), with the bytes its `expect` names as the
   * old ones: `--follow` runs a recipe in the forks of the processes it patched, which inherit the patched bytes
   * and are then revertible as processes of their own. Other runs journal only what they write.
   */
  readonly journalFoundApplied?: boolean | undefined;
  /** Told of each range the recipe reads, in order, with the bytes read (--report hashes them). */
  readonly onRead?: ((address: bigint, bytes: Uint8Array) => void) | undefined;
  /** Told how far a scan has got after each of its calls (the CLI shows it on a terminal). */
  readonly progress?: ((progress: ScanProgress & { readonly line: number }) => void) | undefined;
  /** Where symbol() looks for separate debug files (PVM_DEBUG_FILE_DIRECTORY); /usr/lib/debug unless given. */
  readonly debugDirectories?: readonly string[] | undefined;
  /** ELF parses shared with the runs of other processes (pvm run --match). */
  readonly elfFiles?: ElfFiles | undefined;
  /**
   * Told the top-level names and their values when the run ends, even by an error, and which of them a `let`
   * declared as it ran (the REPL keeps them for its next input, with the types of those declared).
   */
  readonly finished?: ((names: ReadonlyMap<string, Value>, declared: ReadonlySet<string>) => void) | undefined;
}

export function execute(options: ExecuteOptions): void {
  const { plan, target, params, output: emit, limits, allowWrite = false, dryRun = false, compileLoops = true, wasmLoopsFrom = WASM_FROM, onRead, progress, debugDirectories, elfFiles, finished } = options;
  if (plan.writes && !allowWrite && !dryRun) throw writeRefusal(plan);
  // The README's wording: `0x7f00dead0000 is not mapped in pid 4242 (nearest region: …)`.
  const { kind, pid: targetPid, name } = target.identity;
  const addressSpace = targetPid === undefined ? name : kind === 'core' ? `the core of pid ${targetPid}` : `pid ${targetPid}`;
  const at = (loc: Loc) => () => locate(plan.recipe.name, loc);
  const budget = new Budget(limits, (loc) => locate(plan.recipe.name, loc));
  const modules = new ModuleResolver(target, { debugDirectories, elfFiles });
  const gate = new OutputGate(emit);
  const output = gate.output;
  // Only a plan that writes asks for the write capability, and only a live process has it.
  const writes = new RunWrites({ ...options, writable: plan.writes ? requireWritable(plan, target) : undefined, addressSpace, modules, gate });
  const reads = new RunReads({ target, budget, steps: plan.steps, recipeName: plan.recipe.name, addressSpace, modules, flush: writes.flush, output, onRead, progress });
  const live = reads.live;
  const loops = new LoopRunner({
    budget,
    reads,
    at,
    block: (steps, env) => run(steps, env),
    kernel: { target, budget, context: live, read: reads.read, output, flush: writes.flush },
    engines: { compile: compileLoops, wasmFrom: wasmLoopsFrom },
  });

  /** Runs a block; 'break' when a `break` ran in it, for the loop around it to stop. */
  const run = (steps: readonly PlanStep[], env: Scope): 'break' | undefined => {
    const value = (e: PlanExpr) => evaluate(e, env, live);
    /** Sites this block read ahead: their values hold only while the block runs. */
    let readAhead: number[] | undefined;
    for (let index = 0; index < steps.length; index++) {
      const step = steps[index]!;
      if (step.op === 'read-ahead') {
        const cache = reads.readAhead(step.readAhead, readAheadSteps(steps, index), () => env.child(), 1, step.loc);
        reads.activate(cache, { index: 0 });
        readAhead ??= [];
        for (const site of cache.keys()) readAhead.push(site); // not push(...keys): 124 000 reads ahead are more arguments than a call takes
        continue;
      }
      budget.step(step.loc);
      switch (step.op) {
        case 'let':
          env.declare(step.name, value(step.value));
          break;
        case 'assign':
          env.assign(step.name, value(step.value));
          break;
        case 'print':
          output({ type: 'print', values: step.values.map(value), line: step.loc.line });
          break;
        case 'emit':
          output({ type: 'emit', name: step.name, value: value(step.value), line: step.loc.line });
          break;
        case 'if': {
          const condition = value(step.condition);
          if (run(condition.kind === 'bool' && condition.value ? step.then : step.otherwise, env.child()) === 'break') return stopBlock('break');
          break;
        }
        case 'break':
          return stopBlock('break');
        case 'while':
          loops.runWhile(step, env, value);
          break;
        case 'for':
          loops.runFor(step, env, value);
          break;
        case 'assert':
          checkAssertion(step, env, live, at(step.loc));
          break;
        case 'write':
          writes.write(step, value);
          break;
        case 'dump': {
          const address = checkAddress(numeric(value(step.address))!.value, at(step.loc));
          const length = numeric(value(step.length))!.value;
          if (length < 1n || length > BigInt(MAX_DUMP)) {
            throw new RecipeError('dump-size', `a dump covers 1 to ${MAX_DUMP} bytes, not ${length}`, { ...at(step.loc)(), hint: 'dump a smaller range, or several' });
          }
          const bytes = reads.read({ kind: 'bytes', name: 'bytes', size: Number(length) }, address, step.loc, -1);
          output({ type: 'dump', address, bytes: (bytes as { value: Uint8Array }).value, line: step.loc.line });
          break;
        }
        case 'patch':
          writes.patch(step, value);
          break;
        default:
          assertNever(step);
      }
    }
    return stopBlock(undefined);

    /** Leaves the block: what it read ahead holds no longer. */
    function stopBlock(signal: 'break' | undefined): 'break' | undefined {
      if (readAhead !== undefined) reads.deactivate(readAhead);
      return signal;
    }
  };

  const root = new Scope(undefined, params);
  try {
    run(plan.steps, root);
    writes.flush();
  } catch (error) {
    // The writes made before the statement that failed land, as they would have one at a time, and what the
    // recipe printed before it is shown; the first error is the one reported.
    const buffer = writes.buffer;
    if (buffer !== undefined && buffer.pending > 0) attempt(() => buffer.flush());
    throw error;
  } finally {
    modules.close();
    finished?.(root.own(), root.declared());
  }
}

/** The write capability of `target`; a core or snapshot has none, and a recipe that writes is refused (exit 3). */
function requireWritable(plan: Plan, target: MemorySource): WritableTarget {
  if (target.writable !== undefined) return target.writable;
  throw readOnlyRefusal(plan, describeTarget(target.identity));
}

/** Fails with the message and, for a comparison, the values on both sides. */
function checkAssertion(step: Extract<PlanStep, { op: 'assert' }>, env: Scope, context: EvalContext, at: () => SourcePoint): void {
  let detail = '';
  let holds: boolean;
  if (step.condition.op === 'compare') {
    // Each side is evaluated once: a read must not happen twice to explain a failure.
    const left = evaluate(step.condition.left, env, context);
    const right = evaluate(step.condition.right, env, context);
    holds = compare(step.condition.operator, left, right);
    detail = `${showValue(left)} ${step.condition.operator} ${showValue(right)} is false`;
  } else {
    const condition = evaluate(step.condition, env, context);
    holds = condition.kind === 'bool' && condition.value;
  }
  if (holds) return;
  const message = step.message === undefined ? undefined : evaluate(step.message, env, context);
  const text = message?.kind === 'str' ? message.value : undefined;
  throw new AssertionFailed('assert', `assertion failed${text === undefined ? '' : `: ${text}`}${detail === '' ? '' : ` (${detail})`}`, {
    ...at(),
    hint: 'the target is not in the state this recipe expects',
  });
}

function showValue(value: Value): string {
  switch (value.kind) {
    case 'str':
      return JSON.stringify(value.value);
    default:
      return humanValue(value);
  }
}
