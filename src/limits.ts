// Every limit of the sandbox in one place (docs/policy.md: every loop is bounded;
// reads, hits and steps have budgets), imported by the checker, the runtime
// and the policy, so that a number is never written twice.

/** Iterations a loop without `limit` may run; more is an error, never a silent cut. */
export const LOOP_CAP = 1_000_000n;
/** Bytes one `dump` shows at most. */
export const MAX_DUMP = 1 << 16;
/** How deep brackets, parentheses and blocks may nest: the parser recurses per level, and a stack has an end. */
export const MAX_NESTING = 32;
/**
 * How deep one statement may nest, counting every kind of nesting: each bracket, parenthesis and block, each
 * unary `-` `~` `!`, each `read … at`, each `else if`, each `[i]` and `.field` of a chain, each operator of a
 * chain (`1 + 2 + 3` is two levels: the tree is `(1 + 2) + 3`). The parser, the checker, the compiler, the
 * plan's printer and the evaluators walk the tree recursively; at this depth the hungriest (a loop body compiled
 * to JavaScript, which V8 parses recursively) needs about 350 KB of Node's 984 KB stack; Bun and Deno pass too.
 * Deeper is a `too-deep` diagnostic (issue 29: 500 unary minus or 2000 `1 +` crashed with exit 70).
 */
export const MAX_DEPTH = 200;
/** Syntax errors reported at most, one per top-level statement that fails (parsing stops after them). */
export const MAX_SYNTAX_ERRORS = 50;
/** Diagnostics reported for one recipe, at most; the rest are counted ("and 12 more errors"). */
export const MAX_DIAGNOSTICS = 100;
/** Columns of a source line a diagnostic shows around its caret, at most (a 1 MB line is cut, not echoed). */
export const MAX_EXCERPT_COLUMNS = 200;
/**
 * Characters a run may print (its output, as text or `--json` lines), which
 * is also what bounds the events its report records: past it the run stops
 * (exit 3, output-budget) rather than fill a disk or pvm's memory.
 */
export const MAX_OUTPUT_CHARS = 256 << 20;
/** Characters a string may grow to by joining (`+`): 1 Mi, as a read of bytes. */
export const MAX_STRING_LENGTH = 1 << 20;
/** Bytes a recipe file may hold. */
export const MAX_RECIPE_BYTES = 4 << 20;
/** Hits a scan without `limit` may return; more is an error. */
export const DEFAULT_SCAN_HITS = 1_000_000;

/** The budgets of a run; a policy may lower them (never raise them). */
export interface Limits {
  /** Statements executed, counting every loop iteration's. */
  readonly steps: number;
  /** Bytes read from the target. */
  readonly readBytes: number;
  /** Iterations a loop without `limit` may run. */
  readonly loopIterations: bigint;
  /** Bytes searched by scans, all together. */
  readonly scanBytes: number;
  /** Hits one scan may return. */
  readonly scanHits: number;
  /** Wall-clock seconds the run may take (a policy's run.maxSeconds); undefined: no limit. */
  readonly seconds?: number | undefined;
  /** The policy rule that set a budget lower, by budget, for messages (`run.maxSteps 1000 in policy.json`). */
  readonly rules?: { readonly [K in 'steps' | 'scanBytes' | 'scanHits' | 'seconds']?: string };
}

/** Steps (statements, and units of work inside builtins) between two looks at the clock when a run has a time limit: well under a millisecond of work. */
export const CLOCK_EVERY_STEPS = 1024;
/**
 * The same for a loop compiled to WebAssembly, whose steps cost a few
 * nanoseconds: the clock is looked at after each window of iterations (at
 * most 16,384), and a window hands back after at most this many steps (a few
 * milliseconds; each hand-back costs one iteration in the JS kernel).
 */
export const COMPILED_CLOCK_STEPS = 1 << 22;

export const DEFAULT_LIMITS: Limits = { steps: 10_000_000, readBytes: 1 << 30, loopIterations: LOOP_CAP, scanBytes: 64 * 2 ** 30, scanHits: DEFAULT_SCAN_HITS };

/**
 * Bytes pvm reads at most from a file a user names for it (policies, `--arg NAME=@FILE`, journals): each must be a
 * regular file (never a device, FIFO or socket, which could feed pvm forever or block it), at most this large.
 * Larger is exit 2 naming the file (regular-file.ts). A policy is a few lines; an argument file may hold a
 * million scan hits as `--json` lines (about 40 MB); a journal holds an entry per write made.
 */
export const MAX_POLICY_BYTES = 1 << 20;
export const MAX_ARG_FILE_BYTES = 64 << 20;
export const MAX_JOURNAL_BYTES = 64 << 20;
/** A pointer scan's depth at most: each level more can multiply the paths (Cheat Engine's default is 5). */
export const POINTER_SCAN_MAX_DEPTH = 8;
/** A pointer scan's offset bound at most: 1 MiB, far past any struct's field, already makes most words a candidate. */
export const POINTER_SCAN_MAX_OFFSET = 1 << 20;
/** What the checker and the run say of a depth or an offset bound out of range. */
export const POINTER_SCAN_DEPTH_HINT = 'a depth of 3 to 5 finds what most programs hold; each level more can multiply the paths';
export const POINTER_SCAN_OFFSET_HINT = 'the largest field offset in a struct on the way: 0x100 to 0x1000 is usual';
