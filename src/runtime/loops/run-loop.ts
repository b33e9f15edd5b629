// Runs a `for` or `while` statement, and chooses what runs it: the
// interpreter (execute.ts runs the body's statements), the JS kernel
// (js-kernel.ts) or WebAssembly (wasm-kernel.ts). A loop is lowered once a run
// (lower.ts) for the kinds its plan gives its names and item, and, where the
// plan gives one several (`int|ptr`), for each kind the value holds as the
// loop starts; what lowering takes is compiled, and what it refuses the
// interpreter runs.
import { RecipeError } from '../../errors.ts';
import type { Loc, PlanExpr, PlanStep } from '../../plan/plan.ts';
import type { Budget } from '../budget.ts';
import { type ExactInt, exactInt } from '../evaluation/exact-int.ts';
import type { SourcePoint } from '../locate.ts';
import type { RunReads } from '../run-reads.ts';
import type { Scope } from '../evaluation/scope.ts';
import { int, numeric, ptr, readLength, type Value } from '../evaluation/value.ts';
import { compileJsFor, compileJsWhile, type JsFor, type JsWhile, type KernelRun } from './js-kernel.ts';
import { type Chosen, type ForStep, type IntKind, isChosen, type LoweredLoop, lowerLoop, type WhileStep } from './lower.ts';
import { compileWasmFor, type LoopItems, type WasmLoop } from './wasm-kernel.ts';
import { windowOf } from './window.ts';

/** Which engines may run loops. */
export interface LoopEngines {
  /** Run loops compiled where lowering takes them; false: the interpreter runs every loop (tests compare the two). */
  readonly compile: boolean;
  /**
   * Iterations from which a run of a loop goes to WebAssembly: generating the
   * module is itself cold code, which a short run does not win back (walking
   * a live table, first run on Node: 1000 iterations 18 ms in JS, 20 in
   * WebAssembly; 4000: 32 and 24; 100 000: 131 and 54). Infinity keeps every
   * loop in JS; 1 sends every loop WebAssembly takes, however short.
   */
  readonly wasmFrom: number;
}

export const WASM_FROM = 1024;

/** How many times a run of a loop goes back to WebAssembly after it stopped (a u64 at or above 2^63, say). */
const MAX_RESUMPTIONS = 8;

/** What the loops need from the run around them. */
export interface LoopHost {
  readonly budget: Budget;
  readonly reads: RunReads;
  readonly kernel: KernelRun;
  /** Runs a block of statements in the interpreter; 'break' when a `break` ran in it. */
  readonly block: (steps: readonly PlanStep[], env: Scope) => 'break' | undefined;
  readonly at: (loc: Loc) => () => SourcePoint;
  readonly engines: LoopEngines;
}

/** A loop's compiled forms: JS, and WebAssembly once a run is long enough (null: it does not take the loop). */
interface CompiledFor {
  readonly loop: LoweredLoop;
  readonly js: JsFor;
  wasm: WasmLoop | null | undefined;
}
interface CompiledWhile {
  readonly loop: LoweredLoop;
  readonly js: JsWhile;
}
/** A loop's compiled forms, by the kinds the run chose for the names (and the item) its plan gives several. */
interface CompiledForms {
  readonly names: readonly string[];
  readonly item: boolean;
  /** null: lowering refused the loop for those kinds. */
  readonly byKinds: Map<string, CompiledFor | CompiledWhile | null>;
}

/** The error of a `while` loop that ran the loop cap and still holds (the interpreter's and the JS kernel's). */
export function unboundedLoop(cap: bigint, at: () => SourcePoint): RecipeError {
  return new RecipeError('unbounded-loop', `this while loop ran ${cap} times and its condition still holds`, {
    ...at(),
    hint: 'add `limit N` to run at most N iterations, or check that the body changes what the condition reads',
  });
}

export class LoopRunner {
  readonly #host: LoopHost;
  /** Each loop's compiled forms. */
  readonly #compiled = new Map<PlanStep, CompiledForms>();

  constructor(host: LoopHost) {
    this.#host = host;
  }

  runWhile(step: WhileStep, env: Scope, value: (e: PlanExpr) => Value): void {
    const { budget, at, block } = this.#host;
    const limit = this.#limit(step, value);
    const compiled = this.#compiledFor(step, undefined, env) as CompiledWhile | undefined;
    if (compiled !== undefined) return compiled.js.run(env, limit);
    for (let iteration = 0n;; iteration++) {
      if (limit !== undefined && iteration >= limit) break;
      const condition = value(step.condition);
      if (condition.kind !== 'bool' || !condition.value) break;
      if (limit === undefined && iteration >= budget.limits.loopIterations) throw unboundedLoop(budget.limits.loopIterations, at(step.loc));
      if (block(step.body, env.child()) === 'break') break;
    }
  }

  runFor(step: ForStep, env: Scope, value: (e: PlanExpr) => Value): void {
    const { budget, at, reads } = this.#host;
    const limit = this.#limit(step, value);
    const source = loopSource(step.over, value);
    const iterations = budget.iterations(source.count, limit, at(step.loc));
    const window = windowOf(step.readAhead.sites.map((s) => readLength(reads.sites.get(s.site)!.type)));
    const compiled = this.#compiledFor(step, source.kind, env) as CompiledFor | undefined;
    if (compiled !== undefined) return this.#runCompiled(compiled, Number(iterations), source, env, window);
    reads.reused.enter(step, (site) => readLength(reads.sites.get(site)!.type));
    try {
      const windowSize = BigInt(window);
      for (let first = 0n; first < iterations; first += windowSize) {
        const size = Number(iterations - first < windowSize ? iterations - first : windowSize);
        // One scope serves every iteration, emptied before each: an iteration sees nothing of the one before.
        const body = env.child();
        const iterationScope = (index: number): Scope => {
          body.clear();
          body.declare(step.variable, source.value(first + BigInt(index)));
          return body;
        };
        const cache = reads.readAheadLoop(step, iterationScope, size);
        const frame = { index: 0 };
        reads.activate(cache, frame);
        let broke = false;
        for (let index = 0; index < size && !broke; index++) {
          frame.index = index;
          broke = this.#host.block(step.body, iterationScope(index)) === 'break';
        }
        reads.deactivate(cache.keys());
        if (broke) break;
      }
    } finally {
      // The loop's values are gone: its reused memory serves the loops after it.
      reads.reused.leave(step);
    }
  }

  #limit(step: ForStep | WhileStep, value: (e: PlanExpr) => Value): bigint | undefined {
    const limit = step.limit === undefined ? undefined : numeric(value(step.limit))!.value;
    if (limit !== undefined && limit < 0n) {
      throw new RecipeError('bad-limit', `limit ${limit} is negative`, { ...this.#host.at(step.loc)(), hint: 'give a limit of 0 or more' });
    }
    return limit;
  }

  /**
   * The loop compiled, or undefined for the interpreter: engines off, a run that hashes what it reads (--report:
   * only the interpreter tells each read), or a body lowering refuses. `item`: the kind of a `for` loop's items.
   */
  #compiledFor(step: ForStep | WhileStep, item: IntKind | undefined, env: Scope): CompiledFor | CompiledWhile | undefined {
    const { engines, kernel, reads } = this.#host;
    if (!engines.compile || reads.hashed) return undefined;
    let forms = this.#compiled.get(step);
    if (forms === undefined) {
      const names = Object.keys(step.names).filter((name) => isChosen(step.names[name]!));
      this.#compiled.set(step, forms = { names, item: step.op === 'for' && isChosen(step.item), byKinds: new Map() });
    }
    // Where the plan chose every kind, one form serves every run of the loop.
    const key = forms.names.length === 0 && !forms.item ? '' : `${forms.item ? item : ''} ${forms.names.map((name) => env.get(name)?.kind).join(' ')}`;
    let compiled = forms.byKinds.get(key);
    if (compiled === undefined) {
      const chosen: Chosen = { item: forms.item ? item : undefined, names: new Map(forms.names.map((name) => [name, env.get(name)?.kind ?? ''])) };
      const lowering = lowerLoop(step, chosen);
      compiled = !lowering.eligible
        ? null
        : step.op === 'while'
        ? { loop: lowering.loop, js: compileJsWhile(lowering.loop, kernel, () => unboundedLoop(this.#host.budget.limits.loopIterations, this.#host.at(step.loc))) }
        : { loop: lowering.loop, js: compileJsFor(lowering.loop, kernel), wasm: undefined };
      forms.byKinds.set(key, compiled);
    }
    if (compiled === null) return undefined;
    // The plan's kinds hold (dsl/loop-kinds.ts follows every assignment); were one not to, the loop would run interpreted, not wrongly.
    return (step.op === 'while' || compiled.loop.item === item) && compiled.loop.outer.every(({ name, kind }) => env.get(name)?.kind === kind) ? compiled : undefined;
  }

  /**
   * WebAssembly runs what it can; where it stops, the JS kernel runs that iteration and WebAssembly the rest,
   * a few times (each resumption reads a window ahead again); then, or where it makes no progress, JS runs on.
   */
  #runCompiled(compiled: CompiledFor, count: number, source: LoopSource, env: Scope, window: number): void {
    const { engines, kernel } = this.#host;
    const { item, items } = source;
    let done = 0;
    for (let resumed = 0; count - done >= engines.wasmFrom && resumed <= MAX_RESUMPTIONS; resumed++) {
      compiled.wasm ??= compileWasmFor(compiled.loop, kernel) ?? null;
      if (compiled.wasm === null) break;
      const ran = compiled.wasm.run(count - done, shiftItems(items, done), env);
      if (ran === 'break') return;
      done += ran;
      if (done >= count || ran === 0) break;
      const at = done;
      if (compiled.js.run(1, (index) => item(at + index), env, window)) return;
      done++;
    }
    if (done < count) compiled.js.run(count - done, done === 0 ? item : (index) => item(done + index), env, window);
  }
}

/** The count and items of a loop: a range A..B, or a list; items also as exact integers, for a compiled loop. */
interface LoopSource {
  readonly count: bigint;
  readonly kind: IntKind;
  readonly value: (i: bigint) => Value;
  readonly item: (i: number) => ExactInt;
  /** The items as WebAssembly takes them (wasm-kernel.ts). */
  readonly items: LoopItems;
}

function loopSource(over: ForStep['over'], value: (e: PlanExpr) => Value): LoopSource {
  if (over.kind === 'list') {
    const list = value(over.list);
    const items = list.kind === 'list' ? list.items : [];
    return {
      count: BigInt(items.length),
      // Lists of addresses (hits, literals, params), or of integers (threads()): never mixed.
      kind: items.length > 0 && items.every((v) => v.kind === 'int') ? 'int' : 'ptr',
      value: (i) => items[Number(i)]!,
      item: (i) => exactInt(numeric(items[i]!)!.value),
      items: { at: (i) => numeric(items[i]!)!.value },
    };
  }
  const from = numeric(value(over.from))!;
  const to = numeric(value(over.to))!;
  const start = exactInt(from.value);
  return {
    items: { start: from.value },
    count: to.value > from.value ? to.value - from.value : 0n,
    kind: from.kind,
    value: (i) => (from.kind === 'ptr' ? ptr(from.value + i) : int(from.value + i)),
    item: (i) => (typeof start === 'number' && Number.isSafeInteger(start + i) ? start + i : exactInt(from.value + BigInt(i))),
  };
}

/** The items from `offset` on. */
function shiftItems(items: LoopItems, offset: number): LoopItems {
  if (offset === 0) return items;
  return 'start' in items ? { start: items.start + BigInt(offset) } : { at: (index) => items.at(offset + index) };
}
