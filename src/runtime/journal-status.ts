// `pvm status JOURNAL`: what each journaled site holds now in its process —
// pvm's bytes (applied), the old ones (reverted), or neither (changed) — read
// in one batch per process. A process that is no longer there is `gone`,
// decided by the caller (it never opens one).
import { bytesEqual } from '../bytes.ts';
import type { MemorySource } from '../target/target.ts';
import type { JournalEntry } from './journal.ts';

export type SiteState = 'applied' | 'reverted' | 'changed' | 'gone';

export interface SiteStatus {
  readonly entry: JournalEntry;
  readonly state: SiteState;
  /** What the site holds now; undefined when it is gone or could not be read. */
  readonly found: Uint8Array | undefined;
}

/** The state of each entry of one process (all of `entries` belong to `target`). */
export function siteStates(entries: readonly JournalEntry[], target: MemorySource): SiteStatus[] {
  const reads = target.read(entries.map((entry) => ({ address: entry.address, length: entry.new.length })));
  return entries.map((entry, i) => {
    const read = reads[i]!;
    const found = read.done === entry.new.length ? read.bytes.slice(0, read.done) : undefined;
    const state: SiteState = found !== undefined && bytesEqual(found, entry.new) ? 'applied' : found !== undefined && bytesEqual(found, entry.old) ? 'reverted' : 'changed';
    return { entry, state, found };
  });
}

/** Every entry of a process that has gone: exited, or its pid now names another process. */
export function goneStates(entries: readonly JournalEntry[]): SiteStatus[] {
  return entries.map((entry) => ({ entry, state: 'gone', found: undefined }));
}
