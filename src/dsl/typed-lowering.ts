// The type pass: typed references become plain reads before anything else
// sees the recipe. `p.level` where p is a `Player` becomes `read u32 at p +
// 16`; `p.next.level` reads the pointer at p + 40 and then the u32 at it + 16;
// `sizeof(T)` and `offsetof(T, f)` become numbers; `addressof(p.level)`
// becomes `p + 16`. So the checker, the plan, the read-ahead that batches
// reads across a loop's iterations and the compiled loop engines all see
// reads of numbers and addresses, as they would with offsets written by hand
// (docs/language.md, "Types").
//
// A name keeps the type of what it was given: `let p = X as Player` makes p
// an address with type Player, `let n = p.next` an address of a Player too.
// A reference to a struct, union or array is its address wherever a value is
// needed; `print` and `emit` show the whole object (a bounded read of it).
import type * as Ast from './ast.ts';
import { type PvmErrorOptions, TargetError } from '../errors.ts';
import { type MemoryType, PTR_TYPE } from '../plan/plan.ts';
import { closest } from '../suggest.ts';
import { type Aggregate, concrete, type CType, findMember, isText, memberNames, sizeOf, spell, type TypeName, typeNameText } from '../types/ctype.ts';
import type { TypeSource } from '../types/type-source.ts';
import type { Report } from './check-expression.ts';
import { constantInteger } from './check-types.ts';
import { baseType, declareType } from './declared-types.ts';
import { shapeOf } from './shape-of.ts';
import type { RecipeObserver } from './recipe-observer.ts';
import type { Span } from './source.ts';
import { cstringType, DEFAULT_CSTRING_MAX, scalarType, typeNameHint } from './types.ts';

/** What a name holds, as far as types go: the type of the object at its address, and the module it came from. */
export interface TypedName {
  /** `ref`: the object is at the address (a `… as T`); `pointer`: the address was a pointer's value (shown as an address). */
  readonly typed?: { readonly type: CType; readonly form: 'ref' | 'pointer' };
  /** The module its address lies in, as the recipe computes it (`symbol("libc.so.6", …)`): where `as T` looks first. */
  readonly origin?: string;
  /** Its value's type could not be given (reported): its members are not looked for, so nothing more is said. */
  readonly failed?: true;
}

/** What a REPL keeps between inputs: the types declared, and the typed names. */
export interface TypeSession {
  readonly types: ReadonlyMap<string, CType>;
  readonly names: ReadonlyMap<string, TypedName>;
}

/** A typed object: its address (an expression), its type, and for a bitfield member its bits. */
interface Place {
  readonly address: Ast.Expression;
  readonly type: CType;
  readonly form: 'ref' | 'pointer';
  readonly bits?: { readonly offset: number; readonly size: number };
  readonly span: Span;
}

/** An expression lowered, with what it yields as far as types go. */
interface Lowered {
  readonly expr: Ast.Expression;
  readonly typed?: TypedName['typed'];
  readonly origin?: string;
  readonly failed?: true;
}

/** Reported already: the expression's error is known, and nothing more is said of it. */
const FAILED = Symbol('failed');

/** A struct larger than this is not printed whole: its members are. */
const MAX_SHOWN_BYTES = 1 << 20;

/** Where a span is, for an error the target causes (exit 4), which is thrown rather than reported. */
export type Locate = (span: Span) => PvmErrorOptions;

export class TypePass {
  readonly #source: TypeSource | undefined;
  readonly #report: Report;
  readonly #locate: Locate;
  readonly #declared: Map<string, CType>;
  readonly #scopes: Map<string, TypedName>[];
  /** The declaration being read: a pointer to it is allowed (`next: Player*`), a field of it by value is not. */
  #declaring: string | undefined;
  /** Names the debug info gave a type for, where first: a later declaration of one would give it two layouts. */
  readonly #fromDebugInfo = new Map<string, Span>();

  readonly #explained: (span: Span) => void;
  readonly #observer: RecipeObserver | undefined;

  constructor(source: TypeSource | undefined, report: Report, locate: Locate, explained: (span: Span) => void, session?: TypeSession, observer?: RecipeObserver) {
    this.#source = source;
    this.#observer = observer;
    this.#report = report;
    this.#locate = locate;
    this.#explained = explained;
    this.#declared = new Map(session?.types);
    this.#scopes = [new Map(session?.names)];
  }

  /** The types and typed names at the top level, for a REPL's next input. */
  session(): TypeSession {
    return { types: new Map(this.#declared), names: new Map(this.#scopes[0]) };
  }

  /** The statement with every typed reference lowered (declarations are kept, and ignored downstream). */
  statement(statement: Ast.Statement): Ast.Statement {
    return this.#statement(statement);
  }

  // ---- statements ----

  #statement(s: Ast.Statement): Ast.Statement {
    switch (s.kind) {
      case 'type':
        this.#declare(s);
        return s;
      case 'param': {
        this.#bind(s.name.name, {});
        const dflt = s.default === undefined ? undefined : this.#value(s.default).expr;
        return dflt === s.default ? s : { ...s, default: dflt };
      }
      case 'let': {
        const value = this.#value(s.value);
        this.#bind(s.name.name, { ...(value.typed && { typed: value.typed }), ...(value.origin !== undefined && { origin: value.origin }), ...(value.failed && { failed: true }) });
        if (value.typed !== undefined) this.#observer?.typedName?.(s.name, value.typed.type);
        return value.expr === s.value ? s : { ...s, value: value.expr };
      }
      case 'assign': {
        const value = this.#value(s.value);
        this.#checkAssignment(s, value);
        this.#forgetOrigin(s.name.name, value.origin);
        return value.expr === s.value ? s : { ...s, value: value.expr };
      }
      case 'print': {
        const values = this.#list(s.values, (v) => this.#shown(v));
        return values === s.values ? s : { ...s, values };
      }
      case 'emit': {
        const value = this.#shown(s.value);
        return value === s.value ? s : { ...s, value };
      }
      case 'if': {
        const condition = this.#value(s.condition).expr;
        const then = this.#block(s.then);
        const otherwise = s.otherwise === undefined ? undefined : this.#block(s.otherwise);
        return condition === s.condition && then === s.then && otherwise === s.otherwise ? s : { ...s, condition, then, otherwise };
      }
      case 'for': {
        const over: Ast.ForRange | Ast.ForList = s.over.kind === 'range'
          ? this.#same(s.over, { kind: 'range', from: this.#value(s.over.from).expr, to: this.#value(s.over.to).expr })
          : this.#same(s.over, { kind: 'list', list: this.#value(s.over.list).expr });
        const limit = this.#optional(s.limit);
        const body = this.#block(s.body, s.variable.name);
        return over === s.over && limit === s.limit && body === s.body ? s : { ...s, over, limit, body };
      }
      case 'while': {
        const condition = this.#value(s.condition).expr;
        const limit = this.#optional(s.limit);
        const body = this.#block(s.body);
        return condition === s.condition && limit === s.limit && body === s.body ? s : { ...s, condition, limit, body };
      }
      case 'break':
        return s;
      case 'assert': {
        const condition = this.#value(s.condition).expr;
        const message = this.#optional(s.message);
        return condition === s.condition && message === s.message ? s : { ...s, condition, message };
      }
      case 'write': {
        this.#refuseValueAsPlace(s.address);
        const address = this.#value(s.address).expr;
        const value = this.#value(s.value).expr;
        return address === s.address && value === s.value ? s : { ...s, address, value };
      }
      case 'dump': {
        const address = this.#value(s.address).expr;
        const length = this.#value(s.length).expr;
        return address === s.address && length === s.length ? s : { ...s, address, length };
      }
      case 'patch': {
        const sites = this.#list(s.sites, (site) => {
          this.#refuseValueAsPlace(site.address);
          const address = this.#value(site.address).expr;
          const expect = site.expect === undefined ? undefined : this.#datum(site.expect);
          const replacement = this.#datum(site.replacement);
          return address === site.address && expect === site.expect && replacement === site.replacement ? site : { ...site, address, expect, replacement };
        });
        return sites === s.sites ? s : { ...s, sites };
      }
    }
  }

  /**
   * `write u32 at p.level = 5` would write at the address 42 if level holds 42: a number member where an
   * address is written is almost surely a missing `addressof`. (A pointer member is an address: writing
   * where it points is C's `*p->x = …`.)
   */
  #refuseValueAsPlace(address: Ast.Expression): void {
    if (address.kind !== 'field' && address.kind !== 'index') return;
    const place = this.#place(address);
    if (place === undefined || place === FAILED || place.form !== 'ref') return;
    const type = concrete(place.type);
    if (type.kind !== 'int' && type.kind !== 'float' && type.kind !== 'bool' && type.kind !== 'enum') return;
    this.#report({
      code: 'type',
      message: `this writes where the ${spell(place.type)} value of the member points, not at the member`,
      span: address.span,
      hint: "write at the member's address: wrap it in addressof(…), as in write u32 at addressof(p.level) = 5",
    });
  }

  #block(statements: readonly Ast.Statement[], variable?: string): readonly Ast.Statement[] {
    this.#scopes.push(new Map());
    if (variable !== undefined) this.#bind(variable, {});
    const lowered = this.#list(statements, (s) => {
      if (s.kind === 'type') {
        this.#report({ code: 'type', message: `declare ${s.tag} ${s.name.name} at the top level of the recipe`, span: s.span, hint: 'types are declared once, outside blocks, before they are used' });
        return s;
      }
      return this.#statement(s);
    });
    this.#scopes.pop();
    return lowered;
  }

  #datum(d: Ast.Datum): Ast.Datum {
    const value = this.#value(d.value).expr;
    return value === d.value ? d : { ...d, value };
  }

  #optional(e: Ast.Expression | undefined): Ast.Expression | undefined {
    return e === undefined ? undefined : this.#value(e).expr;
  }

  /** The same array when nothing in it changed, so that a recipe without types costs no copies. */
  #list<T>(items: readonly T[], map: (item: T) => T): readonly T[] {
    let changed: T[] | undefined;
    items.forEach((item, i) => {
      const mapped = map(item);
      if (mapped !== item && changed === undefined) changed = items.slice(0, i);
      changed?.push(mapped);
    });
    return changed ?? items;
  }

  /** `fresh` when any of its fields differs from `old`'s, else `old`. */
  #same<T extends object>(old: T, fresh: T): T {
    return (Object.keys(fresh) as (keyof T)[]).every((k) => fresh[k] === old[k]) ? old : fresh;
  }

  // ---- names ----

  /**
   * Only what types need is kept: a recipe of 200 000 untyped lets keeps no entry for them. An untyped name
   * that hides a typed one around it (a REPL's `for n` after a typed `let n`) keeps an empty entry, which
   * hides it.
   */
  #bind(name: string, info: TypedName): void {
    const scope = this.#scopes.at(-1)!;
    const untyped = info.typed === undefined && info.origin === undefined && info.failed === undefined;
    scope.delete(name);
    if (!untyped || this.#lookup(name) !== undefined) scope.set(name, info);
  }

  #lookup(name: string): TypedName | undefined {
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const found = this.#scopes[i]!.get(name);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** A name given an address from another module (or none known) no longer says which module its address is in. */
  #forgetOrigin(name: string, origin: string | undefined): void {
    for (let i = this.#scopes.length - 1; i >= 0; i--) {
      const info = this.#scopes[i]!.get(name);
      if (info === undefined) continue;
      if (info.origin !== undefined && info.origin !== origin) {
        const { origin: _forgotten, ...rest } = info;
        this.#scopes[i]!.set(name, rest);
      }
      return;
    }
  }

  /**
   * A typed name keeps the type it was declared with, as a C pointer variable does: it may be given a plain
   * address or number (`node = 0` ends a walk), never an address of another type. An untyped name given a
   * typed address holds just the address.
   */
  #checkAssignment(s: Ast.AssignStatement, value: Lowered): void {
    const had = this.#lookup(s.name.name)?.typed;
    if (had === undefined || value.typed === undefined || sameType(had.type, value.typed.type)) return;
    this.#report({
      code: 'type',
      message: `${s.name.name} holds the address of ${spell(had.type)}; this gives it the address of ${spell(value.typed.type)}`,
      span: s.value.span,
      hint: `give it an address of the same type, or cast it: (… as ${spell(had.type)})`,
    });
  }

  // ---- types ----

  #declare(declaration: Ast.TypeDeclaration): void {
    const name = declaration.name.name;
    if (this.#declared.has(name) || baseType(name) !== undefined) {
      this.#report({ code: 'redefined', message: `type '${name}' is already declared`, span: declaration.name.span, hint: 'give it another name' });
      return;
    }
    if (this.#fromDebugInfo.has(name)) {
      this.#report({ code: 'redefined', message: `type '${name}' was taken from the debug info before this declaration`, span: declaration.name.span, hint: 'declare it before its first use, or give it another name' });
      return;
    }
    this.#declaring = name;
    const type = declareType(declaration, (t, pointee) => this.#resolve(t, undefined, false, pointee), this.#report);
    this.#declaring = undefined;
    if (type === undefined) return;
    this.#declared.set(name, type);
    this.#observer?.declaredType?.(declaration, type);
  }

  /**
   * The C type written `t`. Without `from`, a recipe's types and the base types come first, then the debug
   * info of `module` (the one the address comes from), then the executable's. `pointee`: the type is what a
   * pointer points to, which may be the struct being declared.
   */
  #resolve(t: Ast.TypeExpression, module: string | undefined, explicit: boolean, pointee = false): CType | undefined {
    switch (t.kind) {
      case 'pointer': {
        const inner = t.target;
        // In a declaration, a pointer to the type being declared, or to one declared after it (two structs that
        // point to each other), is looked up when followed.
        if (inner.kind === 'named' && this.#declaring !== undefined && !explicit && baseType(inner.name) === undefined && (inner.name === this.#declaring || !this.#declared.has(inner.name))) {
          const name = inner.name;
          let later: CType | undefined;
          return { kind: 'pointer', size: 8, target: () => this.#declared.get(name) ?? (later ??= this.#pointee(inner)) };
        }
        const target = this.#resolve(inner, module, explicit, true);
        return target === undefined ? undefined : { kind: 'pointer', size: 8, target: () => target };
      }
      case 'array': {
        const element = this.#resolve(t.element, module, explicit, false);
        if (element === undefined) return undefined;
        if (t.count === undefined) return { kind: 'array', element, count: undefined };
        const count = constantInteger(t.count);
        if (count === undefined || count < 0n || count > 1n << 32n) {
          this.#report({ code: 'type-size', message: 'an array takes a constant number of elements', span: t.count.span, hint: 'write the count as a number: char[16]' });
          return undefined;
        }
        if (sizeOf(element) === undefined) {
          this.#report({ code: 'type', message: `an array of ${spell(element)}, which has no size`, span: t.element.span, hint: 'use an array of pointers (T*[N])' });
          return undefined;
        }
        return { kind: 'array', element, count: Number(count) };
      }
      case 'named':
        return this.#named(t, module, explicit, pointee);
    }
  }

  /** What a declared pointer to a type the recipe has not declared points to, when first followed: the debug info's, else nothing (reported). */
  #pointee(t: Extract<Ast.TypeExpression, { kind: 'named' }>): CType {
    const type = this.#source === undefined ? undefined : this.#named(t, undefined, false, true);
    if (type !== undefined) return type;
    if (this.#source === undefined) {
      this.#report({
        code: 'no-type',
        message: `the recipe declares no type '${t.tag === undefined ? t.name : `${t.tag} ${t.name}`}' for this pointer to point to`,
        span: t.span,
        hint: 'declare it (a struct may point to one declared after it, but it must be declared)',
      });
    }
    return { kind: 'void' };
  }

  #named(t: Extract<Ast.TypeExpression, { kind: 'named' }>, module: string | undefined, explicit: boolean, pointee: boolean): CType | undefined {
    const name: TypeName = { tag: t.tag, name: t.name };
    if (!explicit) {
      const base = t.tag === undefined ? baseType(t.name) : undefined;
      if (base !== undefined) return base;
      if (t.name === this.#declaring && !pointee) {
        this.#report({ code: 'type', message: `${t.tag ?? 'struct'} ${t.name} contains itself by value, so it would have no end`, span: t.span, hint: `point to it instead: ${t.name}*` });
        return undefined;
      }
      const declared = this.#declared.get(t.name);
      if (declared !== undefined && (t.tag === undefined || t.tag === declared.kind)) return declared;
    }
    const source = this.#source;
    if (source === undefined) {
      const known = [...this.#declared.keys()];
      // A bare name may be a base type's (`u24`: the sizes around it); `struct u24` only one the recipe declares.
      const declared = t.tag === undefined ? undefined : closest(t.name, known);
      const suggestion = t.tag === undefined ? typeNameHint(t.name, [...known, 'u8', 'u16', 'u32', 'u64', 'i32', 'i64', 'char', 'ptr']) : declared && `did you mean '${declared}'?`;
      this.#report({
        code: 'no-type',
        message: `the recipe declares no type '${typeNameText(name)}'`,
        span: t.span,
        hint: suggestion ?? 'declare it (struct NAME { … }), or give a target (--pid N, --core FILE) so that pvm reads it from the debug info',
      });
      return undefined;
    }
    let found = source.lookup(name, module);
    // Not in the module the address comes from (nor any debug info there): the executable's, then the others'.
    if ('problem' in found && (found.problem.code === 'no-type' || found.problem.code === 'no-debug-info') && module !== undefined && !explicit) {
      const fromExecutable = source.lookup(name, undefined);
      if ('type' in fromExecutable) found = fromExecutable;
    }
    if ('type' in found) {
      if (!explicit && !this.#fromDebugInfo.has(t.name)) this.#fromDebugInfo.set(t.name, t.span);
      return found.type;
    }
    const { problem } = found;
    if (problem.exit === 4) throw new TargetError(problem.code, problem.message, { ...this.#locate(t.span), hint: problem.hint });
    this.#report({ code: problem.code, message: problem.message, span: t.span, hint: problem.hint });
    return undefined;
  }

  // ---- expressions ----

  /** `e` where a value is needed: a scalar member is read, a struct or array is its address. */
  #value(e: Ast.Expression): Lowered {
    switch (e.kind) {
      case 'cast':
      case 'field':
      case 'index':
      case 'name': {
        const place = this.#place(e);
        if (place === FAILED) return this.#failed(e);
        if (place !== undefined) return this.#valueAt(place);
        if (e.kind === 'name') {
          const origin = this.#lookup(e.name)?.origin;
          return origin === undefined ? { expr: e } : { expr: e, origin };
        }
        return { expr: this.#children(e) };
      }
      case 'sizeof': {
        const type = this.#resolve(e.type, e.module?.value, e.module !== undefined);
        const size = type === undefined ? undefined : sizeOf(type);
        if (type !== undefined && size === undefined) this.#report({ code: 'type', message: `${spell(type)} has no size`, span: e.type.span, hint: 'sizeof takes a complete type: a struct with its members, an array with its count' });
        return { expr: integer(BigInt(size ?? 0), e.span) };
      }
      case 'offsetof':
        return { expr: integer(BigInt(this.#offsetof(e) ?? 0), e.span) };
      case 'call': {
        if (e.callee.name === 'addressof') return this.#addressof(e);
        const origin = (e.callee.name === 'symbol' && e.args.length === 2) || e.callee.name === 'module' ? stringArgument(e.args[0]) : undefined;
        const expr = this.#children(e);
        return origin === undefined ? { expr } : { expr, origin };
      }
      case 'binary': {
        const left = this.#value(e.left);
        const right = this.#value(e.right);
        const expr = left.expr === e.left && right.expr === e.right ? e : { ...e, left: left.expr, right: right.expr };
        const origin = e.operator === '+' || e.operator === '-' ? left.origin ?? (e.operator === '+' ? right.origin : undefined) : undefined;
        return origin === undefined ? { expr } : { expr, origin };
      }
      case 'typed-read':
        return { expr: e };
      default:
        return { expr: this.#children(e) };
    }
  }

  /** An expression whose problem the pass reported: kept as written, and the checker told to say nothing more of it. */
  #failed(e: Ast.Expression): Lowered {
    this.#explained(e.span);
    return { expr: e, failed: true };
  }

  /** `e` as `print` and `emit` show it: a reference to a struct, union or array is the whole object. */
  #shown(e: Ast.Expression): Ast.Expression {
    if (e.kind === 'cast' || e.kind === 'field' || e.kind === 'index' || e.kind === 'name') {
      const place = this.#place(e);
      if (place === FAILED) return this.#failed(e).expr;
      if (place !== undefined && place.form === 'ref' && place.bits === undefined) {
        const type = concrete(place.type);
        if (type.kind === 'struct' || type.kind === 'union' || (type.kind === 'array' && !isText(type))) return this.#wholeRead(place, e.span);
      }
      if (place !== undefined) return this.#valueAt(place).expr;
    }
    return this.#value(e).expr;
  }

  #wholeRead(place: Place, span: Span): Ast.Expression {
    const size = sizeOf(place.type);
    if (size === undefined || size > MAX_SHOWN_BYTES) {
      this.#report({
        code: 'type',
        message: size === undefined ? `${spell(place.type)} has no size to show` : `${spell(place.type)} takes ${size} bytes, too many to show whole`,
        span,
        hint: 'show its members (.field) or elements ([i])',
      });
      return place.address;
    }
    const type: MemoryType = { kind: 'shaped', name: spell(place.type), size, shape: shapeOf(place.type) };
    return { kind: 'typed-read', type, address: place.address, span };
  }

  /**
   * The typed object `e` denotes, undefined when `e` is not typed (a region's `.start`, a list's `[0]`), or
   * FAILED after reporting why it cannot be.
   */
  #place(e: Ast.Expression): Place | undefined | typeof FAILED {
    switch (e.kind) {
      case 'name': {
        const name = this.#lookup(e.name);
        if (name?.failed) return FAILED;
        const typed = name?.typed;
        return typed === undefined ? undefined : { address: e, type: typed.type, form: typed.form, span: e.span };
      }
      case 'cast': {
        const value = this.#value(e.value);
        const explicit = e.module !== undefined;
        const type = this.#resolve(e.type, explicit ? e.module!.value : value.origin, explicit);
        return type === undefined ? FAILED : { address: value.expr, type, form: 'ref', span: e.span };
      }
      case 'field': {
        const object = this.#place(e.object);
        if (object === undefined || object === FAILED) return object;
        const followed = this.#follow(object);
        const type = this.#complete(concrete(followed.type));
        if (type.kind !== 'struct' && type.kind !== 'union') {
          this.#report({ code: 'unknown-field', message: `${spell(followed.type)} has no members, so no '.${e.field.name}'`, span: e.field.span, hint: 'only a struct or union (or a pointer to one) has members' });
          return FAILED;
        }
        if (type.size === undefined) {
          this.#report({
            code: 'no-type',
            message: `${spell(type)} is only declared in ${type.origin ?? 'the debug info'}: its members are unknown`,
            span: e.span,
            hint: 'name the type from the module that defines it: … as T from "MODULE"',
          });
          return FAILED;
        }
        const member = findMember(type, e.field.name);
        if (member === undefined) return this.#unknownMember(type, e.field);
        return {
          address: offsetBy(followed.address, member.offset, e.span),
          type: member.type,
          form: 'ref',
          ...(member.bitSize !== undefined && { bits: { offset: member.bitOffset ?? 0, size: member.bitSize } }),
          span: e.span,
        };
      }
      case 'index': {
        const object = this.#place(e.object);
        if (object === undefined || object === FAILED) return object;
        const index = this.#value(e.index).expr;
        // A pointer's value (a name given one, addressof): the i-th object from where it points, whatever its type.
        if (object.form === 'pointer') return this.#element(object.address, object.type, index, undefined, e);
        const type = concrete(object.type);
        // A pointer member or element: its value, followed.
        if (type.kind === 'pointer') {
          const followed = this.#follow(object);
          return this.#element(followed.address, followed.type, index, undefined, e);
        }
        if (type.kind !== 'array') {
          this.#report({ code: 'type', message: `${spell(object.type)} cannot be indexed`, span: e.object.span, hint: 'index an array or a pointer' });
          return FAILED;
        }
        return this.#element(object.address, type.element, index, type.count, e);
      }
      default:
        return undefined;
    }
  }

  /**
   * A struct or union only declared where it was found (a program's opaque `struct sqlite3 *`): its definition
   * from the module that has one, as gdb completes it; else as it is.
   */
  #complete<T extends CType>(type: T): T | CType {
    if ((type.kind !== 'struct' && type.kind !== 'union') || type.size !== undefined || type.name === undefined || this.#source === undefined) return type;
    const found = this.#source.lookup({ tag: type.kind, name: type.name }, undefined);
    return 'type' in found && sizeOf(found.type) !== undefined ? concrete(found.type) : type;
  }

  /** Element `index` of the objects of `element` type from `address`; a constant index past `count` is an error. */
  #element(address: Ast.Expression, element: CType, index: Ast.Expression, count: number | undefined, e: Ast.IndexExpression): Place | typeof FAILED {
    const stride = sizeOf(element);
    if (stride === undefined) {
      this.#report({ code: 'type', message: `${spell(element)} has no size, so no elements`, span: e.span, hint: 'cast the address to an array of a sized type' });
      return FAILED;
    }
    const constant = constantInteger(index);
    // A pointer has no end, and an array of 0 or 1 elements is C's old flexible array (CPython's ob_digit[1]).
    if (constant !== undefined && count !== undefined && count > 1 && (constant < 0n || constant >= BigInt(count))) {
      this.#report({ code: 'range', message: `index ${constant} is out of bounds: the array has ${count} elements`, span: e.index.span, hint: `index from 0 to ${count - 1}` });
      return FAILED;
    }
    const offset: Ast.Expression = constant !== undefined
      ? integer(constant * BigInt(stride), e.span)
      : stride === 1
      ? index
      : { kind: 'binary', operator: '*', left: index, right: integer(BigInt(stride), e.span), operatorSpan: e.span, span: e.span };
    const at: Ast.Expression = constant !== undefined ? offsetBy(address, Number(constant) * stride, e.span) : { kind: 'binary', operator: '+', left: address, right: offset, operatorSpan: e.span, span: e.span };
    return { address: at, type: element, form: 'ref', span: e.span };
  }

  #unknownMember(type: Aggregate, field: Ast.Identifier): typeof FAILED {
    const names = memberNames(type);
    const suggestion = closest(field.name, names);
    this.#report({
      code: 'unknown-field',
      message: `${spell(type)} has no member '${field.name}'`,
      span: field.span,
      hint: suggestion !== undefined ? `did you mean '${suggestion}'?` : `its members are: ${names.slice(0, 12).join(', ')}${names.length > 12 ? ', …' : ''}`,
    });
    return FAILED;
  }

  /** A reference to a pointer, followed (drgn's rule: `.` on a pointer to a struct is a member of what it points to). */
  #follow(place: Place): Place {
    const type = concrete(place.type);
    // A pointer's value names its object already: only a pointer member (or element) is read to be followed.
    if (place.form !== 'ref' || type.kind !== 'pointer' || place.bits !== undefined) return place;
    return { address: this.#read(PTR_TYPE, place.address, place.span), type: type.target(), form: 'pointer', span: place.span };
  }

  /** The value of a typed object where a value is needed. */
  #valueAt(place: Place): Lowered {
    if (place.bits !== undefined) return { expr: this.#bitfield(place, place.bits) };
    const type = concrete(place.type);
    const typed = { type: place.type, form: place.form } as const;
    // A pointer's value names its object already: it is not read again.
    if (place.form === 'pointer') return { expr: place.address, typed };
    switch (type.kind) {
      case 'int':
      case 'bool':
      case 'float':
      case 'enum':
        return { expr: this.#read(scalarOf(type), place.address, place.span) };
      case 'pointer': {
        const target = type.target();
        const pointee = concrete(target);
        const expr = this.#read(PTR_TYPE, place.address, place.span);
        return pointee.kind === 'void' || pointee.kind === 'function' ? { expr } : { expr, typed: { type: target, form: 'pointer' } };
      }
      case 'array':
        if (isText(type)) return { expr: this.#read(cstringType(type.count ?? DEFAULT_CSTRING_MAX), place.address, place.span) };
        return { expr: place.address, typed };
      case 'struct':
      case 'union':
        return { expr: place.address, typed };
      case 'void':
      case 'function':
        this.#report({ code: 'type', message: `${spell(place.type)} has no value to read`, span: place.span, hint: 'cast the address to the type it holds: … as T' });
        return { expr: place.address };
    }
  }

  /** A bitfield's value: the bytes that hold it read, shifted and masked (and sign-extended when signed). */
  #bitfield(place: Place, bits: { offset: number; size: number }): Ast.Expression {
    const span = place.span;
    const firstByte = Math.floor(bits.offset / 8);
    const shift = bits.offset % 8;
    const bytes = Math.ceil((shift + bits.size) / 8);
    const size = ([1, 2, 4, 8] as const).find((n) => n >= bytes);
    if (size === undefined) {
      this.#report({ code: 'type', message: `a bitfield of ${bits.size} bits spans more than 8 bytes`, span, hint: 'read its bytes with read bytes N at addressof(…)' });
      return integer(0n, span);
    }
    const raw = this.#read(scalarType(`u${size * 8}`)!, offsetBy(place.address, firstByte, span), span);
    const binary = (operator: Ast.BinaryOperator, left: Ast.Expression, right: bigint): Ast.Expression => ({ kind: 'binary', operator, left, right: integer(right, span), operatorSpan: span, span });
    const shifted = shift === 0 ? raw : binary('>>', raw, BigInt(shift));
    const value = bits.size === size * 8 ? shifted : binary('&', shifted, (1n << BigInt(bits.size)) - 1n);
    const type = concrete(place.type);
    // A bool is a condition; an enum is its number (a name needs the read of a whole enum, not bits of one).
    if (type.kind === 'bool') return { kind: 'compare', operator: '!=', left: value, right: integer(0n, span), span };
    if ((type.kind !== 'int' && type.kind !== 'enum') || !type.signed) return value;
    const sign = 1n << BigInt(bits.size - 1);
    return binary('-', binary('^', value, sign), sign);
  }

  #read(type: MemoryType, address: Ast.Expression, span: Span): Ast.Expression {
    return { kind: 'typed-read', type, address, span };
  }

  #addressof(e: Ast.CallExpression): Lowered {
    const argument = e.args[0];
    const place = e.args.length === 1 && argument !== undefined ? this.#place(argument) : undefined;
    if (place === FAILED) return this.#failed(e);
    if (place === undefined || place.bits !== undefined) {
      this.#report({
        code: 'not-a-place',
        message: place === undefined ? 'addressof takes one member, element or typed reference' : 'a bitfield has no address of its own',
        span: argument?.span ?? e.span,
        hint: place === undefined ? 'addressof(p.level), where p = ADDRESS as TYPE' : 'write the bytes that hold it: addressof(p) + offsetof(T, …) is where its storage starts',
      });
      return this.#failed(e);
    }
    const typed = { type: place.type, form: 'pointer' } as const;
    return { expr: place.address, typed };
  }

  #offsetof(e: Ast.OffsetofExpression): number | undefined {
    let type = this.#resolve(e.type, e.module?.value, e.module !== undefined);
    let offset = 0;
    for (const step of e.path) {
      if (type === undefined) return undefined;
      const t = concrete(type);
      if (step.kind === 'member') {
        if (t.kind !== 'struct' && t.kind !== 'union') {
          this.#report({ code: 'unknown-field', message: `${spell(type)} has no members, so no '${step.name.name}'`, span: step.name.span, hint: 'offsetof walks members of structs and unions' });
          return undefined;
        }
        const member = findMember(t, step.name.name);
        if (member === undefined) {
          this.#unknownMember(t, step.name);
          return undefined;
        }
        if (member.bitSize !== undefined) {
          this.#report({ code: 'not-a-place', message: `'${step.name.name}' is a bitfield, which has no offset in bytes`, span: step.name.span, hint: '`pvm types` shows its bit position' });
          return undefined;
        }
        offset += member.offset;
        type = member.type;
      } else {
        const index = constantInteger(step.index);
        if (t.kind !== 'array' || index === undefined || index < 0n) {
          this.#report({ code: 'type', message: t.kind !== 'array' ? `${spell(type)} is not an array` : 'offsetof takes constant indexes', span: step.span, hint: 'offsetof(T, field[2])' });
          return undefined;
        }
        offset += Number(index) * (sizeOf(t.element) ?? 0);
        type = t.element;
      }
    }
    return offset;
  }

  /** An expression with its sub-expressions lowered (the same node when none changed). */
  #children(e: Ast.Expression): Ast.Expression {
    const v = (x: Ast.Expression) => this.#value(x).expr;
    const o = (x: Ast.Expression | undefined) => (x === undefined ? undefined : v(x));
    switch (e.kind) {
      case 'integer':
      case 'float':
      case 'boolean':
      case 'string':
      case 'bytes':
      case 'name':
      case 'typed-read':
      case 'sizeof':
      case 'offsetof':
        return e;
      case 'list':
        return this.#same(e, { ...e, items: this.#list(e.items, v) });
      case 'index':
        return this.#same(e, { ...e, object: v(e.object), index: v(e.index) });
      case 'field':
        return this.#same(e, { ...e, object: v(e.object) });
      case 'cast':
        return this.#value(e).expr;
      case 'scan': {
        const range = e.range.kind === 'region' ? this.#same(e.range, { ...e.range, region: v(e.range.region) }) : e.range;
        return this.#same(e, { ...e, needle: this.#datum(e.needle), range, perms: o(e.perms), align: o(e.align), limit: o(e.limit) });
      }
      case 'pointerscan':
        return this.#same(e, { ...e, address: v(e.address), depth: o(e.depth), offset: o(e.offset), limit: o(e.limit), within: o(e.within) });
      case 'narrow': {
        const t = e.test;
        const test: Ast.NarrowTest = t.kind === 'compare'
          ? this.#same(t, { ...t, value: v(t.value), within: o(t.within) })
          : t.kind === 'between'
          ? this.#same(t, { ...t, low: v(t.low), high: v(t.high) })
          : t.kind === 'to'
          ? this.#same(t, { ...t, address: v(t.address) })
          : t;
        return this.#same(e, { ...e, list: v(e.list), test });
      }
      case 'unary':
      case 'not':
        return this.#same(e, { ...e, operand: v(e.operand) });
      case 'binary':
      case 'compare':
      case 'logical':
        return this.#same(e, { ...e, left: v(e.left), right: v(e.right) });
      case 'read':
        return this.#same(e, { ...e, address: v(e.address) });
      case 'deref':
        return this.#same(e, { ...e, address: v(e.address) });
      case 'call':
        return this.#same(e, { ...e, args: this.#list(e.args, v) });
    }
  }
}

function integer(value: bigint, span: Span): Ast.IntegerLiteral {
  return { kind: 'integer', value, span };
}

function offsetBy(address: Ast.Expression, offset: number, span: Span): Ast.Expression {
  return offset === 0 ? address : { kind: 'binary', operator: '+', left: address, right: integer(BigInt(offset), span), operatorSpan: span, span };
}

function stringArgument(e: Ast.Expression | undefined): string | undefined {
  return e?.kind === 'string' ? e.value : undefined;
}

/** How a scalar C type reads: as the recipe's type of its size and sign, an enum with its names. */
function scalarOf(type: Extract<CType, { kind: 'int' | 'bool' | 'float' | 'enum' }>): MemoryType {
  const size = type.size;
  if (type.kind === 'enum') {
    return size === 1 || size === 2 || size === 4 || size === 8 ? { kind: 'shaped', name: spell(type), size, shape: shapeOf(type) } : { kind: 'bytes', name: 'bytes', size };
  }
  const be = type.kind !== 'bool' && type.bigEndian === true && size > 1 ? 'be' : '';
  const name = type.kind === 'float' ? `f${size * 8}${be}` : `${type.kind === 'int' && type.signed ? 'i' : 'u'}${size * 8}${be}`;
  return scalarType(name) ?? { kind: 'bytes', name: 'bytes', size };
}

/** Whether two types are one: the same object, or the same name and size (a type read again from debug info). */
function sameType(a: CType, b: CType): boolean {
  if (a === b) return true;
  const x = concrete(a);
  const y = concrete(b);
  if (x === y) return true;
  return x.kind === y.kind && 'name' in x && 'name' in y && x.name === y.name && sizeOf(x) === sizeOf(y);
}
