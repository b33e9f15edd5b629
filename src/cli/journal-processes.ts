// The processes a journal names, each by pid *and* start time (a pid alone may
// have been reused), and whether each is still the process it patched.
import { readFileSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import type { JournalEntry } from '../runtime/journal/journal.ts';
import { startTimeOf } from '../target/live-process.ts';

export interface JournaledProcess {
  readonly pid: number;
  readonly startTime: string | undefined;
  readonly exe: string | undefined;
  readonly entries: readonly JournalEntry[];
}

/** The journal's processes, in the order they first appear, each with its entries in journal order. */
export function processesOf(entries: readonly JournalEntry[]): JournaledProcess[] {
  const byProcess = new Map<string, { pid: number; startTime: string | undefined; exe: string | undefined; entries: JournalEntry[] }>();
  for (const entry of entries) {
    const key = `${entry.pid}@${entry.startTime ?? ''}`;
    let process = byProcess.get(key);
    if (process === undefined) byProcess.set(key, process = { pid: entry.pid, startTime: entry.startTime, exe: entry.exe, entries: [] });
    process.entries.push(entry);
  }
  return [...byProcess.values()];
}

/** True while the process runs under the same pid with the same start time. */
export function stillRunning(process: JournaledProcess): boolean {
  const stat = attempt(() => readFileSync(`/proc/${process.pid}/stat`, 'latin1'));
  return stat !== undefined && process.startTime !== undefined && startTimeOf(stat) === process.startTime && !/\) Z /.test(stat);
}
