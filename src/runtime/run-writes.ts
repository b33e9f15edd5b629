// A run's `write` and `patch` statements, as they reach the target: writes
// through the buffer (writes/write-buffer.ts) or checked only (--dry-run), patches
// as transactions (writes/patch.ts), each recorded in the journal before it is made.
import { TargetError } from '../errors.ts';
import type { Loc, PlanExpr, PlanStep } from '../plan/plan.ts';
import type { MemorySource, WritableTarget } from '../target/target.ts';
import { count } from '../count.ts';
import { encode } from './evaluation/encode.ts';
import type { ExecuteOptions } from './execute.ts';
import { explainFault } from './explain-fault.ts';
import type { JournalEntry } from './journal/journal.ts';
import { locate, type SourcePoint } from './locate.ts';
import type { FileAddress, ModuleResolver } from './symbols/modules.ts';
import type { OutputGate } from './output-gate.ts';
import { applyPatch } from './writes/patch.ts';
import { numeric, type Value } from './evaluation/value.ts';
import { hexAddress } from '../bytes.ts';
import { firstUnwritable } from './writes/writable.ts';
import { WriteBuffer } from './writes/write-buffer.ts';

const ADDRESS_LIMIT = 1n << 64n;

/** A site about to be written, for the journal. */
interface JournalSite {
  readonly address: bigint;
  readonly before: Uint8Array;
  readonly after: Uint8Array;
  readonly line: number;
  readonly file: FileAddress | undefined;
}

export interface RunWritesOptions extends Pick<ExecuteOptions, 'plan' | 'target' | 'dryRun' | 'freeze' | 'journal' | 'journalFile' | 'journalFoundApplied'> {
  /** The write capability, when the plan writes. */
  readonly writable: WritableTarget | undefined;
  readonly addressSpace: string;
  readonly modules: ModuleResolver;
  readonly gate: OutputGate;
}

export class RunWrites {
  readonly #o: RunWritesOptions;
  /** Journal entries for sites about to be written (`patch` is undefined for a `write` statement). */
  readonly #record: ((sites: readonly JournalSite[], statement: 'patch' | 'write', patch?: string, alreadyApplied?: true) => void) | undefined;
  /** The writes waiting to be sent, when the plan writes. */
  readonly buffer: WriteBuffer | undefined;

  constructor(options: RunWritesOptions) {
    this.#o = options;
    const { plan, target, journal, writable, addressSpace, modules, gate } = options;
    this.#record = journal &&
      ((sites, statement, patch, alreadyApplied) => {
        const { pid, startTime, image, exe } = target.identity;
        journal(
          sites.map((site) =>
            ({ pid: pid ?? 0, startTime, image, exe, recipe: plan.recipe, statement, patch, line: site.line, address: site.address, module: site.file, old: site.before, new: site.after, alreadyApplied }) satisfies JournalEntry
          ),
        );
      });
    const record = this.#record;
    this.buffer = writable &&
      new WriteBuffer(
        writable,
        addressSpace,
        (loc) => locate(plan.recipe.name, loc),
        record &&
          ((batch) => {
            const files = modules.filesAt(batch.map((w) => w.address));
            record(batch.map((w, i) => ({ ...w, line: w.loc.line, file: files[i] })), 'write');
          }),
        gate.release,
        options.journalFile,
      );
    if (this.buffer !== undefined) gate.holdWhile(() => this.buffer!.pending);
  }

  #at(loc: Loc): () => SourcePoint {
    return () => locate(this.#o.plan.recipe.name, loc);
  }

  /** Sends the writes waiting. */
  readonly flush = (): void => this.buffer?.flush();

  write(step: Extract<PlanStep, { op: 'write' }>, value: (e: PlanExpr) => Value): void {
    const { target, addressSpace, dryRun, gate } = this.#o;
    const address = checkAddress(numeric(value(step.address))!.value, this.#at(step.loc));
    const data = encode(step.datum.encoding, value(step.datum.value), this.#at(step.datum.loc));
    if (data.kind !== 'bytes') return;
    if (dryRun) {
      checkWritable(target, addressSpace, address, data.bytes.length, this.#at(step.loc));
      gate.output({ type: 'write', status: 'would write', address, bytes: data.bytes, line: step.loc.line });
    } else {
      this.buffer!.add(address, data.bytes, step.loc);
      gate.output({ type: 'write', status: 'wrote', address, bytes: data.bytes, line: step.loc.line });
    }
  }

  patch(step: Extract<PlanStep, { op: 'patch' }>, value: (e: PlanExpr) => Value): void {
    const { plan, writable, addressSpace, modules, freeze, dryRun, gate } = this.#o;
    this.flush();
    const resolved = step.sites.map((site) => {
      const expect = encode(site.expect.encoding, value(site.expect.value), this.#at(site.expect.loc));
      const replacement = encode(site.replacement.encoding, value(site.replacement.value), this.#at(site.replacement.loc));
      return { address: checkAddress(numeric(value(site.address))!.value, this.#at(site.loc)), expect, replacement: (replacement as { bytes: Uint8Array }).bytes, loc: site.loc };
    });
    // Which file each site lies in is looked up now (it may read an ELF file), not while the threads are stopped.
    const record = this.#record;
    const files = record && modules.filesAt(resolved.map((site) => site.address));
    const journaled = (alreadyApplied?: true) =>
      record &&
      ((sites: readonly { address: bigint; before: Uint8Array; after: Uint8Array }[]) => record(sites.map((site, i) => ({ ...site, line: step.loc.line, file: files![i] })), 'patch', step.name, alreadyApplied));
    const foundApplied = this.#o.journalFile === true && this.#o.journalFoundApplied === true ? journaled(true) : undefined;
    const outcome = applyPatch(resolved, {
      target: writable!,
      space: addressSpace,
      locate: (loc) => locate(plan.recipe.name, loc),
      at: this.#at(step.loc)(),
      freeze: freeze === true || step.freeze,
      dryRun: dryRun === true,
      beforeWrite: journaled(),
      foundApplied,
    });
    gate.output({ type: 'patch', name: step.name, outcome, line: step.loc.line });
  }
}

export function checkAddress(address: bigint, at: () => SourcePoint): bigint {
  if (address < 0n || address >= ADDRESS_LIMIT) {
    throw new TargetError('bad-address', `${hexAddress(address)} is not an address (outside 0 to 2^64-1)`, { ...at(), hint: 'check the address arithmetic' });
  }
  return address;
}

/** A dry run's check of a write: the same refusal a real run would meet, without writing. */
function checkWritable(target: MemorySource, space: string, address: bigint, length: number, at: () => SourcePoint): void {
  const regions = target.regions();
  const stop = firstUnwritable(regions, address, length);
  if (stop === address + BigInt(length)) return;
  throw new TargetError('unwritable', `cannot write ${count(length, 'byte')} at ${hexAddress(address)}: ${explainFault(stop, regions, space, 'w')}`, {
    ...at(),
    hint: 'write only to writable data; code and read-only pages are changed with `patch`, which verifies them first',
  });
}
