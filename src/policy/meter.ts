// What a run spends under a policy, and the denial when it would spend more:
// the clock (run.maxSeconds), the bytes read and written against
// read.maxBytes and write.maxBytes, how long threads stay stopped
// (freeze.maxMillis), and the audit log every decision goes to. Denials are
// made here, so that each one is audited before it is raised.
import { DeniedError } from '../errors.ts';
import { hexAddress } from '../bytes.ts';
import type { AddressRange } from '../target/target.ts';
import { type Decision, describeRule, type Rule, tightest } from './decide.ts';
import type { LoadedPolicy } from './load.ts';

/** One line of the audit log: a decision (`recipe`: its signature, under recipes.signers), or a write made. */
export interface AuditEntry {
  readonly op: 'target' | 'recipe' | 'read' | 'write' | 'write-code' | 'scan' | 'freeze';
  readonly allowed: boolean;
  /** The first range asked for, and how many there were and their bytes. */
  readonly start?: bigint | undefined;
  readonly end?: bigint | undefined;
  readonly ranges?: number;
  readonly bytes?: number;
  readonly rule?: Rule;
  readonly detail?: string;
}

export type Denial = Extract<Decision, { allowed: false }>;

export class Meter {
  readonly now: () => number;
  readonly audit: ((entry: AuditEntry) => void) | undefined;
  /** How policies name the region an address is in, for denials. */
  private readonly locate: (address: bigint) => string;
  private readonly started: number;
  private readonly readBudget;
  private readonly writeBudget;
  private readonly seconds;
  private readonly freezeMillis;
  private read = 0;
  private written = 0;

  constructor(policies: readonly LoadedPolicy[], audit: ((entry: AuditEntry) => void) | undefined, now: () => number, locate: (address: bigint) => string) {
    this.now = now;
    this.audit = audit;
    this.locate = locate;
    this.started = now();
    this.readBudget = tightest(policies, 'read.maxBytes', (p) => p.read?.maxBytes);
    this.writeBudget = tightest(policies, 'write.maxBytes', (p) => p.write?.maxBytes);
    this.seconds = tightest(policies, 'run.maxSeconds', (p) => p.run?.maxSeconds);
    this.freezeMillis = tightest(policies, 'freeze.maxMillis', (p) => p.freeze?.maxMillis);
  }

  /** The denial of `what` (at `range`), audited. */
  deny(op: AuditEntry['op'], what: string, decision: Denial, range?: AddressRange): DeniedError {
    this.audit?.({ op, allowed: false, ...(range === undefined ? {} : { start: range.start, end: range.end }), rule: decision.rule, detail: decision.why });
    const where = range === undefined ? '' : ` ${hexAddress(range.start)}-${hexAddress(range.end)} (${this.locate(range.start)})`;
    return new DeniedError('policy-denied', `denied: ${what}${where}: ${decision.why} — ${describeRule(decision.rule)}`, {
      hint: "the policy is the administrator's: change the recipe, or ask for the policy to allow it",
    });
  }

  checkClock(op: AuditEntry['op']): void {
    const { seconds } = this;
    if (seconds !== undefined && this.now() - this.started > seconds.limit * 1000) {
      throw this.deny(op, `${op} after ${seconds.limit.toString()} s`, { allowed: false, rule: seconds.rule, why: 'the run took longer than the policy allows' });
    }
  }

  /** Refuses a batch of reads that would take the run past the policy's read budget. */
  private checkReadBytes(bytes: number, op: 'read' | 'scan'): void {
    const { readBudget } = this;
    if (readBudget === undefined || this.read + bytes <= readBudget.limit) return;
    const { limit, rule } = readBudget;
    if (op === 'scan') throw this.deny('scan', `scanning past ${limit} bytes read`, { allowed: false, rule, why: 'the run read more than the policy allows (scans count as reads)' });
    throw this.deny('read', `reading more than ${limit} bytes`, { allowed: false, rule, why: 'the run read more than the policy allows' });
  }

  /** Reads that are allowed, against the read budget, and to the audit log by the first (`detail`: why pvm reads them). */
  countRead(first: AddressRange, ranges: number, bytes: number, detail?: string): void {
    this.checkReadBytes(bytes, 'read');
    this.read += bytes;
    this.audit?.({ op: 'read', allowed: true, start: first.start, end: first.end, ranges, bytes, ...(detail === undefined ? {} : { detail }) });
  }

  /**
   * A scan's allowed reads. A scan reads what it searches, and its hits tell
   * what is there (a one-byte pattern at an address reads that byte): it
   * counts against read.maxBytes like any read.
   */
  countScan(ranges: readonly AddressRange[], bytes: number): void {
    this.checkReadBytes(bytes, 'scan');
    this.read += bytes;
    if (this.audit !== undefined && ranges.length > 0) this.audit({ op: 'scan', allowed: true, start: ranges[0]!.start, end: ranges[0]!.end, ranges: ranges.length, bytes });
  }

  /** Writes that are allowed, against the write budget; counted and audited when `count` (not when only asked about). */
  countWrite(op: 'write' | 'write-code', ranges: readonly AddressRange[], bytes: number, count: boolean): void {
    const { writeBudget } = this;
    if (writeBudget !== undefined && this.written + bytes > writeBudget.limit) {
      throw this.deny(op, `writing more than ${writeBudget.limit} bytes`, { allowed: false, rule: writeBudget.rule, why: 'the run would write more than the policy allows' });
    }
    if (!count) return;
    this.written += bytes;
    this.audit?.({ op, allowed: true, start: ranges[0]?.start, end: ranges[0]?.end, ranges: ranges.length, bytes });
  }

  /** Records it if threads stopped at `stoppedAt` stayed stopped longer than the policy allows (they run again, and the write they were stopped for was made in time). */
  noteStopped(stoppedAt: number): void {
    const over = this.#overrun(stoppedAt);
    if (over !== undefined) this.audit?.({ op: 'freeze', allowed: true, detail: `threads stopped for ${over.millis.toFixed(1)} ms, over ${describeRule(over.rule)}: the write inside was made before the limit was passed` });
  }

  /** Refuses (exit 3) if threads stopped at `stoppedAt` have been stopped longer than the policy allows. */
  checkStopped(stoppedAt: number): void {
    const over = this.#overrun(stoppedAt);
    if (over !== undefined) throw this.deny('freeze', `threads stopped for ${over.millis.toFixed(1)} ms`, { allowed: false, rule: over.rule, why: 'the threads stayed stopped longer than the policy allows (they run again)' });
  }

  /** How long threads stopped at `stoppedAt` have been stopped, when that is past freeze.maxMillis, and its rule. */
  #overrun(stoppedAt: number): { millis: number; rule: Rule } | undefined {
    const millis = this.now() - stoppedAt;
    const { freezeMillis } = this;
    return freezeMillis !== undefined && millis > freezeMillis.limit ? { millis, rule: freezeMillis.rule } : undefined;
  }
}
