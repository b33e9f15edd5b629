// What each loop's names hold as it starts, followed through the checked
// recipe: the plan records it (a loop's `names` and `item`), and a compiled
// loop is built for those kinds (runtime/loops/lower.ts). A name's type (its
// let's, by which the checker holds its assignments) is not enough: a name
// declared 0 may be given an address, and threads() lists integers where a
// scan lists addresses. So an assignment gives the name its value's kind;
// after an `if`, a name holds what either branch left; at a loop's start,
// what it held before the loop or after any iteration (found by going round
// until nothing grows). Where that is several kinds (`int|ptr`), the run
// looks at the value.
import { assertNever } from '../errors.ts';
import { ADDRESS_REGISTERS } from '../registers.ts';
import { resultKind } from '../plan/arithmetic.ts';
import { concreteBytes } from '../plan/pattern.ts';
import type { ItemKind, Kinds, LoopNames } from '../plan/plan.ts';
import type * as Ast from './ast.ts';
import { type StaticType, staticTypeOfMemory } from './static-type.ts';
import { isListType, isPathsType, isStringType, scalarType } from './types.ts';

// A value's possible kinds, as bits.
const INT = 1;
const PTR = 2;
const REGION = 4;
const BOOL = 8;
const FLOAT = 16;
const STR = 32;
const BYTES = 64;
const PATTERN = 128;
/** A list of integers (threads()). */
const INTS = 256;
/** A list of addresses (hits, literals, list params). */
const ADDRESSES = 512;
/** A whole struct or array read to be shown (never held by a name). */
const OBJECT = 1024;
/** A list of pointer paths (pointerscan, paths params): never a loop's items. */
const PATHS = 2048;
const ANY = 4095;
const NUMBER = INT | PTR | REGION;

const NAMES: readonly [number, StaticType][] = [[INT, 'int'], [PTR, 'ptr'], [REGION, 'region'], [BOOL, 'bool'], [FLOAT, 'float'], [STR, 'str'], [BYTES, 'bytes'], [PATTERN, 'pattern'], [INTS | ADDRESSES, 'list'], [PATHS, 'paths'], [
  OBJECT,
  'object',
]];

/** What a loop's names hold as it starts, and a `for` loop's item. */
export interface LoopKinds {
  readonly names: LoopNames;
  readonly item: ItemKind | undefined;
}

/** Changes to names declared before a branch or an iteration began: each name's kinds before it. */
interface Changes {
  readonly born: number;
  readonly before: Map<string, number>;
}

interface Loop {
  /** Names declared before it (born below this) are around it. */
  readonly born: number;
  readonly used: Set<string>;
  /** The iteration being walked, and what names held at each `break` of it. */
  changes: Changes;
  readonly exits: Map<string, number>;
}

/** Follows checked top-level statements, in order; `session`: the names of a REPL's earlier inputs (any kind of their type's). */
export class LoopKindFlow {
  readonly #kinds = new Map<string, number>();
  /** When each name in scope was declared (a count of declarations). */
  readonly #born = new Map<string, number>();
  #declarations = 0;
  /** The names declared in the blocks being walked, in order (a block's go as it ends). */
  readonly #declared: string[] = [];
  readonly #changes: Changes[] = [];
  readonly #loops: Loop[] = [];
  readonly #found = new WeakMap<Ast.Statement, LoopKinds>();
  /** Past a `break` in the block being walked: what follows does not run, so what it leaves goes nowhere. */
  #broken = false;

  constructor(session?: ReadonlyMap<string, StaticType>) {
    for (const [name, type] of session ?? []) {
      this.#kinds.set(name, type === 'int' || type === 'ptr' || type === 'region' ? NUMBER : type === 'list' ? INTS | ADDRESSES : bitsOf(type));
      this.#born.set(name, -1);
    }
  }

  /** What a walked `for` or `while` holds as it starts. */
  of(loop: Ast.Statement): LoopKinds {
    return this.#found.get(loop) ?? { names: {}, item: undefined };
  }

  statement(s: Ast.Statement): void {
    switch (s.kind) {
      case 'param':
        this.#declare(s.name.name, isListType(s.type) ? ADDRESSES : isPathsType(s.type) ? PATHS : isStringType(s.type) ? STR : typeBits(s.type));
        return;
      case 'let':
        this.#declare(s.name.name, this.#expression(s.value));
        return;
      case 'assign': {
        const kinds = this.#expression(s.value);
        this.#use(s.name.name);
        this.#assign(s.name.name, kinds);
        return;
      }
      case 'print':
        s.values.forEach((v) => this.#expression(v));
        return;
      case 'emit':
        this.#expression(s.value);
        return;
      case 'if':
        this.#expression(s.condition);
        this.#branches(s.then, s.otherwise ?? []);
        return;
      case 'for': {
        const over = s.over;
        const item = over.kind === 'range' ? this.#expression(over.from) & (INT | PTR | REGION) : this.#expression(over.list);
        if (over.kind === 'range') this.#expression(over.to);
        if (s.limit !== undefined) this.#expression(s.limit);
        const itemKinds = (over.kind === 'range' ? (item & INT ? INT : 0) | (item & (PTR | REGION) ? PTR : 0) : (item & INTS ? INT : 0) | (item & ADDRESSES ? PTR : 0)) || PTR;
        this.#loop(s, itemKinds, () => this.#block(s.body, [s.variable.name, itemKinds]));
        return;
      }
      case 'while':
        if (s.limit !== undefined) this.#expression(s.limit);
        this.#loop(s, undefined, () => {
          this.#expression(s.condition);
          this.#block(s.body);
        });
        return;
      case 'break': {
        const loop = this.#loops.at(-1);
        if (loop === undefined) return;
        // What every name changed since the iteration began holds here leaves the loop too.
        for (let i = this.#changes.indexOf(loop.changes); i < this.#changes.length; i++) {
          for (const name of this.#changes[i]!.before.keys()) {
            if (this.#kinds.has(name) && this.#born.get(name)! < loop.born) loop.exits.set(name, (loop.exits.get(name) ?? 0) | this.#kinds.get(name)!);
          }
        }
        this.#broken = true;
        return;
      }
      case 'assert':
        this.#expression(s.condition);
        if (s.message !== undefined) this.#expression(s.message);
        return;
      case 'write':
        this.#expression(s.address);
        this.#expression(s.value);
        return;
      case 'dump':
        this.#expression(s.address);
        this.#expression(s.length);
        return;
      case 'patch':
        for (const site of s.sites) {
          this.#expression(site.address);
          if (site.expect !== undefined) this.#expression(site.expect.value);
          this.#expression(site.replacement.value);
        }
        return;
      case 'type':
        return;
      default:
        assertNever(s);
    }
  }

  #declare(name: string, kinds: number): void {
    this.#kinds.set(name, kinds);
    this.#born.set(name, this.#declarations++);
    if (this.#loops.length > 0 || this.#changes.length > 0) this.#declared.push(name);
  }

  #assign(name: string, kinds: number): void {
    const changes = this.#changes.at(-1);
    const born = this.#born.get(name);
    if (born === undefined) return;
    if (changes !== undefined && born < changes.born && !changes.before.has(name)) changes.before.set(name, this.#kinds.get(name)!);
    this.#kinds.set(name, kinds);
  }

  /** A name used inside the loops declared after it: it is around them. */
  #use(name: string): void {
    const born = this.#born.get(name);
    if (born === undefined) return;
    for (let i = this.#loops.length - 1; i >= 0 && born < this.#loops[i]!.born; i--) this.#loops[i]!.used.add(name);
  }

  /** A block's statements; what it declares (and `variable`, a loop's) is gone after it. */
  #block(statements: readonly Ast.Statement[], variable?: [string, number]): void {
    const first = this.#declared.length;
    if (variable !== undefined) this.#declare(...variable);
    for (const s of statements) this.statement(s);
    for (const name of this.#declared.splice(first)) {
      this.#kinds.delete(name);
      this.#born.delete(name);
    }
  }

  /**
   * Walks `walk` as a branch of its own: the names it changed, with what they hold after it, then put back as they
   * were; undefined when it ends in a `break` (nothing runs on from it).
   */
  #apart(walk: () => void, changes: Changes = { born: this.#declarations, before: new Map() }): Map<string, number> | undefined {
    this.#changes.push(changes);
    walk();
    this.#changes.pop();
    const after = new Map<string, number>();
    for (const [name, before] of changes.before) {
      after.set(name, this.#kinds.get(name)!);
      this.#kinds.set(name, before);
    }
    const broken = this.#broken;
    this.#broken = false;
    return broken ? undefined : after;
  }

  #branches(then: readonly Ast.Statement[], otherwise: readonly Ast.Statement[]): void {
    const thenAfter = this.#apart(() => this.#block(then));
    const elseAfter = this.#apart(() => this.#block(otherwise));
    if (thenAfter === undefined || elseAfter === undefined) {
      // Only the other branch runs on (neither: nothing does).
      for (const [name, kinds] of thenAfter ?? elseAfter ?? []) this.#assign(name, kinds);
      this.#broken = thenAfter === undefined && elseAfter === undefined;
      return;
    }
    for (const [name, kinds] of thenAfter) this.#assign(name, kinds | (elseAfter.get(name) ?? this.#kinds.get(name)!));
    for (const [name, kinds] of elseAfter) if (!thenAfter.has(name)) this.#assign(name, kinds | this.#kinds.get(name)!);
  }

  /** A loop's iterations, walked until what its names hold as one starts grows no more. */
  #loop(s: Ast.ForStatement | Ast.WhileStatement, item: number | undefined, iteration: () => void): void {
    const loop: Loop = { born: this.#declarations, used: new Set(), changes: { born: this.#declarations, before: new Map() }, exits: new Map() };
    this.#loops.push(loop);
    for (let round = 0;; round++) {
      loop.changes = { born: loop.born, before: new Map() };
      loop.exits.clear();
      const after = this.#apart(iteration, loop.changes);
      let grew = false;
      for (const [name, kinds] of after ?? []) {
        const now = this.#kinds.get(name)!;
        // Past a few rounds (loops nested deep), a changed name may hold anything: the run looks.
        const next = round < 8 ? now | kinds : ANY;
        if (next !== now) {
          grew = true;
          this.#assign(name, next);
        }
      }
      if (!grew) break;
    }
    this.#loops.pop();
    const names: Record<string, Kinds> = {};
    for (const name of loop.used) names[name] = textOf(this.#kinds.get(name)!);
    this.#found.set(s, { names, item: item === undefined ? undefined : textOf(item) as ItemKind });
    for (const [name, kinds] of loop.exits) this.#assign(name, this.#kinds.get(name)! | kinds);
  }

  #expression(e: Ast.Expression): number {
    const of = (x: Ast.Expression) => this.#expression(x);
    switch (e.kind) {
      case 'integer':
        return INT;
      case 'float':
        return FLOAT;
      case 'boolean':
        return BOOL;
      case 'string':
        return STR;
      case 'bytes':
        return e.pattern !== undefined && concreteBytes(e.pattern) === undefined ? PATTERN : BYTES;
      case 'list':
        // A list holds addresses: a number listed becomes one.
        e.items.forEach(of);
        return ADDRESSES;
      case 'name':
        this.#use(e.name);
        return this.#kinds.get(e.name) ?? ANY;
      case 'unary': {
        const operand = of(e.operand);
        return (operand & FLOAT ? FLOAT : 0) | (operand & NUMBER ? INT : 0);
      }
      case 'binary': {
        const left = of(e.left);
        const right = of(e.right);
        let kinds = (left & STR && right & STR ? STR : 0) | ((left | right) & FLOAT ? FLOAT : 0);
        for (const l of integers(left)) for (const r of integers(right)) kinds |= resultKind(e.operator, l, r) === 'ptr' ? PTR : INT;
        return kinds;
      }
      case 'read':
        of(e.address);
        return typeBits(e.type);
      case 'deref':
        of(e.address);
        return PTR;
      case 'call':
        return this.#call(e);
      case 'index': {
        const object = of(e.object);
        of(e.index);
        return (object & INTS || object & BYTES ? INT : 0) | (object & ADDRESSES ? PTR : 0);
      }
      case 'scan':
        of(e.needle.value);
        if (e.range.kind === 'region') of(e.range.region);
        if (e.limit !== undefined) of(e.limit);
        return e.unique ? PTR : ADDRESSES;
      case 'pointerscan':
        [e.address, e.depth, e.offset, e.limit, e.within].forEach((x) => x !== undefined && of(x));
        return PATHS;
      case 'narrow': {
        // It keeps items of its list, as they are.
        const list = of(e.list);
        const test = e.test;
        if (test.kind === 'compare') [test.value, test.within].forEach((x) => x !== undefined && of(x));
        else if (test.kind === 'between') [test.low, test.high].forEach(of);
        else if (test.kind === 'to') of(test.address);
        return list & (INTS | ADDRESSES | PATHS);
      }
      case 'compare':
      case 'logical':
        of(e.left);
        of(e.right);
        return BOOL;
      case 'not':
        of(e.operand);
        return BOOL;
      case 'field':
        of(e.object);
        return e.field.name === 'size' ? INT : PTR;
      case 'typed-read':
        of(e.address);
        return bitsOf(staticTypeOfMemory(e.type));
      // Lowered by the type pass before this sees the recipe.
      case 'cast':
      case 'sizeof':
      case 'offsetof':
        return ANY;
    }
  }

  #call(e: Ast.CallExpression): number {
    const args = e.args.map((x) => this.#expression(x));
    switch (e.callee.name) {
      case 'module':
      case 'region':
      case 'range':
        return REGION;
      case 'symbol':
      case 'ripref':
        return PTR;
      case 'threads':
        return INTS;
      case 'reg': {
        // An address register holds an address; the others numbers.
        const register = e.args[1];
        return register?.kind !== 'string' ? INT | PTR : ADDRESS_REGISTERS.has(register.value) ? PTR : INT;
      }
      case 'len':
        return INT;
      case 'hex':
        return STR;
      case 'min':
      case 'max': {
        // An address when every value is one, else a number.
        if (args.length === 1) return (args[0]! & INTS ? INT : 0) | (args[0]! & ADDRESSES ? PTR : 0);
        return (args.every((a) => a & (PTR | REGION)) ? PTR : 0) | (args.some((a) => a & INT) ? INT : 0);
      }
      default:
        return ANY;
    }
  }
}

/** The integer kinds a value of these kinds gives arithmetic (a region gives its start, an address). */
function integers(kinds: number): ('int' | 'ptr')[] {
  return [...(kinds & INT ? ['int' as const] : []), ...(kinds & (PTR | REGION) ? ['ptr' as const] : [])];
}

/** What a read (or a param) of this type yields. */
function typeBits(type: Ast.TypeRef): number {
  if (type.name === 'cstring' || type.name === 'utf16') return STR;
  if (type.name === 'bytes') return BYTES;
  const scalar = scalarType(type.name);
  return scalar === undefined ? ANY : scalar.kind === 'float' ? FLOAT : scalar.kind === 'ptr' ? PTR : INT;
}

function bitsOf(type: StaticType): number {
  return NAMES.find(([, name]) => name === type)?.[0] ?? ANY;
}

/** As the plan writes them: `int`, `int|ptr`. */
function textOf(kinds: number): Kinds {
  return NAMES.filter(([bits]) => kinds & bits).map(([, name]) => name).join('|') as Kinds;
}
