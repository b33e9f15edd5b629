// Static types of expressions, reporting every problem found.
import { X86_64_REGISTERS } from '../registers.ts';
import { assertNever } from '../errors.ts';
import { resultKind } from '../plan/arithmetic.ts';
import { closest } from '../suggest.ts';
import type * as Ast from './ast.ts';
import { BUILTINS, LITERAL_ARGUMENTS, REGION_FIELDS } from './builtins.ts';
import type { Diagnostic } from './diagnostic.ts';
import { checkDatum, checkPatternLiteral, constantInteger, staticLength, typeOfRead } from './check-types.ts';
import { describeType, isInteger, PATHS_HINT, type StaticType, staticTypeOfMemory } from './static-type.ts';
import { count } from '../count.ts';
import { POINTER_SCAN_DEPTH_HINT, POINTER_SCAN_MAX_DEPTH, POINTER_SCAN_MAX_OFFSET, POINTER_SCAN_OFFSET_HINT } from '../limits.ts';

export type Report = (d: Diagnostic) => void;

/** The names an expression may see. */
export interface NameLookup {
  lookup(name: string): { readonly type: StaticType } | undefined;
  names(): string[];
  /** Whether the recipe may declare params (a REPL has no --arg: its inputs may not). */
  readonly takesParams: boolean;
}

/** Permission filters: `r-x`, `rw`, `rw-p`; `?` leaves a permission open. */
const PERMS = /^[r?-][w?-]?[x?-]?[ps?]?$/;

export function expressionType(e: Ast.Expression, scope: NameLookup, report: Report): StaticType {
  const typeOf = (x: Ast.Expression) => expressionType(x, scope, report);
  switch (e.kind) {
    case 'integer':
      return 'int';
    case 'float':
      return 'float';
    case 'boolean':
      return 'bool';
    case 'list':
      // A list holds addresses (scan hits, or what a recipe lists): numbers in it become addresses.
      for (const item of e.items) {
        const type = typeOf(item);
        if (!isInteger(type)) report({ code: 'type', message: `a list holds addresses, not ${describeType(type)}`, span: item.span, hint: 'list addresses or numbers: [p, p + 8]' });
      }
      return 'list';
    case 'string':
      return 'str';
    case 'bytes':
      return checkPatternLiteral(e, report);
    case 'name': {
      const binding = scope.lookup(e.name);
      if (binding !== undefined) return binding.type;
      const suggestion = closest(e.name, scope.names());
      report({
        code: 'unknown-name',
        message: `unknown name '${e.name}'`,
        span: e.span,
        hint: suggestion !== undefined ? `did you mean '${suggestion}'?` : `define it first with \`let ${e.name} = …\`${scope.takesParams ? ` or \`param ${e.name}: …\`` : ''}`,
      });
      return 'int';
    }
    case 'unary': {
      const operand = typeOf(e.operand);
      requireNumber(operand, e.operand, report, e.operator === '-');
      return operand === 'float' ? 'float' : 'int';
    }
    case 'binary': {
      const left = typeOf(e.left);
      const right = typeOf(e.right);
      if (left === 'str' || right === 'str') {
        // Strings join with +; nothing else mixes with them (hex(n) makes a number text).
        if (e.operator !== '+' || left !== right) {
          report({
            code: 'type',
            message: e.operator === '+' ? `a string joins only with a string, not ${describeType(left === 'str' ? right : left)}` : `strings take only + (to join them), not ${e.operator}`,
            span: e.span,
            hint: 'write "at " + hex(p) to put a number in a string',
          });
        }
        return 'str';
      }
      const floats = left === 'float' || right === 'float';
      const floatOp = e.operator === '+' || e.operator === '-' || e.operator === '*' || e.operator === '/';
      requireNumber(left, e.left, report, floatOp);
      requireNumber(right, e.right, report, floatOp);
      if (floats) {
        if (left === 'ptr' || right === 'ptr' || left === 'region' || right === 'region') {
          report({ code: 'type', message: 'an address cannot be combined with a float', span: e.span, hint: 'addresses are integers; compute the offset as an integer' });
        }
        return 'float';
      }
      const kind = (t: StaticType) => (t === 'ptr' || t === 'region' ? 'ptr' : 'int');
      return resultKind(e.operator, kind(left), kind(right));
    }
    case 'read':
      requireAddress(typeOf(e.address), e.address, report);
      return typeOfRead(e.type, 'read', report);
    case 'deref':
      requireAddress(typeOf(e.address), e.address, report);
      return 'ptr';
    case 'call':
      return callType(e, scope, report);
    case 'index': {
      const object = typeOf(e.object);
      const index = typeOf(e.index);
      if (!isInteger(index) || index === 'ptr') report({ code: 'type', message: `an index must be a number, not ${describeType(index)}`, span: e.index.span, hint: 'index from 0: hits[0]' });
      if (object === 'list') return 'ptr';
      if (object === 'bytes') return 'int';
      report({ code: 'type', message: `only lists and bytes can be indexed, not ${describeType(object)}`, span: e.object.span, hint: object === 'paths' ? PATHS_HINT : 'a scan gives a list: let hits = scan …; hits[0]' });
      return 'int';
    }
    case 'scan':
      return scanType(e, scope, report);
    case 'pointerscan':
      return pointerScanType(e, scope, report);
    case 'narrow':
      return narrowType(e, scope, report);
    case 'compare': {
      const left = typeOf(e.left);
      const right = typeOf(e.right);
      const equality = e.operator === '==' || e.operator === '!=';
      if (left === 'str' || right === 'str' || left === 'bytes' || right === 'bytes') {
        if (left !== right) report({ code: 'type', message: `${describeType(left)} cannot be compared with ${describeType(right)}`, span: e.span, hint: 'compare numbers with numbers, strings with strings, bytes with bytes' });
        else if (!equality) report({ code: 'type', message: `${left === 'str' ? 'strings' : 'bytes'} compare only with == and !=, not ${e.operator}`, span: e.span, hint: 'compare their lengths or single bytes instead' });
      } else {
        requireComparable(left, e.left, report);
        requireComparable(right, e.right, report);
      }
      return 'bool';
    }
    case 'logical':
      requireCondition(typeOf(e.left), e.left, report);
      requireCondition(typeOf(e.right), e.right, report);
      return 'bool';
    case 'not':
      requireCondition(typeOf(e.operand), e.operand, report);
      return 'bool';
    case 'field': {
      const object = typeOf(e.object);
      const field = REGION_FIELDS.get(e.field.name);
      if (object !== 'region') {
        // A member of an untyped address: the likelier slip once recipes have types.
        const member = field === undefined && (object === 'ptr' || object === 'int');
        report({
          code: 'type',
          message: member ? `'.${e.field.name}' of an address with no type: only typed references and regions have fields` : `'.${e.field.name}' applies only to a region, such as module("name")`,
          span: e.field.span,
          hint: member ? `give the address a type first: (ADDRESS as TYPE).${e.field.name} (docs/language.md, "Typed references")` : 'module("libc.so.6").start is the start of libc',
        });
      } else if (field === undefined) {
        const suggestion = closest(e.field.name, REGION_FIELDS.keys());
        report({ code: 'unknown-field', message: `a region has no field '${e.field.name}'`, span: e.field.span, hint: suggestion === undefined ? 'its fields are start, end and size' : `did you mean '${suggestion}'?` });
      }
      return field ?? 'int';
    }
    case 'typed-read':
      requireAddress(typeOf(e.address), e.address, report);
      return staticTypeOfMemory(e.type);
    // The type pass (typed-lowering.ts) lowers these, or reported why it could not: nothing more to say.
    case 'cast':
      return 'ptr';
    case 'sizeof':
    case 'offsetof':
      return 'int';
    default:
      return assertNever(e);
  }
}

/** `pointerscan to ADDR depth D offset MAX [limit N]`: an address, and counts within the scan's bounds where they are constants. */
function pointerScanType(e: Ast.PointerScanExpression, scope: NameLookup, report: Report): StaticType {
  requireAddress(expressionType(e.address, scope, report), e.address, report);
  const bounded = (x: Ast.Expression, what: string, low: bigint, high: bigint, hint: string) => {
    requireCount(expressionType(x, scope, report), x, report);
    const value = constantInteger(x);
    if (value !== undefined && (value < low || value > high)) report({ code: 'pointerscan-bound', message: `${what} must be from ${low} to ${high}, not ${value}`, span: x.span, hint });
  };
  const needed = (x: Ast.Expression | undefined, what: string, check: (x: Ast.Expression) => void) => {
    if (x !== undefined) check(x);
    else report({ code: 'pointerscan-bound', message: `a pointerscan needs ${what}`, span: e.span, hint: 'write e.g. pointerscan to p depth 3 offset 0x100' });
  };
  needed(e.depth, 'a depth (depth D: at most D pointers on the way)', (x) => bounded(x, 'depth', 1n, BigInt(POINTER_SCAN_MAX_DEPTH), POINTER_SCAN_DEPTH_HINT));
  needed(e.offset, 'an offset bound (offset MAX: each offset from 0 to MAX)', (x) => bounded(x, 'offset', 0n, BigInt(POINTER_SCAN_MAX_OFFSET), POINTER_SCAN_OFFSET_HINT));
  if (e.limit !== undefined) requireCount(expressionType(e.limit, scope, report), e.limit, report);
  if (e.within !== undefined) {
    const within = expressionType(e.within, scope, report);
    if (within !== 'region') {
      report({ code: 'scan-range', message: `a pointerscan's bases lie in a region, not in ${describeType(within)}`, span: e.within.span, hint: 'write in module("name"), the module whose static memory the paths start from' });
    }
  }
  for (const span of e.repeated) report({ code: 'scan-option', message: 'this option is given twice', span, hint: 'give each option once' });
  return 'paths';
}

/** `narrow LIST TYPE TEST`: a list, a numeric type, numbers to compare with; `within` for floats only. `narrow LIST to ADDR`: an address. */
function narrowType(e: Ast.NarrowExpression, scope: NameLookup, report: Report): StaticType {
  const list = expressionType(e.list, scope, report);
  if (list !== 'list' && list !== 'paths') {
    report({ code: 'type', message: `narrow keeps items of a list, not of ${describeType(list)}`, span: e.list.span, hint: 'narrow the hits of a scan: let hits = scan u32 100 in all align 4; hits = narrow hits u32 == 90' });
  }
  // It keeps items of its list, as they are: addresses, or pointer paths.
  const kept = list === 'paths' ? 'paths' : 'list';
  if (e.test.kind === 'to' || e.type === undefined) {
    if (e.test.kind === 'to') requireAddress(expressionType(e.test.address, scope, report), e.test.address, report);
    return kept;
  }
  const valueType = typeOfRead(e.type, 'narrow', report);
  const float = valueType === 'float';
  const number = (x: Ast.Expression) => requireNumber(expressionType(x, scope, report), x, report, true);
  const test = e.test;
  if (test.kind === 'compare') {
    number(test.value);
    if (test.within !== undefined) {
      number(test.within);
      if (!float) report({ code: 'type', message: `within is a tolerance for floats, and ${e.type.name} is an integer type`, span: test.within.span, hint: 'compare integers exactly, or use between A and B' });
      else if (test.operator !== '==' && test.operator !== '!=') report({ code: 'type', message: `within goes with == and !=, not ${test.operator}`, span: test.span, hint: 'write narrow hits f32 == 1.5 within 0.01' });
    }
  } else if (test.kind === 'between') {
    number(test.low);
    number(test.high);
  }
  return kept;
}

function scanType(e: Ast.ScanExpression, scope: NameLookup, report: Report): StaticType {
  checkDatum(e.needle, 'needle', (x) => expressionType(x, scope, report), report);
  if (staticLength(e.needle)?.max === 0) report({ code: 'empty-needle', message: 'a scan for nothing (an empty string or bytes)', span: e.needle.value.span, hint: 'scan for at least one byte' });
  if (e.range.kind === 'region') {
    const range = expressionType(e.range.region, scope, report);
    if (range !== 'region') {
      report({ code: 'scan-range', message: `a scan looks in a region, not in ${describeType(range)}`, span: e.range.span, hint: 'write all, anon, module("name"), region("[heap]") or range(start, size)' });
    }
  }
  for (const span of e.repeated) report({ code: 'scan-option', message: 'this option is given twice', span, hint: 'give each scan option once' });
  if (e.perms !== undefined && (e.perms.kind !== 'string' || !PERMS.test(e.perms.value))) {
    report({ code: 'scan-perms', message: 'perms must be a string such as "r-x" or "rw"', span: e.perms.span, hint: 'r, w, x: required; -: must be absent; ? or a missing letter: either' });
  }
  if (e.align !== undefined) {
    const align = constantInteger(e.align);
    if (align === undefined || align < 1n || align > 4096n) report({ code: 'scan-align', message: 'align must be a constant from 1 to 4096', span: e.align.span, hint: 'write e.g. align 4' });
  }
  if (e.limit !== undefined) requireCount(expressionType(e.limit, scope, report), e.limit, report);
  if (e.unique && e.limit !== undefined) {
    report({ code: 'scan-option', message: 'unique and limit cannot be combined', span: e.limit.span, hint: 'unique already requires exactly one hit; drop the limit' });
  }
  return e.unique ? 'ptr' : 'list';
}

function callType(e: Ast.CallExpression, scope: NameLookup, report: Report): StaticType {
  const name = e.callee.name;
  const builtin = BUILTINS.get(name);
  if (builtin === undefined) {
    const suggestion = closest(name, BUILTINS.keys());
    report({ code: 'unknown-function', message: `unknown function '${name}'`, span: e.callee.span, hint: suggestion === undefined ? `the functions are: ${[...BUILTINS.keys()].join(', ')}` : `did you mean '${suggestion}'?` });
    return 'int';
  }
  const arity = builtin.params.length;
  const least = builtin.atLeast ?? arity;
  if (builtin.variadic ? e.args.length < arity : e.args.length < least || e.args.length > arity) {
    const takes = builtin.variadic ? `at least ${count(arity, 'argument')}` : least < arity ? `${least} to ${count(arity, 'argument')}` : count(arity, 'argument');
    report({
      code: 'arity',
      message: `${name}() takes ${takes} (${builtin.params.join(', ')}), not ${e.args.length}`,
      span: e.span,
      hint: `write e.g. ${builtin.example}`,
    });
    return name === 'module' || name === 'region' || name === 'range' ? 'region' : name === 'hex' ? 'str' : name === 'symbol' || name === 'ripref' || name === 'reg' ? 'ptr' : name === 'threads' ? 'list' : 'int';
  }
  if (LITERAL_ARGUMENTS.has(name)) {
    for (const arg of e.args) {
      if (arg.kind !== 'string') report({ code: 'not-literal', message: `the arguments of ${name}() must be string literals`, span: arg.span, hint: `write e.g. ${builtin.example}` });
    }
    return name === 'symbol' ? 'ptr' : 'region';
  }
  const args = e.args.map((arg) => expressionType(arg, scope, report));
  const wrong = (i: number, wanted: string) => report({ code: 'type', message: `${name}() takes ${wanted}, not ${describeType(args[i]!)}`, span: e.args[i]!.span, hint: `write e.g. ${builtin.example}` });
  switch (name) {
    case 'range':
      if (!isInteger(args[0]!)) wrong(0, 'an address first');
      requireCount(args[1]!, e.args[1]!, report);
      return 'region';
    case 'len':
      if (args[0] !== 'list' && args[0] !== 'paths' && args[0] !== 'bytes' && args[0] !== 'str') wrong(0, 'a list, bytes or a string');
      return 'int';
    case 'hex':
      if (!isInteger(args[0]!) && args[0] !== 'bytes' && args[0] !== 'str') wrong(0, 'a number, bytes or a string');
      return 'str';
    case 'min':
    case 'max': {
      if (args.length === 1) {
        if (args[0] !== 'list') wrong(0, 'a list, or two or more numbers');
        return 'ptr';
      }
      args.forEach((t, i) => {
        if (!isInteger(t)) wrong(i, 'numbers or addresses');
      });
      return args.every((t) => t === 'ptr' || t === 'region') ? 'ptr' : 'int';
    }
    case 'threads':
      return 'list';
    case 'reg': {
      if (!isInteger(args[0]!)) wrong(0, 'a thread id first (from threads())');
      const register = e.args[1]!;
      if (register.kind !== 'string') {
        report({ code: 'not-literal', message: 'the register of reg() must be a string literal', span: register.span, hint: `write e.g. ${builtin.example}` });
      } else if (!X86_64_REGISTERS.includes(register.value)) {
        const suggestion = closest(register.value, X86_64_REGISTERS);
        report({ code: 'unknown-register', message: `unknown register '${register.value}'`, span: register.span, hint: suggestion === undefined ? `the registers are: ${X86_64_REGISTERS.join(', ')}` : `did you mean '${suggestion}'?` });
      }
      return 'ptr';
    }
    case 'addressof':
      // The type pass lowers addressof, or reported why it could not.
      return 'ptr';
    case 'ripref':
      if (!isInteger(args[0]!)) wrong(0, 'the address of an instruction first');
      if (args[1] !== 'int') wrong(1, 'the offset of the displacement in the instruction second');
      if (args[2] !== 'int') wrong(2, 'the length of the instruction third');
      return 'ptr';
    default:
      return 'int';
  }
}

export function requireCondition(type: StaticType, e: Ast.Expression, report: Report): void {
  if (type !== 'bool') {
    report({ code: 'condition', message: `a condition must be true or false, not ${describeType(type)}`, span: e.span, hint: 'compare it, e.g. `n != 0`' });
  }
}

function requireComparable(type: StaticType, e: Ast.Expression, report: Report): void {
  if (type === 'bool') report({ code: 'type', message: 'conditions cannot be ordered or compared', span: e.span, hint: 'combine conditions with && and ||' });
  else if (type === 'list' || type === 'paths' || type === 'pattern') {
    const hint = type === 'list' ? 'compare len(list) or its items' : type === 'paths' ? 'compare len(paths), or narrow them: narrow paths to ADDR' : 'scan for a pattern, or compare concrete bytes';
    report({ code: 'type', message: `${describeType(type)} cannot be compared`, span: e.span, hint });
  }
}

/** A number (an integer, an address, or a float where `floats` allow). */
export function requireNumber(type: StaticType, e: Ast.Expression, report: Report, floats = false): void {
  if (type === 'bool') {
    report({ code: 'type', message: 'a condition cannot be used in arithmetic', span: e.span, hint: 'use if/else to choose between numbers' });
  } else if (type === 'float' && !floats) {
    report({ code: 'type', message: 'this operator takes integers, not a float', span: e.span, hint: 'floats take + - * / only' });
  } else if (type !== 'int' && type !== 'ptr' && type !== 'region' && type !== 'float') {
    report({ code: 'type', message: `${describeType(type)} cannot be used in arithmetic`, span: e.span, hint: 'use a number or an address here' });
  }
}

/** A count: an integer (a loop bound, a limit, a size). */
export function requireCount(type: StaticType, e: Ast.Expression, report: Report): void {
  if (type !== 'int') report({ code: 'type', message: `expected a number here, not ${describeType(type)}`, span: e.span, hint: 'write an integer, e.g. 16' });
}

export function requireAddress(type: StaticType, e: Ast.Expression, report: Report): void {
  if (!isInteger(type)) {
    report({ code: 'type', message: `an address must be an integer or a ptr, not ${describeType(type)}`, span: e.span, hint: 'read a ptr, or compute the address from one' });
  }
}
