// The compiled recipe: plain, versioned, JSON-serialisable data. The runtime
// executes only this; it never sees the AST. `pvm plan --json` prints it.
// Integers are decimal strings so that JSON keeps them exact.

import type { SourceLine } from '../excerpt.ts';
import type { BinaryOperator } from './arithmetic.ts';

export const PLAN_VERSION = 1;

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
  | { readonly kind: 'cstring'; readonly name: 'cstring'; readonly max: number };

export interface PlanParam {
  readonly name: string;
  readonly type: MemoryType;
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
  /** `variable` counts from `from` up to `to` - 1; an explicit `limit` caps the iterations. */
  | {
      readonly op: 'for';
      readonly variable: string;
      readonly from: PlanExpr;
      readonly to: PlanExpr;
      readonly limit: PlanExpr | undefined;
      readonly body: readonly PlanStep[];
      /** The reads that run batched across iterations, before the iterations themselves. */
      readonly prefetch: LoopPrefetch;
      readonly loc: Loc;
    }
  | { readonly op: 'assert'; readonly condition: PlanExpr; readonly message: PlanExpr | undefined; readonly loc: Loc };

/**
 * What a loop reads ahead: every `sites` read whose address depends only on the
 * loop variable, names the loop does not assign, the unconditional `lets` of
 * its body, and reads of a lower level. Level 1 reads are batched first, then
 * level 2 (whose addresses came from level 1), and so on.
 */
export interface LoopPrefetch {
  readonly sites: readonly { readonly site: number; readonly level: number }[];
  /** Body lets, in order, that the prefetcher computes for each iteration. */
  readonly lets: readonly string[];
}

export type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type PlanExpr =
  | { readonly op: 'int'; readonly value: string }
  | { readonly op: 'str'; readonly value: string }
  | { readonly op: 'var'; readonly name: string }
  | { readonly op: 'unary'; readonly operator: '-' | '~'; readonly operand: PlanExpr }
  | {
      readonly op: 'binary';
      readonly operator: BinaryOperator;
      readonly left: PlanExpr;
      readonly right: PlanExpr;
      readonly loc: Loc;
    }
  /** `site` numbers each read of the recipe, so loops can prefetch it (see prefetch.ts). */
  | { readonly op: 'read'; readonly type: MemoryType; readonly address: PlanExpr; readonly site: number; readonly loc: Loc }
  /** The region spanned by a module's mappings, found by basename or path suffix. */
  | { readonly op: 'module'; readonly name: string; readonly loc: Loc }
  /** A symbol's running address: ELF .symtab/.dynsym value plus the module's load bias. */
  | { readonly op: 'symbol'; readonly module: string; readonly name: string; readonly loc: Loc }
  | { readonly op: 'field'; readonly object: PlanExpr; readonly field: 'start' | 'end' | 'size' }
  | { readonly op: 'compare'; readonly operator: CompareOperator; readonly left: PlanExpr; readonly right: PlanExpr }
  /** Short-circuit: `right` is evaluated only when `left` does not decide. */
  | { readonly op: 'logical'; readonly operator: '&&' | '||'; readonly left: PlanExpr; readonly right: PlanExpr }
  | { readonly op: 'not'; readonly operand: PlanExpr };
