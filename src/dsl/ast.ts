// The recipe's syntax tree: readonly tagged unions on `kind`, every node with
// a span. Built by fast-parse.ts (and parse.ts where Ohm reads a statement);
// nothing here knows Ohm or processes.
import type { BinaryOperator } from '../plan/arithmetic.ts';
import type { MemoryType } from '../plan/plan.ts';
import type { Change, CompareOperator } from './grammar-words.ts';
import type { Pattern } from '../plan/pattern.ts';
import type { PatternProblem } from './pattern-parse.ts';
import type { Span } from './source.ts';

export interface Recipe {
  readonly statements: readonly Statement[];
}

export type Statement =
  | ParamStatement
  | LetStatement
  | PrintStatement
  | EmitStatement
  | AssignStatement
  | IfStatement
  | ForStatement
  | WhileStatement
  | BreakStatement
  | AssertStatement
  | WriteStatement
  | DumpStatement
  | PatchStatement
  | TypeDeclaration;

/** `struct Player { … }`, `union U { … }`, `enum Colour : u8 { … }`: a type the recipe's typed references may name. */
export interface TypeDeclaration {
  readonly kind: 'type';
  readonly tag: 'struct' | 'union' | 'enum';
  readonly name: Identifier;
  /** `struct X packed { … }`: no padding, every field at the next byte. */
  readonly packed: boolean;
  readonly fields: readonly FieldDeclaration[];
  readonly enumerators: readonly EnumeratorDeclaration[];
  /** `enum X : u8`: the enum's integer type (4 bytes, as C's `int`, unless given). */
  readonly base: TypeExpression | undefined;
  readonly span: Span;
}

/** `level: u32` or `level: u32 at 16` in a struct or union. */
export interface FieldDeclaration {
  readonly name: Identifier;
  readonly type: TypeExpression;
  readonly at: Expression | undefined;
  readonly span: Span;
}

/** `green` or `green = 4` in an enum. */
export interface EnumeratorDeclaration {
  readonly name: Identifier;
  readonly value: Expression | undefined;
  readonly span: Span;
}

/** A C type as a recipe writes it: `u32`, `char[16]`, `Player*`, `struct malloc_state`. */
export type TypeExpression =
  | { readonly kind: 'named'; readonly tag: 'struct' | 'union' | 'enum' | undefined; readonly name: string; readonly span: Span }
  | { readonly kind: 'pointer'; readonly target: TypeExpression; readonly span: Span }
  | { readonly kind: 'array'; readonly element: TypeExpression; readonly count: Expression | undefined; readonly span: Span };

export interface Identifier {
  readonly name: string;
  readonly span: Span;
}

/** `param counter: ptr = 0x10` */
export interface ParamStatement {
  readonly kind: 'param';
  readonly name: Identifier;
  readonly type: TypeRef;
  readonly default: Expression | undefined;
  readonly span: Span;
}

/** `let n = EXPR` */
export interface LetStatement {
  readonly kind: 'let';
  readonly name: Identifier;
  readonly value: Expression;
  readonly span: Span;
}

/** `print a, b` */
export interface PrintStatement {
  readonly kind: 'print';
  readonly values: readonly Expression[];
  readonly span: Span;
}

/** `emit version = EXPR` */
export interface EmitStatement {
  readonly kind: 'emit';
  readonly name: Identifier;
  readonly value: Expression;
  readonly span: Span;
}

/** `total = total + 1`: a new value for a `let` name. */
export interface AssignStatement {
  readonly kind: 'assign';
  readonly name: Identifier;
  readonly value: Expression;
  readonly span: Span;
}

/** `if COND { … } else { … }`; `else if` nests another IfStatement in `otherwise`. */
export interface IfStatement {
  readonly kind: 'if';
  readonly condition: Expression;
  readonly then: readonly Statement[];
  readonly otherwise: readonly Statement[] | undefined;
  readonly span: Span;
}

/** `for i in A..B [limit N] { … }` (i from A up to B-1) or `for h in LIST [limit N] { … }`. */
export interface ForStatement {
  readonly kind: 'for';
  readonly variable: Identifier;
  readonly over: ForRange | ForList;
  readonly limit: Expression | undefined;
  readonly body: readonly Statement[];
  readonly span: Span;
}

/** `while COND [limit N] { … }` */
export interface WhileStatement {
  readonly kind: 'while';
  readonly condition: Expression;
  readonly limit: Expression | undefined;
  readonly body: readonly Statement[];
  readonly span: Span;
}

/** `break`: leaves the innermost `for` or `while`. */
export interface BreakStatement {
  readonly kind: 'break';
  readonly span: Span;
}

/** `assert COND[, MESSAGE]` */
export interface AssertStatement {
  readonly kind: 'assert';
  readonly condition: Expression;
  readonly message: Expression | undefined;
  readonly span: Span;
}

export interface ForRange {
  readonly kind: 'range';
  readonly from: Expression;
  readonly to: Expression;
}

export interface ForList {
  readonly kind: 'list';
  readonly list: Expression;
}

/** `write u32 at p = n + 1` */
export interface WriteStatement {
  readonly kind: 'write';
  readonly type: TypeRef;
  readonly address: Expression;
  readonly value: Expression;
  readonly span: Span;
}

/** `dump p, 64` */
export interface DumpStatement {
  readonly kind: 'dump';
  readonly address: Expression;
  readonly length: Expression;
  readonly span: Span;
}

/** `patch ["name"] [freeze] at … expect … with …`, or a block of sites. */
export interface PatchStatement {
  readonly kind: 'patch';
  readonly name: StringLiteral | undefined;
  readonly freeze: boolean;
  readonly sites: readonly PatchSite[];
  readonly span: Span;
}

export interface PatchSite {
  readonly address: Expression;
  /** Required by the checker; optional in the grammar so its absence gets a clear message. */
  readonly expect: Datum | undefined;
  readonly replacement: Datum;
  readonly span: Span;
}

/**
 * Bytes given as a value: `u32 1000` (typed), `utf16 "text"`, or an expression
 * that is bytes or a string already (`hex"48 8b"`, `"secret"`, a name).
 */
export type Datum =
  | { readonly kind: 'typed'; readonly type: TypeRef; readonly value: Expression; readonly span: Span }
  | { readonly kind: 'utf16'; readonly value: Expression; readonly span: Span }
  | { readonly kind: 'plain'; readonly value: Expression; readonly span: Span };

/** A type as written: `u32`, `cstring max 64`, `bytes 16`; the checker decides whether it exists. */
export interface TypeRef {
  readonly name: string;
  /** `max N` of a cstring, or N of `bytes N` / `utf16 N`. */
  readonly size: Expression | undefined;
  readonly span: Span;
}

export type Expression =
  | IntegerLiteral
  | FloatLiteral
  | BooleanLiteral
  | ListLiteral
  | StringLiteral
  | BytesLiteral
  | IndexExpression
  | ScanExpression
  | PointerScanExpression
  | NarrowExpression
  | NameReference
  | UnaryExpression
  | BinaryExpression
  | ReadExpression
  | DerefExpression
  | CallExpression
  | FieldExpression
  | CastExpression
  | SizeofExpression
  | OffsetofExpression
  | TypedReadExpression
  | CompareExpression
  | LogicalExpression
  | NotExpression;

export type { CompareOperator };

export interface CompareExpression {
  readonly kind: 'compare';
  readonly operator: CompareOperator;
  readonly left: Expression;
  readonly right: Expression;
  readonly span: Span;
}

export interface LogicalExpression {
  readonly kind: 'logical';
  readonly operator: '&&' | '||';
  readonly left: Expression;
  readonly right: Expression;
  readonly span: Span;
}

export interface NotExpression {
  readonly kind: 'not';
  readonly operand: Expression;
  readonly span: Span;
}

export interface IntegerLiteral {
  readonly kind: 'integer';
  readonly value: bigint;
  readonly span: Span;
}

export interface FloatLiteral {
  readonly kind: 'float';
  readonly value: number;
  readonly span: Span;
}

/** `true`, `false` */
export interface BooleanLiteral {
  readonly kind: 'boolean';
  readonly value: boolean;
  readonly span: Span;
}

/** `[a, b]`, `[a,]`, `[]` */
export interface ListLiteral {
  readonly kind: 'list';
  readonly items: readonly Expression[];
  readonly span: Span;
}

export interface StringLiteral {
  readonly kind: 'string';
  /** The text; a `\xNN` escape stands for U+00NN here. */
  readonly value: string;
  /** The bytes it writes: UTF-8 of the text, except that `\xNN` is the byte NN. */
  readonly bytes: Uint8Array;
  readonly span: Span;
}

/** `hex"48 8b ?? ?5"`: bytes, or a pattern when it has wildcards, jumps or alternatives. */
export interface BytesLiteral {
  readonly kind: 'bytes';
  /** Undefined when the text is not a valid pattern: `problem` says why, and the checker reports it. */
  readonly pattern: Pattern | undefined;
  readonly problem: PatternProblem | undefined;
  /** The text between the quotes, for messages and plans. */
  readonly text: string;
  readonly span: Span;
}

export type { Pattern };

/** `hits[0]` */
export interface IndexExpression {
  readonly kind: 'index';
  readonly object: Expression;
  readonly index: Expression;
  readonly span: Span;
}

/** `scan NEEDLE in RANGE [perms "r-x"] [align N] [limit N] [unique]` */
export interface ScanExpression {
  readonly kind: 'scan';
  readonly needle: Datum;
  readonly range: { readonly kind: 'all' | 'anon'; readonly span: Span } | { readonly kind: 'region'; readonly region: Expression; readonly span: Span };
  readonly perms: Expression | undefined;
  readonly align: Expression | undefined;
  readonly limit: Expression | undefined;
  readonly unique: boolean;
  /** Options given twice, for the checker to report. */
  readonly repeated: readonly Span[];
  readonly span: Span;
}

/** `pointerscan to ADDR depth D offset MAX [limit N] [stacks]`: the pointer paths from static memory (and thread stacks) that lead to ADDR. */
export interface PointerScanExpression {
  readonly kind: 'pointerscan';
  readonly address: Expression;
  /** Needed, as the checker says; undefined where the recipe leaves them out. */
  readonly depth: Expression | undefined;
  readonly offset: Expression | undefined;
  readonly limit: Expression | undefined;
  /** `in REGION`: bases only there (a module's, say). */
  readonly within: Expression | undefined;
  readonly stacks: boolean;
  /** Options given twice, for the checker to report. */
  readonly repeated: readonly Span[];
  readonly span: Span;
}

/** How `narrow` tests each item's value now (and, for a change, against the value the list remembers). */
export type NarrowTest =
  | { readonly kind: 'compare'; readonly operator: CompareOperator; readonly value: Expression; readonly within: Expression | undefined; readonly span: Span }
  | { readonly kind: 'between'; readonly low: Expression; readonly high: Expression; readonly span: Span }
  | { readonly kind: 'change'; readonly change: Change; readonly span: Span }
  /** Every item that can be read, its value remembered: Cheat Engine's unknown initial value. */
  | { readonly kind: 'any'; readonly span: Span }
  /** `narrow paths to ADDR`: the items that lead to ADDR now (a pointer path, followed; an address, as it is). No value is read. */
  | { readonly kind: 'to'; readonly address: Expression; readonly span: Span };

/** `narrow LIST TYPE TEST`: the items of LIST whose TYPE value passes TEST now (Cheat Engine's next scan); `narrow LIST to ADDR`, without a type. */
export interface NarrowExpression {
  readonly kind: 'narrow';
  readonly list: Expression;
  readonly type: TypeRef | undefined;
  readonly test: NarrowTest;
  readonly span: Span;
}

export interface NameReference {
  readonly kind: 'name';
  readonly name: string;
  readonly span: Span;
}

export type UnaryOperator = '-' | '~';

export interface UnaryExpression {
  readonly kind: 'unary';
  readonly operator: UnaryOperator;
  readonly operand: Expression;
  readonly span: Span;
}

export type { BinaryOperator };

export interface BinaryExpression {
  readonly kind: 'binary';
  readonly operator: BinaryOperator;
  readonly left: Expression;
  readonly right: Expression;
  /** The operator itself, where a runtime error (division by zero) points. */
  readonly operatorSpan: Span;
  readonly span: Span;
}

/** `read u32 at EXPR` */
export interface ReadExpression {
  readonly kind: 'read';
  readonly type: TypeRef;
  readonly address: Expression;
  readonly span: Span;
}

/** `[EXPR]`: the pointer stored at EXPR. */
export interface DerefExpression {
  readonly kind: 'deref';
  readonly address: Expression;
  readonly span: Span;
}

/** `module("libc.so.6")`, `symbol("app", "main")`: a builtin applied to arguments. */
export interface CallExpression {
  readonly kind: 'call';
  readonly callee: Identifier;
  readonly args: readonly Expression[];
  readonly span: Span;
}

/** `EXPR.start`: a field of a region. */
export interface FieldExpression {
  readonly kind: 'field';
  readonly object: Expression;
  readonly field: Identifier;
  readonly span: Span;
}

/** `EXPR as TYPE [from "MODULE"]`: the TYPE at address EXPR; nothing is read until a member's value is used. */
export interface CastExpression {
  readonly kind: 'cast';
  readonly value: Expression;
  readonly type: TypeExpression;
  readonly module: StringLiteral | undefined;
  readonly span: Span;
}

/** `sizeof(TYPE)` */
export interface SizeofExpression {
  readonly kind: 'sizeof';
  readonly type: TypeExpression;
  /** `sizeof(T from "MODULE")`: that module's debug info only. */
  readonly module: StringLiteral | undefined;
  readonly span: Span;
}

/** `offsetof(TYPE, member.member[2])`: members by name, array elements by constant index. */
export interface OffsetofExpression {
  readonly kind: 'offsetof';
  readonly type: TypeExpression;
  readonly module: StringLiteral | undefined;
  readonly path: readonly ({ readonly kind: 'member'; readonly name: Identifier } | { readonly kind: 'index'; readonly index: Expression; readonly span: Span })[];
  readonly span: Span;
}

/**
 * A read the type pass (typed-lowering.ts) made of a typed member or element:
 * never written by a recipe, it stands where `p.level` or `p.pos[2]` was, with
 * the memory type the C type reads as.
 */
export interface TypedReadExpression {
  readonly kind: 'typed-read';
  readonly type: MemoryType;
  readonly address: Expression;
  readonly span: Span;
}
