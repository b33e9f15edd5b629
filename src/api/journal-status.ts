// What a journal's patches are now in one process it names (`pvm status`,
// and the API's status()): each site applied, reverted, changed since, or
// gone with its process; and the JSON events `pvm status --json` prints.
import { hexAddress, toHex } from '../bytes.ts';
import type { LoadedPolicy } from '../policy/load.ts';
import { goneStates, siteStates, type SiteStatus, statementStates, type StatementStatus } from '../runtime/journal/journal-status.ts';
import { programChanged } from '../runtime/journal/journal-program.ts';
import { EXITED, goneReason, type JournaledProcess } from './journal-processes.ts';
import { openSession } from './session.ts';

/** One journaled site now. */
export interface SiteStatusEvent {
  readonly type: 'status';
  readonly pid: number;
  readonly startTime: string | null;
  readonly patch: string | null;
  readonly statement: 'patch' | 'write';
  readonly line: number;
  readonly address: string;
  readonly state: SiteStatus['state'];
  /** What pvm wrote, and what was there before. */
  readonly expected: string;
  readonly old: string;
  /** What the site holds now (null: unreadable, or gone). */
  readonly found: string | null;
  /** Why the site is gone: its process exited, or runs another program. */
  readonly reason?: string;
}

/** A patch of one statement, before its sites: its state as a whole (`partly applied` when its sites differ). */
export interface PatchStatusEvent {
  readonly type: 'patch';
  readonly pid: number;
  readonly startTime: string | null;
  readonly patch: string | null;
  readonly line: number;
  readonly state: StatementStatus['state'];
  readonly sites: number;
  readonly applied: number;
  readonly reverted: number;
  readonly changed: number;
  readonly gone: number;
  readonly reason?: string;
}

export type StatusEvent = PatchStatusEvent | SiteStatusEvent;

/** The state of each of the process's journaled sites, read through the guard under the policies; `gone` says why sites are gone. */
export async function statusOf(process: JournaledProcess, policies: readonly LoadedPolicy[], audit: string | undefined): Promise<{ states: SiteStatus[]; gone: string }> {
  const reason = goneReason(process);
  if (reason !== undefined) return { states: goneStates(process.entries), gone: reason };
  const session = await openSession({ kind: 'pid', pid: process.pid }, policies, audit);
  try {
    // The same process may run another program since (exec): then nothing of the patches is left in it.
    const replaced = programChanged(process.entries, session.target);
    return replaced === undefined ? { states: siteStates(process.entries, session.target), gone: EXITED } : { states: goneStates(process.entries), gone: replaced };
  } finally {
    session.close();
  }
}

/** Each statement's sites as events, a patch of more than one site under an event of its own. */
export function statusEvents(process: JournaledProcess, states: readonly SiteStatus[], gone: string): StatusEvent[] {
  const common = { pid: process.pid, startTime: process.startTime ?? null };
  return statementStates(states).flatMap(({ statement, sites, state }): StatusEvent[] => [
    ...(statement === 'patch'
      ? [{
        type: 'patch' as const,
        ...common,
        patch: sites[0]!.entry.patch ?? null,
        line: sites[0]!.entry.line,
        state,
        sites: sites.length,
        ...tally(sites),
        ...(state === 'gone' ? { reason: gone } : {}),
      }]
      : []),
    ...sites.map(({ entry, state, found }) => ({
      type: 'status' as const,
      ...common,
      patch: entry.patch ?? null,
      statement: entry.statement,
      line: entry.line,
      address: hexAddress(entry.address),
      state,
      expected: toHex(entry.new),
      old: toHex(entry.old),
      found: found === undefined ? null : toHex(found),
      ...(state === 'gone' ? { reason: gone } : {}),
    })),
  ]);
}

/** How many sites are in each state. */
export function tally(sites: readonly SiteStatus[]): { applied: number; reverted: number; changed: number; gone: number } {
  const counts = { applied: 0, reverted: 0, changed: 0, gone: 0 };
  for (const site of sites) counts[site.state]++;
  return counts;
}
