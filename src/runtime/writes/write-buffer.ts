// Writes wait here and go to the target together, in one process_vm_writev
// of up to 1024 iovecs, until the recipe next reads, scans, dumps or patches
// (which must see them) or ends. The effect is that of writing one at a time:
// before a batch, each write is checked against the maps, and the batch stops
// before the first that could not land, so nothing after a failed write is
// written (the kernel itself would carry on with the next iovec). With a
// journal (docs/language.md: every write goes to it), the batch's old bytes are read
// in one call and journaled before it is sent.
import { DeniedError, TargetError } from '../../errors.ts';
import type { Loc } from '../../plan/plan.ts';
import type { ReadResult, Region, WritableTarget } from '../../target/target.ts';
import { explainFault } from '../explain-fault.ts';
import type { SourcePoint } from '../locate.ts';
import { hexAddress } from '../../bytes.ts';
import { firstUnwritable, writable } from './writable.ts';
import { count } from '../../count.ts';

interface PendingWrite {
  readonly address: bigint;
  readonly bytes: Uint8Array;
  readonly loc: Loc;
}

const MAX_PENDING = 1024;
const PAGE = 4096n;

/** A write about to be sent, with the bytes it replaces, for the journal. */
export interface JournaledWrite {
  readonly address: bigint;
  readonly before: Uint8Array;
  readonly after: Uint8Array;
  readonly loc: Loc;
}

export class WriteBuffer {
  readonly #target: WritableTarget;
  readonly #space: string;
  readonly #locate: (loc: Loc) => SourcePoint;
  readonly #journal: ((writes: readonly JournaledWrite[]) => void) | undefined;
  /** Told, after each batch, how many of its writes landed (all, or those before the one that failed). */
  readonly #landed: ((count: number) => void) | undefined;
  #pending: PendingWrite[] = [];
  /** Bytes written so far, for the report. */
  written = 0;

  /** The journal is a file that must hold the old bytes (--journal): a write whose old bytes the policy hides is refused. */
  readonly #journalFile: boolean;

  constructor(target: WritableTarget, space: string, locate: (loc: Loc) => SourcePoint, journal?: (writes: readonly JournaledWrite[]) => void, landed?: (count: number) => void, journalFile = journal !== undefined) {
    this.#target = target;
    this.#space = space;
    this.#locate = locate;
    this.#journal = journal;
    this.#landed = landed;
    this.#journalFile = journalFile;
  }

  /** Writes waiting to be sent. */
  get pending(): number {
    return this.#pending.length;
  }

  add(address: bigint, bytes: Uint8Array, loc: Loc): void {
    if (bytes.length === 0) return;
    if (this.#pending.length >= MAX_PENDING) this.flush();
    this.#pending.push({ address, bytes, loc });
  }

  /** Sends every pending write; throws at the first that cannot land, after those before it landed. */
  flush(): void {
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = [];
    let regions: readonly Region[] | undefined;
    let stop = pending.length;
    // One write within a page lands whole or not at all, so only batches and page-crossing writes need the maps.
    if (pending.length > 1 || crossesPage(pending[0]!)) {
      regions = this.#target.regions();
      const bad = pending.findIndex((w) => !writable(regions!, w.address, w.bytes.length));
      if (bad >= 0) stop = bad;
    }
    // With a journal, no write is sent that is not journaled: the batch stops before a write whose old bytes cannot be read.
    const unread = this.#journal !== undefined && stop > 0 ? this.#journalBatch(pending.slice(0, stop)) : undefined;
    if (unread !== undefined) stop = unread.index;
    const results = stop > 0 ? this.#target.write(pending.slice(0, stop)) : [];
    const faulted = results.findIndex((r) => r.fault !== undefined);
    if (faulted >= 0) {
      const result = results[faulted]!;
      this.#landed?.(faulted);
      throw this.#error(pending[faulted]!, result.fault!.address, result.done, regions, result.fault!.reason);
    }
    for (const w of pending.slice(0, stop)) this.written += w.bytes.length;
    this.#landed?.(stop);
    if (stop < pending.length) {
      const w = pending[stop]!;
      if (unread !== undefined) throw this.#error(w, unread.fault.address, 0, regions, unread.fault.reason);
      throw this.#error(w, firstUnwritable(regions!, w.address, w.bytes.length), 0, regions);
    }
  }

  /**
   * Reads what the writes will replace and journals it, up to the first write whose old bytes cannot be read
   * (returned: it cannot land either, so the batch stops there, as at a write the maps show cannot land). One
   * whose old bytes the policy forbids reading is refused with the batch, before anything is written: a journal
   * keeps the old bytes, which pvm reads as the recipe would, under the policy (docs/policy.md).
   */
  #journalBatch(batch: readonly PendingWrite[]): { index: number; fault: NonNullable<ReadResult['fault']> } | undefined {
    const before = this.#target.read(batch.map((w) => ({ address: w.address, length: w.bytes.length })));
    const hidden = (r: ReadResult) => r.fault?.denied !== undefined;
    const denied = before.findIndex(hidden);
    if (denied >= 0 && this.#journalFile) {
      const w = batch[denied]!;
      const why = before[denied]!.fault!.denied!.message.replace(/^denied: /, '');
      throw new DeniedError(
        'journal-read-denied',
        `cannot journal the write of ${count(w.bytes.length, 'byte')} at ${hexAddress(w.address)}: the journal keeps the bytes it replaces, and the policy denies reading them (${why}); nothing was written`,
        {
          ...this.#locate(w.loc),
          hint: 'ask for the policy to allow reading the memory the recipe writes, or write without --journal',
        },
      );
    }
    // Without a journal file (an audit log or a report records the writes), old bytes the policy hides are withheld
    // (empty) and the writes are decided by the write rules alone, as with no record at all.
    const faulted = before.findIndex((r) => r.fault !== undefined && !hidden(r));
    const journaled = faulted < 0 ? batch.length : faulted;
    const withheld = new Uint8Array(0);
    const old = (r: ReadResult, length: number) => (hidden(r) ? withheld : r.bytes.slice(0, length));
    if (journaled > 0) this.#journal!(batch.slice(0, journaled).map((w, i) => ({ address: w.address, before: old(before[i]!, w.bytes.length), after: w.bytes, loc: w.loc })));
    return faulted < 0 ? undefined : { index: faulted, fault: before[faulted]!.fault! };
  }

  #error(write: PendingWrite, at: bigint, done: number, regions: readonly Region[] | undefined, reason?: string): TargetError {
    const why = reason === undefined ? explainFault(at, regions ?? this.#target.regions(), this.#space, 'w') : `${hexAddress(at)} in ${this.#space}: ${reason}`;
    const partly = done > 0 ? ` (${done} of its ${write.bytes.length} bytes were written)` : '';
    return new TargetError('unwritable', `cannot write ${count(write.bytes.length, 'byte')} at ${hexAddress(write.address)}${partly}: ${why}`, {
      ...this.#locate(write.loc),
      hint: 'write only to writable data; code and read-only pages are changed with `patch`, which verifies them first',
    });
  }
}

function crossesPage(w: PendingWrite): boolean {
  return w.address / PAGE !== (w.address + BigInt(w.bytes.length) - 1n) / PAGE;
}
