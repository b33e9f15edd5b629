// Exact integers as compiled loops keep them: a JS number while the value is
// a safe integer (|n| < 2^53), a bigint beyond. One value has one form, so
// `===` compares values, and `<` works across the two forms. Each operator
// takes the fast way on numbers when its result is surely exact, and the
// bigint way (the language's own, with its errors) otherwise.
import type { BinaryOperator } from '../plan/arithmetic.ts';

export type ExactInt = number | bigint;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The form a value takes: a number when safe. */
export function exactInt(value: bigint): ExactInt {
  return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value;
}

export function toBigInt(value: ExactInt): bigint {
  return typeof value === 'bigint' ? value : BigInt(value);
}

const INT32_MIN = -(2 ** 31);
const INT32_LIMIT = 2 ** 31;

/**
 * `a OP b` on numbers when the result is surely exact and the operation
 * valid, else undefined: the caller then computes it on bigints, which also
 * raises the language's errors (division by zero, bad shift, overflow).
 */
export function fastOperation(operator: BinaryOperator, a: number, b: number): number | undefined {
  let r: number;
  switch (operator) {
    case '+':
      r = a + b;
      break;
    case '-':
      r = a - b;
      break;
    case '*':
      // A product beyond 2^53 rounds to a value beyond it too: never to a safe integer.
      r = a * b;
      break;
    case '/': {
      if (b === 0) return undefined;
      r = Math.trunc(a / b);
      // The quotient of two safe integers, rounded, may land on the next integer: check the remainder.
      const rest = a - r * b;
      if (rest !== 0 && (Math.sign(rest) !== Math.sign(a) || Math.abs(rest) >= Math.abs(b))) return undefined;
      break;
    }
    case '%':
      if (b === 0) return undefined;
      r = a % b; // exact for doubles, with the dividend's sign, as C
      break;
    case '<<':
      if (b < 0 || b > 52) return undefined;
      r = a * 2 ** b;
      break;
    case '>>':
      if (b < 0 || b > 52) return undefined;
      r = Math.floor(a / 2 ** b); // an arithmetic shift is a division rounded down; by 2^b it is exact
      break;
    case '&':
    case '|':
    case '^':
      // JS bitwise operators work on 32 bits: exact for operands that fit them.
      if (a < INT32_MIN || a >= INT32_LIMIT || b < INT32_MIN || b >= INT32_LIMIT) return undefined;
      r = operator === '&' ? a & b : operator === '|' ? a | b : a ^ b;
      break;
  }
  return Number.isSafeInteger(r) ? r + 0 : undefined; // + 0: no -0
}
