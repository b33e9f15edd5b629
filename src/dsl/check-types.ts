// Types as written (`u32`, `cstring max 64`, `bytes 16`), byte patterns, and
// the values that become bytes in `write`, `patch` and `scan`.
import { integerOperation, integerRange } from '../plan/arithmetic.ts';
import { concreteBytes, patternLength } from '../plan/pattern.ts';
import type * as Ast from './ast.ts';
import type { Report } from './check-expression.ts';
import { describeType, isInteger, type StaticType } from './static-type.ts';
import { MAX_SIZED_READ, scalarType, TYPE_NAMES, typeNameHint } from './types.ts';

/** What a type is used for: reading, writing, or a param's value. */
export type TypeUse = 'read' | 'write' | 'param' | 'narrow';

/** The value type that a `read TYPE` yields (or a `write TYPE` takes), reporting what is wrong with TYPE. */
export function typeOfRead(type: Ast.TypeRef, use: TypeUse, report: Report): StaticType {
  const sized = (name: string, limit: number, result: StaticType, example: string, optional = false): StaticType => {
    if (type.size === undefined) {
      if (use === 'read' && !optional) report({ code: 'type-size', message: `${name} needs a size when read`, span: type.span, hint: `write e.g. ${example}` });
    } else {
      const size = constantInteger(type.size);
      if (size === undefined || size < 1n || size > BigInt(limit)) {
        report({ code: 'type-size', message: `the size of ${name} must be a constant from 1 to ${limit}`, span: type.size.span, hint: `write e.g. ${example}` });
      }
    }
    if (use === 'param') report({ code: 'param-type', message: `a param cannot be ${name}`, span: type.span, hint: 'params are numbers, addresses, text or lists: use an integer type (u8 … i64), ptr, f64, string or list' });
    return result;
  };
  switch (type.name) {
    case 'cstring':
      return sized('a cstring', MAX_SIZED_READ, 'str', 'cstring max 256', true);
    case 'bytes':
      return sized('bytes', MAX_SIZED_READ, 'bytes', 'bytes 16');
    case 'utf16':
      return sized('utf16', MAX_SIZED_READ / 2, 'str', 'utf16 32');
  }
  const scalar = scalarType(type.name);
  if (scalar !== undefined) return scalar.kind === 'float' ? 'float' : scalar.kind === 'ptr' ? 'ptr' : 'int';
  const param = use === 'param';
  const suggestion = typeNameHint(type.name, param ? PARAM_TYPE_NAMES : TYPE_NAMES);
  report({
    code: 'unknown-type',
    message: param
      ? `unknown type '${type.name}' for a param (expected an integer type such as u32 or i64, ptr, f32, f64, string or list)`
      : `unknown type '${type.name}' (expected u8, u16, u32, u64, i8 … i64, f32, f64, ptr, cstring, bytes N, utf16 N, or a be variant such as u32be)`,
    span: type.span,
    hint: suggestion ?? 'see the list of types in docs/language.md',
  });
  return 'int';
}

/** The types a param may have: the scalars, text and addresses (runtime/params.ts). */
const PARAM_TYPE_NAMES: readonly string[] = [...TYPE_NAMES.filter((name) => scalarType(name) !== undefined), 'string', 'list', 'paths'];

/** A `hex"…"` literal: bytes when every byte is given, a pattern otherwise; reports a malformed one. */
export function checkPatternLiteral(e: Ast.BytesLiteral, report: Report): StaticType {
  if (e.pattern === undefined) {
    const problem = e.problem!;
    const start = e.span.start + 'hex"'.length + problem.offset;
    report({ code: 'pattern', message: problem.message, span: { start, end: start + problem.length }, hint: problem.hint });
    return 'bytes';
  }
  return concreteBytes(e.pattern) === undefined ? 'pattern' : 'bytes';
}

/** What a datum is for: what a scan looks for, what a patch expects, or bytes to write. */
export type DatumRole = 'needle' | 'expect' | 'replacement';

export function checkDatum(d: Ast.Datum, role: DatumRole, typeOf: (e: Ast.Expression) => StaticType, report: Report): void {
  const type = typeOf(d.value);
  switch (d.kind) {
    case 'typed': {
      const scalar = scalarType(d.type.name)!;
      if (scalar.kind === 'float' ? !isInteger(type) && type !== 'float' : !isInteger(type)) {
        report({
          code: 'type',
          message: `${d.type.name} takes ${scalar.kind === 'float' ? 'a number' : 'an integer'}, not ${describeType(type)}`,
          span: d.value.span,
          hint: `write e.g. ${d.type.name} ${scalar.kind === 'float' ? '1.5' : '1000'}`,
        });
      } else {
        checkFits(scalar, d.value, report);
      }
      return;
    }
    case 'utf16':
      if (type !== 'str') report({ code: 'type', message: `utf16 takes a string, not ${describeType(type)}`, span: d.value.span, hint: 'write e.g. utf16 "secret"' });
      return;
    case 'plain':
      if (type === 'bytes' || type === 'str') return;
      if (type === 'pattern') {
        if (role === 'replacement') {
          report({ code: 'wildcard', message: 'wildcards cannot be written: a patch writes concrete bytes', span: d.value.span, hint: 'give every byte, e.g. with hex"b8 01 00 00 00 c3"' });
        }
        return;
      }
      report({
        code: 'type',
        message: `${describeType(type)} has no byte form here`,
        span: d.value.span,
        hint: isInteger(type) || type === 'float' ? 'give it a type: u32 1000, f64 1.5, ptr p' : 'use bytes (hex"…"), a string, or a typed value such as u32 1000',
      });
  }
}

/** The length in bytes a datum will have, when the checker can know it. */
export function staticLength(d: Ast.Datum): { min: number; max: number } | undefined {
  if (d.kind === 'typed') {
    const size = scalarType(d.type.name)!.size;
    return { min: size, max: size };
  }
  if (d.value.kind === 'string') {
    const n = d.kind === 'utf16' ? [...d.value.value].reduce((sum, ch) => sum + (ch.length * 2), 0) : d.value.bytes.length;
    return { min: n, max: n };
  }
  if (d.kind === 'plain' && d.value.kind === 'bytes' && d.value.pattern !== undefined) return patternLength(d.value.pattern.tokens);
  return undefined;
}

/** Reports a constant that does not fit its type: integers are exact, never wrapped (docs/language.md). */
export function checkFits(type: { kind: 'int' | 'float' | 'ptr'; name: string }, value: Ast.Expression, report: Report): void {
  const constant = constantInteger(value);
  if (constant === undefined) return;
  const range = type.kind === 'int' ? integerRange(type as Parameters<typeof integerRange>[0]) : type.kind === 'ptr' ? { min: 0n, max: (1n << 64n) - 1n } : undefined;
  if (range !== undefined && (constant < range.min || constant > range.max)) {
    report({ code: 'range', message: `${constant} does not fit ${type.name} (${range.min} to ${range.max})`, span: value.span, hint: 'use a wider type, or a value in range: pvm never wraps integers' });
  }
}

/** The value of an integer expression made of literals only, else undefined. */
export function constantInteger(e: Ast.Expression): bigint | undefined {
  switch (e.kind) {
    case 'integer':
      return e.value;
    case 'unary': {
      const operand = constantInteger(e.operand);
      if (operand === undefined) return undefined;
      return e.operator === '-' ? -operand : ~operand;
    }
    case 'binary': {
      const left = constantInteger(e.left);
      const right = constantInteger(e.right);
      if (left === undefined || right === undefined) return undefined;
      // Division by zero and bad shifts are reported at run time, where they happen.
      const result = integerOperation(e.operator, left, right);
      return typeof result === 'bigint' ? result : undefined;
    }
    default:
      return undefined;
  }
}
