// The functions a recipe may call, with their argument and result types.
import type { StaticType } from './check.ts';

export interface Builtin {
  /** Each argument must be a string literal: the plan names modules and symbols statically. */
  readonly params: readonly string[];
  readonly returns: StaticType;
  readonly example: string;
}

export const BUILTINS: ReadonlyMap<string, Builtin> = new Map([
  ['module', { params: ['name'], returns: 'region', example: 'module("libc.so.6")' }],
  ['symbol', { params: ['module', 'name'], returns: 'ptr', example: 'symbol("app", "main")' }],
] as const);

/** Specified (SPEC §2) but not built yet: named in errors as such, not as unknown. */
export const PLANNED_BUILTINS: ReadonlySet<string> = new Set(['len', 'hex', 'min', 'max', 'ripref', 'region', 'range']);

/** The fields of a region value. */
export const REGION_FIELDS: ReadonlyMap<string, StaticType> = new Map([
  ['start', 'ptr'],
  ['end', 'ptr'],
  ['size', 'int'],
] as const);
