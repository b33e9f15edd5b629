// `pvm revert JOURNAL`: puts back the old bytes of every journaled site that
// still holds what pvm wrote there, and reports the others (something else
// wrote them since: clobbering that would undo someone's change). Entries are
// undone newest first, so a site patched twice goes back step by step. The
// journal must belong to this very process: same pid and same start time, and
// still running the program it patched (journal-program.ts).
import { TargetError } from '../../errors.ts';
import { describeTarget, type WritableTarget } from '../../target/target.ts';
import { bytesEqual } from '../../bytes.ts';
import type { JournalEntry } from './journal.ts';
import { programChanged, REEXECUTED } from './journal-program.ts';
import type { SourcePoint } from '../locate.ts';
import { writeSites } from '../writes/site-writer.ts';

export type RevertStatus = 'restored' | 'would restore' | 'already reverted' | 'changed since';

export interface RevertedSite {
  readonly entry: JournalEntry;
  readonly status: RevertStatus;
  /** What the site held before the revert (undefined if it could not be read). */
  readonly found: Uint8Array | undefined;
}

export interface RevertOptions {
  readonly target: WritableTarget;
  /** The journal's file name, for messages. */
  readonly journal: string;
  readonly dryRun: boolean;
  readonly freeze: boolean;
}

/** Reverts the entries of this process, newest first; `others` counts the entries of other processes, left alone. */
export function revertJournal(entries: readonly JournalEntry[], { target, journal, dryRun, freeze }: RevertOptions): { sites: RevertedSite[]; others: number } {
  const { pid, startTime } = target.identity;
  let mine = entries.filter((e) => e.pid === pid && e.startTime !== undefined && e.startTime === startTime);
  if (mine.length === 0) {
    const owners = [...new Set(entries.map((e) => `pid ${e.pid}${e.startTime === undefined ? '' : ` (started at tick ${e.startTime})`}`))];
    throw new TargetError('journal-other-process', `${journal} records patches of ${owners.join(', ') || 'no process'}, not of ${describeTarget(target.identity)}${startTime === undefined ? '' : ` (started at tick ${startTime})`}`, {
      hint: owners.length > 0 && entries.some((e) => e.pid === pid) ? 'the pid was reused: the patched process has exited, and its patches went with it' : 'give the pid of the process the journal was written for (--pid)',
    });
  }

  // Entries of an earlier program image of this process (it exec'd since, as a service re-executing itself does):
  // their memory is gone with it; those of the image it runs now are what a revert undoes.
  const image = target.identity.image;
  const current = mine.filter((e) => e.image === undefined || image === undefined || e.image === image);
  // The same process, but perhaps no longer the program it patched: then these addresses are another program's.
  const replaced = current.length === 0 ? programChanged(mine, target) ?? REEXECUTED : programChanged(current, target);
  mine = current;
  if (replaced !== undefined) {
    throw new TargetError('journal-program-replaced', `${journal} records patches of ${describeTarget(target.identity)} that it no longer holds: ${replaced}; nothing was written`, {
      hint: 'the patched memory went with the program or module that held it: a revert would write old bytes into whatever is there now',
    });
  }

  // A byte-level picture of the sites: read once, then undone entry by entry.
  const reads = target.read(mine.map((e) => ({ address: e.address, length: e.new.length })));
  const memory = new Map<bigint, number>();
  reads.forEach((r, i) => r.bytes.subarray(0, r.done).forEach((b, k) => memory.set(mine[i]!.address + BigInt(k), b)));
  const view = (e: JournalEntry): Uint8Array | undefined => {
    const bytes = new Uint8Array(e.new.length);
    for (let k = 0; k < bytes.length; k++) {
      const b = memory.get(e.address + BigInt(k));
      if (b === undefined) return undefined;
      bytes[k] = b;
    }
    return bytes;
  };

  const sites: RevertedSite[] = [];
  const changed = new Set<number>();
  for (let i = mine.length - 1; i >= 0; i--) {
    const entry = mine[i]!;
    const found = view(entry);
    if (found !== undefined && bytesEqual(found, entry.new)) {
      entry.old.forEach((b, k) => memory.set(entry.address + BigInt(k), b));
      changed.add(i);
      sites.push({ entry, status: dryRun ? 'would restore' : 'restored', found });
    } else {
      sites.push({ entry, status: found !== undefined && bytesEqual(found, entry.old) ? 'already reverted' : 'changed since', found });
    }
  }

  if (!dryRun && changed.size > 0) {
    // One site per distinct range, from what it holds now to what the undoing left.
    const ranges = new Map<string, { address: bigint; before: Uint8Array; after: Uint8Array; at: SourcePoint }>();
    for (const i of changed) {
      const entry = mine[i]!;
      const key = `${entry.address}:${entry.new.length}`;
      if (ranges.has(key)) continue;
      ranges.set(key, { address: entry.address, before: reads[i]!.bytes.slice(0, entry.new.length), after: view(entry)!, at: { where: `${journal} (patch at line ${entry.line})` } });
    }
    writeSites([...ranges.values()], { target, space: describeTarget(target.identity), freeze });
  }
  return { sites: sites.reverse(), others: entries.length - mine.length };
}
