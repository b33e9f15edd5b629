// Expression evaluation over exact integers. Memory comes in through a
// callback, so constant folding (param defaults) and execution share one evaluator.
import { RecipeError, assert, assertNever } from '../errors.ts';
import { resultKind, type BinaryOperator } from '../plan/arithmetic.ts';
import type { CompareOperator, Loc, MemoryType, PlanExpr } from '../plan/plan.ts';
import { placeError, type SourcePoint } from './locate.ts';
import { bool, int, numeric, ptr, type Value } from './value.ts';

/** Reads a value for the read numbered `site` (see plan.ts). */
export type ReadMemory = (type: MemoryType, address: bigint, loc: Loc, site: number) => Value;

/** module() and symbol(), answered by the target (see modules.ts). */
export interface ModuleLookup {
  module(name: string): { readonly path: string; readonly start: bigint; readonly end: bigint };
  symbol(module: string, name: string): bigint;
}

/** What evaluation needs besides the expression. */
export interface EvalContext {
  readonly env: { get(name: string): Value | undefined };
  readonly read: ReadMemory;
  readonly modules: ModuleLookup;
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
      const operand = numeric(evaluate(e.operand, context));
      assert(operand !== undefined, 'unary operand is not an integer');
      return int(e.operator === '-' ? -operand.value : ~operand.value);
    }
    case 'binary': {
      const left = numeric(evaluate(e.left, context));
      const right = numeric(evaluate(e.right, context));
      assert(left !== undefined && right !== undefined, 'binary operand is not an integer');
      const value = arithmetic(e.operator, left.value, right.value, () => context.locate(e.loc));
      return resultKind(e.operator, left.kind, right.kind) === 'ptr' ? ptr(value) : int(value);
    }
    case 'read': {
      const address = numeric(evaluate(e.address, context));
      assert(address !== undefined, 'address is not an integer');
      return read(e.type, address.value, e.loc, e.site);
    }
    case 'module':
      try {
        const module = context.modules.module(e.name);
        return { kind: 'region', start: module.start, end: module.end, path: module.path };
      } catch (error) {
        throw placeError(error, context.locate(e.loc));
      }
    case 'symbol':
      try {
        return ptr(context.modules.symbol(e.module, e.name));
      } catch (error) {
        throw placeError(error, context.locate(e.loc));
      }
    case 'compare':
      return bool(compare(e.operator, evaluate(e.left, context), evaluate(e.right, context)));
    case 'logical': {
      const left = evaluate(e.left, context);
      assert(left.kind === 'bool', 'logical operand is not a condition');
      if (e.operator === '&&' ? !left.value : left.value) return left;
      return evaluate(e.right, context);
    }
    case 'not': {
      const operand = evaluate(e.operand, context);
      assert(operand.kind === 'bool', 'negated operand is not a condition');
      return bool(!operand.value);
    }
    case 'field': {
      const region = evaluate(e.object, context);
      assert(region.kind === 'region', 'field of a non-region');
      return e.field === 'size' ? int(region.end - region.start) : ptr(e.field === 'start' ? region.start : region.end);
    }
    default:
      return assertNever(e);
  }
}

/** Evaluates an expression that reads no memory (the checker guarantees it). */
export function evaluateConstant(e: PlanExpr, env: ReadonlyMap<string, Value>, locate: EvalContext['locate']): Value {
  const fail = (): never => {
    throw new Error('pvm internal error: a constant expression used the target');
  };
  return evaluate(e, { env, read: fail, modules: { module: fail, symbol: fail }, locate });
}

/** Numbers and addresses compare by value (a region by its start); strings by content. */
export function compare(operator: CompareOperator, left: Value, right: Value): boolean {
  let order: number;
  if (left.kind === 'str' && right.kind === 'str') {
    order = left.value === right.value ? 0 : 1;
  } else if (left.kind === 'float' || right.kind === 'float') {
    const a = left.kind === 'float' ? left.value : Number(numeric(left)?.value);
    const b = right.kind === 'float' ? right.value : Number(numeric(right)?.value);
    if (Number.isNaN(a) || Number.isNaN(b)) return operator === '!=';
    order = a < b ? -1 : a > b ? 1 : 0;
  } else {
    const a = numeric(left);
    const b = numeric(right);
    assert(a !== undefined && b !== undefined, 'compared values are not numbers');
    order = a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  }
  switch (operator) {
    case '==':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
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

