// Rules of the language's arithmetic that both the checker (statically) and
// the runtime (on values) apply, kept in one place so they cannot drift apart.
import type { MemoryType } from './plan.ts';

export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '<<' | '>>' | '&' | '|' | '^';

/**
 * Pointer arithmetic as a Cheat Engine user expects it: an address plus or
 * minus a number is an address, the distance between two addresses is a
 * number, masking an address (`p & ~0xfff`) keeps it an address, and
 * multiplying or dividing one gives a number.
 */
export function resultKind(operator: BinaryOperator, left: 'int' | 'ptr', right: 'int' | 'ptr'): 'int' | 'ptr' {
  if (left === 'ptr' && right === 'ptr') return operator === '-' ? 'int' : 'ptr';
  if (left === 'ptr' || right === 'ptr') return operator === '*' || operator === '/' || operator === '%' ? 'int' : 'ptr';
  return 'int';
}

/** The inclusive range of an integer type. */
export function integerRange(type: MemoryType & { kind: 'int' }): { min: bigint; max: bigint } {
  const bits = BigInt(type.size * 8);
  return type.signed ? { min: -(1n << (bits - 1n)), max: (1n << (bits - 1n)) - 1n } : { min: 0n, max: (1n << bits) - 1n };
}

/** Largest shift allowed: enough for any 64-bit mask, small enough to never build a huge bigint. */
export const MAX_SHIFT = 1024n;

/**
 * Integers are exact, and bounded: |n| < 2^128, twice the widest type, so a
 * sum or product of 64-bit values always fits and a runaway computation
 * (`x = x * x` in a loop) stops with an error at the operator instead of
 * building a bigint until the runtime gives up.
 */
export const INTEGER_BITS = 128n;
const INTEGER_LIMIT = 1n << INTEGER_BITS;

/**
 * An integer operator on exact values, as C computes it (division truncates
 * toward zero), or why it has no value: the checker folds constants with it
 * and the runtime raises the error where the recipe divides or shifts.
 */
export function integerOperation(operator: BinaryOperator, a: bigint, b: bigint): bigint | 'division-by-zero' | 'bad-shift' | 'overflow' {
  // A shift of a value already near the bound would build a huge bigint before the check: refuse it first.
  if (operator === '<<' && b >= 0n && b <= MAX_SHIFT && a !== 0n && bitLength(a) + Number(b) > Number(INTEGER_BITS)) return 'overflow';
  const result = exact(operator, a, b);
  if (typeof result === 'bigint' && (result >= INTEGER_LIMIT || result <= -INTEGER_LIMIT)) return 'overflow';
  return result;
}

function bitLength(n: bigint): number {
  return (n < 0n ? -n : n).toString(2).length;
}

function exact(operator: BinaryOperator, a: bigint, b: bigint): bigint | 'division-by-zero' | 'bad-shift' {
  switch (operator) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
    case '%':
      if (b === 0n) return 'division-by-zero';
      return operator === '/' ? a / b : a % b;
    case '<<':
    case '>>':
      if (b < 0n || b > MAX_SHIFT) return 'bad-shift';
      return operator === '<<' ? a << b : a >> b;
    case '&':
      return a & b;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
  }
}
