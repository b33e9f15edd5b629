// AST → Plan. Pure. A statement is compiled after `check` accepted it and every
// statement before it, so names and types may be assumed valid; anything else is
// a bug in pvm (assert), not in the recipe.
import { recipeIdentity } from '../digest.ts';
import { formatExcerpt } from '../excerpt.ts';
import { toHex } from '../bytes.ts';
import { assert, assertNever } from '../errors.ts';
import { concreteBytes, formatPattern } from '../plan/pattern.ts';
import { analyzeLoop } from '../plan/read-ahead-analysis.ts';
import { addReadAhead } from '../plan/read-ahead.ts';
import { type Encoding, type Loc, type MemoryType, type Plan, PLAN_VERSION, type PlanDatum, type PlanExpr, type PlanStep, PTR_TYPE } from '../plan/plan.ts';
import type * as Ast from './ast.ts';
import { RecipeChecker, type StaticType } from './check.ts';
import type { RecipeObserver } from './recipe-observer.ts';
import { LoopKindFlow, type LoopKinds } from './loop-kinds.ts';
import { constantInteger } from './check-types.ts';
import { InvalidRecipe } from './diagnostic.ts';
import { lineIndex, type SourceFile, type Span } from './source.ts';
import type { TypeSource } from '../types/type-source.ts';
import { TypePass, type TypeSession } from './typed-lowering.ts';
import { cstringType, DEFAULT_CSTRING_MAX, isListType, isPathsType, isStringType, scalarType } from './types.ts';

/**
 * Checks and compiles a recipe one top-level statement at a time, in order, as the parser reads them: the
 * tree of a statement is dropped once it is compiled, so that a large recipe's tree and plan are never both
 * whole in memory (4 MiB of `print 1` lines: ~140 MB of tree, ~130 MB of plan). A statement is compiled only
 * while no diagnostic has been reported, so the compiler may assume names and types are valid; `finish`
 * throws `InvalidRecipe` with every diagnostic, or gives the plan. `session`: the names (and types) a REPL's
 * earlier inputs declared.
 */
/** What a compile is given besides the text. */
export interface CompileOptions {
  /** The names (and types) a REPL's earlier inputs declared. */
  readonly session?: ReadonlyMap<string, StaticType> | undefined;
  /** The types and typed names a REPL's earlier inputs declared. */
  readonly typeSession?: TypeSession | undefined;
  /** Where the types a recipe names but does not declare come from: the target's debug info. None: only the recipe's. */
  readonly types?: TypeSource | undefined;
  /** Told each name's type as it is declared (the language server's hover and completion). */
  readonly observer?: RecipeObserver | undefined;
}

export class RecipeCompiler {
  readonly #source: SourceFile;
  readonly #types: TypePass;
  readonly #checker: RecipeChecker;
  readonly #kinds: LoopKindFlow;
  readonly #builder: ReturnType<typeof planBuilder>;
  readonly #observer: RecipeObserver | undefined;

  constructor(source: SourceFile, options: CompileOptions = {}) {
    this.#source = source;
    this.#observer = options.observer;
    this.#observer?.begin?.();
    this.#checker = new RecipeChecker(options.session, options.observer);
    const lines = lineIndex(source);
    const locate = (span: Span) => {
      const line = lines.lineOf(span);
      return { where: `${source.name}:${line.line}:${line.col}`, line: line.line, col: line.col, excerpt: formatExcerpt(line) };
    };
    this.#types = new TypePass(options.types, this.#checker.report, locate, (span) => this.#checker.explained(span), options.typeSession, options.observer);
    this.#kinds = new LoopKindFlow(options.session);
    this.#builder = planBuilder(source, (loop) => this.#kinds.of(loop));
  }

  /** The next top-level statement. */
  readonly add = (written: Ast.Statement): void => {
    this.#observer?.statement?.(written);
    // Typed references become plain reads first (typed-lowering.ts): nothing after sees a type.
    const statement = this.#types.statement(written);
    this.#checker.statement(statement);
    if (this.#checker.reported > 0) return;
    if (statement.kind === 'type') return;
    this.#kinds.statement(statement);
    this.#builder.add(statement);
  };

  /** The plan, and the names the recipe declares at its top level (for the REPL); or throws `InvalidRecipe`. */
  finish(): { plan: Plan; declared: ReadonlyMap<string, StaticType>; typeSession: TypeSession } {
    const result = this.#checker.result();
    if (result.diagnostics.length > 0) throw new InvalidRecipe(this.#source, result.diagnostics, result.omitted);
    const plan = this.#builder.plan(result.writes);
    return {
      plan,
      typeSession: this.#types.session(),
      get declared() {
        return result.declared;
      },
    };
  }
}

const TRUE: PlanExpr = { op: 'bool', value: true };
const FALSE: PlanExpr = { op: 'bool', value: false };

/** Distinct constants, and distinct names, whose nodes a plan shares (see planBuilder). */
const SHARED_NODES = 4096;

/** The node kept for `key`, else a new one (kept while the map has room). */
function shared<K>(nodes: Map<K, PlanExpr>, key: K, make: () => PlanExpr): PlanExpr {
  let node = nodes.get(key);
  if (node === undefined) {
    node = make();
    if (nodes.size < SHARED_NODES) nodes.set(key, node);
  }
  return node;
}

/** Checked top-level statements, given in order, → their plan. */
function planBuilder(source: SourceFile, loopKinds: (loop: Ast.Statement) => LoopKinds): { add(statement: Ast.Statement): void; plan(writes: boolean): Plan } {
  const lines = lineIndex(source);
  const loc = (span: Span): Loc => lines.lineOf(span);
  let nextSite = 0;
  // Plans are immutable data: a constant or a name used again and again is one node (4 MiB of `x = 1` lines:
  // 699 050 nodes `1` of 64 bytes each were 45 MB). Up to SHARED_NODES of each, so that distinct ones (200 000
  // `let xN = N`) do not fill a map for nothing.
  const ints = new Map<bigint, PlanExpr>();
  const names = new Map<string, PlanExpr>();
  const params: Plan['params'][number][] = [];

  const expr = (e: Ast.Expression): PlanExpr => {
    switch (e.kind) {
      case 'integer':
        return shared(ints, e.value, () => ({ op: 'int', value: e.value.toString() }));
      case 'float':
        return { op: 'float', value: e.value };
      case 'boolean':
        return e.value ? TRUE : FALSE;
      case 'list':
        return { op: 'list', items: e.items.map(expr) };
      case 'string':
        return { op: 'str', value: e.value };
      case 'bytes': {
        const pattern = e.pattern!;
        const bytes = concreteBytes(pattern);
        return bytes === undefined ? { op: 'pattern', tokens: pattern.tokens, text: formatPattern(pattern.tokens) } : { op: 'bytes', hex: toHex(bytes) };
      }
      case 'name':
        return shared(names, e.name, () => ({ op: 'var', name: e.name }));
      case 'unary':
        return { op: 'unary', operator: e.operator, operand: expr(e.operand) };
      case 'binary':
        return { op: 'binary', operator: e.operator, left: expr(e.left), right: expr(e.right), loc: loc(e.operatorSpan) };
      case 'read': {
        const address = expr(e.address);
        return { op: 'read', type: memoryType(e.type), address, site: nextSite++, loc: loc(e.span) };
      }
      case 'deref': {
        const address = expr(e.address);
        return { op: 'read', type: PTR_TYPE, address, site: nextSite++, loc: loc(e.span) };
      }
      case 'call':
        return call(e);
      case 'index':
        return { op: 'index', object: expr(e.object), index: expr(e.index), loc: loc(e.span) };
      case 'scan':
        return {
          op: 'scan',
          needle: datum(e.needle),
          range: e.range.kind === 'region' ? { kind: 'region', region: expr(e.range.region) } : { kind: e.range.kind },
          perms: e.perms?.kind === 'string' ? e.perms.value : undefined,
          align: e.align === undefined ? 1 : Number(constantInteger(e.align)),
          limit: e.limit && expr(e.limit),
          unique: e.unique,
          loc: loc(e.span),
        };
      case 'field':
        return { op: 'field', object: expr(e.object), field: e.field.name as 'start' | 'end' | 'size' };
      case 'pointerscan':
        // The checker refuses a pointerscan without depth or offset.
        return { op: 'pointerscan', address: expr(e.address), depth: expr(e.depth!), offset: expr(e.offset!), limit: e.limit && expr(e.limit), within: e.within && expr(e.within), stacks: e.stacks, loc: loc(e.span) };
      case 'narrow': {
        const test = e.test;
        return {
          op: 'narrow',
          list: expr(e.list),
          type: e.type && memoryType(e.type) as Extract<PlanExpr, { op: 'narrow' }>['type'],
          test: test.kind === 'compare'
            ? { kind: 'compare', operator: test.operator, value: expr(test.value), within: test.within && expr(test.within) }
            : test.kind === 'between'
            ? { kind: 'between', low: expr(test.low), high: expr(test.high) }
            : test.kind === 'any'
            ? { kind: 'any' }
            : test.kind === 'to'
            ? { kind: 'to', address: expr(test.address) }
            : { kind: 'change', change: test.change },
          loc: loc(e.span),
        };
      }
      case 'compare':
        return { op: 'compare', operator: e.operator, left: expr(e.left), right: expr(e.right) };
      case 'logical':
        return { op: 'logical', operator: e.operator, left: expr(e.left), right: expr(e.right) };
      case 'not':
        return { op: 'not', operand: expr(e.operand) };
      case 'typed-read': {
        const address = expr(e.address);
        return { op: 'read', type: e.type, address, site: nextSite++, loc: loc(e.span) };
      }
      case 'cast':
      case 'sizeof':
      case 'offsetof':
        throw new Error(`pvm internal error: ${e.kind} reached the compiler (the type pass lowers it)`);
      default:
        return assertNever(e);
    }
  };

  const call = (e: Ast.CallExpression): PlanExpr => {
    const literal = (i: number) => {
      const arg = e.args[i];
      return arg?.kind === 'string' ? arg.value : '';
    };
    const name = e.callee.name;
    switch (name) {
      case 'module':
        return { op: 'module', name: literal(0), loc: loc(e.span) };
      case 'symbol':
        // symbol("name"): the dynamic linker's global lookup, no module.
        return e.args.length === 1 ? { op: 'symbol', name: literal(0), loc: loc(e.span) } : { op: 'symbol', module: literal(0), name: literal(1), loc: loc(e.span) };
      case 'region':
        return { op: 'call', name, args: [{ op: 'str', value: literal(0) }], loc: loc(e.span) };
      case 'ripref': {
        const [insn, dispOffset, insnLength] = e.args.map(expr);
        return { op: 'ripref', insn: insn!, dispOffset: dispOffset!, insnLength: insnLength!, loc: loc(e.span) };
      }
      case 'threads':
      case 'reg':
      case 'range':
      case 'len':
      case 'hex':
      case 'min':
      case 'max':
        return { op: 'call', name, args: e.args.map(expr), loc: loc(e.span) };
      default:
        throw new Error(`pvm internal error: unchecked builtin ${name}`);
    }
  };

  /** A value that becomes bytes as it is: a string literal gives its bytes (`\xNN` is the byte NN). */
  const data = (e: Ast.Expression): PlanExpr => (e.kind === 'string' ? { op: 'bytes', hex: toHex(e.bytes) } : expr(e));

  const datum = (d: Ast.Datum): PlanDatum => {
    switch (d.kind) {
      case 'typed':
        return { encoding: { kind: 'scalar', type: scalarType(d.type.name)! }, value: expr(d.value), loc: loc(d.span) };
      case 'utf16':
        return { encoding: { kind: 'utf16', units: undefined }, value: expr(d.value), loc: loc(d.span) };
      case 'plain':
        return { encoding: { kind: 'raw', size: undefined }, value: data(d.value), loc: loc(d.span) };
    }
  };

  /** A statement's step (none for a param). */
  const step = (s: Ast.Statement): PlanStep | undefined => {
    switch (s.kind) {
      case 'param':
        params.push({
          name: s.name.name,
          type: isListType(s.type) ? { kind: 'list', name: 'list' } : isPathsType(s.type) ? { kind: 'paths', name: 'paths' } : isStringType(s.type) ? { kind: 'string', name: 'string' } : memoryType(s.type),
          default: s.default && expr(s.default),
          loc: loc(s.name.span),
        });
        return undefined;
      case 'let':
        return { op: 'let', name: s.name.name, value: expr(s.value), loc: loc(s.span) };
      case 'assign':
        return { op: 'assign', name: s.name.name, value: expr(s.value), loc: loc(s.span) };
      case 'print':
        return { op: 'print', values: s.values.map(expr), loc: loc(s.span) };
      case 'emit':
        return { op: 'emit', name: s.name.name, value: expr(s.value), loc: loc(s.span) };
      case 'if':
        return { op: 'if', condition: expr(s.condition), then: block(s.then), otherwise: block(s.otherwise ?? []), loc: loc(s.condition.span) };
      case 'for': {
        const over = s.over.kind === 'range' ? { kind: 'range' as const, from: expr(s.over.from), to: expr(s.over.to) } : { kind: 'list' as const, list: expr(s.over.list) };
        const [limit, body] = [s.limit && expr(s.limit), block(s.body)];
        const kinds = loopKinds(s);
        assert(kinds.item !== undefined, 'a for loop without its item');
        return { op: 'for', variable: s.variable.name, over, limit, body, readAhead: analyzeLoop(s.variable.name, body), names: kinds.names, item: kinds.item, loc: loc(s.span) };
      }
      case 'while':
        return { op: 'while', condition: expr(s.condition), limit: s.limit && expr(s.limit), body: block(s.body), names: loopKinds(s).names, loc: loc(s.span) };
      case 'break':
        return { op: 'break', loc: loc(s.span) };
      case 'assert':
        return { op: 'assert', condition: expr(s.condition), message: s.message && expr(s.message), loc: loc(s.span) };
      case 'write': {
        const encoding = writeEncoding(s.type);
        const value = encoding.kind === 'raw' || encoding.kind === 'cstring' ? data(s.value) : expr(s.value);
        return { op: 'write', address: expr(s.address), datum: { encoding, value, loc: loc(s.value.span) }, loc: loc(s.span) };
      }
      case 'dump':
        return { op: 'dump', address: expr(s.address), length: expr(s.length), loc: loc(s.span) };
      case 'patch':
        return {
          op: 'patch',
          name: s.name?.value,
          freeze: s.freeze,
          sites: s.sites.map((site) => ({ address: expr(site.address), expect: datum(site.expect!), replacement: datum(site.replacement), loc: loc(site.span) })),
          loc: loc(s.span),
        };
      case 'type':
        throw new Error('pvm internal error: a type declaration reached the plan (RecipeCompiler keeps it out)');
      default:
        return assertNever(s);
    }
  };
  const block = (statements: readonly Ast.Statement[]): PlanStep[] => {
    const steps: PlanStep[] = [];
    for (const s of statements) {
      const compiled = step(s);
      if (compiled !== undefined) steps.push(compiled);
    }
    return steps;
  };
  const top: PlanStep[] = [];
  return {
    add(statement) {
      const compiled = step(statement);
      if (compiled !== undefined) top.push(compiled);
    },
    plan(writes) {
      return {
        format: 'pvm-plan',
        version: PLAN_VERSION,
        recipe: recipeIdentity(source.name, source.text),
        writes,
        params,
        steps: addReadAhead(top),
      };
    },
  };
}

function sizeOf(type: Ast.TypeRef): number | undefined {
  const size = type.size === undefined ? undefined : constantInteger(type.size);
  return size === undefined ? undefined : Number(size);
}

function memoryType(type: Ast.TypeRef): MemoryType {
  switch (type.name) {
    case 'cstring':
      return cstringType(sizeOf(type) ?? DEFAULT_CSTRING_MAX);
    case 'bytes':
      return { kind: 'bytes', name: 'bytes', size: sizeOf(type)! };
    case 'utf16':
      return { kind: 'utf16', name: 'utf16', units: sizeOf(type)! };
  }
  const scalar = scalarType(type.name);
  assert(scalar !== undefined, `unchecked type ${type.name}`);
  return scalar;
}

function writeEncoding(type: Ast.TypeRef): Encoding {
  switch (type.name) {
    case 'cstring':
      return { kind: 'cstring', max: sizeOf(type) };
    case 'bytes':
      return { kind: 'raw', size: sizeOf(type) };
    case 'utf16':
      return { kind: 'utf16', units: sizeOf(type) };
  }
  return { kind: 'scalar', type: scalarType(type.name)! };
}
