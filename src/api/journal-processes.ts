// The processes a journal names, each by pid *and* start time (a pid alone may
// have been reused), and whether each is still the process it patched.
import { readlinkSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import type { JournalEntry } from '../runtime/journal/journal.ts';
import { exeChanged, REEXECUTED } from '../runtime/journal/journal-program.ts';
import { imageOfStat, statFields, statWhileRunning } from '../target/process-identity.ts';

export interface JournaledProcess {
  readonly pid: number;
  readonly startTime: string | undefined;
  /** The program image its entries patched (a process that re-exec'd its program is two of these). */
  readonly image: string | undefined;
  readonly exe: string | undefined;
  readonly entries: readonly JournalEntry[];
}

/** The journal's processes, in the order they first appear, each with its entries in journal order. */
export function processesOf(entries: readonly JournalEntry[]): JournaledProcess[] {
  const byProcess = new Map<string, { pid: number; startTime: string | undefined; image: string | undefined; exe: string | undefined; entries: JournalEntry[] }>();
  for (const entry of entries) {
    const key = `${entry.pid}@${entry.startTime ?? ''}@${entry.image ?? ''}`;
    let process = byProcess.get(key);
    if (process === undefined) byProcess.set(key, process = { pid: entry.pid, startTime: entry.startTime, image: entry.image, exe: entry.exe, entries: [] });
    process.entries.push(entry);
  }
  return [...byProcess.values()];
}

/** The process is gone, in words; undefined while it runs under the same pid with the same start time and image. */
export function goneReason(process: JournaledProcess): string | undefined {
  const stat = statWhileRunning(process.pid, process.startTime);
  if (stat === undefined) return EXITED;
  const image = imageOfStat(statFields(stat));
  const exe = exeChanged(process.entries, attempt(() => readlinkSync(`/proc/${process.pid}/exe`)));
  // Another program can have the same image: without ASLR, a copy of the program at a path as long lands where it did.
  if (process.image === undefined || image === undefined || image === process.image) return exe;
  return exe ?? REEXECUTED;
}

export const EXITED = 'it exited, or its pid now names another process';
