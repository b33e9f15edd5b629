// Expression evaluation over exact integers. Memory comes in through a
// callback, so constant folding (param defaults) and execution share one evaluator.
import { RecipeError, assert, assertNever } from '../errors.ts';
import { resultKind, type BinaryOperator } from '../plan/arithmetic.ts';
import type { Loc, MemoryType, PlanExpr } from '../plan/plan.ts';
import type { SourcePoint } from './locate.ts';
import { int, ptr, type Value } from './value.ts';

export type ReadMemory = (type: MemoryType, address: bigint, loc: Loc) => Value;

/** What evaluation needs besides the expression. */
export interface EvalContext {
  readonly env: ReadonlyMap<string, Value>;
  readonly read: ReadMemory;
  readonly locate: (loc: Loc) => SourcePoint;
}

export function evaluate(e: PlanExpr, context: EvalContext): Value {
  const { env, read } = context;
  switch (e.op) {
    case 'int':
      return int(BigInt(e.value));
    case 'str':
      return { kind: 'str', value: e.value };
    case 'var': {
      const value = env.get(e.name);
      assert(value !== undefined, `unbound name ${e.name}`);
      return value;
    }
    case 'unary': {
      const operand = evaluate(e.operand, context);
      assert(operand.kind === 'int' || operand.kind === 'ptr', 'unary operand is not an integer');
      return int(e.operator === '-' ? -operand.value : ~operand.value);
    }
    case 'binary': {
      const left = evaluate(e.left, context);
      const right = evaluate(e.right, context);
      assert((left.kind === 'int' || left.kind === 'ptr') && (right.kind === 'int' || right.kind === 'ptr'), 'binary operand is not an integer');
      const value = arithmetic(e.operator, left.value, right.value, () => context.locate(e.loc));
      return resultKind(e.operator, left.kind, right.kind) === 'ptr' ? ptr(value) : int(value);
    }
    case 'read': {
      const address = evaluate(e.address, context);
      assert(address.kind === 'int' || address.kind === 'ptr', 'address is not an integer');
      return read(e.type, address.value, e.loc);
    }
    default:
      return assertNever(e);
  }
}

/** Evaluates an expression that reads no memory (the checker guarantees it). */
export function evaluateConstant(e: PlanExpr, env: ReadonlyMap<string, Value>, locate: EvalContext['locate']): Value {
  const read = () => {
    throw new Error('pvm internal error: a constant expression read memory');
  };
  return evaluate(e, { env, read, locate });
}

/** Largest shift allowed: enough for any 64-bit mask, small enough to never build a huge bigint. */
const MAX_SHIFT = 1024n;

function arithmetic(operator: BinaryOperator, a: bigint, b: bigint, at: () => SourcePoint): bigint {
  switch (operator) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
    case '%':
      if (b === 0n) throw new RecipeError('division-by-zero', 'division by zero', { ...at(), hint: 'check the divisor, which evaluated to 0' });
      // bigint division truncates toward zero, as in C.
      return operator === '/' ? a / b : a % b;
    case '<<':
    case '>>':
      if (b < 0n || b > MAX_SHIFT) throw new RecipeError('bad-shift', `shift by ${b} (must be 0 to ${MAX_SHIFT})`, { ...at(), hint: 'check the shift amount' });
      return operator === '<<' ? a << b : a >> b;
    case '&':
      return a & b;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
    default:
      return assertNever(operator);
  }
}

