// A loop compiled for speed: its body (lower.ts) becomes one generated JS
// function (new Function) that runs a window of iterations, its names JS
// locals, its integers JS numbers while they are safe (exact-int.ts), its
// reads read ahead a window at a time into typed arrays by a second generated
// function. V8 and JavaScriptCore then optimise the whole body as one piece:
// no scope per iteration, no name lookups, no boxed values. The generated code
// holds no text of the recipe: names become item, o0, v0 …, and every
// constant, source location and helper is passed in.
//
// It runs exactly what the interpreter would, statement by statement, with the
// same budgets and the same errors (they come from the same functions), so a
// recipe cannot tell the two apart. Which loops are compiled is lower.ts's
// decision, and which engine runs them run-loop.ts's.
import { type BinaryOperator } from '../../plan/arithmetic.ts';
import type { Loc } from '../../plan/plan.ts';
import type { MemorySource } from '../../target/target.ts';
import type { Budget } from '../budget.ts';
import { arithmetic, type EvalContext, evaluate } from '../evaluation/evaluate.ts';
import { placeError } from '../locate.ts';
import { type ExactInt, exactInt, toBigInt } from '../evaluation/exact-int.ts';
import type { OutputEvent } from '../execute.ts';
import { Scope } from '../evaluation/scope.ts';
import { type IntType, LevelReader, type SiteWindow, valueAt } from './level-read.ts';
import { bool, int, numeric, ptr, readLength, type Value } from '../evaluation/value.ts';
import type { Kind, LoopExpr, LoopStatement, LoweredLoop, LoweredReadAhead, Ref, ResolvedExpr } from './lower.ts';

type Raw = ExactInt | boolean;

/** What a compiled loop needs from the run around it. */
export interface KernelRun {
  readonly target: MemorySource;
  readonly budget: Budget;
  readonly context: EvalContext;
  /** The interpreter's read, with its checks, read-ahead caches and errors: for reads the kernel did not read ahead. */
  readonly read: EvalContext['read'];
  /** Where `print` and `emit` go: the run's output, in order. */
  readonly output: (event: OutputEvent) => void;
  /** Sends the writes still waiting (before a window is read ahead, as the interpreter does). */
  readonly flush: () => void;
}

/** A `for` loop in JS. */
export interface JsFor {
  /**
   * Runs iterations [0, count) of the loop, item i being `item(i)`, over the
   * scope around the loop, in windows growing to `window`; true when a
   * `break` ended it. The outer names the body assigns are stored back there
   * as it stops, even by an error.
   */
  run(count: number, item: (index: number) => ExactInt, env: Scope, window: number): boolean;
}

/** A `while` loop in JS. */
export interface JsWhile {
  /** Runs the loop (its `limit` evaluated, or undefined: `cap` applies, and past it `unbounded` throws), as the interpreter's `while` does. */
  run(env: Scope, limit: bigint | undefined): void;
}

/** The iterations of a compiled `for` loop's first window; each next one is twice as large, up to the run's window. */
const FIRST_WINDOW = 2048;

/** Thrown inside the read-ahead function where a value is not known ahead; caught there. */
const NOT_KNOWN = Symbol('not known ahead');
/** A read-ahead's `let` whose value is not known ahead. */
const UNKNOWN = Symbol('unknown');

/** The values of the loop's outer names, as the generated code holds them. */
function outerValues(loop: LoweredLoop, env: Scope): Raw[] {
  return loop.outer.map(({ name, kind }) => raw(env.get(name)!, kind));
}

/** Stores the outer names the body assigned back in `env`. */
function storeOuter(loop: LoweredLoop, env: Scope, values: readonly Raw[]): void {
  loop.outer.forEach(({ name, kind, assigned }, index) => {
    if (assigned) env.assign(name, value(values[index]!, kind));
  });
}

/** The `while` loop in JS; `unbounded`: the error of a loop that ran its cap. */
export function compileJsWhile(loop: LoweredLoop, run: KernelRun, unbounded: () => Error): JsWhile {
  const generator = new Generator(loop, run);
  const condition = generator.expression(loop.condition!);
  const body = generator.block(loop.body);
  const source = `"use strict";
${HELPERS}
${generator.constantsCode()}
return function runLoop(outer, limit, cap) {
${generator.loadOuter()}
try {
  const index = 0;
  for (let iteration = 0; ; iteration++) {
    if (iteration >= limit) break;
    if (!${condition}) break;
    if (iteration >= cap) throw H.unbounded();
${body}
  }
} finally {
${generator.storeOuter()}
}
};`;
  const { budget } = run;
  const helpers = { ...generator.helpers(() => []), unbounded };
  const runLoop = new Function('K', 'H', source)(generator.constants, helpers) as (outer: Raw[], limit: number, cap: number) => void;
  return {
    run: (env, limit) => {
      const values = outerValues(loop, env);
      try {
        // Iterations are counted as numbers: a limit or cap beyond 2^53 is never reached.
        runLoop(values, limit === undefined ? Infinity : Number(limit), limit === undefined ? Number(budget.limits.loopIterations) : Infinity);
      } finally {
        storeOuter(loop, env, values);
      }
    },
  };
}

/** The `for` loop in JS. */
export function compileJsFor(loop: LoweredLoop, run: KernelRun): JsFor {
  const generator = new Generator(loop, run, true);
  const body = generator.block(loop.body);
  const readAhead = generator.readAheadCode(loop.readAhead!);
  // The window's iterations; true when a `break` ended the loop.
  const runSource = `"use strict";
${HELPERS}
${generator.constantsCode()}
return function runWindow(items, size, outer) {
${generator.loadOuter()}
${generator.resolvedSlotsCode()}
try {
  for (let index = 0; index < size; index++) {
    const item = items[index];
${body}
  }
  return false;
} finally {
${generator.storeOuter()}
}
};`;
  /** The window whose reads were read ahead, by site; empty when nothing was. */
  let ahead: (SiteWindow | undefined)[] = [];
  const runWindow = new Function('K', 'H', runSource)(generator.constants, generator.helpers(() => ahead)) as (items: ArrayLike<ExactInt>, size: number, outer: Raw[]) => boolean;
  return {
    run: (count, item, env, window) => {
      const values = outerValues(loop, env);
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
          if (size > 1 && readAhead !== undefined) {
            // As the interpreter: pending writes land before the window is read ahead, and an error there is the loop's.
            try {
              run.flush();
              ahead = readAhead(items, size, values);
            } catch (error) {
              throw placeError(error, run.context.locate(loop.step.loc));
            }
          } else ahead = [];
          if (runWindow(items, size, values)) return true;
        }
        return false;
      } finally {
        ahead = [];
        storeOuter(loop, env, values);
      }
    },
  };
}

class Generator {
  readonly #loop: LoweredLoop;
  readonly #run: KernelRun;
  /** Values the generated code takes as K[n]: locations, types, bigints. */
  readonly constants: unknown[] = [];
  /** Expressions are generated for the body (reads go to `read`) or for the read-ahead (reads only from lower levels, locals may be unknown). */
  #readingAhead = false;
  /**
   * Whether a symbol() or module bound is asked for once a window (a `for`
   * loop's, which reads its window's memory ahead at once anyway: the map is
   * the same for all of it) and kept in a local r0, r1 … of the window's
   * functions; a `while` loop, which has no windows, asks each time.
   */
  readonly #resolvedOncePerWindow: boolean;
  #resolvedSlots = 0;

  constructor(loop: LoweredLoop, run: KernelRun, resolvedOncePerWindow = false) {
    this.#loop = loop;
    this.#run = run;
    this.#resolvedOncePerWindow = resolvedOncePerWindow;
  }

  /** Declares the locals that keep what symbol() and module bounds gave in a window. */
  resolvedSlotsCode(): string {
    return this.#resolvedSlots === 0 ? '' : `let ${Array.from({ length: this.#resolvedSlots }, (_, i) => `r${i}`).join(', ')};`;
  }

  constantsCode(): string {
    return this.constants.map((_, i) => `const K${i} = K[${i}];`).join('\n');
  }

  loadOuter(keyword = 'let'): string {
    return this.#loop.outer.map((_, i) => `${keyword} o${i} = outer[${i}];`).join('\n');
  }

  storeOuter(): string {
    return this.#loop.outer.flatMap((o, i) => (o.assigned ? [`outer[${i}] = o${i};`] : [])).join('\n');
  }

  /** What generated bodies call (H.…): budgets, bigint arithmetic, output, and reads, read ahead (`ahead()`) or live. */
  helpers(ahead: () => readonly (SiteWindow | undefined)[]) {
    const { budget, context, read: liveRead } = this.#run;
    const live = (site: number, type: IntType, address: ExactInt, loc: Loc): ExactInt => exactInt(numeric(liveRead(type, toBigInt(address), loc, site))!.value);
    return {
      step: (loc: Loc) => budget.step(loc),
      slow: (operator: BinaryOperator, a: ExactInt, b: ExactInt, loc: Loc) => exactInt(arithmetic(operator, toBigInt(a), toBigInt(b), loc, context)),
      exact: exactInt,
      big: toBigInt,
      resolved: (e: ResolvedExpr) => resolved(e, context),
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
  block(steps: readonly LoopStatement[]): string {
    return steps.map((s) => `H.step(${this.#constant(s.loc)});\n${this.#statement(s)}`).join('\n');
  }

  #statement(step: LoopStatement): string {
    switch (step.op) {
      case 'let':
        return `let v${step.slot} = ${this.expression(step.value)};`;
      case 'assign':
        return `${name(step.ref)} = ${this.expression(step.value)};`;
      case 'if':
        return `if (${this.expression(step.condition)}) {\n${this.block(step.then)}\n} else {\n${this.block(step.otherwise)}\n}`;
      case 'break':
        return 'return true;';
      case 'print': {
        // Values as the interpreter shows them: its Values, made from each one's kind; a string literal as it is.
        const kinds = step.values.map((v) => (v.op === 'text' ? 'value' as const : v.kind));
        const codes = step.values.map((v) => (v.op === 'text' ? this.#constant({ kind: 'str', value: v.value }) : this.expression(v)));
        return `H.print(${this.#constant(kinds)}, [${codes.join(', ')}], ${step.loc.line});`;
      }
      case 'emit':
        return `H.emit(${this.#constant(step.name)}, ${this.#constant(step.value.kind)}, ${this.expression(step.value)}, ${step.loc.line});`;
    }
  }

  #constant(value: unknown): string {
    this.constants.push(value);
    return `K${this.constants.length - 1}`;
  }

  expression(e: LoopExpr): string {
    switch (e.op) {
      case 'int': {
        const value = exactInt(e.value);
        return typeof value === 'number' ? `(${value})` : `(${value}n)`;
      }
      case 'bool':
        return e.value ? 'true' : 'false';
      case 'name':
        // While reading ahead, a local may hold no value: what uses it is not known ahead either.
        return this.#readingAhead ? `known(${this.#readAheadName(e.ref)})` : name(e.ref);
      case 'unary': {
        const operand = this.expression(e.operand);
        return e.operator === '-' ? `H.exact(-H.big(${operand}))` : `H.exact(~H.big(${operand}))`;
      }
      case 'binary':
        return `${OPERATOR_HELPERS[e.operator]}(${this.expression(e.left)}, ${this.expression(e.right)}, ${this.#constant(e.loc)})`;
      case 'compare': {
        // One value has one form (a number when safe), so === compares values; < works across number and bigint.
        const operator = e.operator === '==' ? '===' : e.operator === '!=' ? '!==' : e.operator;
        return `(${this.expression(e.left)} ${operator} ${this.expression(e.right)})`;
      }
      case 'logical':
        return `(${this.expression(e.left)} ${e.operator} ${this.expression(e.right)})`;
      case 'not':
        return `(!${this.expression(e.operand)})`;
      case 'read': {
        const reader = this.#readingAhead ? 'ahead' : 'H.read';
        return `${reader}(${e.site}, ${this.#constant(e.type)}, ${this.expression(e.address)}, ${this.#constant(e.loc)}, index)`;
      }
      case 'resolved': {
        // Asked when first used in the window (an error there is raised where the interpreter raises it).
        const ask = `H.resolved(${this.#constant(e.expr)})`;
        if (!this.#resolvedOncePerWindow) return ask;
        const slot = `r${this.#resolvedSlots++}`;
        return `(${slot} ?? (${slot} = ${ask}))`;
      }
    }
  }

  /** A name in read-ahead code: a local the read-ahead does not compute is not known ahead. */
  #readAheadName(ref: Ref): string {
    if (ref.to !== 'local' || this.#loop.readAhead!.lets.some((l) => l.slot === ref.slot)) return name(ref);
    return 'UNKNOWN';
  }

  /**
   * The window's read-ahead: level by level, as the interpreter's does
   * (read-ahead-window.ts), every iteration's address of each read is computed by
   * generated code, and all of a level read at once (level-read.ts). Undefined
   * when the loop has nothing to read ahead.
   */
  readAheadCode(plan: LoweredReadAhead): ((items: ArrayLike<ExactInt>, size: number, outer: Raw[]) => (SiteWindow | undefined)[]) | undefined {
    const { target } = this.#run;
    if (plan.levels.every((level) => level.length === 0)) return undefined;
    this.#readingAhead = true;
    // The body's top-level lets the read-ahead computes, declared before the sites, as read-ahead-window.ts evaluates them.
    const letCode = plan.lets.map((l) => `let v${l.slot}; try { v${l.slot} = ${this.expression(l.value)}; } catch { v${l.slot} = UNKNOWN; }`).join('\n');
    const levelFunctions = plan.levels.map((level) => {
      // An address whose bytes would pass 2^53 is left to the live read (and its checks).
      const siteCode = level.map(({ address, type }, s) => `try { const a = ${this.expression(address)}; if (typeof a === 'number' && a >= 0 && a <= ${Number.MAX_SAFE_INTEGER - readLength(type)}) { wanted[${s}][index] = a; } } catch {}`)
        .join('\n');
      const source = `"use strict";
${HELPERS}
const known = (v) => { if (v === UNKNOWN) throw NOT_KNOWN; return v; };
${this.constantsCode()}
return function readAheadLevel(items, size, outer, wanted, ahead) {
${this.loadOuter('const')}
${this.resolvedSlotsCode()}
for (let index = 0; index < size; index++) {
  const item = items[index];
${letCode}
${siteCode}
}
};`;
      return new Function('K', 'H', 'UNKNOWN', 'NOT_KNOWN', source);
    });
    this.#readingAhead = false;
    const helpers = { exact: exactInt, big: toBigInt, slow: notKnown, resolved: (e: ResolvedExpr) => resolved(e, this.#run.context) };
    const compiled = levelFunctions.map((run, k) => ({
      sites: plan.levels[k]!,
      run: run(this.constants, helpers, UNKNOWN, NOT_KNOWN) as (items: ArrayLike<ExactInt>, size: number, outer: Raw[], wanted: Float64Array[], ahead: unknown) => void,
    }));
    const siteCount = Math.max(0, ...plan.levelOf.keys()) + 1;
    // Each level's arrays serve every window of every run (a run's windows are read ahead one after another).
    const readers = compiled.map(({ sites }) => new LevelReader(sites.map(({ type }) => type)));
    return (items, size, outer) => {
      const windows: (SiteWindow | undefined)[] = new Array(siteCount);
      // A read of a lower level: its value if it was read ahead at this address, else not known.
      const ahead = (site: number, _type: IntType, address: ExactInt, _loc: Loc, index: number): ExactInt => {
        const window = windows[site];
        if (window === undefined || window.addresses[index] !== address) throw NOT_KNOWN;
        return valueAt(window, index);
      };
      compiled.forEach(({ sites, run }, level) => {
        const reader = readers[level]!;
        run(items, size, outer, reader.addresses(size), ahead);
        reader.read(target, size).forEach((window, s) => (windows[sites[s]!.site] = window));
      });
      return windows;
    };
  }
}

/** The JS name of a value in generated code. */
function name(ref: Ref): string {
  return ref.to === 'item' ? 'item' : ref.to === 'outer' ? `o${ref.index}` : `v${ref.slot}`;
}

/** A symbol's address, a module's or region's bound, as the interpreter evaluates it (its names are not the loop's: it has none). */
function resolved(e: ResolvedExpr, context: EvalContext): ExactInt {
  return exactInt(numeric(evaluate(e, NO_NAMES, context))!.value);
}
const NO_NAMES = new Scope();

/** In read-ahead code, what would take the bigint way (or raise an error) is left to the real run. */
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

function raw(value: Value, kind: Kind): Raw {
  if (kind === 'bool') return (value as { value: boolean }).value;
  return exactInt(numeric(value)!.value);
}

function value(v: Raw, kind: Kind): Value {
  if (kind === 'bool') return bool(v as boolean);
  const n = toBigInt(v as ExactInt);
  return kind === 'ptr' ? ptr(n) : int(n);
}
