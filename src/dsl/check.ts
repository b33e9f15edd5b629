// Static checks: names, types and constants. Pure; returns every diagnostic
// at once instead of stopping at the first (STYLE habit 4).
import { assertNever } from '../errors.ts';
import type * as Ast from './ast.ts';
import type { Diagnostic } from './diagnostic.ts';
import { resultKind } from '../plan/arithmetic.ts';
import { BUILTINS, PLANNED_BUILTINS, REGION_FIELDS } from './builtins.ts';
import { closest } from '../suggest.ts';
import type { Span } from './source.ts';
import { FUTURE_TYPE_NAMES, TYPE_NAMES, scalarType } from './types.ts';

/** What an expression yields, as far as the checker can tell. */
/** A `region` (from module()) is an address where one is needed: its start. */
export type StaticType = 'int' | 'ptr' | 'float' | 'str' | 'region' | 'bool';

export interface CheckResult {
  readonly diagnostics: readonly Diagnostic[];
  /** True when the recipe writes target memory (decides `--allow-write`). */
  readonly writes: boolean;
}

/** Largest `cstring max N`: one page-run large enough for any sane string. */
export const CSTRING_MAX_LIMIT = 1 << 20;

interface Binding {
  readonly type: StaticType;
  readonly span: Span;
  readonly role: 'param' | 'let' | 'loop';
}

/** Names visible in a block: its own, then its parents'. Blocks may not shadow outer names. */
class Scope {
  readonly #names = new Map<string, Binding>();
  readonly parent: Scope | undefined;

  constructor(parent?: Scope) {
    this.parent = parent;
  }

  lookup(name: string): Binding | undefined {
    return this.#names.get(name) ?? this.parent?.lookup(name);
  }

  /** Every visible name, for did-you-mean. */
  names(): string[] {
    return [...this.#names.keys(), ...(this.parent?.names() ?? [])];
  }

  declare(name: string, binding: Binding): void {
    this.#names.set(name, binding);
  }
}

export function check(recipe: Ast.Recipe): CheckResult {
  const diagnostics: Diagnostic[] = [];
  const report = (d: Diagnostic) => diagnostics.push(d);
  checkBlock(recipe.statements, new Scope(), report);
  return { diagnostics, writes: false };
}

function checkBlock(statements: readonly Ast.Statement[], scope: Scope, report: Report): void {
  const declare = (name: Ast.Identifier, type: StaticType, role: Binding['role']) => {
    if (scope.lookup(name.name) !== undefined) {
      report({
        code: 'redefined',
        message: `'${name.name}' is already defined`,
        span: name.span,
        hint: `choose another name, or assign the existing one with \`${name.name} = …\``,
      });
      return;
    }
    scope.declare(name.name, { type, span: name.span, role });
  };
  const typeOf = (e: Ast.Expression) => expressionType(e, scope, report);

  for (const statement of statements) {
    switch (statement.kind) {
      case 'param': {
        if (scope.parent !== undefined) {
          report({ code: 'param-position', message: 'a param must be declared at the top level of the recipe', span: statement.span, hint: 'move the param before the blocks that use it' });
        }
        const type = checkParamType(statement.type, report);
        if (statement.default !== undefined) {
          checkConstant(statement.default, report);
          const given = typeOf(statement.default);
          if (given === 'str') report({ code: 'type', message: `the default of '${statement.name.name}' must be a number, not a string`, span: statement.default.span, hint: 'write e.g. = 0x10' });
        }
        declare(statement.name, type, 'param');
        break;
      }
      case 'let':
        declare(statement.name, typeOf(statement.value), 'let');
        break;
      case 'assign': {
        const binding = scope.lookup(statement.name.name);
        const type = typeOf(statement.value);
        if (binding === undefined) {
          const suggestion = closest(statement.name.name, scope.names());
          report({
            code: 'unknown-name',
            message: `unknown name '${statement.name.name}'`,
            span: statement.name.span,
            hint: suggestion === undefined ? `declare it first with \`let ${statement.name.name} = …\`` : `did you mean '${suggestion}'?`,
          });
        } else if (binding.role !== 'let') {
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
        for (const value of statement.values) typeOf(value);
        break;
      case 'emit':
        typeOf(statement.value);
        break;
      case 'if':
        requireCondition(typeOf(statement.condition), statement.condition, report);
        checkBlock(statement.then, new Scope(scope), report);
        if (statement.otherwise !== undefined) checkBlock(statement.otherwise, new Scope(scope), report);
        break;
      case 'for': {
        const from = typeOf(statement.from);
        requireNumber(from, statement.from, report);
        requireNumber(typeOf(statement.to), statement.to, report);
        if (statement.limit !== undefined) requireNumber(typeOf(statement.limit), statement.limit, report);
        const body = new Scope(scope);
        if (scope.lookup(statement.variable.name) !== undefined) {
          report({ code: 'redefined', message: `'${statement.variable.name}' is already defined`, span: statement.variable.span, hint: 'name the loop variable differently' });
        }
        body.declare(statement.variable.name, { type: from === 'ptr' || from === 'region' ? 'ptr' : 'int', span: statement.variable.span, role: 'loop' });
        checkBlock(statement.body, body, report);
        break;
      }
      case 'assert':
        requireCondition(typeOf(statement.condition), statement.condition, report);
        if (statement.message !== undefined && typeOf(statement.message) !== 'str') {
          report({ code: 'type', message: 'the message of an assert must be a string', span: statement.message.span, hint: 'write e.g. assert n == 1000, "counter moved"' });
        }
        break;
      default:
        assertNever(statement);
    }
  }
}

/** Kinds that may replace each other in an assignment: numbers and addresses mix, the rest do not. */
function family(type: StaticType): string {
  return type === 'int' || type === 'ptr' || type === 'region' ? 'number' : type;
}

function describeType(type: StaticType): string {
  return { int: 'a number', ptr: 'an address', region: 'a region', float: 'a float', str: 'a string', bool: 'a condition' }[type];
}

type Report = (d: Diagnostic) => void;

function checkParamType(type: Ast.TypeRef, report: Report): StaticType {
  const resolved = typeOfRead(type, report);
  if (resolved === 'str') {
    report({
      code: 'param-type',
      message: `a param cannot be a ${type.name}`,
      span: type.span,
      hint: 'params are numbers or addresses: use an integer type (u8 … i64) or ptr',
    });
  }
  return resolved;
}

/** A param's default is computed before the target is opened, so it may not read memory. */
function checkConstant(expression: Ast.Expression, report: Report): void {
  const visit = (e: Ast.Expression): void => {
    switch (e.kind) {
      case 'integer':
      case 'string':
      case 'name':
        return;
      case 'unary':
        return visit(e.operand);
      case 'binary':
        visit(e.left);
        return visit(e.right);
      case 'field':
        return visit(e.object);
      case 'not':
        return visit(e.operand);
      case 'compare':
      case 'logical':
        visit(e.left);
        return visit(e.right);
      case 'read':
      case 'deref':
      case 'call':
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

/** The value type a `read TYPE` yields, reporting unknown types. */
function typeOfRead(type: Ast.TypeRef, report: Report): StaticType {
  if (type.name === 'cstring') {
    if (type.max !== undefined) checkCstringMax(type.max, report);
    return 'str';
  }
  if (type.max !== undefined) {
    report({ code: 'type-max', message: `'max' applies only to cstring`, span: type.span, hint: `write \`cstring max N\`` });
  }
  const scalar = scalarType(type.name);
  if (scalar !== undefined) return scalar.kind === 'float' ? 'float' : scalar.kind === 'ptr' ? 'ptr' : 'int';
  if (FUTURE_TYPE_NAMES.has(type.name)) {
    report({
      code: 'unsupported-type',
      message: `type '${type.name}' is not supported yet`,
      span: type.span,
      hint: `read it as integers, or as a cstring`,
    });
    return 'int';
  }
  const suggestion = closest(type.name, TYPE_NAMES);
  report({
    code: 'unknown-type',
    message: `unknown type '${type.name}' (expected u8, u16, u32, u64, i8 … i64, f32, f64, ptr, cstring, or a be variant such as u32be)`,
    span: type.span,
    hint: suggestion === undefined ? 'see the list of types in docs/language.md' : `did you mean '${suggestion}'?`,
  });
  return 'int';
}

function checkCstringMax(max: Ast.Expression, report: Report): void {
  if (max.kind !== 'integer' || max.value < 1n || max.value > BigInt(CSTRING_MAX_LIMIT)) {
    report({
      code: 'cstring-max',
      message: `cstring max must be an integer literal from 1 to ${CSTRING_MAX_LIMIT}`,
      span: max.span,
      hint: 'write e.g. `cstring max 256`',
    });
  }
}

function expressionType(e: Ast.Expression, scope: Scope, report: Report): StaticType {
  switch (e.kind) {
    case 'integer':
      return 'int';
    case 'string':
      return 'str';
    case 'name': {
      const binding = scope.lookup(e.name);
      if (binding !== undefined) return binding.type;
      const suggestion = closest(e.name, scope.names());
      report({
        code: 'unknown-name',
        message: `unknown name '${e.name}'`,
        span: e.span,
        hint: suggestion === undefined ? `define it first with \`let ${e.name} = …\` or \`param ${e.name}: …\`` : `did you mean '${suggestion}'?`,
      });
      return 'int';
    }
    case 'unary': {
      const operand = expressionType(e.operand, scope, report);
      requireNumber(operand, e.operand, report);
      return operand === 'float' ? 'float' : 'int';
    }
    case 'binary': {
      const left = expressionType(e.left, scope, report);
      const right = expressionType(e.right, scope, report);
      requireNumber(left, e.left, report);
      requireNumber(right, e.right, report);
      return arithmeticResult(e.operator, left, right);
    }
    case 'read': {
      requireAddress(expressionType(e.address, scope, report), e.address, report);
      return typeOfRead(e.type, report);
    }
    case 'deref':
      requireAddress(expressionType(e.address, scope, report), e.address, report);
      return 'ptr';
    case 'call':
      return callType(e, report);
    case 'compare': {
      const left = expressionType(e.left, scope, report);
      const right = expressionType(e.right, scope, report);
      if (left === 'str' || right === 'str') {
        if (left !== right) report({ code: 'type', message: 'a string can only be compared with a string', span: e.span, hint: 'compare numbers with numbers and strings with strings' });
        else if (e.operator !== '==' && e.operator !== '!=') report({ code: 'type', message: `strings compare only with == and !=, not ${e.operator}`, span: e.span, hint: 'compare their lengths or bytes instead' });
      } else {
        requireComparable(left, e.left, report);
        requireComparable(right, e.right, report);
      }
      return 'bool';
    }
    case 'logical':
      requireCondition(expressionType(e.left, scope, report), e.left, report);
      requireCondition(expressionType(e.right, scope, report), e.right, report);
      return 'bool';
    case 'not':
      requireCondition(expressionType(e.operand, scope, report), e.operand, report);
      return 'bool';
    case 'field': {
      const object = expressionType(e.object, scope, report);
      const field = REGION_FIELDS.get(e.field.name);
      if (object !== 'region') {
        report({ code: 'type', message: `'.${e.field.name}' applies only to a region, such as module("name")`, span: e.field.span, hint: 'module("libc.so.6").start is the start of libc' });
      } else if (field === undefined) {
        const suggestion = closest(e.field.name, REGION_FIELDS.keys());
        report({ code: 'unknown-field', message: `a region has no field '${e.field.name}'`, span: e.field.span, hint: suggestion === undefined ? 'its fields are start, end and size' : `did you mean '${suggestion}'?` });
      }
      return field ?? 'int';
    }
    default:
      return assertNever(e);
  }
}

/** Floats and strings are reported by requireNumber; here they count as integers. */
function callType(e: Ast.CallExpression, report: Report): StaticType {
  const name = e.callee.name;
  const builtin = BUILTINS.get(name);
  if (builtin === undefined) {
    if (PLANNED_BUILTINS.has(name)) {
      report({ code: 'unsupported-builtin', message: `${name}() is not supported yet`, span: e.callee.span, hint: `the functions built so far are: ${[...BUILTINS.keys()].join(', ')}` });
    } else {
      const suggestion = closest(name, BUILTINS.keys());
      report({ code: 'unknown-function', message: `unknown function '${name}'`, span: e.callee.span, hint: suggestion === undefined ? `the functions are: ${[...BUILTINS.keys()].join(', ')}` : `did you mean '${suggestion}'?` });
    }
    return 'int';
  }
  if (e.args.length !== builtin.params.length) {
    report({
      code: 'arity',
      message: `${name}() takes ${builtin.params.length} argument${builtin.params.length === 1 ? '' : 's'} (${builtin.params.join(', ')}), not ${e.args.length}`,
      span: e.span,
      hint: `write e.g. ${builtin.example}`,
    });
  }
  for (const arg of e.args) {
    if (arg.kind !== 'string') report({ code: 'not-literal', message: `the arguments of ${name}() must be string literals`, span: arg.span, hint: `write e.g. ${builtin.example}` });
  }
  return builtin.returns;
}

function arithmeticResult(operator: Ast.BinaryOperator, left: StaticType, right: StaticType): StaticType {
  const kind = (t: StaticType) => (t === 'ptr' || t === 'region' ? 'ptr' : 'int');
  return resultKind(operator, kind(left), kind(right));
}

function requireCondition(type: StaticType, e: Ast.Expression, report: Report): void {
  if (type !== 'bool') {
    report({ code: 'condition', message: `a condition must be true or false, not ${describeType(type)}`, span: e.span, hint: 'compare it, e.g. `n != 0`' });
  }
}

function requireComparable(type: StaticType, e: Ast.Expression, report: Report): void {
  if (type === 'bool') report({ code: 'type', message: 'conditions cannot be ordered or compared', span: e.span, hint: 'combine conditions with && and ||' });
}

function requireNumber(type: StaticType, e: Ast.Expression, report: Report): void {
  if (type === 'bool') {
    report({ code: 'type', message: 'a condition cannot be used in arithmetic', span: e.span, hint: 'use if/else to choose between numbers' });
  } else if (type === 'str') {
    report({ code: 'type', message: 'a string cannot be used in arithmetic', span: e.span, hint: 'use a number or an address here' });
  } else if (type === 'float') {
    report({ code: 'type', message: 'floating-point arithmetic is not supported yet', span: e.span, hint: 'print or emit the value directly' });
  }
}

function requireAddress(type: StaticType, e: Ast.Expression, report: Report): void {
  if (type === 'str' || type === 'float' || type === 'bool') {
    report({ code: 'type', message: `an address must be an integer or a ptr, not ${describeType(type)}`, span: e.span, hint: 'read a ptr, or compute the address from one' });
  }
}
