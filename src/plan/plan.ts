// The compiled recipe: plain, versioned, JSON-serialisable data. The runtime
// executes only this; it never sees the AST. `pvm plan --json` prints it.
// Integers are decimal strings so that JSON keeps them exact.

import type { SourceLine } from '../excerpt.ts';
import type { BinaryOperator } from './arithmetic.ts';
import type { PatternToken } from './pattern.ts';
import type { Shape } from './shape.ts';

// 4: while, break, true/false, list literals, list params, symbol() without a module. 5: narrow.
// 6: a loop's `names` with what each holds as the loop starts (`int|ptr` where either), a for
// loop's `item`; `prefetch` named `readAhead`, as the step that reads ahead is.
// 7: pointerscan, narrow … to (a narrow without a type), paths params.
export const PLAN_VERSION = 7;

/**
 * What an expression yields, as the checker tells it (dsl/static-type.ts).
 * A `region` (module(), region(), range()) is an address where one is
 * needed: its start.
 */
export type StaticType = 'int' | 'ptr' | 'float' | 'str' | 'region' | 'bool' | 'bytes' | 'pattern' | 'list' | 'paths' | 'object';

/**
 * What a name may hold where a loop starts (dsl/loop-kinds.ts follows it
 * through the recipe): one kind, or several joined by `|` where it may hold
 * any of them (`int|ptr`: a number on one path, an address on another);
 * the run then looks at the value.
 */
export type Kinds = StaticType | `${StaticType}|${string}`;

/** The names a loop uses from around it, with what they hold as it starts: what a compiled loop takes in (runtime/loops/lower.ts). */
export type LoopNames = Readonly<Record<string, Kinds>>;

/** What a `for` loop's variable holds: integers (a range of numbers, threads()), addresses (a range from one, a list of hits), or either. */
export type ItemKind = 'int' | 'ptr' | 'int|ptr';

export interface Plan {
  readonly format: 'pvm-plan';
  readonly version: typeof PLAN_VERSION;
  readonly recipe: { readonly name: string; readonly sha256: string };
  /** True when any step writes target memory (known statically). */
  readonly writes: boolean;
  readonly params: readonly PlanParam[];
  readonly steps: readonly PlanStep[];
}

/**
 * Where a step or expression came from, for runtime errors: line and column
 * from 1, and the source line itself so an error can show it with a caret.
 */
export type Loc = SourceLine;

/** How bytes in memory become a value. */
export type MemoryType =
  | { readonly kind: 'int'; readonly name: string; readonly size: 1 | 2 | 4 | 8; readonly signed: boolean; readonly bigEndian: boolean }
  | { readonly kind: 'float'; readonly name: string; readonly size: 4 | 8; readonly bigEndian: boolean }
  | { readonly kind: 'ptr'; readonly name: 'ptr'; readonly size: 8 }
  | { readonly kind: 'cstring'; readonly name: 'cstring'; readonly max: number }
  /** `bytes N`: N raw bytes. */
  | { readonly kind: 'bytes'; readonly name: 'bytes'; readonly size: number }
  /** `utf16 N`: N UTF-16LE code units, decoded as text. */
  | { readonly kind: 'utf16'; readonly name: 'utf16'; readonly units: number }
  /** A typed object read whole (a struct, union or array that `print`/`emit` shows), or an enum: `name` as C spells its type. */
  | { readonly kind: 'shaped'; readonly name: string; readonly size: number; readonly shape: Shape };

/** `ptr`: an 8-byte address, the type `[E]` reads. */
export const PTR_TYPE = { kind: 'ptr', name: 'ptr', size: 8 } as const satisfies MemoryType;

/**
 * How a value becomes bytes for `write`, `patch` and `scan`: as a scalar type
 * (`u32 1000`, exact: a value out of range is an error), as the bytes it is
 * (`raw`: bytes, a string's UTF-8, a pattern), as UTF-16LE, or as a string
 * with its NUL. An optional size is checked against the value's length.
 */
export type Encoding =
  | { readonly kind: 'scalar'; readonly type: MemoryType & { readonly kind: 'int' | 'float' | 'ptr' } }
  | { readonly kind: 'raw'; readonly size: number | undefined }
  | { readonly kind: 'utf16'; readonly units: number | undefined }
  | { readonly kind: 'cstring'; readonly max: number | undefined };

/** A value and how it becomes bytes. */
export interface PlanDatum {
  readonly encoding: Encoding;
  readonly value: PlanExpr;
  readonly loc: Loc;
}

/**
 * What `narrow` keeps: values that compare so (with a float tolerance), lie between two bounds (inclusive), or
 * changed so since the list remembered them; or, with `to`, items that lead to an address.
 */
export type NarrowTest =
  | { readonly kind: 'compare'; readonly operator: CompareOperator; readonly value: PlanExpr; readonly within: PlanExpr | undefined }
  | { readonly kind: 'between'; readonly low: PlanExpr; readonly high: PlanExpr }
  | { readonly kind: 'change'; readonly change: 'changed' | 'unchanged' | 'increased' | 'decreased' }
  | { readonly kind: 'any' }
  | { readonly kind: 'to'; readonly address: PlanExpr };

/** Where a scan looks: every readable region, anonymous memory only, or one region value. */
export type ScanRange = { readonly kind: 'all' } | { readonly kind: 'anon' } | { readonly kind: 'region'; readonly region: PlanExpr };

/** One site of a patch: at `address`, `expect` must match, then `replacement` is written. */
export interface PatchSite {
  readonly address: PlanExpr;
  readonly expect: PlanDatum;
  readonly replacement: PlanDatum;
  readonly loc: Loc;
}

/** A param of type `list`: addresses, given as `--arg hits=0x10,0x20` or `--arg hits=@FILE` (see runtime/params.ts). */
export interface ListParamType {
  readonly kind: 'list';
  readonly name: 'list';
}

/** A param of type `paths`: pointer paths a pointerscan emitted, given as `--arg paths=@FILE` (see runtime/params.ts). */
export interface PathsParamType {
  readonly kind: 'paths';
  readonly name: 'paths';
}

/** A param of type `string`: text, given as `--arg needle=TEXT` or `--arg needle=@FILE` (see runtime/params.ts). */
export interface StringParamType {
  readonly kind: 'string';
  readonly name: 'string';
}

export interface PlanParam {
  readonly name: string;
  readonly type: MemoryType | ListParamType | PathsParamType | StringParamType;
  readonly default: PlanExpr | undefined;
  readonly loc: Loc;
}

export type PlanStep =
  /** Declares a name in the current block. */
  | { readonly op: 'let'; readonly name: string; readonly value: PlanExpr; readonly loc: Loc }
  | { readonly op: 'assign'; readonly name: string; readonly value: PlanExpr; readonly loc: Loc }
  | { readonly op: 'print'; readonly values: readonly PlanExpr[]; readonly loc: Loc }
  | { readonly op: 'emit'; readonly name: string; readonly value: PlanExpr; readonly loc: Loc }
  | { readonly op: 'if'; readonly condition: PlanExpr; readonly then: readonly PlanStep[]; readonly otherwise: readonly PlanStep[]; readonly loc: Loc }
  /** `variable` counts from `from` up to `to` - 1, or takes each item of a list; an explicit `limit` caps the iterations. */
  | {
    readonly op: 'for';
    readonly variable: string;
    readonly over: { readonly kind: 'range'; readonly from: PlanExpr; readonly to: PlanExpr } | { readonly kind: 'list'; readonly list: PlanExpr };
    readonly limit: PlanExpr | undefined;
    readonly body: readonly PlanStep[];
    /** The reads that run batched across iterations, before the iterations themselves. */
    readonly readAhead: ReadAhead;
    readonly names: LoopNames;
    readonly item: ItemKind;
    readonly loc: Loc;
  }
  /** Runs `body` while `condition` holds; an explicit `limit` caps the iterations, else the loop cap does. Nothing is read ahead. */
  | {
    readonly op: 'while';
    readonly condition: PlanExpr;
    readonly limit: PlanExpr | undefined;
    readonly body: readonly PlanStep[];
    readonly names: LoopNames;
    readonly loc: Loc;
  }
  /** Leaves the innermost `for` or `while`. */
  | { readonly op: 'break'; readonly loc: Loc }
  | { readonly op: 'assert'; readonly condition: PlanExpr; readonly message: PlanExpr | undefined; readonly loc: Loc }
  /** Writes are buffered and sent in batches; a read or scan first sends what is pending. */
  | { readonly op: 'write'; readonly address: PlanExpr; readonly datum: PlanDatum; readonly loc: Loc }
  | { readonly op: 'dump'; readonly address: PlanExpr; readonly length: PlanExpr; readonly loc: Loc }
  /** A transaction: every site verified, then all written, then read back (docs/language.md). */
  | { readonly op: 'patch'; readonly name: string | undefined; readonly freeze: boolean; readonly sites: readonly PatchSite[]; readonly loc: Loc }
  /**
   * Reads what the next `steps` steps of its block will read, in batches,
   * before they run (added by plan/read-ahead.ts; `loc` is the first step's).
   */
  | { readonly op: 'read-ahead'; readonly steps: number; readonly readAhead: ReadAhead; readonly loc: Loc };

/**
 * What a loop (for all its iterations) or a run of straight-line steps reads
 * ahead: every `sites` read whose address depends only on the loop variable,
 * names the steps do not assign, their unconditional `lets`, and reads of a
 * lower level. Level 1 reads are batched first, then level 2 (whose addresses
 * came from level 1), and so on.
 */
export interface ReadAhead {
  readonly sites: readonly { readonly site: number; readonly level: number }[];
  /** Lets, in order, that the read-ahead computes (for each iteration). */
  readonly lets: readonly string[];
}

export type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** Immutable: a plan may use one node in several places (the compiler shares constants and names). */
export type PlanExpr =
  | { readonly op: 'int'; readonly value: string }
  | { readonly op: 'float'; readonly value: number }
  | { readonly op: 'str'; readonly value: string }
  | { readonly op: 'bool'; readonly value: boolean }
  /** A list literal: its items become addresses. */
  | { readonly op: 'list'; readonly items: readonly PlanExpr[] }
  /** Concrete bytes, as lowercase hex. */
  | { readonly op: 'bytes'; readonly hex: string }
  /** A byte pattern with wildcards, jumps or alternatives; `text` is its canonical form. */
  | { readonly op: 'pattern'; readonly tokens: readonly PatternToken[]; readonly text: string }
  | { readonly op: 'index'; readonly object: PlanExpr; readonly index: PlanExpr; readonly loc: Loc }
  /** `ripref(insn, disp_offset, insn_len)`: insn + insn_len + the i32 at insn + disp_offset (x86-64 rip-relative operands). */
  | { readonly op: 'ripref'; readonly insn: PlanExpr; readonly dispOffset: PlanExpr; readonly insnLength: PlanExpr; readonly loc: Loc }
  /** Builtins that compute on values: len, hex, min, max, region, range. */
  | { readonly op: 'call'; readonly name: 'len' | 'hex' | 'min' | 'max' | 'region' | 'range' | 'threads' | 'reg'; readonly args: readonly PlanExpr[]; readonly loc: Loc }
  | {
    readonly op: 'scan';
    readonly needle: PlanDatum;
    readonly range: ScanRange;
    /** `r-x`: r and x required, w absent; `?` or a missing letter: either. */
    readonly perms: string | undefined;
    readonly align: number;
    readonly limit: PlanExpr | undefined;
    /** Exactly one hit, which is the value; anything else is an error. */
    readonly unique: boolean;
    readonly loc: Loc;
  }
  /**
   * `pointerscan to ADDR depth D offset MAX [limit N]`: the pointer paths from
   * static memory to ADDR (runtime/scans/pointer-scan.ts); `limit` absent: the
   * policy's hit budget; `within`: bases only in that region; `stacks`: from the top of each thread's stack too.
   */
  | { readonly op: 'pointerscan'; readonly address: PlanExpr; readonly depth: PlanExpr; readonly offset: PlanExpr; readonly limit: PlanExpr | undefined; readonly within: PlanExpr | undefined; readonly stacks: boolean; readonly loc: Loc }
  /**
   * `narrow LIST TYPE TEST`: one batched read of every item's value, kept where TEST holds (see
   * runtime/evaluation/narrow.ts); the items that are pointer paths are followed first, a level at a time.
   * `type` is undefined for `narrow LIST to ADDR`, which reads no value.
   */
  | { readonly op: 'narrow'; readonly list: PlanExpr; readonly type: (MemoryType & { readonly kind: 'int' | 'float' | 'ptr' }) | undefined; readonly test: NarrowTest; readonly loc: Loc }
  | { readonly op: 'var'; readonly name: string }
  | { readonly op: 'unary'; readonly operator: '-' | '~'; readonly operand: PlanExpr }
  | {
    readonly op: 'binary';
    readonly operator: BinaryOperator;
    readonly left: PlanExpr;
    readonly right: PlanExpr;
    readonly loc: Loc;
  }
  /** `site` numbers each read of the recipe, so loops can read it ahead (see plan/read-ahead-analysis.ts). */
  | { readonly op: 'read'; readonly type: MemoryType; readonly address: PlanExpr; readonly site: number; readonly loc: Loc }
  /** The region spanned by a module's mappings, found by basename or path suffix. */
  | { readonly op: 'module'; readonly name: string; readonly loc: Loc }
  /** A symbol's running address: ELF .symtab/.dynsym value plus the module's load bias; no module: the dynamic linker's global lookup. */
  | { readonly op: 'symbol'; readonly module?: string; readonly name: string; readonly loc: Loc }
  | { readonly op: 'field'; readonly object: PlanExpr; readonly field: 'start' | 'end' | 'size' }
  | { readonly op: 'compare'; readonly operator: CompareOperator; readonly left: PlanExpr; readonly right: PlanExpr }
  /** Short-circuit: `right` is evaluated only when `left` does not decide. */
  | { readonly op: 'logical'; readonly operator: '&&' | '||'; readonly left: PlanExpr; readonly right: PlanExpr }
  | { readonly op: 'not'; readonly operand: PlanExpr };
