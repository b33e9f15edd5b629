// Every error code pvm reports (`"code"` in --json errors and diagnostics),
// with what it means. Codes are stable: scripts branch on them, so one is
// added, never renamed. docs/errors.md lists them (`npm run errors` writes it; a test keeps it in step).

export const ERROR_GROUPS = [
  {
    title: 'Recipe problems `pvm check` finds (exit 2), before anything runs',
    codes: {
      'invalid-recipe': 'the recipe has problems; --json gives one error line per problem, each with its own code',
      syntax: 'the recipe does not parse; each broken statement is reported',
      'too-deep': 'brackets, parentheses or blocks nest deeper than 32',
      'unknown-name': 'a name used before it is defined (did-you-mean in the hint)',
      'unknown-type': 'a type that does not exist (u24)',
      'unknown-function': 'a call of a function pvm does not have',
      'unknown-field': 'a region field other than start, end and size',
      'unknown-register': 'reg() with a name not in x86-64 user_regs_struct',
      redefined: 'a name defined twice, or shadowing an outer one',
      'read-only': 'an assignment to a param or a loop variable',
      type: 'a value of the wrong kind for where it is used',
      'type-size': 'a sized type (bytes N, utf16 N, cstring max N) without a valid constant size',
      arity: 'a function called with the wrong number of arguments',
      'not-literal': 'module(), symbol() or region() with an argument that is not a string literal',
      condition: 'a number where a condition is needed, or the reverse',
      range: 'a value that does not fit its type (a constant: found by pvm check)',
      wildcard: 'a pattern with wildcards where concrete bytes are needed',
      pattern: 'a malformed hex"…" pattern (the span points at the bad character)',
      'param-position': 'a param inside a block',
      'param-type': 'a param of a type params cannot have',
      'param-default-reads': 'a param default that reads memory or looks up modules',
      'patch-expect': 'a patch site without `expect`',
      'patch-length': 'a patch site whose `with` is longer than its `expect`',
      'scan-align': 'a scan alignment that is not a constant power of two',
      'scan-option': 'a scan option given twice',
      'scan-perms': 'a perms filter that is not like "r-x"',
      'scan-range': 'a scan range that is not a region',
      'break-outside-loop': '`break` outside a for or while loop',
      'bad-limit': 'a negative limit',
      'dump-size': 'a dump of fewer than 1 or more than 65536 bytes',
      'unbounded-loop': 'a loop that would run past 1,000,000 iterations without `limit`',
    },
  },
  {
    title: 'Errors while running a recipe (exit 2)',
    codes: {
      'division-by-zero': 'a / or % by zero',
      overflow: 'an integer past ±2^128 (integers are exact and bounded)',
      'bad-shift': 'a shift by a negative or huge amount',
      'string-too-long': 'joining strings past 1 Mi characters',
      index: 'a list or bytes index out of range',
      'empty-list': 'min() or max() of an empty list',
      'empty-needle': 'a scan for zero bytes',
      'bad-range': 'range() with a negative size, or past 2^64',
      'bad-address': 'an address outside 0 to 2^64-1',
      size: 'a value to write that is not the size its type says (bytes N, utf16 N, cstring max N)',
      'patch-overlap': 'two sites of one patch overlap',
    },
  },
  {
    title: 'Assertions (exit 1)',
    codes: {
      assert: 'an assert that failed',
      'scan-not-unique': 'a `unique` scan that found no match or more than one',
      'patch-mismatch': 'a patch site that does not hold its expected bytes; nothing was written',
      'site-changed': 'a patch site changed between verification and write',
      'revert-incomplete': 'pvm revert left sites alone that no longer hold what pvm wrote',
    },
  },
  {
    title: 'The command line and the files it names (exit 2)',
    codes: {
      usage: 'an option, command or argument pvm does not understand',
      'bad-arg': 'an --arg that is not NAME=VALUE, or whose value does not parse',
      'unknown-arg': 'an --arg for a param the recipe does not have',
      'missing-arg': 'a param without a default and without --arg',
      'arg-range': 'an --arg value out of its type\'s range',
      'recipe-unreadable': 'a recipe file that cannot be read (or is not a regular file)',
      'recipe-too-large': 'a recipe of more than 4 MiB',
      'policy-unreadable': 'a --policy file that cannot be read',
      'policy-invalid': 'a policy that is not valid JSON or breaks the schema',
      'journal-unreadable': 'a journal to revert that cannot be read',
      'journal-invalid': 'a journal to revert that is not a pvm journal',
      'audit-unwritable': 'the policy\'s audit log cannot be written',
      'report-unwritable': 'the --report file cannot be written',
      'snapshot-unwritable': 'the snapshot file cannot be written',
      'only-matches-nothing': '--only selects no region of the process',
      'core-unreadable': 'a core or snapshot that cannot be opened',
      'bad-core': 'a file that is not an x86-64 ELF core pvm can read',
    },
  },
  {
    title: 'Refusals (exit 3): nothing was touched, or nothing more',
    codes: {
      'access-denied': 'the kernel refused access to the process (ptrace access mode check, Yama)',
      'policy-denied': 'a policy forbids this target, read, write or freeze',
      'write-not-allowed': 'a recipe that writes, run without --allow-write (or --dry-run)',
      'read-only-target': 'a write or patch against a core or snapshot',
      'freeze-denied': 'the threads cannot be stopped: another tracer, or ptrace refused',
      'step-budget': 'the recipe ran more statements than its budget',
      'read-budget': 'the recipe read more bytes than its budget',
      'scan-budget': 'the scans searched more bytes than their budget',
      'hit-budget': 'a scan found more hits than its budget',
      'lock-unavailable': 'the write lock file of the process cannot be created or locked; nothing was written',
      'journal-unwritable': 'the journal cannot be written, so nothing was written to the target',
      'journal-write-failed': 'appending to the journal failed, so the write did not happen',
    },
  },
  {
    title: 'The target (exit 4), and starting one',
    codes: {
      'no-such-process': 'no process with that pid or name',
      'ambiguous-process': '--name matches several processes (their pids are listed)',
      'kernel-thread': 'a kernel thread, which has no user memory',
      'target-exited': 'the process exited (or is a zombie)',
      'target-busy': 'another pvm is writing to the process (it holds the write lock); nothing was written',
      'native-unavailable': 'the native layer (koffi) could not be loaded',
      unmapped: 'an address that is not mapped (the message names the nearest region)',
      unwritable: 'a write that cannot land: no write permission, or the kernel refused',
      'no-module': 'no mapped file matches module("…") (did-you-mean in the hint)',
      'ambiguous-module': 'module("…") matches several files',
      'no-region': 'no mapping is named region("…")',
      'no-symbol': 'the module (nor its debug file) has no such symbol',
      'ambiguous-symbol': 'symbol("NAME") without a module is a local symbol of several modules',
      'tls-symbol': 'a thread-local symbol, whose value is an offset, not an address',
      'ifunc-symbol': 'an IFUNC symbol, whose address is its resolver',
      'bad-module': 'a module that is not an ELF file pvm can read',
      'module-deleted': 'the module\'s file was deleted after the process loaded it',
      'module-replaced': 'the file at the module\'s path is not the one mapped',
      'module-unreadable': 'the module\'s file cannot be read',
      'build-id-mismatch': 'the file on disk is another build than the one running',
      'spawn-failed': 'the command after -- could not be started',
      'not-ready': 'a started command did not become ready (--ready) in time',
      'core-truncated': 'a core cut short: some of its memory is not in the file',
      'journal-other-process': 'a journal of another process (pid and start time differ)',
      'thread-in-site': 'a thread is executing (or will resume) inside a patch site',
      'patch-failed': 'a patch could not be written or read back, and was undone',
      'freeze-timeout': 'a thread could not be stopped in time (state D)',
      'no-thread': 'reg() of a thread that is not the target\'s',
      'no-registers': 'registers a core does not hold for a thread',
    },
  },
] as const;

type CodesOf<G> = G extends { readonly codes: infer C } ? keyof C : never;
export type ErrorCode = CodesOf<(typeof ERROR_GROUPS)[number]>;

/** docs/errors.md. */
export function errorCodesPage(): string {
  const lines = ['# Error codes', '', 'Every error pvm reports carries a stable code: `"code"` in `--json` error lines', '(and in each diagnostic of `pvm check --json`). Scripts may branch on them; a', 'code is added, never renamed. Each error line also carries its exit status (`"exit"`).', '', 'Generated from `src/error-codes.ts` by `npm run errors`.'];
  for (const group of ERROR_GROUPS) {
    lines.push('', `## ${group.title}`, '', '| code | meaning |', '| --- | --- |');
    for (const [code, meaning] of Object.entries(group.codes)) lines.push(`| \`${code}\` | ${(meaning as string).replaceAll('|', '\\|')} |`);
  }
  return `${lines.join('\n')}\n`;
}
