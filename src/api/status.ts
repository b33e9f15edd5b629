// status(): what `pvm status JOURNAL [--pid N] --json` says, as objects:
// each journaled site of each process the journal names (or of one), read
// under the same policies and guard. A process that refuses or fails is its
// `error` event, and the others go on.
import { Exit, type ExitCode, mostSerious, PvmError, TargetError, UsageError } from '../errors.ts';
import type { Policy } from '../policy/schema.ts';
import { loadPolicies } from '../policy/system.ts';
import { givenPolicy } from './run-options.ts';
import { type ErrorEvent, errorEvents, withPid } from './events.ts';
import { readJournal } from './journal-read.ts';
import { processesOf } from './journal-processes.ts';
import { type StatusEvent, statusEvents, statusOf } from './journal-status.ts';

export interface StatusOptions {
  /** Only this process (it must be one the journal names). */
  readonly pid?: number;
  /** As run()'s: a policy file's path or the policy itself, narrowing the system policy. */
  readonly policy?: string | Policy;
  /** A line per policy decision. */
  readonly audit?: string;
}

export interface StatusResult {
  readonly events: readonly (StatusEvent | (ErrorEvent & { readonly pid: number }))[];
  /** 0, or the most serious of the processes' exit statuses. */
  readonly exit: ExitCode;
  /** Journal lines cut short (a crash while pvm wrote them), left out. */
  readonly incomplete: readonly number[];
}

/** Which of the journal's patches each process it names holds now. */
export async function status(journal: string, options: StatusOptions = {}): Promise<StatusResult> {
  if (typeof journal !== 'string' || journal === '') throw new UsageError('usage', 'status() needs the journal file a run wrote', { hint: "status('fix.journal')" });
  const { entries, incomplete } = readJournal(journal);
  const policies = await loadPolicies(givenPolicy(options.policy));
  let processes = processesOf(entries);
  if (options.pid !== undefined) {
    processes = processes.filter((p) => p.pid === options.pid);
    if (processes.length === 0) {
      throw new TargetError('journal-other-process', `${journal} records no patch of pid ${options.pid}`, { hint: 'give the pid of a process the journal was written for, or none for all of them' });
    }
  }
  const events: StatusResult['events'][number][] = [];
  const exits: ExitCode[] = [];
  for (const process of processes) {
    try {
      const { states, gone } = await statusOf(process, policies, options.audit);
      events.push(...statusEvents(process, states, gone));
      exits.push(Exit.ok);
    } catch (error) {
      if (!(error instanceof PvmError)) throw error;
      events.push(...errorEvents(error).map((event) => withPid(event, process.pid)));
      exits.push(error.exit);
    }
  }
  return { events, exit: mostSerious(exits), incomplete };
}
