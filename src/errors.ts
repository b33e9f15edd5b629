// pvm's user-facing errors. Each carries the exit status the README lists ("Use"), where it
// happened (file:line:col, or pid/address), why, and a fix. Internal bugs are
// plain `Error`s raised by `assert`, never one of these.

import type { ErrorCode } from './error-codes.ts';

export type { ErrorCode };

/** Exit statuses, as the README lists them ("Use"). */
export const Exit = {
  ok: 0,
  assertion: 1,
  usage: 2,
  denied: 3,
  target: 4,
} as const;
export type ExitCode = (typeof Exit)[keyof typeof Exit];

/**
 * The exit status of a run over many processes: 0 only if every process
 * succeeded; otherwise refusals (3) first, since an operator must act on
 * them, then target errors (4), then assertions (1: a site changed since).
 */
export function mostSerious(exits: readonly ExitCode[]): ExitCode {
  // A status pvm does not give (a crash of one pvm, 70) outranks them all.
  const unknown = exits.find((exit) => !(Object.values(Exit) as number[]).includes(exit));
  if (unknown !== undefined) return unknown;
  for (const exit of [Exit.denied, Exit.target, Exit.usage, Exit.assertion] as const) if (exits.includes(exit)) return exit;
  return Exit.ok;
}

export interface PvmErrorOptions {
  /** Where it went wrong: `recipe.pvm:3:9`, `pid 4242`, … */
  readonly where?: string | undefined;
  /** The recipe line and column, when it went wrong in a recipe (for --json). */
  readonly line?: number | undefined;
  readonly col?: number | undefined;
  /** How to fix it, as one sentence. */
  readonly hint?: string | undefined;
  /** A source excerpt (line and caret) rendered under the message. */
  readonly excerpt?: string | undefined;
  readonly cause?: unknown;
}

/** Base class of every error a user can cause; `code` is stable for scripts (error-codes.ts lists them). */
export class PvmError extends Error {
  readonly code: ErrorCode;
  readonly exit: ExitCode;
  readonly where: string | undefined;
  readonly line: number | undefined;
  readonly col: number | undefined;
  readonly hint: string | undefined;
  readonly excerpt: string | undefined;

  constructor(exit: ExitCode, code: ErrorCode, message: string, options: PvmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exit = exit;
    this.code = code;
    this.where = options.where;
    this.line = options.line;
    this.col = options.col;
    this.hint = options.hint;
    this.excerpt = options.excerpt;
  }
}

/** Bad command line: exit 2. */
export class UsageError extends PvmError {
  constructor(code: ErrorCode, message: string, options?: PvmErrorOptions) {
    super(Exit.usage, code, message, options);
  }
}

/** The recipe is invalid, statically or when a value turns out wrong: exit 2. */
export class RecipeError extends PvmError {
  constructor(code: ErrorCode, message: string, options?: PvmErrorOptions) {
    super(Exit.usage, code, message, options);
  }
}

/** Policy or kernel permission refused: exit 3. */
export class DeniedError extends PvmError {
  constructor(code: ErrorCode, message: string, options?: PvmErrorOptions) {
    super(Exit.denied, code, message, options);
  }
}

/** No such process, address not mapped, target exited: exit 4. */
export class TargetError extends PvmError {
  constructor(code: ErrorCode, message: string, options?: PvmErrorOptions) {
    super(Exit.target, code, message, options);
  }
}

/** An `assert` failed or a patch's expected bytes did not match: exit 1. */
export class AssertionFailed extends PvmError {
  constructor(code: ErrorCode, message: string, options?: PvmErrorOptions) {
    super(Exit.assertion, code, message, options);
  }
}

/** Internal invariant; a failure is a bug in pvm, not in the recipe. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`pvm internal error: ${message}`);
}

export function assertNever(value: never): never {
  throw new Error(`pvm internal error: unexpected ${JSON.stringify(value)}`);
}
