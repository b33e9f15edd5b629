// `pvm status JOURNAL`: what each journaled site holds now in its process —
// pvm's bytes (applied), the old ones (reverted), or neither (changed) — read
// in one batch per process. A process that is no longer there is `gone`,
// decided by the caller (it never opens one).
import { bytesEqual } from '../../bytes.ts';
import type { MemorySource } from '../../target/target.ts';
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

/** A patch's state: its sites' when they agree; `partly applied` when some hold pvm's bytes and the rest the old ones. */
export type PatchState = SiteState | 'partly applied';

/** One statement's sites: a `patch` as it was applied once (one transaction), or one `write`. */
export interface StatementStatus {
  readonly statement: 'patch' | 'write';
  readonly sites: readonly SiteStatus[];
  readonly state: PatchState;
}

/**
 * The sites of one process grouped by the statement that wrote them, in journal order: the entries of one
 * application of a `patch` are journaled together (one append), so a run of entries of the same patch (recipe,
 * line and name) is one application, until a site comes again (the patch applied again after a revert). A patch
 * whose sites were not all written, as when pvm is killed between two of its write calls, is `partly applied`.
 */
export function statementStates(states: readonly SiteStatus[]): StatementStatus[] {
  const groups: { statement: 'patch' | 'write'; sites: SiteStatus[]; key: string; addresses: Set<bigint> }[] = [];
  for (const site of states) {
    const { entry } = site;
    const key = `${entry.statement}\0${entry.recipe.sha256}\0${entry.recipe.name}\0${entry.line}\0${entry.patch ?? ''}`;
    const last = groups.at(-1);
    if (entry.statement === 'patch' && last?.key === key && !last.addresses.has(entry.address)) {
      last.sites.push(site);
      last.addresses.add(entry.address);
    } else groups.push({ statement: entry.statement, sites: [site], key, addresses: new Set([entry.address]) });
  }
  return groups.map(({ statement, sites }) => ({ statement, sites, state: patchState(sites) }));
}

function patchState(sites: readonly SiteStatus[]): PatchState {
  const states = new Set(sites.map((site) => site.state));
  if (states.size === 1) return sites[0]!.state;
  return states.size === 2 && states.has('applied') && states.has('reverted') ? 'partly applied' : 'changed';
}
