// What a run is asked to do, whoever asks: the command line parses it from
// argv (src/cli/args.ts), the API makes it from open()'s target and run()'s
// options (open.ts). Both hand it to run-recipe.ts, the one way a recipe
// runs, under the same policies and guard.
import type { JournalSync } from './journal-file.ts';
import type { Afterwards, Readiness } from '../target/spawn.ts';
import type { GivenPolicy } from '../policy/system.ts';

export type TargetSpec =
  | { readonly kind: 'pid'; readonly pid: number }
  | { readonly kind: 'name'; readonly name: string }
  /** A core file: --core (gdb's gcore, the kernel's, pvm's), or --snapshot (pvm's own, which must carry pvm's note). */
  | { readonly kind: 'core'; readonly path: string; readonly snapshot: boolean }
  /** `-- COMMAND ARGS...`: pvm starts the program as its child (src/target/spawn.ts). */
  | { readonly kind: 'spawn'; readonly command: readonly string[]; readonly ready: Readiness; readonly then: Afterwards };

/** A live target: snapshots and reverts need one. */
export type LiveTargetSpec = Exclude<TargetSpec, { kind: 'core' }>;

/** The policy a command adds to the system policy (which it can only narrow), and where decisions are logged. */
export interface PolicyOptions<Given = string> {
  /** --policy FILE; a run the API makes may be given the policy as an object instead (validated by the same schema). */
  readonly file: Given | undefined;
  /** --audit FILE. */
  readonly audit: string | undefined;
}

export type { GivenPolicy };

/** How writes and patches run (README, "Use"; docs/language.md). */
export interface WritingOptions {
  /** Check and show every write, make none; needs no --allow-write. */
  readonly dryRun: boolean;
  /** Stop every thread for each patch's write, not only for code. */
  readonly freeze: boolean;
  /** Append each patched site here, synced, before writing it. */
  readonly journal: string | undefined;
  /** --journal-sync: when the journal's appends are synced (journal-file.ts). */
  readonly journalSync: JournalSync;
}

/** A recipe's run against one target (a run over many is one of these for each process). */
export interface RunRequest {
  readonly target: TargetSpec;
  /** --arg NAME=VALUE, as given. */
  readonly args: readonly string[];
  readonly allowWrite: boolean;
  readonly writing: WritingOptions;
  /** Write the run's report (docs/forensics.md) here. */
  readonly report: string | undefined;
  /** The report keeps the recipe's sha256 but not its text (pvm verify then reads the recipe's file). */
  readonly reportWithoutRecipe: boolean;
  readonly policy: PolicyOptions<GivenPolicy>;
  /** A program pvm starts writes nothing to stdout (--json owns it). */
  readonly quietStdout: boolean;
}
