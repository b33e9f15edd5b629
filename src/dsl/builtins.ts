// The functions a recipe may call: how many arguments each takes and an
// example for messages. Their argument and result types are checked in
// check-expression.ts; what they do is in runtime/evaluation/builtins.ts.
import type { StaticType } from './static-type.ts';

export interface Builtin {
  readonly params: readonly string[];
  /** Takes any number of arguments from params.length on (min, max). */
  readonly variadic?: boolean;
  /** Takes this many arguments at least, the leading params left out (symbol("name") is symbol(module?, name)). */
  readonly atLeast?: number;
  readonly example: string;
}

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  ['module', { params: ['name'], example: 'module("libc.so.6")' }],
  ['symbol', { params: ['module', 'name'], atLeast: 1, example: 'symbol("app", "main")' }],
  ['region', { params: ['name'], example: 'region("[heap]")' }],
  ['range', { params: ['start', 'size'], example: 'range(p, 0x1000)' }],
  ['len', { params: ['value'], example: 'len(hits)' }],
  ['hex', { params: ['value'], example: 'hex(read bytes 16 at p)' }],
  ['min', { params: ['a'], variadic: true, example: 'min(a, b) or min(hits)' }],
  ['max', { params: ['a'], variadic: true, example: 'max(a, b) or max(hits)' }],
  ['ripref', { params: ['insn', 'disp_offset', 'insn_len'], example: 'ripref(hit, 3, 7)' }],
  ['threads', { params: [], example: 'threads()' }],
  ['reg', { params: ['thread', 'name'], example: 'reg(threads()[0], "rip")' }],
  ['addressof', { params: ['reference'], example: 'addressof(p.level)' }],
]);

/** Builtins whose arguments must be string literals, so a plan names the modules and regions it touches. */
export const LITERAL_ARGUMENTS: ReadonlySet<string> = new Set(['module', 'symbol', 'region']);

/** The fields of a region value. */
export const REGION_FIELDS: ReadonlyMap<string, StaticType> = new Map(
  [
    ['start', 'ptr'],
    ['end', 'ptr'],
    ['size', 'int'],
  ] as const,
);
