// The choke point: a memory source wrapped so that every read, write, scan
// and thread stop passes the policy and its budgets before the syscall, the
// recipe's own and pvm's (resolving modules and symbols, verifying patches,
// filling journals). The reads that resolve the policy's own `symbol:` rules
// pass the clock, the read budget and the audit log, but not the region
// rules, which cannot apply before they are resolved. A denial is a
// DeniedError (exit 3) naming the rule; scans leave out the regions the
// policy denies and say why. Every decision can go to an audit log (--audit).
import { DeniedError } from '../errors.ts';
import { count } from '../count.ts';
import { hexAddress } from '../bytes.ts';
import {
  type AddressRange,
  describeTarget,
  type Frozen,
  type MemorySource,
  type ReadBatch,
  type ReadForms,
  type ReadStop,
  type Region,
  type ScanSession,
  type SourcePrimitives,
  type ThreadState,
  type WriteRequest,
} from '../target/target.ts';
import { sourceOf, type Writes } from '../target/reads.ts';
import { decideCode, decideFreeze, decideRegisters, type Decision, describeRule, RegionRules, type Rule, tightest } from './decide.ts';
import type { StoppedThread } from '../native/freeze.ts';
import type { LoadedPolicy } from './load.ts';
import { isAnonymous } from '../target/skip-rules.ts';

/** One line of the audit log: a decision, or a write made. */
export interface AuditEntry {
  readonly op: 'target' | 'read' | 'write' | 'write-code' | 'scan' | 'freeze';
  readonly allowed: boolean;
  /** The first range asked for, and how many there were and their bytes. */
  readonly start?: bigint | undefined;
  readonly end?: bigint | undefined;
  readonly ranges?: number;
  readonly bytes?: number;
  readonly rule?: Rule;
  readonly detail?: string;
}

export interface GuardOptions {
  readonly policies: readonly LoadedPolicy[];
  /**
   * [start, start + size) of a symbol, for `symbol:MODULE:NAME` selectors (as
   * SelectorContext.symbol), read through `reading`: the target behind this
   * guard without its region rules, which cannot apply before they are
   * resolved. Its reads pass the clock and the read budget, and go to the
   * audit log. The same source at every call.
   */
  readonly symbol: (module: string, name: string, reading: MemorySource) => AddressRange | undefined;
  readonly audit?: ((entry: AuditEntry) => void) | undefined;
  /** Milliseconds, for run.maxSeconds and freeze.maxMillis (tests pass a clock). */
  readonly now?: () => number;
}

/** `module:app`, `[heap]`, `anon`: the region a range starts in, as policies name regions. */
function regionName(regions: readonly Region[], address: bigint): string {
  const region = regions.find((r) => r.start <= address && address < r.end);
  if (region === undefined) return 'unmapped';
  if (region.path.startsWith('/') && !isAnonymous(region)) return `module:${region.path.slice(region.path.lastIndexOf('/') + 1)}`;
  return region.path === '' ? 'anon' : region.path;
}

/** How stale the map region rules were made from may be, at most, when every range lies in it (a range outside it looks at once). */
const MAP_RECHECK_MS = 10;

/**
 * Whether every byte of [start, end) lies in the map (sorted by start): in
 * the region holding `start` and those that follow it without a gap. A range
 * that runs past them (into memory mapped since, at its end or between) is
 * outside.
 */
function inMap(regions: readonly Region[], start: bigint, end: bigint): boolean {
  let low = 0;
  let high = regions.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const region = regions[middle]!;
    if (start < region.start) high = middle - 1;
    else if (start >= region.end) low = middle + 1;
    else {
      let reach = region.end;
      for (let next = middle + 1; reach < end; next++) {
        if (next === regions.length || regions[next]!.start !== reach) return false;
        reach = regions[next]!.end;
      }
      return true;
    }
  }
  return false;
}

/** Whether two maps list the same mappings (a live process returns the same array while its maps are unchanged). */
function sameMap(a: readonly Region[], b: readonly Region[]): boolean {
  return a === b || (a.length === b.length && a.every((r, i) => r.start === b[i]!.start && r.end === b[i]!.end && r.perms === b[i]!.perms && r.offset === b[i]!.offset && r.path === b[i]!.path));
}

export function guardSource(source: MemorySource, options: GuardOptions): MemorySource {
  const { policies, audit } = options;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const readBudget = tightest(policies, 'read.maxBytes', (p) => p.read?.maxBytes);
  const writeBudget = tightest(policies, 'write.maxBytes', (p) => p.write?.maxBytes);
  const seconds = tightest(policies, 'run.maxSeconds', (p) => p.run?.maxSeconds);
  const freezeMillis = tightest(policies, 'freeze.maxMillis', (p) => p.freeze?.maxMillis);
  const hasRegionRules = policies.some(({ policy }) => policy.read?.allow !== undefined || policy.read?.deny !== undefined || policy.write?.regions !== undefined);
  let rules: RegionRules | undefined;
  let regions: readonly Region[] = [];
  let read = 0;
  let written = 0;

  /** When the map the rules were made from was last compared with the map as it is. */
  let mapCheckedAt = now();
  /**
   * The rules for the map as it is now. A live map changes (a library
   * loaded, memory mapped since): the rules are made again when it has, which
   * is looked at when a range reaches outside the map they were made from, and
   * otherwise at most every MAP_RECHECK_MS (reading the maps costs ~45 µs here; a
   * loop may read a million times), and always when `fresh`.
   */
  const rulesNow = (fresh: boolean, ranges: readonly AddressRange[] = []): RegionRules => {
    if (rules !== undefined && !fresh && ranges.every((range) => inMap(regions, range.start, range.end)) && now() - mapCheckedAt < MAP_RECHECK_MS) return rules;
    const current = source.regions();
    mapCheckedAt = now();
    if (rules === undefined || !sameMap(current, regions)) {
      regions = current;
      rules = new RegionRules(policies, { regions, symbol: (module, name) => options.symbol(module, name, resolving()), unnamedRegions: source.unnamedRegions });
      refuseUnresolved(rules);
    }
    return rules;
  };
  /**
   * What `symbol:` rules are resolved through (the resolver reads each
   * module's build-id note, and may walk the dynamic linker's list of
   * modules): this guard without its region rules, made when first asked.
   */
  let resolvingSource: MemorySource | undefined;
  const resolving = (): MemorySource => (resolvingSource ??= sourceOf(primitivesOver(resolvingReadv, { into: false, ranges: false, vectors: false })));
  /** A rule pvm cannot resolve here refuses the run: what it was meant to protect is unknown, so nothing may be read. */
  const refuseUnresolved = ({ unresolved }: RegionRules): void => {
    const first = unresolved[0];
    if (first === undefined) return;
    audit?.({ op: 'target', allowed: false, rule: first.rule, detail: `${first.selector}: ${first.why}` });
    throw new DeniedError('policy-unresolved', `denied: ${describeRule(first.rule)}: ${first.selector} cannot be resolved in ${describeTarget(source.identity)}: ${first.why}`, {
      hint: 'a rule pvm cannot resolve refuses the run (policies fail closed): correct the rule, or make what it names resolvable (a debug file: PVM_DEBUG_FILE_DIRECTORY)',
    });
  };
  /** Decides each range; a live map may have changed, so a denial is decided again on the map as it is now. */
  const decideRanges = (ranges: readonly { start: bigint; end: bigint }[], decide: (rules: RegionRules, start: bigint, end: bigint) => Decision): { decision: Decision; at: AddressRange | undefined } => {
    if (!hasRegionRules) return { decision: { allowed: true }, at: undefined };
    for (const fresh of [false, true]) {
      const current = rulesNow(fresh, ranges);
      const denied = ranges.map((r) => ({ r, d: decide(current, r.start, r.end) })).find((x) => !x.d.allowed);
      if (denied === undefined) return { decision: { allowed: true }, at: undefined };
      if (fresh) return { decision: denied.d, at: denied.r };
    }
    return { decision: { allowed: true }, at: undefined };
  };
  const deny = (op: AuditEntry['op'], what: string, decision: Extract<Decision, { allowed: false }>, range?: AddressRange): DeniedError => {
    audit?.({ op, allowed: false, ...(range === undefined ? {} : { start: range.start, end: range.end }), rule: decision.rule, detail: decision.why });
    const where = range === undefined ? '' : ` ${hexAddress(range.start)}-${hexAddress(range.end)} (${regionName(regions.length > 0 ? regions : source.regions(), range.start)})`;
    return new DeniedError('policy-denied', `denied: ${what}${where}: ${decision.why} — ${describeRule(decision.rule)}`, {
      hint: "the policy is the administrator's: change the recipe, or ask for the policy to allow it",
    });
  };
  const checkClock = (op: AuditEntry['op']): void => {
    if (seconds !== undefined && now() - started > seconds.limit * 1000) {
      throw deny(op, `${op} after ${seconds.limit.toString()} s`, { allowed: false, rule: seconds.rule, why: 'the run took longer than the policy allows' });
    }
  };
  /** A scan's reads: its regions were chosen with the policy (`skip`), so a denial here is a region that changed under it. */
  const checkScanReads = (ranges: readonly AddressRange[], bytes: number): void => {
    checkClock('scan');
    const { decision, at } = decideRanges(ranges, (rules, start, end) => rules.read(start, end));
    if (!decision.allowed) throw deny('scan', `read of ${count(bytes, 'byte')} at`, decision, at);
    // A scan reads what it searches, and its hits tell what is there (a one-byte pattern at an address reads that byte):
    // it counts against read.maxBytes like any read.
    checkBytes(bytes, 'scan');
    read += bytes;
    if (audit !== undefined && ranges.length > 0) audit({ op: 'scan', allowed: true, start: ranges[0]!.start, end: ranges[0]!.end, ranges: ranges.length, bytes });
  };
  /** Refuses a batch of reads that would take the run past the policy's read budget. */
  const checkBytes = (bytes: number, op: 'read' | 'scan' = 'read'): void => {
    if (readBudget === undefined || read + bytes <= readBudget.limit) return;
    const { limit, rule } = readBudget;
    if (op === 'scan') throw deny('scan', `scanning past ${limit} bytes read`, { allowed: false, rule, why: 'the run read more than the policy allows (scans count as reads)' });
    throw deny('read', `reading more than ${limit} bytes`, { allowed: false, rule, why: 'the run read more than the policy allows' });
  };
  const checkWrites = (requests: readonly WriteRequest[], code: boolean, count = true): void => {
    const op = code ? 'write-code' : 'write';
    checkClock(op);
    if (code) {
      const decision = decideCode(policies);
      if (!decision.allowed) throw deny(op, 'patch of code at', decision, requests[0] && { start: requests[0].address, end: requests[0].address + BigInt(requests[0].bytes.length) });
    }
    const ranges = requests.map((w) => ({ start: w.address, end: w.address + BigInt(w.bytes.length) }));
    const { decision, at } = decideRanges(ranges, (rules, start, end) => rules.write(start, end));
    if (!decision.allowed) throw deny(op, 'write to', decision, at);
    const bytes = requests.reduce((sum, w) => sum + w.bytes.length, 0);
    if (writeBudget !== undefined && written + bytes > writeBudget.limit) {
      throw deny(op, `writing more than ${writeBudget.limit} bytes`, { allowed: false, rule: writeBudget.rule, why: 'the run would write more than the policy allows' });
    }
    if (!count) return;
    written += bytes;
    audit?.({ op, allowed: true, start: ranges[0]?.start, end: ranges[0]?.end, ranges: ranges.length, bytes });
  };
  const checkFreeze = (): void => {
    checkClock('freeze');
    const decision = decideFreeze(policies);
    if (!decision.allowed) throw deny('freeze', 'stopping the threads', decision);
    audit?.({ op: 'freeze', allowed: true });
  };
  /** Thaws, and says so if the threads stayed stopped longer than the policy allows (they are resumed first). */
  const timedFreeze = (frozen: Frozen): Frozen => {
    const stoppedAt = now();
    // Where they stopped (pc, sp) stays pvm's own to know (a patch's safety check); their registers are memory.
    const registers = decideRegisters(policies);
    return {
      threads: registers.allowed ? frozen.threads : frozen.threads.map(({ tid, pc, inSyscall, sp }) => ({ tid, pc, inSyscall, sp, registers: undefined }) satisfies Required<StoppedThread>),
      registersWithheld: registers.allowed ? undefined : `the policy withholds them: ${registers.why} — ${describeRule(registers.rule)}`,
      thaw() {
        frozen.thaw();
        const millis = now() - stoppedAt;
        if (freezeMillis !== undefined && millis > freezeMillis.limit) {
          throw deny('freeze', `threads stopped for ${millis.toFixed(1)} ms`, { allowed: false, rule: freezeMillis.rule, why: 'the threads stayed stopped longer than the policy allows (they run again)' });
        }
      },
    } satisfies Required<Frozen>;
  };

  const scanSkip = (region: Region): string | undefined => {
    if (!hasRegionRules) return undefined;
    const decision = rulesNow(false, [region]).read(region.start, region.end);
    return decision.allowed ? undefined : `denied by policy: ${describeRule(decision.rule)}`;
  };

  /** The ranges of a batch, for decisions and the audit. */
  const rangesOf = ({ ranges, count }: ReadBatch): AddressRange[] => {
    const view = new DataView(ranges.buffer, ranges.byteOffset, count * 16);
    return Array.from({ length: count }, (_, r) => {
      const start = view.getBigUint64(r * 16, true);
      return { start, end: start + view.getBigUint64(r * 16 + 8, true) };
    });
  };
  /** Reads that are allowed, against the read budget, and to the audit log by the first. */
  const countBatch = (first: AddressRange, ranges: number, bytes: number, detail?: string): void => {
    checkBytes(bytes);
    read += bytes;
    audit?.({ op: 'read', allowed: true, start: first.start, end: first.end, ranges, bytes, ...(detail === undefined ? {} : { detail }) });
  };
  /**
   * Reads a batch as the caller laid it out, for the scan `scan` (the
   * source's own) or none: built field by field, so that a field added to a
   * batch fails to compile until the guard decides it.
   */
  const handOn = ({ ranges, count, offsets, done, memory, stops }: ReadBatch, scan: ScanSession | undefined): void => {
    source.readv({ ranges, count, offsets, done, memory, stops, scan } satisfies Required<ReadBatch>);
  };
  /** A batch read whole: against the clock and the read budget, and to the audit log by its first range (`detail`: why pvm reads it). */
  const readWhole = (batch: ReadBatch, detail?: string): void => {
    checkClock('read');
    const { count: n, offsets } = batch;
    if (n === 0) return;
    const view = new DataView(batch.ranges.buffer, batch.ranges.byteOffset, 16);
    const start = view.getBigUint64(0, true);
    countBatch({ start, end: start + view.getBigUint64(8, true) }, n, offsets[n]! - offsets[0]!, detail);
    handOn(batch, undefined);
  };
  /** The guard's own scans, and the source's each stands for. */
  const sessions = new WeakMap<ScanSession, ScanSession>();

  /**
   * The one read. Without region rules a batch is checked against the clock
   * and the budget as a whole; with them, each range is decided alone: a
   * denied one is not read, and its stop carries the denial, raised where the
   * recipe reads it (a batch that asks no stops is refused whole). A scan's
   * batch is decided as a scan: its regions were chosen with the policy.
   */
  const readv = (batch: ReadBatch): void => {
    const { count: n, offsets } = batch;
    if (batch.scan !== undefined) {
      const inner = sessions.get(batch.scan);
      if (inner === undefined) throw new Error('a scan read through a guard that did not open it');
      checkScanReads(rangesOf(batch), offsets[n]! - offsets[0]!);
      handOn(batch, inner);
      return;
    }
    if (!hasRegionRules) return readWhole(batch);
    checkClock('read');
    if (n === 0) return;
    const ranges = rangesOf(batch);
    const decisions = ranges.map((range) => decideRanges([range], (rules, start, end) => rules.read(start, end)));
    const allowed: number[] = [];
    decisions.forEach(({ decision }, r) => decision.allowed && allowed.push(r));
    if (allowed.length === n) {
      countBatch(ranges[0]!, n, offsets[n]! - offsets[0]!);
      handOn(batch, undefined);
      return;
    }
    if (batch.stops === undefined) {
      const r = decisions.findIndex(({ decision }) => !decision.allowed);
      const { decision, at } = decisions[r]!;
      throw deny('read', `read of ${count(offsets[r + 1]! - offsets[r]!, 'byte')} at`, decision as Extract<Decision, { allowed: false }>, at);
    }
    // The allowed ranges, read as a batch of their own, then put in their places.
    const partOffsets = new Int32Array(allowed.length + 1);
    for (let k = 0; k < allowed.length; k++) partOffsets[k + 1] = partOffsets[k]! + offsets[allowed[k]! + 1]! - offsets[allowed[k]!]!;
    const total = partOffsets[allowed.length]!;
    const part = {
      ranges: new Uint8Array(allowed.length * 16),
      count: allowed.length,
      offsets: partOffsets,
      done: Int32Array.from(allowed, (r) => batch.done[r]!),
      memory: new Uint8Array(total),
      stops: [] as (ReadStop | undefined)[],
      scan: undefined,
    } satisfies Required<ReadBatch>;
    allowed.forEach((r, k) => part.ranges.set(batch.ranges.subarray(r * 16, r * 16 + 16), k * 16));
    if (allowed.length > 0) {
      countBatch(ranges[allowed[0]!]!, allowed.length, total);
      source.readv(part);
    }
    allowed.forEach((r, k) => {
      batch.memory.set(part.memory.subarray(part.offsets[k]!, part.offsets[k + 1]!), offsets[r]!);
      batch.done[r] = part.done[k]!;
      batch.stops![r] = part.stops[k];
    });
    decisions.forEach(({ decision, at }, r) => {
      if (decision.allowed) return;
      batch.done[r] = 0;
      batch.stops![r] = { denied: deny('read', `read of ${count(offsets[r + 1]! - offsets[r]!, 'byte')} at`, decision, at) };
    });
  };

  const scanSession = (): ScanSession => {
    const inner = source.scanSession();
    const session = {
      regions: inner.regions,
      vmFlags: inner.vmFlags,
      residentRuns: (start, end) => inner.residentRuns(start, end),
      skip: (region) => inner.skip?.(region) ?? scanSkip(region),
      memory: (size) => inner.memory(size),
      search: inner.search,
      // A worker thread would read past the guard: scans under a policy stay on this thread.
      parallel: undefined,
      close: () => inner.close(),
    } satisfies Required<ScanSession>;
    sessions.set(session, inner);
    return session;
  };

  /** The reads that resolve `symbol:` rules: whole, since the region rules they resolve cannot decide them yet (a scan's, decided as a scan). */
  const resolvingReadv = (batch: ReadBatch): void => (batch.scan !== undefined ? readv(batch) : readWhole(batch, "resolving the policy's symbol: rules, before region rules apply"));

  const writable = source.writable;
  const threads = (): readonly ThreadState[] => {
    if (writable !== undefined) checkFreeze(); // a live process stops its threads to take their registers
    const all = source.threads();
    const decision = decideRegisters(policies);
    if (decision.allowed) return all;
    // Thread ids stay known; registers are withheld, and reg() raises the denial where the recipe asks, audited then:
    // listing the ids denies nothing.
    let denial: DeniedError | undefined;
    const denied = (): DeniedError => (denial ??= deny('read', 'reading registers', decision));
    return all.map(({ tid }) => ({ tid, registers: undefined, denied }) satisfies Required<ThreadState>);
  };
  /** The guard's primitives, reading through `read`. */
  const primitivesOver = (read: (batch: ReadBatch) => void, forms: ReadForms) =>
    ({
      get identity() {
        return source.identity;
      },
      regions: () => source.regions(),
      readv: read,
      blocked: () => source.blocked(),
      forms,
      scanSession,
      moduleFile: (path) => source.moduleFile(path),
      threads,
      unnamedRegions: source.unnamedRegions,
      close: () => source.close(),
    }) satisfies Required<Omit<SourcePrimitives, 'writable'>>;
  // Region rules decide each range alone, with a denial per range, which ranges as numbers and a compiled loop's
  // vectors cannot say: compiled loops then read through `read`.
  const primitives = primitivesOver(readv, { into: source.forms.into, ranges: source.forms.ranges && !hasRegionRules, vectors: source.forms.vectors && !hasRegionRules });
  // Resolved before the first access, so that a rule that cannot be resolved refuses the run before anything is read or written.
  if (hasRegionRules) rulesNow(false);
  if (writable === undefined) return sourceOf(primitives);
  return sourceOf(
    primitives,
    {
      write(requests, force = false) {
        checkWrites(requests, force);
        return writable.write(requests, force);
      },
      freeze() {
        checkFreeze();
        return timedFreeze(writable.freeze());
      },
      lockWrites: writable.lockWrites === undefined ? undefined : () => writable.lockWrites!(),
      authorize(writes) {
        const data = writes.filter((w) => !w.code);
        const code = writes.filter((w) => w.code);
        if (data.length > 0) checkWrites(data, false, false);
        if (code.length > 0) checkWrites(code, true, false);
        if (code.length > 0) checkFreeze();
      },
    } satisfies Required<Writes>,
  );
}
