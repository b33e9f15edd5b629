// `pvm status JOURNAL [TARGET]` and `pvm revert JOURNAL` without a target:
// every process a journal names, in this pvm and, when the work is long, in
// helper pvms too (helper-pool.ts; up to --jobs in all). A process that has
// gone, refuses or fails is reported and never stops the others; each
// process's lines come in the journal's order of processes, and the run's
// exit status is the most serious of theirs (see mostSerious).
import { hexAddress, hexLiteral } from '../bytes.ts';
import { count } from '../count.ts';
import { AssertionFailed, Exit, type ExitCode, mostSerious, PvmError, TargetError } from '../errors.ts';
import type { LoadedPolicy } from '../policy/load.ts';
import { type RevertedSite, revertJournal } from '../runtime/journal/revert.ts';
import { type SiteStatus, statementStates } from '../runtime/journal/journal-status.ts';
import { statusEvents, statusOf, tally } from '../api/journal-status.ts';
import type { JournalEntry } from '../runtime/journal/journal.ts';
import type { LiveTargetSpec } from './args.ts';
import { runPool, serveAsHelper } from './helper-pool.ts';
import { isHelper } from './helper-variable.ts';
import { formatError, formatRevert } from './format.ts';
import { errorEvents, withPid } from '../api/events.ts';
import { goneReason, type JournaledProcess, processesOf } from '../api/journal-processes.ts';
import { openSession, pidOf } from '../api/session.ts';

type Out = (text: string) => void;

/** The processes to visit: all the journal names, or the one TARGET is (an error if the journal does not name it). */
async function chosen(journal: string, entries: readonly JournalEntry[], target: Exclude<LiveTargetSpec, { kind: 'spawn' }> | undefined): Promise<JournaledProcess[]> {
  const processes = processesOf(entries);
  if (target === undefined) return processes;
  const pid = await pidOf(target);
  const mine = processes.filter((p) => p.pid === pid);
  if (mine.length === 0) {
    throw new TargetError('journal-other-process', `${journal} records patches of ${processes.map((p) => `pid ${p.pid}`).join(', ') || 'no process'}, not of pid ${pid}`, {
      hint: 'give the pid of a process the journal was written for, or no target for all of them',
    });
  }
  return mine;
}

function describeProcess(process: JournaledProcess): string {
  return `pid ${process.pid}${process.exe === undefined ? '' : ` (${process.exe.split('/').pop()})`}`;
}

/** What one process's visit printed (each item one line or block, as `out` takes it), and how it ended. */
interface Visit {
  readonly exit: ExitCode;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
  /** For a revert: what became of the process. */
  readonly outcome?: 'reverted' | 'alreadyReverted' | 'gone' | 'failed';
}

/** A journal command over its processes, as the command line gave it. */
export interface JournalRun {
  /** The journal's path, for messages. */
  readonly journal: string;
  readonly entries: readonly JournalEntry[];
  readonly policies: readonly LoadedPolicy[];
  readonly audit: string | undefined;
  readonly json: boolean;
  /** --jobs: the most pvms at work, this one included. */
  readonly jobs: number;
  /** The command line a helper pvm gets (this one less --jobs). */
  readonly helperArgs: readonly string[];
}

/** One process's error, kept and gone on from: as a JSON line naming the pid, or for stderr. */
function recordError(error: unknown, process: JournaledProcess, json: boolean, stdout: string[], stderr: string[]): ExitCode {
  if (!(error instanceof PvmError)) throw error;
  if (json) stdout.push(errorEvents(error).map((event) => JSON.stringify(withPid(event, process.pid))).join('\n'));
  else stderr.push(`${describeProcess(process)}: ${formatError(error)}`);
  return error.exit;
}

/**
 * Visits each process (in this pvm, or in helpers), and shows each visit in
 * the journal's order; a helper pvm serves the visits it is given instead.
 * A crash of one visit is that process's (exit 70), not the others'.
 */
async function visitEach(processes: readonly JournaledProcess[], run: JournalRun, visit: (process: JournaledProcess) => Promise<Visit>, lost: (process: JournaledProcess, why: string, exit: ExitCode) => Visit, out: Out): Promise<Visit[]> {
  const visitHere = async (index: number): Promise<Visit> => {
    try {
      return await visit(processes[index]!);
    } catch (error) {
      return lost(processes[index]!, `pvm: internal error (a bug in pvm, please report it): ${(error as Error)?.stack ?? String(error)}`, 70 as ExitCode);
    }
  };
  const visits: Visit[] = [];
  if (isHelper()) {
    await serveAsHelper(visitHere);
    return visits;
  }
  await runPool(processes.keys(), {
    jobs: run.jobs,
    helperArgs: processes.length > 1 ? run.helperArgs : undefined,
    runHere: visitHere,
    lost: (index, why, exit) => lost(processes[index]!, why, exit),
    deliver: (visit) => {
      visits.push(visit);
      for (const text of visit.stdout) out(text);
      for (const text of visit.stderr) globalThis.process.stderr.write(`${text}\n`);
    },
  });
  return visits;
}

export async function statusCommand(run: JournalRun, target: Exclude<LiveTargetSpec, { kind: 'spawn' }> | undefined, out: Out): Promise<ExitCode> {
  const { json } = run;
  const visit = async (process: JournaledProcess): Promise<Visit> => {
    try {
      const { states, gone } = await statusOf(process, run.policies, run.audit);
      return { exit: Exit.ok, stdout: [formatStatus(process, states, json, gone)], stderr: [] };
    } catch (error) {
      const stdout: string[] = [];
      const stderr: string[] = [];
      return { exit: recordError(error, process, json, stdout, stderr), stdout, stderr };
    }
  };
  const lost = (_: JournaledProcess, why: string, exit: ExitCode): Visit => ({ exit, stdout: [], stderr: [why] });
  const visits = await visitEach(await chosen(run.journal, run.entries, target), run, visit, lost, out);
  return mostSerious(visits.map((v) => v.exit));
}

/** Each statement's sites, a patch of more than one site under a line of its own that gives its state (`partly applied`). */
function formatStatus(process: JournaledProcess, states: readonly SiteStatus[], json: boolean, gone: string): string {
  if (json) return statusEvents(process, states, gone).map((event) => JSON.stringify(event)).join('\n');
  const statements = statementStates(states);
  const allGone = states.every((s) => s.state === 'gone');
  const header = `${describeProcess(process)}${allGone ? `: gone (${gone})` : ''}`;
  if (allGone) return header;
  const siteLine = ({ entry, state, found }: SiteStatus, indent: string): string => {
    const by = entry.patch !== undefined ? `patch "${entry.patch}"` : `${entry.statement} at line ${entry.line}`;
    const holds = state === 'changed' ? `: holds ${found === undefined ? 'unreadable bytes' : hexLiteral(found)}, neither ${hexLiteral(entry.new)} (pvm's) nor ${hexLiteral(entry.old)} (the old)` : '';
    return `${indent}${hexAddress(entry.address)}: ${state} (${by})${holds}`;
  };
  const lines = statements.flatMap(({ statement, sites, state }) => {
    if (statement === 'write' || sites.length === 1) return sites.map((site) => siteLine(site, '  '));
    const { entry } = sites[0]!;
    const counts = Object.entries(tally(sites)).filter(([, n]) => n > 0);
    const detail = counts.length === 1 ? count(sites.length, 'site') : `${count(sites.length, 'site')}: ${counts.map(([what, n]) => `${n} ${what}`).join(', ')}`;
    return [`  patch${entry.patch === undefined ? '' : ` "${entry.patch}"`} at line ${entry.line}: ${state} (${detail})`, ...sites.map((site) => siteLine(site, '    '))];
  });
  return [header, ...lines].join('\n');
}

/** Exit 1 when a revert left sites alone: something else wrote them after pvm did. */
export function throwIfIncomplete(sites: readonly RevertedSite[]): void {
  const left = sites.filter((s) => s.status === 'changed since').length;
  if (left === 0) return;
  throw new AssertionFailed('revert-incomplete', `${left} of ${count(sites.length, 'site')} no longer ${left === 1 ? 'holds' : 'hold'} what pvm wrote and ${left === 1 ? 'was' : 'were'} left alone`, {
    hint: 'something else changed them after the patch; check them before restoring them by hand',
  });
}

/** `pvm revert JOURNAL` with no target: every process the journal names that is still the same process. */
export async function revertEverywhere(run: JournalRun, writing: { dryRun: boolean; freeze: boolean }, out: Out): Promise<ExitCode> {
  const { json } = run;
  const visit = async (process: JournaledProcess): Promise<Visit> => {
    const reason = goneReason(process);
    if (reason !== undefined) {
      const line = json ? JSON.stringify({ type: 'target', pid: process.pid, status: 'gone', exit: 0 }) : `${describeProcess(process)}: gone (${reason}): nothing to revert`;
      return { exit: Exit.ok, stdout: [line], stderr: [], outcome: 'gone' };
    }
    const stdout: string[] = [];
    const stderr: string[] = [];
    try {
      const session = await openSession({ kind: 'pid', pid: process.pid }, run.policies, run.audit);
      try {
        const outcome = revertJournal(process.entries, { target: session.target.writable!, journal: run.journal, ...writing });
        if (!json) stdout.push(`${describeProcess(process)}:`);
        stdout.push(formatRevert({ sites: outcome.sites, others: 0 }, json, process.pid));
        throwIfIncomplete(outcome.sites);
        // Already reverted: every site held its old bytes already, so nothing was written to it.
        const already = outcome.sites.every((site) => site.status === 'already reverted');
        if (json) stdout.push(JSON.stringify({ type: 'target', pid: process.pid, status: already ? 'already reverted' : 'reverted', exit: 0 }));
        return { exit: Exit.ok, stdout, stderr, outcome: already ? 'alreadyReverted' : 'reverted' };
      } finally {
        session.close();
      }
    } catch (error) {
      const exit = recordError(error, process, json, stdout, stderr);
      if (json) stdout.push(JSON.stringify({ type: 'target', pid: process.pid, status: 'failed', exit }));
      return { exit, stdout, stderr, outcome: 'failed' };
    }
  };
  const lost = (process: JournaledProcess, why: string, exit: ExitCode): Visit => ({
    exit,
    stdout: json ? [JSON.stringify({ type: 'target', pid: process.pid, status: 'failed', exit })] : [],
    stderr: [why],
    outcome: 'failed',
  });
  const visits = await visitEach(processesOf(run.entries), run, visit, lost, out);
  if (isHelper()) return Exit.ok;
  const tally = { reverted: 0, alreadyReverted: 0, gone: 0, failed: 0 };
  for (const { outcome } of visits) tally[outcome!]++;
  const exit = mostSerious(visits.map((v) => v.exit));
  const processes = visits.length;
  out(
    json ? JSON.stringify({ type: 'summary', processes, ...tally, exit }) : `${count(processes, 'process')}: ${tally.reverted} reverted, ${tally.alreadyReverted} already reverted, ${tally.gone} gone, ${tally.failed} failed`,
  );
  return exit;
}
