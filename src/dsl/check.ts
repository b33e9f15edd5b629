// Static checks: names, types, constants and bounds. Pure; returns every
// diagnostic at once instead of stopping at the first, as a compiler does.
import { LOOP_CAP, MAX_DIAGNOSTICS, MAX_DUMP } from '../limits.ts';
import { assertNever } from '../errors.ts';
import { closest } from '../suggest.ts';
import type * as Ast from './ast.ts';
import { expressionType, type Report, requireAddress, requireCondition, requireCount, requireNumber } from './check-expression.ts';
import { checkDatum, checkFits, constantInteger, staticLength, typeOfRead } from './check-types.ts';
import { concreteBytes } from '../plan/pattern.ts';
import { sizedMisfit } from '../plan/sized-value.ts';
import type { Diagnostic } from './diagnostic.ts';
import type { RecipeObserver } from './recipe-observer.ts';
import type { Span } from './source.ts';
import { describeType, family, isInteger, PATHS_HINT, type StaticType } from './static-type.ts';
import { isListType, isPathsType, isStringType, scalarType } from './types.ts';
import { count } from '../count.ts';

export type { StaticType };

export interface CheckResult {
  readonly diagnostics: readonly Diagnostic[];
  /** Diagnostics found past MAX_DIAGNOSTICS, counted, not kept (400 000 unknown names are not 400 000 messages). */
  readonly omitted: number;
  /** True when the recipe writes target memory (decides `--allow-write`). */
  readonly writes: boolean;
  /** The names the recipe declares at its top level, and their types (the REPL keeps them for the next input). */
  readonly declared: ReadonlyMap<string, StaticType>;
}

interface Binding {
  readonly type: StaticType;
  /** `session`: a name an earlier REPL input declared; assignable, and a top-level `let` may declare it anew. */
  readonly role: 'param' | 'let' | 'loop' | 'session';
}

/** One binding per role and type, shared by every name so declared (a recipe may declare 200 000 names). */
const BINDINGS = new Map<string, Binding>();
function binding(type: StaticType, role: Binding['role']): Binding {
  const key = `${role} ${type}`;
  let found = BINDINGS.get(key);
  if (found === undefined) BINDINGS.set(key, found = { type, role });
  return found;
}

/** Names visible in a block: its own, then its parents'. Blocks may not shadow outer names. */
class Scope {
  readonly #names = new Map<string, Binding>();
  readonly parent: Scope | undefined;
  /** Diagnostics reported so far, shared by a recipe's scopes: past MAX_DIAGNOSTICS none shows, so no did-you-mean is looked for (each compares every name). */
  readonly reported: { count: number };
  readonly takesParams: boolean;

  /** `takesParams`: of the outermost scope (the others have their parent's). */
  constructor(parent?: Scope, takesParams = true) {
    this.parent = parent;
    this.reported = parent?.reported ?? { count: 0 };
    this.takesParams = parent?.takesParams ?? takesParams;
  }

  lookup(name: string): Binding | undefined {
    return this.#names.get(name) ?? this.parent?.lookup(name);
  }

  /** Every visible name, for did-you-mean (none once no more diagnostics show). */
  names(): string[] {
    if (this.reported.count >= MAX_DIAGNOSTICS) return [];
    return [...this.#names.keys(), ...(this.parent?.names() ?? [])];
  }

  declare(name: string, binding: Binding): void {
    this.#names.set(name, binding);
  }

  /** Whether this block itself declares `name`. */
  has(name: string): boolean {
    return this.#names.has(name);
  }

  /** The names declared in this block itself, with their types. */
  own(): Map<string, StaticType> {
    return new Map([...this.#names].map(([name, binding]) => [name, binding.type]));
  }
}

/**
 * Checks a recipe one top-level statement at a time, in order, as the parser reads them (the tree of a
 * statement need not outlive it); `session`: names and types earlier inputs of a REPL declared.
 */
export class RecipeChecker {
  readonly #diagnostics: Diagnostic[] = [];
  /** `writes`: the recipe writes; `loops`: how many loops enclose the block being checked (for `break`). */
  readonly #state = { writes: false, loops: 0 };
  readonly #outer: Scope;
  readonly #root: Scope;
  readonly #report: Report = (d) => {
    if (this.#outer.reported.count++ < MAX_DIAGNOSTICS) this.#diagnostics.push(d);
  };
  /** Expressions the type pass reported already (an unknown type, a member not there): nothing more is said inside them. */
  readonly #explained: Span[] = [];

  readonly #observer: RecipeObserver | undefined;

  constructor(session?: ReadonlyMap<string, StaticType>, observer?: RecipeObserver) {
    this.#observer = observer;
    // A REPL's inputs (those with a session) take no params: it has no --arg to give them.
    this.#outer = new Scope(undefined, session === undefined);
    for (const [name, type] of session ?? []) this.#outer.declare(name, binding(type, 'session'));
    this.#root = new Scope(this.#outer);
  }

  /** Reports a diagnostic found outside the checker (the type pass, typed-lowering.ts), counted as its own. */
  get report(): Report {
    return this.#report;
  }

  /** Diagnostics reported so far, those past MAX_DIAGNOSTICS included. */
  get reported(): number {
    return this.#outer.reported.count;
  }

  /** The next top-level statement. */
  statement(statement: Ast.Statement): void {
    this.#statement(statement, this.#root);
    this.#explained.length = 0;
  }

  /** The type pass reported what is wrong with this expression (typed-lowering.ts): the checker says nothing more of it. */
  explained(span: Span): void {
    this.#explained.push(span);
  }

  result(): CheckResult {
    const diagnostics = this.#diagnostics;
    const root = this.#root;
    return {
      diagnostics,
      omitted: this.reported - diagnostics.length,
      writes: this.#state.writes,
      get declared() {
        return root.own();
      },
    };
  }

  #block(statements: readonly Ast.Statement[], scope: Scope): void {
    for (const statement of statements) this.#statement(statement, scope);
  }

  #loopBody(body: readonly Ast.Statement[], scope: Scope): void {
    this.#state.loops++;
    this.#block(body, scope);
    this.#state.loops--;
  }

  #typeOf(e: Ast.Expression, scope: Scope): StaticType {
    return expressionType(e, scope, this.#explained.length === 0 ? this.#report : this.#quietInside);
  }

  readonly #quietInside: Report = (d) => {
    if (!this.#explained.some((s) => s.start <= d.span.start && d.span.end <= s.end)) this.#report(d);
  };

  #declare(scope: Scope, name: Ast.Identifier, type: StaticType, role: Binding['role']): void {
    const existing = scope.lookup(name.name);
    // A REPL name may be declared anew at the top level (`let x = …` again), as in gdb or a Python prompt.
    const anew = existing?.role === 'session' && scope.parent?.parent === undefined && !scope.has(name.name);
    if (existing !== undefined && !anew) {
      this.#report({
        code: 'redefined',
        message: `'${name.name}' is already defined`,
        span: name.span,
        hint: role === 'loop' ? 'name the loop variable differently' : `choose another name, or assign the existing one with \`${name.name} = …\``,
      });
      return;
    }
    scope.declare(name.name, binding(type, role));
    this.#observer?.name?.(name, type);
  }

  #limit(limit: Ast.Expression | undefined, scope: Scope): void {
    if (limit === undefined) return;
    const report = this.#report;
    requireCount(this.#typeOf(limit, scope), limit, report);
    const value = constantInteger(limit);
    if (value !== undefined && value < 0n) report({ code: 'bad-limit', message: `limit ${value} is negative`, span: limit.span, hint: 'give a limit of 0 or more' });
  }

  #statement(statement: Ast.Statement, scope: Scope): void {
    const report = this.#report;
    const state = this.#state;
    switch (statement.kind) {
      case 'param': {
        if (scope.parent?.parent !== undefined) { // the top level's parent is the scope of a REPL's earlier names
          report({ code: 'param-position', message: 'a param must be declared at the top level of the recipe', span: statement.span, hint: 'move the param before the blocks that use it' });
        }
        const type: StaticType = isListType(statement.type) ? 'list' : isPathsType(statement.type) ? 'paths' : isStringType(statement.type) ? 'str' : typeOfRead(statement.type, 'param', report);
        if (statement.default !== undefined) {
          checkConstant(statement.default, report);
          const given = this.#typeOf(statement.default, scope);
          const wanted = PARAM_DEFAULTS[type] ?? PARAM_DEFAULTS.int!;
          if (!wanted.fits(given)) {
            report({ code: 'type', message: `the default of '${statement.name.name}' must be ${wanted.what}, not ${describeType(given)}`, span: statement.default.span, hint: wanted.hint });
          }
        }
        this.#declare(scope, statement.name, type, 'param');
        break;
      }
      case 'let':
        this.#declare(scope, statement.name, this.#typeOf(statement.value, scope), 'let');
        break;
      case 'assign': {
        const binding = scope.lookup(statement.name.name);
        const type = this.#typeOf(statement.value, scope);
        if (binding === undefined) {
          const suggestion = closest(statement.name.name, scope.names());
          report({
            code: 'unknown-name',
            message: `unknown name '${statement.name.name}'`,
            span: statement.name.span,
            hint: suggestion === undefined ? `declare it first with \`let ${statement.name.name} = …\`` : `did you mean '${suggestion}'?`,
          });
        } else if (binding.role !== 'let' && binding.role !== 'session') {
          report({
            code: 'read-only',
            message: `'${statement.name.name}' is a ${binding.role === 'param' ? 'param' : 'loop variable'} and cannot be assigned`,
            span: statement.name.span,
            hint: `copy it first: \`let my_${statement.name.name} = ${statement.name.name}\``,
          });
        } else if (family(binding.type) !== family(type)) {
          report({ code: 'type', message: `'${statement.name.name}' holds ${describeType(binding.type)}, not ${describeType(type)}`, span: statement.value.span, hint: 'assign a value of the same kind, or use a new `let`' });
        }
        break;
      }
      case 'print':
        for (const value of statement.values) this.#typeOf(value, scope);
        break;
      case 'emit':
        this.#typeOf(statement.value, scope);
        break;
      case 'if':
        requireCondition(this.#typeOf(statement.condition, scope), statement.condition, report);
        this.#block(statement.then, new Scope(scope));
        if (statement.otherwise !== undefined) this.#block(statement.otherwise, new Scope(scope));
        break;
      case 'for': {
        let variable: StaticType = 'int';
        if (statement.over.kind === 'range') {
          const from = this.#typeOf(statement.over.from, scope);
          requireNumber(from, statement.over.from, report);
          requireNumber(this.#typeOf(statement.over.to, scope), statement.over.to, report);
          variable = from === 'ptr' || from === 'region' ? 'ptr' : 'int';
          checkStaticBound(statement, statement.over, report);
        } else {
          const list = this.#typeOf(statement.over.list, scope);
          if (list !== 'list') {
            report({
              code: 'type',
              message: `a for loop goes over a list or a range A..B, not ${describeType(list)}`,
              span: statement.over.list.span,
              hint: list === 'paths' ? PATHS_HINT : 'write for h in hits { … } or for i in 0..n { … }',
            });
          }
          variable = 'ptr';
        }
        this.#limit(statement.limit, scope);
        const body = new Scope(scope);
        if (scope.lookup(statement.variable.name) !== undefined) this.#declare(scope, statement.variable, variable, 'loop');
        else {
          body.declare(statement.variable.name, binding(variable, 'loop'));
          this.#observer?.name?.(statement.variable, variable);
        }
        this.#loopBody(statement.body, body);
        break;
      }
      case 'while':
        requireCondition(this.#typeOf(statement.condition, scope), statement.condition, report);
        this.#limit(statement.limit, scope);
        this.#loopBody(statement.body, new Scope(scope));
        break;
      case 'break':
        if (state.loops === 0) report({ code: 'break-outside-loop', message: '`break` outside a loop', span: statement.span, hint: 'break leaves the innermost for or while loop; to stop the recipe, use assert' });
        break;
      case 'assert':
        requireCondition(this.#typeOf(statement.condition, scope), statement.condition, report);
        if (statement.message !== undefined && this.#typeOf(statement.message, scope) !== 'str') {
          report({ code: 'type', message: 'the message of an assert must be a string', span: statement.message.span, hint: 'write e.g. assert n == 1000, "counter moved"' });
        }
        break;
      case 'write':
        state.writes = true;
        requireAddress(this.#typeOf(statement.address, scope), statement.address, report);
        checkWriteValue(statement, typeOfRead(statement.type, 'write', report), this.#typeOf(statement.value, scope), report);
        break;
      case 'dump': {
        requireAddress(this.#typeOf(statement.address, scope), statement.address, report);
        requireCount(this.#typeOf(statement.length, scope), statement.length, report);
        const length = constantInteger(statement.length);
        if (length !== undefined && (length < 1n || length > BigInt(MAX_DUMP))) {
          report({ code: 'dump-size', message: `a dump covers 1 to ${MAX_DUMP} bytes, not ${length}`, span: statement.length.span, hint: 'dump a smaller range, or several' });
        }
        break;
      }
      case 'patch':
        state.writes = true;
        checkPatch(statement, (e) => this.#typeOf(e, scope), report);
        break;
      case 'type':
        // Declared by the type pass (typed-lowering.ts), which reported its problems.
        break;
      default:
        assertNever(statement);
    }
  }
}

/** What a param's default must be, by the param's type (a number for every memory type). */
const PARAM_DEFAULTS: Partial<Record<StaticType, { fits: (given: StaticType) => boolean; what: string; hint: string }>> = {
  list: { fits: (given) => given === 'list', what: 'a list', hint: 'write e.g. = [] or = [0x10, 0x20]' },
  paths: { fits: () => false, what: 'given with --arg', hint: 'drop the default: pass --arg NAME=@FILE with the paths a pointerscan emitted' },
  str: { fits: (given) => given === 'str', what: 'a string', hint: 'write e.g. = "secret"' },
  int: { fits: (given) => isInteger(given) || given === 'float', what: 'a number', hint: 'write e.g. = 0x10' },
};

function checkWriteValue(statement: Ast.WriteStatement, wanted: StaticType, given: StaticType, report: Report): void {
  const type = statement.type.name;
  const scalar = scalarType(type);
  if (scalar !== undefined) {
    const ok = scalar.kind === 'float' ? isInteger(given) || given === 'float' : isInteger(given);
    if (!ok) report({ code: 'type', message: `cannot write ${describeType(given)} as ${type}`, span: statement.value.span, hint: scalar.kind === 'float' ? 'write a number' : 'write an integer or an address' });
    else checkFits(scalar, statement.value, report);
    return;
  }
  if (given === 'pattern') {
    report({ code: 'wildcard', message: 'wildcards cannot be written: a write needs concrete bytes', span: statement.value.span, hint: 'give every byte, e.g. hex"90 90"' });
  } else if (wanted === 'bytes' ? given !== 'bytes' && given !== 'str' : given !== 'str') {
    report({ code: 'type', message: `cannot write ${describeType(given)} as ${type}`, span: statement.value.span, hint: wanted === 'bytes' ? 'write bytes (hex"…") or a string' : 'write a string' });
  } else {
    checkLiteralSize(statement, report);
  }
}

/**
 * A literal written as a sized type must fit it, as encode.ts checks when it
 * runs: found here, before anything is written (a recipe's writes before the
 * misfit would otherwise land).
 */
function checkLiteralSize(statement: Ast.WriteStatement, report: Report): void {
  const { value, type } = statement;
  const size = type.size === undefined ? undefined : constantInteger(type.size);
  if (size === undefined) return;
  const bytes = value.kind === 'string' ? value.bytes : value.kind === 'bytes' && value.pattern !== undefined ? concreteBytes(value.pattern) : undefined;
  if (bytes === undefined) return;
  if (type.name !== 'bytes' && type.name !== 'cstring' && type.name !== 'utf16') return;
  if (type.name === 'utf16' && value.kind !== 'string') return;
  const misfit = sizedMisfit(type.name, Number(size), bytes.length, value.kind === 'string' ? value.value.length : 0);
  if (misfit !== undefined) report({ code: 'size', span: value.span, ...misfit });
}

function checkPatch(statement: Ast.PatchStatement, typeOf: (e: Ast.Expression) => StaticType, report: Report): void {
  for (const site of statement.sites) {
    requireAddress(typeOf(site.address), site.address, report);
    checkDatum(site.replacement, 'replacement', typeOf, report);
    if (site.expect === undefined) {
      report({
        code: 'patch-expect',
        message: 'a patch site needs `expect`: the bytes that must be there before it writes',
        span: site.span,
        hint: 'add e.g. `expect hex"8b 05 ?? ?? ?? ??"` before `with`; use `write` for unverified data writes',
      });
      continue;
    }
    checkDatum(site.expect, 'expect', typeOf, report);
    const expected = staticLength(site.expect);
    const replacement = staticLength(site.replacement);
    if (expected !== undefined && expected.min !== expected.max) {
      report({
        code: 'patch-length',
        message: 'the expected bytes of a patch site must have a fixed length',
        span: site.expect.span,
        hint: 'use ?? for bytes that may be anything; jumps and alternatives of different lengths are for scans',
      });
    } else if (expected !== undefined && replacement !== undefined && expected.min < replacement.min) {
      report({
        code: 'patch-length',
        message: `the site expects ${count(expected.min, 'byte')} but writes ${replacement.min}`,
        span: site.span,
        hint: 'expect at least the bytes the patch replaces (pad with ?? if needed), so a revert restores all of them; a longer expect anchors the patch',
      });
    }
  }
}

/** A loop over constant bounds that would run past the default cap needs an explicit limit. */
function checkStaticBound(statement: Ast.ForStatement, over: Ast.ForRange, report: Report): void {
  if (statement.limit !== undefined) return;
  const from = constantInteger(over.from);
  const to = constantInteger(over.to);
  if (from === undefined || to === undefined || to - from <= LOOP_CAP) return;
  report({
    code: 'unbounded-loop',
    message: `this loop would run ${to - from} times, more than the default cap of ${LOOP_CAP}`,
    span: statement.span,
    hint: 'add `limit N` to run at most N iterations',
  });
}

/** A param's default is computed before the target is opened, so it may not read memory. */
function checkConstant(expression: Ast.Expression, report: Report): void {
  const visit = (e: Ast.Expression): void => {
    switch (e.kind) {
      case 'integer':
      case 'float':
      case 'boolean':
      case 'string':
      case 'bytes':
      case 'name':
      case 'sizeof':
      case 'offsetof':
        return;
      case 'cast':
        return visit(e.value);
      case 'list':
        return e.items.forEach(visit);
      case 'unary':
      case 'not':
        return visit(e.operand);
      case 'field':
        return visit(e.object);
      case 'index':
        visit(e.object);
        return visit(e.index);
      case 'binary':
      case 'compare':
      case 'logical':
        visit(e.left);
        return visit(e.right);
      case 'read':
      case 'typed-read':
      case 'deref':
      case 'call':
      case 'scan':
      case 'pointerscan':
      case 'narrow':
        report({
          code: 'param-default-reads',
          message: 'a param default cannot read memory or look up modules',
          span: e.span,
          hint: 'give a constant default, and read memory in a `let` after the params',
        });
        return;
      default:
        assertNever(e);
    }
  };
  visit(expression);
}
