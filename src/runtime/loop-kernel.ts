// A `for` loop compiled for speed (issue 13): its body becomes one generated
// JS function (new Function) that runs a window of iterations, its names
// JS locals, its integers JS numbers while they are safe (exact-int.ts), its
// reads prefetched a window at a time into typed arrays by a second generated
// function. V8 and JavaScriptCore then optimise the whole body as one piece:
// no scope per iteration, no name lookups, no boxed values. The generated code
// holds no text of the recipe: names become v0, v1 …, and every constant,
// source location and helper is passed in.
//
// It runs exactly what the interpreter would, statement by statement, with the
// same budgets and the same errors (they come from the same functions), so a
// recipe cannot tell the two apart. Only loops whose bodies hold nothing but
// `let`, assignment, `if`, `break`, `print` and `emit`, and integer, address
// and condition expressions with reads of integers and pointers are compiled;
// anything else (a write, a string expression, a nested loop, a float) runs
// in the interpreter, as does a run that hashes what it reads (--report).
import { RecipeError } from '../errors.ts';
import { type BinaryOperator, resultKind } from '../plan/arithmetic.ts';
import type { Loc, PlanExpr, PlanStep, Prefetch } from '../plan/plan.ts';
import type { MemorySource } from '../target/target.ts';
import type { Budget } from './budget.ts';
import { arithmetic, type EvalContext } from './evaluate.ts';
import { placeError } from './locate.ts';
import { type ExactInt, exactInt, toBigInt } from './exact-int.ts';
import type { OutputEvent } from './execute.ts';
import type { Scope } from './scope.ts';
import { type IntType, LevelReader, type SiteWindow, valueAt } from './level-read.ts';
import { bool, int, numeric, ptr, readLength, type Value } from './value.ts';
import { compileWasmLoop, type LoopItems, type WasmLoop } from './wasm-loop.ts';

type Kind = 'int' | 'ptr' | 'bool';
type Raw = ExactInt | boolean;

/** A body the kernel does not compile. */
class Ineligible extends Error {}

/** What the kernel needs from the run around it. */
export interface KernelRun {
  readonly target: MemorySource;
  readonly budget: Budget;
  readonly context: EvalContext;
  /** The interpreter's read, with its checks, prefetch caches and errors: for reads the kernel did not prefetch. */
  readonly read: EvalContext['read'];
  /** The read nodes of the recipe, by site. */
  readonly sites: ReadonlyMap<number, Extract<PlanExpr, { op: 'read' }>>;
  /** Where `print` and `emit` go: the run's output, in order. */
  readonly output: (event: OutputEvent) => void;
  /** Sends the writes still waiting (before a window is read ahead, as the interpreter does). */
  readonly flush: () => void;
}

export interface LoopKernel {
  /** The names of the scope around the loop the body uses, and the kinds their values had when it was compiled. */
  readonly outer: ReadonlyMap<string, Kind>;
  /** The kind of the loop variable it was compiled for (a range's start may be an integer one time, an address the next). */
  readonly variableKind: 'int' | 'ptr';
  /**
   * Runs iterations [0, count) of the loop, item i being `item(i)`, over the
   * scope around the loop; the outer names the body assigns are stored back
   * there as it stops, even by an error. `items`: the same items as bigints,
   * for WebAssembly to run the loop over.
   */
  run(count: number, item: (index: number) => ExactInt, env: Scope, window: number, items?: LoopItems): void;
}

/** The kernel of a `for` loop, or undefined when its body is not one the kernel compiles. */
export function compileLoop(step: Extract<PlanStep, { op: 'for' }>, variableKind: 'int' | 'ptr', env: Scope, run: KernelRun): LoopKernel | undefined {
  try {
    return new Generator(step, variableKind, env, run).kernel();
  } catch (error) {
    if (error instanceof Ineligible) return undefined;
    throw error;
  }
}

export interface WhileKernel {
  /** The names of the scope around the loop the body uses, and the kinds their values had when it was compiled. */
  readonly outer: ReadonlyMap<string, Kind>;
  /** Runs the loop (its `limit` evaluated, or undefined: the loop cap applies), as the interpreter's `while` does. */
  run(env: Scope, limit: bigint | undefined): void;
}

/**
 * The kernel of a `while` loop (a list walked through its pointers, say):
 * nothing is read ahead, as each address comes from the iteration before,
 * but the body runs without an interpreter around it.
 */
export function compileWhile(step: Extract<PlanStep, { op: 'while' }>, env: Scope, run: KernelRun): WhileKernel | undefined {
  try {
    return new Generator(step, undefined, env, run).whileKernel();
  } catch (error) {
    if (error instanceof Ineligible) return undefined;
    throw error;
  }
}

interface Binding {
  /** The JS name in generated code. */
  readonly js: string;
  readonly kind: Kind;
}

interface Code {
  readonly code: string;
  readonly kind: Kind;
}

/**
 * Iterations from which a run of a loop goes to WebAssembly (wasm-loop.ts):
 * generating the module is itself cold code, which a short run does not win
 * back (walking a live table, first run on Node: 1000 iterations 18 ms in
 * JS, 20 in WebAssembly; 4000: 32 and 24; 100 000: 131 and 54).
 * PVM_WASM_LOOPS=0 keeps every loop in JS; `always` sends every loop it
 * compiles, however short (the tests).
 */
function wasmFrom(): number {
  const choice = process.env.PVM_WASM_LOOPS;
  return choice === '0' ? Infinity : choice === 'always' ? 1 : 1024;
}

/** How many times a run of a loop goes back to WebAssembly after it stopped (a u64 at or above 2^63, say). */
const MAX_RESUMPTIONS = 8;

/** The items from `offset` on. */
function shiftItems(items: LoopItems, offset: number): LoopItems {
  if (offset === 0) return items;
  return 'start' in items ? { start: items.start + BigInt(offset) } : { at: (index) => items.at(offset + index) };
}

/** The iterations of a compiled `for` loop's first window; each next one is twice as large, up to the run's window. */
const FIRST_WINDOW = 2048;

/** Thrown inside the prefetch function where a value is not known ahead; caught there. */
const NOT_KNOWN = Symbol('not known ahead');
/** A prefetched `let` whose value is not known ahead. */
const UNKNOWN = Symbol('unknown');

class Generator {
  readonly #step: Extract<PlanStep, { op: 'for' | 'while' }>;
  readonly #env: Scope;
  readonly #run: KernelRun;
  /** Names in scope, innermost block last. */
  readonly #blocks: Map<string, Binding>[] = [];
  /** The body's own names (its top-level block), which prefetching computes too. */
  readonly #top = new Map<string, Binding>();
  /** Names of the scope around the loop, held in JS locals while the window runs. */
  readonly #outer = new Map<string, Binding & { readonly index: number; assigned: boolean }>();
  /** Values the generated code takes as K[n]: locations, types, bigints. */
  readonly #constants: unknown[] = [];
  #names = 0;
  /** Expressions are generated for the body (reads go to `read`) or for prefetching (reads only from lower levels, lets may be unknown). */
  #prefetching = false;

  constructor(step: Extract<PlanStep, { op: 'for' | 'while' }>, variableKind: 'int' | 'ptr' | undefined, env: Scope, run: KernelRun) {
    this.#step = step;
    this.#env = env;
    this.#run = run;
    this.#blocks.push(step.op === 'for' && variableKind !== undefined ? new Map([[step.variable, { js: 'item', kind: variableKind }]]) : new Map());
  }

  whileKernel(): WhileKernel {
    const step = this.#step as Extract<PlanStep, { op: 'while' }>;
    // The condition sees the scope around the loop, not the body's names: generated before them.
    const condition = this.#condition(step.condition);
    const body = this.#block(step.body, this.#top);
    const outer = [...this.#outer].map(([name, binding]) => ({ name, ...binding }));
    const source = `"use strict";
${HELPERS}
${this.#constants.map((_, i) => `const K${i} = K[${i}];`).join('\n')}
return function runLoop(outer, limit, cap) {
${outer.map((o) => `let ${o.js} = outer[${o.index}];`).join('\n')}
try {
  const index = 0;
  for (let iteration = 0; ; iteration++) {
    if (iteration >= limit) break;
    if (!${condition}) break;
    if (iteration >= cap) H.unbounded();
${body}
  }
} finally {
${outer.filter((o) => o.assigned).map((o) => `outer[${o.index}] = ${o.js};`).join('\n')}
}
};`;
    const { budget } = this.#run;
    const helpers = {
      ...this.#helpers(() => []),
      unbounded: () => {
        throw new RecipeError('unbounded-loop', `this while loop ran ${budget.limits.loopIterations} times and its condition still holds`, {
          ...this.#run.context.locate(step.loc),
          hint: 'add `limit N` to run at most N iterations, or check that the body changes what the condition reads',
        });
      },
    };
    const runLoop = new Function('K', 'H', source)(this.#constants, helpers) as (outer: Raw[], limit: number, cap: number) => void;
    return {
      outer: new Map(outer.map(({ name, kind }) => [name, kind])),
      run: (env, limit) => {
        const values: Raw[] = outer.map(({ name, kind }) => raw(env.get(name)!, kind));
        try {
          // Iterations are counted as numbers: a limit or cap beyond 2^53 is never reached.
          runLoop(values, limit === undefined ? Infinity : Number(limit), limit === undefined ? Number(budget.limits.loopIterations) : Infinity);
        } finally {
          for (const { name, kind, index, assigned } of outer) if (assigned) env.assign(name, value(values[index]!, kind));
        }
      },
    };
  }

  kernel(): LoopKernel {
    const step = this.#step as Extract<PlanStep, { op: 'for' }>;
    const body = this.#block(step.body, this.#top);
    const prefetch = this.#prefetchCode(step.prefetch);
    const outer = [...this.#outer].map(([name, binding]) => ({ name, ...binding }));
    const load = outer.map((o) => `let ${o.js} = outer[${o.index}];`).join('\n');
    const store = outer.filter((o) => o.assigned).map((o) => `outer[${o.index}] = ${o.js};`).join('\n');
    const constants = this.#constants.map((_, i) => `const K${i} = K[${i}];`).join('\n');
    // The window's iterations; true when a `break` ended the loop.
    const runSource = `"use strict";
${HELPERS}
${constants}
return function runWindow(items, size, outer) {
${load}
try {
  for (let index = 0; index < size; index++) {
    const item = items[index];
${body}
  }
  return false;
} finally {
${store}
}
};`;
    /** The window whose reads were prefetched, by site; empty when nothing was. */
    let ahead: (SiteWindow | undefined)[] = [];
    const helpers = this.#helpers(() => ahead);
    const runWindow = new Function('K', 'H', runSource)(this.#constants, helpers) as (items: ArrayLike<ExactInt>, size: number, outer: Raw[]) => boolean;
    const variableKind = this.#blocks[0]!.get(step.variable)!.kind as 'int' | 'ptr';
    /** The loop in WebAssembly, compiled on the first run long enough to gain from it; null: not one it compiles. */
    let wasm: WasmLoop | null | undefined;
    const wasmThreshold = wasmFrom();
    /** Runs iterations [0, count) in JS; true when a `break` ended the loop. */
    const runJs = (count: number, item: (index: number) => ExactInt, env: Scope, window: number): boolean => {
      const values: Raw[] = outer.map(({ name, kind }) => raw(env.get(name)!, kind));
      try {
        // Windows grow from FIRST_WINDOW to `window`: the first iterations of each loop here and in the
        // generated code run before the JIT has optimised it, hundreds of times slower than after, so
        // a small window lets the JIT see every loop run, and optimise it, before the large ones come.
        for (let first = 0, next = Math.min(window, FIRST_WINDOW); first < count; first += next, next = Math.min(window, next * 2)) {
          const size = Math.min(next, count - first);
          // Items as doubles while they are safe integers (no boxed numbers); as values once one is a bigint.
          let items: Float64Array | ExactInt[] = new Float64Array(size);
          for (let i = 0; i < size; i++) {
            const v = item(first + i);
            if (typeof v !== 'number' && items instanceof Float64Array) items = Array.from(items);
            items[i] = v as number;
          }
          if (size > 1 && prefetch !== undefined) {
            // As the interpreter: pending writes land before the window is read ahead, and an error there is the loop's.
            try {
              this.#run.flush();
              ahead = prefetch(items, size, values);
            } catch (error) {
              throw placeError(error, this.#run.context.locate(step.loc));
            }
          } else ahead = [];
          if (runWindow(items, size, values)) return true;
        }
        return false;
      } finally {
        ahead = [];
        for (const { name, kind, index, assigned } of outer) if (assigned) env.assign(name, value(values[index]!, kind));
      }
    };
    return {
      outer: new Map(outer.map(({ name, kind }) => [name, kind])),
      variableKind,
      run: (count, item, env, window, items) => {
        // WebAssembly runs what it can; where it stops, the JS kernel runs that iteration and WebAssembly the rest,
        // a few times (each resumption reads a window ahead again); then, or where it makes no progress, JS runs on.
        let done = 0;
        for (let resumed = 0; items !== undefined && count - done >= wasmThreshold && resumed <= MAX_RESUMPTIONS; resumed++) {
          wasm ??= compileWasmLoop(step, variableKind, env, this.#run) ?? null;
          if (wasm === null) break;
          const ran = wasm.run(count - done, shiftItems(items, done), env);
          if (ran === 'break') return;
          done += ran;
          if (done >= count || ran === 0) break;
          const at = done;
          if (runJs(1, (index) => item(at + index), env, window)) return;
          done++;
        }
        if (done < count) runJs(count - done, done === 0 ? item : (index) => item(done + index), env, window);
      },
    };
  }

  /** What generated bodies call (H.…): budgets, bigint arithmetic, output, and reads, prefetched (`ahead()`) or live. */
  #helpers(ahead: () => readonly (SiteWindow | undefined)[]) {
    const { budget, context, read: liveRead } = this.#run;
    const live = (site: number, type: IntType, address: ExactInt, loc: Loc): ExactInt => exactInt(numeric(liveRead(type, toBigInt(address), loc, site))!.value);
    return {
      step: (loc: Loc) => budget.step(loc),
      slow: (operator: BinaryOperator, a: ExactInt, b: ExactInt, loc: Loc) => exactInt(arithmetic(operator, toBigInt(a), toBigInt(b), loc, context)),
      exact: exactInt,
      big: toBigInt,
      print: (kinds: readonly (Kind | 'value')[], raws: readonly Raw[], line: number) => {
        this.#run.output({ type: 'print', values: raws.map((r, i) => (kinds[i] === 'value' ? r as unknown as Value : value(r, kinds[i] as Kind))), line });
      },
      emit: (name: string, kind: Kind, r: Raw, line: number) => this.#run.output({ type: 'emit', name, value: value(r, kind), line }),
      read: (site: number, type: IntType, address: ExactInt, loc: Loc, index: number): ExactInt => {
        const window = ahead()[site];
        if (window !== undefined && window.addresses[index] === address) {
          budget.read(type.size, loc);
          return valueAt(window, index);
        }
        return live(site, type, address, loc);
      },
    };
  }

  /** A block's statements, each counted against the step budget before it runs, as the interpreter does. */
  #block(steps: readonly PlanStep[], scope = new Map<string, Binding>()): string {
    this.#blocks.push(scope);
    const code = steps.filter((s) => s.op !== 'read-ahead').map((s) => `H.step(${this.#constant(s.loc)});\n${this.#statement(s)}`).join('\n');
    this.#blocks.pop();
    return code;
  }

  #statement(step: PlanStep): string {
    switch (step.op) {
      case 'let': {
        const value = this.#expression(step.value);
        const js = `v${this.#names++}`;
        this.#blocks.at(-1)!.set(step.name, { js, kind: value.kind });
        return `let ${js} = ${value.code};`;
      }
      case 'assign': {
        const binding = this.#lookup(step.name, true);
        const value = this.#expression(step.value);
        // The interpreter gives the name the value's kind; the kernel's kinds are fixed: a change is not compiled.
        if (value.kind !== binding.kind) throw new Ineligible();
        return `${binding.js} = ${value.code};`;
      }
      case 'if':
        return `if (${this.#condition(step.condition)}) {\n${this.#block(step.then)}\n} else {\n${this.#block(step.otherwise)}\n}`;
      case 'break':
        return 'return true;';
      case 'print': {
        // Values as the interpreter shows them: its Values, made from each one's kind; a string literal as it is.
        const values = step.values.map((v) => (v.op === 'str' ? { code: this.#constant({ kind: 'str', value: v.value }), kind: 'value' as const } : this.#expression(v)));
        return `H.print(${this.#constant(values.map((v) => v.kind))}, [${values.map((v) => v.code).join(', ')}], ${step.loc.line});`;
      }
      case 'emit': {
        const value = this.#expression(step.value);
        return `H.emit(${this.#constant(step.name)}, ${this.#constant(value.kind)}, ${value.code}, ${step.loc.line});`;
      }
      default:
        throw new Ineligible();
    }
  }

  #lookup(name: string, assigning: boolean): Binding {
    for (let i = this.#blocks.length - 1; i >= 0; i--) {
      const binding = this.#blocks[i]!.get(name);
      if (binding !== undefined) return binding;
    }
    let outer = this.#outer.get(name);
    if (outer === undefined) {
      const current = this.#env.get(name);
      const kind = current === undefined ? undefined : kindOf(current);
      if (kind === undefined) throw new Ineligible();
      outer = { js: `o${this.#outer.size}`, kind, index: this.#outer.size, assigned: false };
      this.#outer.set(name, outer);
    }
    if (assigning) outer.assigned = true;
    return outer;
  }

  #constant(value: unknown): string {
    this.#constants.push(value);
    return `K${this.#constants.length - 1}`;
  }

  #condition(e: PlanExpr): string {
    const compiled = this.#expression(e);
    if (compiled.kind !== 'bool') throw new Ineligible();
    return compiled.code;
  }

  #integer(e: PlanExpr): Code & { readonly kind: 'int' | 'ptr' } {
    const compiled = this.#expression(e);
    if (compiled.kind === 'bool') throw new Ineligible();
    return compiled as Code & { readonly kind: 'int' | 'ptr' };
  }

  #expression(e: PlanExpr): Code {
    switch (e.op) {
      case 'int': {
        const value = exactInt(BigInt(e.value));
        return { kind: 'int', code: typeof value === 'number' ? `(${value})` : `(${value}n)` };
      }
      case 'bool':
        return { kind: 'bool', code: e.value ? 'true' : 'false' };
      case 'var': {
        const { js, kind } = this.#lookup(e.name, false);
        // While prefetching, a `let` may hold no value: what uses it is not known ahead either.
        return { kind, code: this.#prefetching ? `known(${js})` : js };
      }
      case 'unary': {
        const operand = this.#integer(e.operand).code;
        // As the interpreter: the result is a number, even of an address.
        return { kind: 'int', code: e.operator === '-' ? `H.exact(-H.big(${operand}))` : `H.exact(~H.big(${operand}))` };
      }
      case 'binary': {
        const left = this.#integer(e.left);
        const right = this.#integer(e.right);
        const helper = OPERATOR_HELPERS[e.operator];
        return { kind: resultKind(e.operator, left.kind, right.kind), code: `${helper}(${left.code}, ${right.code}, ${this.#constant(e.loc)})` };
      }
      case 'compare': {
        const l = this.#integer(e.left).code;
        const r = this.#integer(e.right).code;
        // One value has one form (a number when safe), so === compares values; < works across number and bigint.
        const operator = e.operator === '==' ? '===' : e.operator === '!=' ? '!==' : e.operator;
        return { kind: 'bool', code: `(${l} ${operator} ${r})` };
      }
      case 'logical':
        return { kind: 'bool', code: `(${this.#condition(e.left)} ${e.operator} ${this.#condition(e.right)})` };
      case 'not':
        return { kind: 'bool', code: `(!${this.#condition(e.operand)})` };
      case 'read': {
        const type = e.type;
        if (type.kind !== 'int' && type.kind !== 'ptr') throw new Ineligible();
        const address = this.#integer(e.address).code;
        const reader = this.#prefetching ? 'ahead' : 'H.read';
        return { kind: type.kind, code: `${reader}(${e.site}, ${this.#constant(type)}, ${address}, ${this.#constant(e.loc)}, index)` };
      }
      default:
        throw new Ineligible();
    }
  }

  /**
   * The window's prefetch: level by level, as the interpreter's prefetcher
   * does (prefetch.ts), every iteration's address of each read is computed by
   * generated code, and all of a level read at once (level-read.ts). Undefined
   * when the loop has nothing to prefetch.
   */
  #prefetchCode(plan: Prefetch): ((items: ArrayLike<ExactInt>, size: number, outer: Raw[]) => (SiteWindow | undefined)[]) | undefined {
    const { target, sites } = this.#run;
    this.#prefetching = true;
    // Lets and addresses are generated in the body's top-level scope, after its lets, as prefetch.ts evaluates them.
    const top = this.#top;
    const body = this.#step.body;
    const lets = body.filter((s): s is Extract<PlanStep, { op: 'let' }> => s.op === 'let' && plan.lets.includes(s.name) && top.has(s.name));
    const levels = [...new Set(plan.sites.map((s) => s.level))].sort((a, b) => a - b).map((level) =>
      plan.sites.filter((s) => s.level === level).map(({ site }) => ({ site, node: sites.get(site)! })).filter(({ node }) => node.type.kind === 'int' || node.type.kind === 'ptr')
    );
    if (levels.every((level) => level.length === 0)) {
      this.#prefetching = false;
      return undefined;
    }
    // The body's top-level lets live in the body's block; here they are declared before the sites.
    this.#blocks.push(top);
    const letCode = lets.map((l) => {
      const js = top.get(l.name)!.js;
      return `let ${js}; try { ${js} = ${this.#expression(l.value).code}; } catch { ${js} = UNKNOWN; }`;
    }).join('\n');
    const levelFunctions = levels.map((level) => {
      // An address whose bytes would pass 2^53 is left to the live read (and its checks).
      const siteCode = level.map(({ node }, s) =>
        `try { const a = ${this.#integer(node.address).code}; if (typeof a === 'number' && a >= 0 && a <= ${Number.MAX_SAFE_INTEGER - readLength(node.type)}) { wanted[${s}][index] = a; } } catch {}`
      ).join('\n');
      const source = `"use strict";
${HELPERS}
const known = (v) => { if (v === UNKNOWN) throw NOT_KNOWN; return v; };
${this.#constants.map((_, i) => `const K${i} = K[${i}];`).join('\n')}
return function prefetchLevel(items, size, outer, wanted, ahead) {
${[...this.#outer.values()].map((o) => `const ${o.js} = outer[${o.index}];`).join('\n')}
for (let index = 0; index < size; index++) {
  const item = items[index];
${letCode}
${siteCode}
}
};`;
      return { level, run: new Function('K', 'H', 'UNKNOWN', 'NOT_KNOWN', source) };
    });
    this.#blocks.pop();
    this.#prefetching = false;
    const helpers = { exact: exactInt, big: toBigInt, slow: notKnown };
    const compiled = levelFunctions.map(({ level, run }) => ({
      sites: level.map(({ site, node }) => ({ site, type: node.type as IntType })),
      run: run(this.#constants, helpers, UNKNOWN, NOT_KNOWN) as (items: ArrayLike<ExactInt>, size: number, outer: Raw[], wanted: Float64Array[], ahead: unknown) => void,
    }));
    const siteCount = Math.max(0, ...plan.sites.map((s) => s.site)) + 1;
    // Each level's arrays serve every window of every run (a run's windows are read ahead one after another).
    const readers = compiled.map(({ sites: levelSites }) => new LevelReader(levelSites.map(({ type }) => type)));
    return (items, size, outer) => {
      const windows: (SiteWindow | undefined)[] = new Array(siteCount);
      // A read of a lower level: its value if it was read ahead at this address, else not known.
      const ahead = (site: number, _type: IntType, address: ExactInt, _loc: Loc, index: number): ExactInt => {
        const window = windows[site];
        if (window === undefined || window.addresses[index] !== address) throw NOT_KNOWN;
        return valueAt(window, index);
      };
      compiled.forEach(({ sites: levelSites, run }, level) => {
        const reader = readers[level]!;
        run(items, size, outer, reader.addresses(size), ahead);
        reader.read(target, size).forEach((window, s) => (windows[levelSites[s]!.site] = window));
      });
      return windows;
    };
  }
}

/** In prefetch code, what would take the bigint way (or raise an error) is left to the real run. */
function notKnown(): never {
  throw NOT_KNOWN;
}

/** Binary operators as helpers of the generated code: numbers the fast way when the result is surely exact, else H.slow (bigints, the language's errors). */
const OPERATOR_HELPERS: Record<BinaryOperator, string> = {
  '+': 'add',
  '-': 'sub',
  '*': 'mul',
  '/': 'div',
  '%': 'mod',
  '<<': 'shl',
  '>>': 'shr',
  '&': 'and',
  '|': 'or',
  '^': 'xor',
};

/**
 * Small enough for V8 and JavaScriptCore to inline at every (monomorphic) call
 * site of the generated function. A safe-integer result of + - * on safe
 * integers is exact (an inexact one lies beyond 2^53); / is checked by its
 * remainder; shifts by up to 52 are exact multiplications and divisions by
 * powers of two; bitwise operators take 32-bit operands only.
 */
const HELPERS = `
const MAX = 9007199254740991;
const safe = (r) => r <= MAX && r >= -MAX;
function add(a, b, L) { if (typeof a === 'number' && typeof b === 'number') { const r = a + b; if (safe(r)) return r; } return H.slow('+', a, b, L); }
function sub(a, b, L) { if (typeof a === 'number' && typeof b === 'number') { const r = a - b; if (safe(r)) return r; } return H.slow('-', a, b, L); }
function mul(a, b, L) { if (typeof a === 'number' && typeof b === 'number') { const r = a * b; if (safe(r)) return r + 0; } return H.slow('*', a, b, L); }
function div(a, b, L) {
  if (typeof a === 'number' && typeof b === 'number' && b !== 0) {
    const r = Math.trunc(a / b), rest = a - r * b;
    if (rest === 0 || (Math.sign(rest) === Math.sign(a) && Math.abs(rest) < Math.abs(b))) return r + 0;
  }
  return H.slow('/', a, b, L);
}
function mod(a, b, L) { if (typeof a === 'number' && typeof b === 'number' && b !== 0) return (a % b) + 0; return H.slow('%', a, b, L); }
function shl(a, b, L) { if (typeof a === 'number' && typeof b === 'number' && b >= 0 && b <= 52) { const r = a * 2 ** b; if (safe(r)) return r + 0; } return H.slow('<<', a, b, L); }
function shr(a, b, L) { if (typeof a === 'number' && typeof b === 'number' && b >= 0 && b <= 52) return Math.floor(a / 2 ** b) + 0; return H.slow('>>', a, b, L); }
const int32 = (v) => typeof v === 'number' && v >= -2147483648 && v < 2147483648;
function and(a, b, L) { return int32(a) && int32(b) ? a & b : H.slow('&', a, b, L); }
function or(a, b, L) { return int32(a) && int32(b) ? a | b : H.slow('|', a, b, L); }
function xor(a, b, L) { return int32(a) && int32(b) ? a ^ b : H.slow('^', a, b, L); }
`;

function kindOf(value: Value): Kind | undefined {
  return value.kind === 'int' || value.kind === 'ptr' || value.kind === 'bool' ? value.kind : undefined;
}

function raw(value: Value, kind: Kind): Raw {
  if (kind === 'bool') return (value as { value: boolean }).value;
  return exactInt(numeric(value)!.value);
}

function value(v: Raw, kind: Kind): Value {
  if (kind === 'bool') return bool(v as boolean);
  const n = toBigInt(v as ExactInt);
  return kind === 'ptr' ? ptr(n) : int(n);
}
