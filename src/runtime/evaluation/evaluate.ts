// Expression evaluation over exact integers. Memory comes in through a
// callback, so constant folding (param defaults) and execution share one evaluator.
import { DEFAULT_SCAN_HITS, MAX_STRING_LENGTH, POINTER_SCAN_DEPTH_HINT, POINTER_SCAN_MAX_DEPTH, POINTER_SCAN_MAX_OFFSET, POINTER_SCAN_OFFSET_HINT } from '../../limits.ts';
import { bytesLiteral, fromHex, hexAddress, patternLiteral } from '../../bytes.ts';
import { assert, AssertionFailed, assertNever, DeniedError, RecipeError } from '../../errors.ts';
import { literalPattern } from '../../plan/pattern.ts';
import { callBuiltin } from './builtins.ts';
import { joinRanges } from '../../target/ranges.ts';
import { stackTops, threadBuiltin } from '../threads.ts';
import type { ThreadState } from '../../target/target.ts';
import { encode } from './encode.ts';
import type { ScanRequest } from '../scans/scan.ts';
import type { PointerScanRequest } from '../scans/pointer-scan.ts';
import { type BinaryOperator, INTEGER_BITS, integerOperation, MAX_SHIFT, resultKind } from '../../plan/arithmetic.ts';
import { type CompareOperator, type Loc, type MemoryType, type PlanExpr, PTR_TYPE } from '../../plan/plan.ts';
import { placeError, type SourcePoint } from '../locate.ts';
import { bool, int, numeric, type PathBase, type PointerPath, ptr, regionSize, type Value } from './value.ts';
import { count } from '../../count.ts';
import { narrowList, type ReadEach } from './narrow.ts';

/** Reads a value for the read numbered `site` (see plan.ts). */
export type ReadMemory = (type: MemoryType, address: bigint, loc: Loc, site: number) => Value;

/** module(), symbol() and region(), answered by the target (see modules.ts). */
export interface ModuleLookup {
  module(name: string): { readonly path: string; readonly start: bigint; readonly end: bigint; readonly mappings: readonly { readonly start: bigint; readonly end: bigint }[] };
  symbol(module: string | undefined, name: string): bigint;
  region(name: string): { readonly path: string; readonly start: bigint; readonly end: bigint };
}

/** Runs a scan whose needle and range are evaluated (see scan.ts); returns the hits. */
export type ScanMemory = (request: ScanRequest, loc: Loc) => bigint[];

/** Runs a pointer scan whose operands are evaluated (see pointer-scan.ts); returns the paths. */
export type PointerScanMemory = (request: PointerScanRequest, loc: Loc) => PointerPath[];

/** What evaluation needs besides the expression. */
export interface EvalContext {
  readonly read: ReadMemory;
  /** Many values at once, batched (narrow). */
  readonly readEach: ReadEach;
  readonly scan: ScanMemory;
  readonly pointerScan: PointerScanMemory;
  readonly modules: ModuleLookup;
  /** The target's threads and registers (a live process stops them for a moment, once a run). */
  readonly threads: () => readonly ThreadState[];
  /** Hits one scan may return, and the rule that says so when a policy set it. */
  readonly hitCap?: { readonly limit: number; readonly rule: string | undefined };
  readonly locate: (loc: Loc) => SourcePoint;
  /** Work inside a statement that grows with its data (max() over a list): counted as steps, and the clock looked at (budget.ts). */
  readonly work?: ((units: number, loc: Loc) => void) | undefined;
}

/** The names an expression sees (a Scope). */
export interface Names {
  get(name: string): Value | undefined;
}

/** An expression compiled into a closure: children compiled once, constants built once, no dispatch per evaluation. */
export type CompiledExpr = (env: Names, context: EvalContext) => Value;

/** Compiled expressions, by plan node: a plan is compiled the first time each of its expressions runs. */
const compiled = new WeakMap<PlanExpr, CompiledExpr>();

export function evaluate(e: PlanExpr, env: Names, context: EvalContext): Value {
  return compileExpr(e)(env, context);
}

/** `e` as a closure (made once per plan node, then reused). */
export function compileExpr(e: PlanExpr): CompiledExpr {
  let f = compiled.get(e);
  if (f === undefined) {
    f = build(e);
    compiled.set(e, f);
  }
  return f;
}

function build(e: PlanExpr): CompiledExpr {
  switch (e.op) {
    case 'int':
      return constant(int(BigInt(e.value)));
    case 'float':
      return constant({ kind: 'float', value: e.value });
    case 'str':
      return constant({ kind: 'str', value: e.value });
    case 'bool':
      return constant(bool(e.value));
    case 'list': {
      // A list holds addresses: a number listed becomes one.
      const items = e.items.map(compileExpr);
      return (env, context) => ({ kind: 'list', items: items.map((item) => ptr(numeric(item(env, context))!.value)) });
    }
    case 'bytes':
      // A fresh copy each time: a value's bytes may be handed on (written, emitted) and must not be shared.
      return () => ({ kind: 'bytes', value: fromHex(e.hex) });
    case 'pattern':
      return constant({ kind: 'pattern', pattern: { tokens: e.tokens }, text: e.text });
    case 'index': {
      const objectOf = compileExpr(e.object);
      const indexOf = compileExpr(e.index);
      return (env, context) => {
        const object = objectOf(env, context);
        const index = numeric(indexOf(env, context))!.value;
        const length = object.kind === 'list' ? object.items.length : object.kind === 'bytes' ? object.value.length : 0;
        if (index < 0n || index >= BigInt(length)) {
          throw new RecipeError('index', `index ${index} is out of range: ${object.kind === 'list' ? `the list has ${count(length, 'item')}` : `the bytes are ${count(length, 'byte')}`}`, {
            ...context.locate(e.loc),
            hint: length === 0 ? 'the list is empty: check len(…) > 0 first' : `index from 0 to ${length - 1}`,
          });
        }
        return object.kind === 'list' ? object.items[Number(index)]! : object.kind === 'bytes' ? int(BigInt(object.value[Number(index)]!)) : assertNever(object as never);
      };
    }
    case 'call': {
      const args = e.args.map(compileExpr);
      const name = e.name;
      if (name === 'region') {
        return (env, context) => {
          const regionName = (args[0]!(env, context) as { value: string }).value;
          try {
            const region = context.modules.region(regionName);
            return { kind: 'region', start: region.start, end: region.end, path: region.path };
          } catch (error) {
            throw placeError(error, context.locate(e.loc));
          }
        };
      }
      if (name === 'threads' || name === 'reg') {
        return (env, context) => {
          const values = args.map((a) => a(env, context));
          try {
            return threadBuiltin(name, values, context.threads());
          } catch (error) {
            throw placeError(error, context.locate(e.loc));
          }
        };
      }
      return (env, context) => callBuiltin(name, args.map((a) => a(env, context)), () => context.locate(e.loc), (units) => context.work?.(units, e.loc));
    }
    case 'ripref': {
      const insnOf = compileExpr(e.insn);
      const offsetOf = compileExpr(e.dispOffset);
      const lengthOf = compileExpr(e.insnLength);
      return (env, context) => {
        const insn = numeric(insnOf(env, context))!.value;
        const offset = numeric(offsetOf(env, context))!.value;
        const length = numeric(lengthOf(env, context))!.value;
        const displacement = numeric(context.read(RIP_DISPLACEMENT, insn + offset, e.loc, -1))!.value;
        return ptr(insn + length + displacement);
      };
    }
    case 'scan':
      return (env, context) => scanValue(e, env, context);
    case 'pointerscan':
      return (env, context) => pointerScanValue(e, env, context);
    case 'narrow': {
      const listOf = compileExpr(e.list);
      return (env, context) => {
        const list = listOf(env, context);
        assert(list.kind === 'list' || list.kind === 'paths', 'narrow of a non-list');
        const t = e.test;
        const operands = t.kind === 'compare'
          ? { value: evaluate(t.value, env, context), ...(t.within === undefined ? {} : { within: evaluate(t.within, env, context) }) }
          : t.kind === 'between'
          ? { low: evaluate(t.low, env, context), high: evaluate(t.high, env, context) }
          : t.kind === 'to'
          ? { to: evaluate(t.address, env, context) }
          : {};
        return narrowList(e, list, operands, context.readEach, pathBases(context, e.loc), () => context.locate(e.loc));
      };
    }
    case 'var': {
      const name = e.name;
      return (env) => {
        const value = env.get(name);
        if (value === undefined) assert(false, `unbound name ${name}`);
        return value;
      };
    }
    case 'unary': {
      const operandOf = compileExpr(e.operand);
      const negate = e.operator === '-';
      return (env, context) => {
        const value = operandOf(env, context);
        if (value.kind === 'float') return { kind: 'float', value: -value.value };
        const operand = numeric(value);
        assert(operand !== undefined, 'unary operand is not an integer');
        return int(negate ? -operand.value : ~operand.value);
      };
    }
    case 'binary': {
      const leftOf = compileExpr(e.left);
      const rightOf = compileExpr(e.right);
      const operator = e.operator;
      return (env, context) => {
        const leftValue = leftOf(env, context);
        const rightValue = rightOf(env, context);
        // Integers and addresses first: the common case, with no allocation but the result.
        if ((leftValue.kind === 'int' || leftValue.kind === 'ptr') && (rightValue.kind === 'int' || rightValue.kind === 'ptr')) {
          const value = arithmetic(operator, leftValue.value, rightValue.value, e.loc, context);
          return resultKind(operator, leftValue.kind, rightValue.kind) === 'ptr' ? ptr(value) : int(value);
        }
        if (leftValue.kind === 'str' && rightValue.kind === 'str') {
          // Joined strings are bounded, as integers are: doubling one in a loop must not exhaust memory.
          if (leftValue.value.length + rightValue.value.length > MAX_STRING_LENGTH) {
            throw new RecipeError('string-too-long', `joining these strings would make one of ${leftValue.value.length + rightValue.value.length} characters, more than ${MAX_STRING_LENGTH}`, {
              ...context.locate(e.loc),
              hint: 'print the parts separately',
            });
          }
          return { kind: 'str', value: leftValue.value + rightValue.value };
        }
        if (leftValue.kind === 'float' || rightValue.kind === 'float') return floatArithmetic(operator, toNumber(leftValue), toNumber(rightValue));
        const left = numeric(leftValue);
        const right = numeric(rightValue);
        assert(left !== undefined && right !== undefined, 'binary operand is not an integer');
        const value = arithmetic(operator, left.value, right.value, e.loc, context);
        return resultKind(operator, left.kind, right.kind) === 'ptr' ? ptr(value) : int(value);
      };
    }
    case 'read': {
      const addressOf = compileExpr(e.address);
      const { type, loc, site } = e;
      return (env, context) => {
        const address = numeric(addressOf(env, context));
        assert(address !== undefined, 'address is not an integer');
        return context.read(type, address.value, loc, site);
      };
    }
    case 'module':
      return (_env, context) => {
        try {
          const module = context.modules.module(e.name);
          return { kind: 'region', start: module.start, end: module.end, path: module.path, parts: joinRanges(module.mappings) };
        } catch (error) {
          throw placeError(error, context.locate(e.loc));
        }
      };
    case 'symbol':
      return (_env, context) => {
        try {
          return ptr(context.modules.symbol(e.module, e.name));
        } catch (error) {
          throw placeError(error, context.locate(e.loc));
        }
      };
    case 'compare': {
      const leftOf = compileExpr(e.left);
      const rightOf = compileExpr(e.right);
      const operator = e.operator;
      return (env, context) => bool(compare(operator, leftOf(env, context), rightOf(env, context)));
    }
    case 'logical': {
      const leftOf = compileExpr(e.left);
      const rightOf = compileExpr(e.right);
      const and = e.operator === '&&';
      return (env, context) => {
        const left = leftOf(env, context);
        assert(left.kind === 'bool', 'logical operand is not a condition');
        if (and ? !left.value : left.value) return left;
        return rightOf(env, context);
      };
    }
    case 'not': {
      const operandOf = compileExpr(e.operand);
      return (env, context) => {
        const operand = operandOf(env, context);
        assert(operand.kind === 'bool', 'negated operand is not a condition');
        return bool(!operand.value);
      };
    }
    case 'field': {
      const objectOf = compileExpr(e.object);
      const field = e.field;
      return (env, context) => {
        const region = objectOf(env, context);
        assert(region.kind === 'region', 'field of a non-region');
        return field === 'size' ? int(regionSize(region)) : ptr(field === 'start' ? region.start : region.end);
      };
    }
    default:
      return assertNever(e);
  }
}

function constant(value: Value): CompiledExpr {
  return () => value;
}

/** Evaluates an expression that reads no memory (the checker guarantees it). */
export function evaluateConstant(e: PlanExpr, env: ReadonlyMap<string, Value>, locate: EvalContext['locate']): Value {
  const fail = (): never => {
    throw new Error('pvm internal error: a constant expression used the target');
  };
  return evaluate(e, env, { read: fail, readEach: fail, scan: fail, pointerScan: fail, modules: { module: fail, symbol: fail, region: fail }, threads: fail, locate });
}

/** Numbers and addresses compare by value (a region by its start); strings by content. */
export function compare(operator: CompareOperator, left: Value, right: Value): boolean {
  let order: number;
  if (left.kind === 'str' && right.kind === 'str') {
    order = left.value === right.value ? 0 : 1;
  } else if (left.kind === 'bytes' && right.kind === 'bytes') {
    order = left.value.length === right.value.length && left.value.every((b, i) => b === right.value[i]) ? 0 : 1;
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

const RIP_DISPLACEMENT: MemoryType = { kind: 'int', name: 'i32', size: 4, signed: true, bigEndian: false };

function toNumber(value: Value): number {
  return value.kind === 'float' ? value.value : Number(numeric(value)!.value);
}

/** Floats take + - * / (the checker allows no other operator on them), with IEEE results: 1.0 / 0 is Infinity. */
function floatArithmetic(operator: BinaryOperator, a: number, b: number): Value {
  const value = operator === '+' ? a + b : operator === '-' ? a - b : operator === '*' ? a * b : a / b;
  return { kind: 'float', value };
}

/**
 * Where pointer paths' bases are now, each module and thread looked up once.
 * A path from a module the target does not map, or a thread it does not
 * have, leads nowhere: it drops out, as unreadable memory does.
 */
function pathBases(context: EvalContext, loc: Loc): (base: PathBase) => bigint | undefined {
  const starts = new Map<string, bigint | undefined>();
  let tops: ReturnType<typeof stackTops> | undefined;
  return (base) => {
    try {
      if (base.kind === 'stack') {
        tops ??= stackTops(context.threads(), () => mainStackTop(context, loc));
        const top = tops[base.thread]?.top;
        return top === undefined ? undefined : top - base.offset;
      }
      if (!starts.has(base.module)) starts.set(base.module, moduleStart(context, base.module, loc));
      const start = starts.get(base.module);
      return start === undefined ? undefined : start + base.offset;
    } catch (error) {
      throw placeError(error, context.locate(loc));
    }
  };
}

/** The start of the module `module("name")` finds, or undefined when the target maps none of that name. */
function moduleStart(context: EvalContext, name: string, loc: Loc): bigint | undefined {
  try {
    return context.modules.module(name).start;
  } catch (error) {
    if ((error as { code?: string }).code === 'no-module') return undefined;
    throw placeError(error, context.locate(loc));
  }
}

/** `[symbol("__libc_stack_end")]`: where the main thread's stack was when the program started; undefined without the symbol (no glibc). */
function mainStackTop(context: EvalContext, loc: Loc): bigint | undefined {
  let at: bigint;
  try {
    at = context.modules.symbol(undefined, '__libc_stack_end');
  } catch (error) {
    if ((error as { code?: string }).code === 'no-symbol') return undefined;
    throw placeError(error, context.locate(loc));
  }
  return numeric(context.read(PTR_TYPE, at, loc, -1))!.value;
}

/** `pointerscan to ADDR depth D offset MAX [limit N] [stacks]`: the operands checked, the paths within the hit budget. */
function pointerScanValue(e: Extract<PlanExpr, { op: 'pointerscan' }>, env: Names, context: EvalContext): Value {
  const at = () => context.locate(e.loc);
  const address = numeric(evaluate(e.address, env, context))!.value;
  const depth = numeric(evaluate(e.depth, env, context))!.value;
  const offset = numeric(evaluate(e.offset, env, context))!.value;
  const limit = e.limit === undefined ? undefined : numeric(evaluate(e.limit, env, context))!.value;
  if (address < 0n || address >= 1n << 53n) {
    throw new RecipeError('bad-address', `pointerscan to ${hexAddress(address)}: not an address in user space`, { ...at(), hint: 'give the address a scan found, as pvm maps shows it' });
  }
  if (depth < 1n || depth > BigInt(POINTER_SCAN_MAX_DEPTH)) {
    throw new RecipeError('pointerscan-bound', `depth must be from 1 to ${POINTER_SCAN_MAX_DEPTH}, not ${depth}`, { ...at(), hint: POINTER_SCAN_DEPTH_HINT });
  }
  if (offset < 0n || offset > BigInt(POINTER_SCAN_MAX_OFFSET)) {
    throw new RecipeError('pointerscan-bound', `offset must be from 0 to ${POINTER_SCAN_MAX_OFFSET}, not ${offset}`, { ...at(), hint: POINTER_SCAN_OFFSET_HINT });
  }
  if (limit !== undefined && limit < 0n) throw new RecipeError('bad-limit', `limit ${limit} is negative`, { ...at(), hint: 'give a limit of 0 or more' });
  const cap = context.hitCap?.limit ?? DEFAULT_SCAN_HITS;
  // Without a limit, or with one above the cap, one more than the cap is looked for: finding it is an error.
  const wanted = limit === undefined || limit > BigInt(cap) ? cap + 1 : Number(limit);
  const stacks = !e.stacks ? [] : stackTops(context.threads(), () => mainStackTop(context, e.loc)).flatMap((thread, index) => (thread === undefined ? [] : [{ thread: index, top: Number(thread.top), sp: Number(thread.sp) }]));
  const region = e.within === undefined ? undefined : evaluate(e.within, env, context);
  assert(region === undefined || region.kind === 'region', 'pointerscan in a non-region');
  const within = region?.kind !== 'region' ? undefined : (region.parts ?? [region]).map((part) => ({ start: Number(part.start), end: Number(part.end) }));
  const paths = wanted === 0 ? [] : context.pointerScan({ address: Number(address), depth: Number(depth), maxOffset: Number(offset), limit: wanted, stacks, ...(within === undefined ? {} : { within }) }, e.loc);
  if (paths.length > cap) {
    throw new DeniedError('hit-budget', `the pointer scan found more than ${cap} paths${context.hitCap?.rule === undefined ? '' : ` — ${context.hitCap.rule}`}`, {
      ...at(),
      hint: limit === undefined ? 'add `limit N` to keep the N shortest, or lower the depth or the offset' : `give a limit of at most ${cap}, the most paths one pointer scan may give`,
    });
  }
  return { kind: 'paths', items: paths };
}

function scanValue(e: Extract<PlanExpr, { op: 'scan' }>, env: Names, context: EvalContext): Value {
  const at = () => context.locate(e.loc);
  const needle = encode(e.needle.encoding, evaluate(e.needle.value, env, context), () => context.locate(e.needle.loc));
  const pattern = needle.kind === 'pattern' ? needle.pattern : literalPattern(needle.bytes);
  if (pattern.tokens.length === 0) throw new RecipeError('empty-needle', 'a scan for nothing (an empty string or bytes)', { ...at(), hint: 'scan for at least one byte' });
  let area: ScanRequest['area'] = e.range.kind === 'region' ? { kind: 'all' } : e.range;
  if (e.range.kind === 'region') {
    const region = evaluate(e.range.region, env, context);
    assert(region.kind === 'region', 'scan range is not a region');
    area = { kind: 'region', start: region.start, end: region.end, ...(region.parts === undefined ? {} : { parts: region.parts }) };
  }
  const limit = e.limit === undefined ? undefined : numeric(evaluate(e.limit, env, context))!.value;
  if (limit !== undefined && limit < 0n) throw new RecipeError('bad-limit', `limit ${limit} is negative`, { ...at(), hint: 'give a limit of 0 or more' });
  // `unique` needs to know whether there is a second hit, so it looks for two.
  const cap = context.hitCap?.limit ?? DEFAULT_SCAN_HITS;
  // Without a limit, or with one above the cap, one more than the cap is looked for: finding it is an error.
  const wanted = e.unique ? 2 : limit === undefined || limit > BigInt(cap) ? cap + 1 : Number(limit);
  const hits = context.scan({ pattern, area, perms: e.perms, align: e.align, limit: wanted }, e.loc);
  if (e.unique) {
    if (hits.length === 1) return ptr(hits[0]!);
    const what = needle.kind === 'pattern' ? patternLiteral(needle.text) : bytesLiteral(needle.bytes);
    throw new AssertionFailed('scan-not-unique', hits.length === 0 ? `unique scan found no match for ${what}` : `unique scan found more than one match for ${what}: ${hits.map(hexAddress).join(', ')}`, {
      ...at(),
      hint: hits.length === 0 ? 'the target does not hold these bytes here; check the pattern and the range' : 'make the pattern longer, or narrow the range, so that exactly one place matches',
    });
  }
  if (hits.length > cap) {
    throw new DeniedError('hit-budget', `the scan found more than ${cap} matches${context.hitCap?.rule === undefined ? '' : ` — ${context.hitCap.rule}`}`, {
      ...at(),
      hint: 'add `limit N` to keep the first N, or make the pattern more specific',
    });
  }
  // A typed scan's hits all held its value: a list that remembers it, for `narrow … changed`.
  const encoding = e.needle.encoding;
  if (encoding.kind === 'scalar' && needle.kind === 'bytes') {
    const bytes = new Uint8Array(hits.length * needle.bytes.length);
    for (let i = 0; i < hits.length; i++) bytes.set(needle.bytes, i * needle.bytes.length);
    return { kind: 'list', items: hits.map(ptr), remembered: { type: encoding.type, bytes } };
  }
  return { kind: 'list', items: hits.map(ptr) };
}

/** An integer operator on exact values, raising the language's errors (division by zero, bad shift, overflow) at `loc`. */
export function arithmetic(operator: BinaryOperator, a: bigint, b: bigint, loc: Loc, context: EvalContext): bigint {
  const result = integerOperation(operator, a, b);
  if (typeof result === 'bigint') return result;
  const at = () => context.locate(loc);
  if (result === 'division-by-zero') throw new RecipeError('division-by-zero', 'division by zero', { ...at(), hint: 'check the divisor, which evaluated to 0' });
  if (result === 'bad-shift') throw new RecipeError('bad-shift', `shift by ${b} (must be 0 to ${MAX_SHIFT})`, { ...at(), hint: 'check the shift amount' });
  if (result === 'overflow') {
    throw new RecipeError('overflow', `integer overflow: ${a} ${operator} ${b} is beyond ±2^${INTEGER_BITS}`, { ...at(), hint: 'pvm integers are exact up to 128 bits; check the arithmetic (a loop that multiplies?)' });
  }
  return result;
}
