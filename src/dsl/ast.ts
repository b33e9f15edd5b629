// The recipe's syntax tree: readonly tagged unions on `kind`, every node with
// a span. Built by parse.ts; nothing here knows Ohm or processes.
import type { BinaryOperator } from '../plan/arithmetic.ts';
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
  | AssertStatement;

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

/** `for i in A..B [limit N] { … }`: i from A up to B-1. */
export interface ForStatement {
  readonly kind: 'for';
  readonly variable: Identifier;
  readonly from: Expression;
  readonly to: Expression;
  readonly limit: Expression | undefined;
  readonly body: readonly Statement[];
  readonly span: Span;
}

/** `assert COND[, MESSAGE]` */
export interface AssertStatement {
  readonly kind: 'assert';
  readonly condition: Expression;
  readonly message: Expression | undefined;
  readonly span: Span;
}

/** A type as written: `u32`, `cstring max 64`; the checker decides whether it exists. */
export interface TypeRef {
  readonly name: string;
  readonly max: Expression | undefined;
  readonly span: Span;
}

export type Expression =
  | IntegerLiteral
  | StringLiteral
  | NameReference
  | UnaryExpression
  | BinaryExpression
  | ReadExpression
  | DerefExpression
  | CallExpression
  | FieldExpression
  | CompareExpression
  | LogicalExpression
  | NotExpression;

export type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

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

export interface StringLiteral {
  readonly kind: 'string';
  readonly value: string;
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
