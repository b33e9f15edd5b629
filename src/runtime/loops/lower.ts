// A plan loop lowered once to the form its compiled engines take (the JS
// kernel, js-kernel.ts; WebAssembly, wasm-kernel.ts): every name resolved to
// where its value lives (the loop's item, a name around the loop, a local of
// the body), every expression with its kind, every read with its type and
// its level of the read-ahead, and whether each engine takes the loop or why
// not. The kinds of the names around the loop and of a `for` loop's item
// come from the plan (`names`, `item`: dsl/loop-kinds.ts); where the plan
// gives several (`int|ptr`), from the value as the loop starts, which the
// run gives (`Chosen`). The emitters walk no scopes and
// decide nothing of the language: what is here is what they compile
// (WebAssembly still declines a module its memory or engine would not take).
import type { BinaryOperator } from '../../plan/arithmetic.ts';
import { resultKind } from '../../plan/arithmetic.ts';
import type { CompareOperator, Kinds, Loc, PlanExpr, PlanStep } from '../../plan/plan.ts';
import type { IntType } from './level-read.ts';
import type { Shape } from '../../plan/shape.ts';

/** The kinds of value a compiled loop holds: integers as numbers or addresses, and conditions. */
export type Kind = 'int' | 'ptr' | 'bool';
export type IntKind = 'int' | 'ptr';

export type ForStep = Extract<PlanStep, { op: 'for' }>;
export type WhileStep = Extract<PlanStep, { op: 'while' }>;

/** Where a name's value lives while the loop runs. */
export type Ref =
  | { readonly to: 'item' }
  /** A name around the loop, `index` into LoweredLoop.outer. */
  | { readonly to: 'outer'; readonly index: number }
  /** A `let` of the body: each `let` has a slot of its own. */
  | { readonly to: 'local'; readonly slot: number };

export type LoopExpr =
  | { readonly op: 'int'; readonly value: bigint; readonly kind: 'int' }
  | { readonly op: 'bool'; readonly value: boolean; readonly kind: 'bool' }
  | { readonly op: 'name'; readonly ref: Ref; readonly kind: Kind }
  | { readonly op: 'unary'; readonly operator: '-' | '~'; readonly operand: LoopExpr; readonly kind: 'int' }
  | { readonly op: 'binary'; readonly operator: BinaryOperator; readonly left: LoopExpr; readonly right: LoopExpr; readonly loc: Loc; readonly kind: IntKind }
  | { readonly op: 'compare'; readonly operator: CompareOperator; readonly left: LoopExpr; readonly right: LoopExpr; readonly kind: 'bool' }
  | { readonly op: 'logical'; readonly operator: '&&' | '||'; readonly left: LoopExpr; readonly right: LoopExpr; readonly kind: 'bool' }
  | { readonly op: 'not'; readonly operand: LoopExpr; readonly kind: 'bool' }
  | { readonly op: 'read'; readonly site: number; readonly type: IntType; readonly address: LoopExpr; readonly loc: Loc; readonly kind: IntKind }
  /**
   * symbol(), or a module's or named region's start, end or size: the same
   * each time round while the map is (the run's resolver remembers the
   * answer for the map), so the engine asks the run for it as the
   * interpreter would, and a loop that names its addresses this way is
   * compiled like one that hoisted them into a `let`.
   */
  | { readonly op: 'resolved'; readonly expr: ResolvedExpr; readonly kind: IntKind };

/**
 * The plan's expressions a compiled loop asks the run's resolver for: a
 * symbol(), or a field of a module() or of region("NAME") with a literal
 * name. None holds a name (the kernel evaluates them with no scope), so a
 * field of a region named by a variable is left to the interpreter.
 */
export type ResolvedExpr = Extract<PlanExpr, { op: 'symbol' } | { op: 'field' }>;

export type LoopStatement =
  | { readonly op: 'let'; readonly slot: number; readonly value: LoopExpr; readonly loc: Loc }
  | { readonly op: 'assign'; readonly ref: Ref; readonly value: LoopExpr; readonly loc: Loc }
  | { readonly op: 'if'; readonly condition: LoopExpr; readonly then: readonly LoopStatement[]; readonly otherwise: readonly LoopStatement[]; readonly loc: Loc }
  | { readonly op: 'break'; readonly loc: Loc }
  /** A string literal is shown as it is (`text`); the rest are values of their kinds. */
  | { readonly op: 'print'; readonly values: readonly (LoopExpr | { readonly op: 'text'; readonly value: string })[]; readonly loc: Loc }
  | { readonly op: 'emit'; readonly name: string; readonly value: LoopExpr; readonly loc: Loc };

/** A name around the loop the loop uses. */
export interface OuterName {
  readonly name: string;
  readonly kind: Kind;
  /** The body assigns it: its value is stored back around the loop as the loop stops. */
  readonly assigned: boolean;
}

/** A read the loop's read-ahead makes for every iteration of a window, before the iterations run. */
export interface ReadAheadSite {
  readonly site: number;
  readonly type: IntType;
  readonly address: LoopExpr;
}

/**
 * A `for` loop's read-ahead (the plan's `readAhead`): the body's top-level
 * lets it computes first, then the sites, a level at a time (a level's
 * addresses come from the values of the levels below it). A name whose value
 * is not known ahead (a local it does not compute) leaves what needs it to
 * the body's live read.
 */
export interface LoweredReadAhead {
  readonly lets: readonly Extract<LoopStatement, { op: 'let' }>[];
  readonly levels: readonly (readonly ReadAheadSite[])[];
  /** Every site read ahead, with its level (0 from the first), those of other types too (WebAssembly takes only integers). */
  readonly levelOf: ReadonlyMap<number, number>;
}

export interface LoweredLoop {
  readonly step: ForStep | WhileStep;
  readonly outer: readonly OuterName[];
  /** A `for` loop's item and its kind; undefined for a `while`. */
  readonly item: IntKind | undefined;
  /** A `while` loop's condition (it sees the names around the loop, not the body's). */
  readonly condition: LoopExpr | undefined;
  readonly body: readonly LoopStatement[];
  /** How many locals (slots) the body's lets take. */
  readonly slots: number;
  /** The read-ahead of a `for` loop; undefined for a `while`, which reads nothing ahead. */
  readonly readAhead: LoweredReadAhead | undefined;
  /** The most values one `print` or `emit` of the body shows. */
  readonly mostValues: number;
  /** Whether WebAssembly takes the loop, or why not (the JS kernel then runs it). */
  readonly wasm: true | string;
}

/** A loop the compiled engines take, or why not (the interpreter then runs it). */
export type Lowering = { readonly eligible: true; readonly loop: LoweredLoop } | { readonly eligible: false; readonly why: string };

/** The most reads a body may have in WebAssembly: a module for thousands compiles in seconds (measured: 2000 reads 1.5 s, 5000 5.5 s on V8). */
const MAX_WASM_SITES = 256;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/** Not one the compiled engines take: why. */
class Ineligible extends Error {}

/** What the run gives where the plan gives several kinds: the kind of the value as the loop starts. */
export interface Chosen {
  /** A `for` loop's item, where its plan's is `int|ptr`. */
  readonly item?: IntKind | undefined;
  /** The names the plan gives several kinds, with the kind each holds (what is not an int, ptr or bool is not compiled). */
  readonly names?: ReadonlyMap<string, string> | undefined;
}

/** Lowers a `for` or `while` loop, for the kinds its plan gives and those `chosen` where it gives several. */
export function lowerLoop(step: ForStep | WhileStep, chosen: Chosen = {}): Lowering {
  try {
    return { eligible: true, loop: new Lowerer(step, chosen).lower() };
  } catch (error) {
    if (error instanceof Ineligible) return { eligible: false, why: error.message };
    throw error;
  }
}

/** Whether the plan gives a name (or an item) several kinds, one of which the run chooses. */
export function isChosen(kinds: Kinds): boolean {
  return kinds.includes('|');
}

/** The kind of a value of this kind in a compiled loop; undefined for what it does not hold (a region, a string …). */
function kindOf(kind: string | undefined): Kind | undefined {
  return kind === 'int' || kind === 'ptr' || kind === 'bool' ? kind : undefined;
}

interface Local {
  readonly ref: Ref;
  readonly kind: Kind;
}

class Lowerer {
  readonly #step: ForStep | WhileStep;
  readonly #chosen: Chosen;
  readonly #item: IntKind | undefined;
  readonly #outer: { name: string; kind: Kind; assigned: boolean }[] = [];
  readonly #outerIndex = new Map<string, number>();
  /** Names in scope, innermost block last. */
  readonly #scopes: Map<string, Local>[] = [];
  #slots = 0;
  #mostValues = 0;
  /** Each read of the body, lowered, by site. */
  readonly #reads = new Map<number, Extract<LoopExpr, { op: 'read' }>>();
  /** Why WebAssembly does not take the loop, once something says so. */
  #notWasm: string | undefined;
  /** The body reads an enum (a number the interpreter shows by its name). */
  #readsEnum = false;

  constructor(step: ForStep | WhileStep, chosen: Chosen) {
    this.#step = step;
    this.#chosen = chosen;
    if (step.op === 'for') {
      const item = isChosen(step.item) ? chosen.item : step.item as IntKind;
      if (item === undefined) throw new Ineligible('the kind of the items is not chosen');
      this.#item = item;
    }
  }

  lower(): LoweredLoop {
    const step = this.#step;
    // The condition sees the names around the loop, not the body's: lowered before them.
    const condition = step.op === 'while' ? this.#condition(step.condition) : undefined;
    const top = new Map<string, Local>();
    if (step.op === 'for') this.#scopes.push(new Map([[step.variable, { ref: { to: 'item' }, kind: this.#item! }]]));
    const body = this.#block(step.body, top);
    // An enum is a number to compare and count with; shown, it is its name, which only the interpreter gives.
    if (this.#readsEnum && this.#mostValues > 0) throw new Ineligible('it shows values, and it reads an enum, shown by its name');
    const readAhead = step.op === 'for' ? this.#readAhead(step, body) : undefined;
    if (step.op === 'while') this.#notWasm ??= 'a while loop reads nothing ahead';
    return {
      step,
      outer: this.#outer,
      item: this.#item,
      condition,
      body,
      slots: this.#slots,
      readAhead,
      mostValues: this.#mostValues,
      wasm: this.#notWasm ?? true,
    };
  }

  #readAhead(step: ForStep, body: readonly LoopStatement[]): LoweredReadAhead {
    const plan = step.readAhead;
    const levelOf = new Map(plan.sites.map(({ site, level }) => [site, level]));
    const levels = [...new Set(plan.sites.map((s) => s.level))].sort((a, b) => a - b);
    const lets = step.body.flatMap((s, i) => (s.op === 'let' && plan.lets.includes(s.name) ? [i] : []));
    if (new Set(lets.map((i) => (step.body[i] as { name: string }).name)).size < lets.length) this.#notWasm ??= 'a read-ahead let is declared twice';
    // The body's statements, but for its read-aheads (which are not lowered), in order: a let's index in the plan is its place here.
    const statements: readonly PlanStep[] = step.body.filter((s) => s.op !== 'read-ahead');
    const lowered = lets.map((i) => body[statements.indexOf(step.body[i]!)] as Extract<LoopStatement, { op: 'let' }>);
    for (const site of this.#reads.keys()) if (!levelOf.has(site)) this.#notWasm ??= 'a read is not read ahead (its address comes from the iteration)';
    if (plan.sites.length > MAX_WASM_SITES) this.#notWasm ??= `more than ${MAX_WASM_SITES} reads`;
    return {
      lets: lowered,
      levels: levels.map((level) =>
        plan.sites.filter((s) => s.level === level).flatMap(({ site }) => {
          const read = this.#reads.get(site);
          return read === undefined ? [] : [{ site, type: read.type, address: read.address }];
        })
      ),
      levelOf: new Map(plan.sites.map(({ site, level }) => [site, levels.indexOf(level)])),
    };
  }

  #block(steps: readonly PlanStep[], scope = new Map<string, Local>()): LoopStatement[] {
    this.#scopes.push(scope);
    const lowered = steps.flatMap((s) => (s.op === 'read-ahead' ? [] : [this.#statement(s)]));
    this.#scopes.pop();
    return lowered;
  }

  #statement(step: PlanStep): LoopStatement {
    switch (step.op) {
      case 'let': {
        const value = this.#expression(step.value);
        const slot = this.#slots++;
        this.#scopes.at(-1)!.set(step.name, { ref: { to: 'local', slot }, kind: value.kind });
        return { op: 'let', slot, value, loc: step.loc };
      }
      case 'assign': {
        const value = this.#expression(step.value);
        const binding = this.#lookup(step.name, true);
        // The interpreter gives the name the value's kind; a compiled loop's kinds are fixed: a change is not compiled.
        if (value.kind !== binding.kind) throw new Ineligible(`'${step.name}' changes kind`);
        return { op: 'assign', ref: binding.ref, value, loc: step.loc };
      }
      case 'if':
        return { op: 'if', condition: this.#condition(step.condition), then: this.#block(step.then), otherwise: this.#block(step.otherwise), loc: step.loc };
      case 'break':
        return { op: 'break', loc: step.loc };
      case 'print': {
        const values = step.values.map((v) => (v.op === 'str' ? { op: 'text' as const, value: v.value } : this.#expression(v)));
        this.#mostValues = Math.max(this.#mostValues, values.filter((v) => v.op !== 'text').length);
        return { op: 'print', values, loc: step.loc };
      }
      case 'emit':
        this.#mostValues = Math.max(this.#mostValues, 1);
        return { op: 'emit', name: step.name, value: this.#expression(step.value), loc: step.loc };
      default:
        throw new Ineligible(`the body holds a ${step.op}`);
    }
  }

  /** An enum read as the integer it is (typed-lowering.ts reads an enum member so, for its names). */
  #enumAsInteger(shape: Extract<Shape, { kind: 'enum' }>): IntType {
    this.#readsEnum = true;
    return { kind: 'int', name: `${shape.signed ? 'i' : 'u'}${shape.size * 8}`, size: shape.size, signed: shape.signed, bigEndian: false };
  }

  #lookup(name: string, assigning: boolean): Local {
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const local = this.#scopes[i]!.get(name);
      if (local !== undefined) return local;
    }
    let index = this.#outerIndex.get(name);
    if (index === undefined) {
      const names = this.#step.names;
      const planned = Object.hasOwn(names, name) ? names[name]! : undefined;
      const kind = kindOf(planned !== undefined && isChosen(planned) ? this.#chosen.names?.get(name) : planned);
      if (kind === undefined) throw new Ineligible(`'${name}' is not a number, address or condition`);
      index = this.#outer.length;
      this.#outer.push({ name, kind, assigned: false });
      this.#outerIndex.set(name, index);
    }
    const outer = this.#outer[index]!;
    if (assigning) outer.assigned = true;
    return { ref: { to: 'outer', index }, kind: outer.kind };
  }

  #condition(e: PlanExpr): LoopExpr {
    const lowered = this.#expression(e);
    if (lowered.kind !== 'bool') throw new Ineligible('a condition is not one');
    return lowered;
  }

  #integer(e: PlanExpr): LoopExpr & { readonly kind: IntKind } {
    const lowered = this.#expression(e);
    if (lowered.kind === 'bool') throw new Ineligible('a condition is used as a number');
    return lowered as LoopExpr & { readonly kind: IntKind };
  }

  #expression(e: PlanExpr): LoopExpr {
    switch (e.op) {
      case 'int': {
        const value = BigInt(e.value);
        if (value < I64_MIN || value > I64_MAX) this.#notWasm ??= `${value} is beyond 64 bits`;
        return { op: 'int', value, kind: 'int' };
      }
      case 'bool':
        return { op: 'bool', value: e.value, kind: 'bool' };
      case 'var': {
        const { ref, kind } = this.#lookup(e.name, false);
        return { op: 'name', ref, kind };
      }
      case 'unary':
        // As the interpreter: the result is a number, even of an address.
        return { op: 'unary', operator: e.operator, operand: this.#integer(e.operand), kind: 'int' };
      case 'binary': {
        const left = this.#integer(e.left);
        const right = this.#integer(e.right);
        return { op: 'binary', operator: e.operator, left, right, loc: e.loc, kind: resultKind(e.operator, left.kind, right.kind) };
      }
      case 'compare':
        return { op: 'compare', operator: e.operator, left: this.#integer(e.left), right: this.#integer(e.right), kind: 'bool' };
      case 'logical':
        return { op: 'logical', operator: e.operator, left: this.#condition(e.left), right: this.#condition(e.right), kind: 'bool' };
      case 'not':
        return { op: 'not', operand: this.#condition(e.operand), kind: 'bool' };
      case 'read': {
        const type = e.type.kind === 'shaped' && e.type.shape.kind === 'enum' ? this.#enumAsInteger(e.type.shape) : e.type;
        if (type.kind !== 'int' && type.kind !== 'ptr') throw new Ineligible(`a read of ${type.name}`);
        if (type.kind === 'int' && type.bigEndian) this.#notWasm ??= 'a big-endian read';
        const read = { op: 'read' as const, site: e.site, type, address: this.#integer(e.address), loc: e.loc, kind: type.kind };
        this.#reads.set(e.site, read);
        return read;
      }
      case 'symbol':
        this.#notWasm ??= 'it resolves a symbol, module or region';
        return { op: 'resolved', expr: e, kind: 'ptr' };
      case 'field': {
        // module("app").start; region("[heap]").end, its name a literal: nothing of the iteration.
        const { object } = e;
        if (object.op !== 'module' && !(object.op === 'call' && object.name === 'region' && object.args[0]?.op === 'str')) throw new Ineligible(`a field of ${object.op}`);
        this.#notWasm ??= 'it resolves a symbol, module or region';
        return { op: 'resolved', expr: e, kind: e.field === 'size' ? 'int' : 'ptr' };
      }
      default:
        throw new Ineligible(`an expression of ${e.op}`);
    }
  }
}
