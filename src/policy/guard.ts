// The choke point: a memory source wrapped so that every read, write, scan
// and thread stop passes the policy and its budgets before the syscall, the
// recipe's own and pvm's (resolving modules and symbols, verifying patches,
// filling journals). The reads that resolve the policy's own `symbol:` rules
// pass the clock, the read budget and the audit log, but not the region
// rules, which cannot apply before they are resolved. A denial is a
// DeniedError (exit 3) naming the rule; scans leave out the regions the
// policy denies and say why. Every decision can go to an audit log (--audit).
// What the run spends, and its audit log, is the meter's (meter.ts); the
// region rules, kept true to a map that changes, are map-rules.ts'. Here each
// access is decided with them, one function to each kind of access.
import type { DeniedError } from '../errors.ts';
import { count } from '../count.ts';
import { type AddressRange, type Frozen, type MemorySource, type ReadBatch, type ReadForms, type ReadStop, type ScanSession, type SourcePrimitives, type ThreadState, type WriteRequest } from '../target/target.ts';
import { sourceOf, type Writes } from '../target/reads.ts';
import { decideCode, decideFreeze, decideRegisters, describeRule } from './decide.ts';
import type { StoppedThread } from '../native/freeze.ts';
import type { LoadedPolicy } from './load.ts';
import { type AuditEntry, type Denial, Meter } from './meter.ts';
import { MapRules } from './map-rules.ts';
import { MapWatch } from '../target/map-watch.ts';

export type { AuditEntry };

export interface GuardOptions {
  readonly policies: readonly LoadedPolicy[];
  /**
   * [start, start + size) of a symbol, for `symbol:MODULE:NAME` selectors (as
   * SelectorContext.symbol), read through `reading`: the target behind this
   * guard without its region rules, which cannot apply before they are
   * resolved. Its reads pass the clock and the read budget, and go to the
   * audit log. The symbol is resolved on `map`, the map the rules are made
   * from (a resolver keeping answers for a map it read itself could give an
   * address from before a library moved: a rule that fails open). The same
   * source and map at every call.
   */
  readonly symbol: (module: string, name: string, reading: MemorySource, map: MapWatch) => AddressRange | undefined;
  readonly audit?: ((entry: AuditEntry) => void) | undefined;
  /** Milliseconds, for run.maxSeconds and freeze.maxMillis (tests pass a clock). */
  readonly now?: () => number;
}

/** What every guarded access is decided with: the source behind the guard, what the run spends, and the region rules. */
interface Guard {
  readonly source: MemorySource;
  readonly policies: readonly LoadedPolicy[];
  readonly meter: Meter;
  readonly rules: MapRules;
  /** The guard's own scans, and the source's each stands for. */
  readonly sessions: WeakMap<ScanSession, ScanSession>;
}

export function guardSource(source: MemorySource, options: GuardOptions): MemorySource {
  const { policies } = options;
  const meter = new Meter(policies, options.audit, options.now ?? (() => performance.now()), (address): string => rules.regionOf(address));
  const map = new MapWatch(source, meter.now);
  const rules: MapRules = new MapRules(policies, source, meter, map, (module, name) => options.symbol(module, name, resolving(), map));
  const guard: Guard = { source, policies, meter, rules, sessions: new WeakMap() };
  /**
   * What `symbol:` rules are resolved through (the resolver reads each
   * module's build-id note, and may walk the dynamic linker's list of
   * modules): this guard without its region rules, made when first asked.
   */
  let resolvingSource: MemorySource | undefined;
  const resolving = (): MemorySource => (resolvingSource ??= sourceOf(primitivesOver(guard, (batch) => resolvingReadv(guard, batch), { into: false, ranges: false, vectors: false })));
  // Region rules decide each range alone, with a denial per range, which ranges as numbers and a compiled loop's
  // vectors cannot say: compiled loops then read through `read`.
  const forms = { into: source.forms.into, ranges: source.forms.ranges && !rules.any, vectors: source.forms.vectors && !rules.any };
  const primitives = primitivesOver(guard, (batch) => readv(guard, batch), forms);
  // Resolved before the first access, so that a rule that cannot be resolved refuses the run before anything is read or written.
  if (rules.any) rules.current(false);
  const { writable } = source;
  if (writable === undefined) return sourceOf(primitives);
  return sourceOf(primitives, guardedWrites(guard, writable));
}

/** The guard's primitives, reading through `read`. */
function primitivesOver(guard: Guard, read: (batch: ReadBatch) => void, forms: ReadForms) {
  const { source } = guard;
  return {
    get identity() {
      return source.identity;
    },
    regions: () => source.regions(),
    readv: read,
    blocked: () => source.blocked(),
    forms,
    scanSession: () => scanSession(guard),
    moduleFile: (path) => source.moduleFile(path),
    threads: () => threads(guard),
    unnamedRegions: source.unnamedRegions,
    close: () => source.close(),
  } satisfies Required<Omit<SourcePrimitives, 'writable'>>;
}

/** The ranges of a batch, for decisions and the audit. */
function rangesOf({ ranges, count }: ReadBatch): AddressRange[] {
  const view = new DataView(ranges.buffer, ranges.byteOffset, count * 16);
  return Array.from({ length: count }, (_, r) => {
    const start = view.getBigUint64(r * 16, true);
    return { start, end: start + view.getBigUint64(r * 16 + 8, true) };
  });
}

/**
 * Reads a batch as the caller laid it out, for the scan `scan` (the
 * source's own) or none: built field by field, so that a field added to a
 * batch fails to compile until the guard decides it.
 */
function handOn(source: MemorySource, { ranges, count, offsets, done, memory, stops, clear }: ReadBatch, scan: ScanSession | undefined): void {
  source.readv({ ranges, count, offsets, done, memory, stops, scan, clear } satisfies Required<ReadBatch>);
}

/** A batch read whole: against the clock and the read budget, and to the audit log by its first range (`detail`: why pvm reads it). */
function readWhole(guard: Guard, batch: ReadBatch, detail?: string): void {
  guard.meter.checkClock('read');
  const { count: n, offsets } = batch;
  if (n === 0) return;
  const view = new DataView(batch.ranges.buffer, batch.ranges.byteOffset, 16);
  const start = view.getBigUint64(0, true);
  guard.meter.countRead({ start, end: start + view.getBigUint64(8, true) }, n, offsets[n]! - offsets[0]!, detail);
  handOn(guard.source, batch, undefined);
}

/** The reads that resolve `symbol:` rules: whole, since the region rules they resolve cannot decide them yet (a scan's, decided as a scan). */
function resolvingReadv(guard: Guard, batch: ReadBatch): void {
  return batch.scan !== undefined ? readv(guard, batch) : readWhole(guard, batch, "resolving the policy's symbol: rules, before region rules apply");
}

/**
 * The one read. Without region rules a batch is checked against the clock
 * and the budget as a whole; with them, each range is decided alone: a
 * denied one is not read, and its stop carries the denial, raised where the
 * recipe reads it (a batch that asks no stops is refused whole). A scan's
 * batch is decided as a scan: its regions were chosen with the policy.
 */
function readv(guard: Guard, batch: ReadBatch): void {
  const { count: n, offsets } = batch;
  if (batch.scan !== undefined) {
    const inner = guard.sessions.get(batch.scan);
    if (inner === undefined) throw new Error('a scan read through a guard that did not open it');
    checkScanReads(guard, rangesOf(batch), offsets[n]! - offsets[0]!);
    handOn(guard.source, batch, inner);
    return;
  }
  if (!guard.rules.any) return readWhole(guard, batch);
  guard.meter.checkClock('read');
  if (n === 0) return;
  const ranges = rangesOf(batch);
  const decisions = ranges.map((range) => guard.rules.decide([range], (rules, start, end) => rules.read(start, end)));
  const allowed: number[] = [];
  decisions.forEach(({ decision }, r) => decision.allowed && allowed.push(r));
  if (allowed.length === n) {
    guard.meter.countRead(ranges[0]!, n, offsets[n]! - offsets[0]!);
    handOn(guard.source, batch, undefined);
    return;
  }
  if (batch.stops === undefined) {
    const r = decisions.findIndex(({ decision }) => !decision.allowed);
    const { decision, at } = decisions[r]!;
    throw guard.meter.deny('read', `read of ${count(offsets[r + 1]! - offsets[r]!, 'byte')} at`, decision as Denial, at);
  }
  readAllowedOnly(guard, batch, ranges, allowed);
  decisions.forEach(({ decision, at }, r) => {
    if (decision.allowed) return;
    batch.done[r] = 0;
    batch.stops![r] = { denied: guard.meter.deny('read', `read of ${count(offsets[r + 1]! - offsets[r]!, 'byte')} at`, decision, at) };
  });
}

/** The allowed ranges of `batch` (indexes `allowed`), read as a batch of their own, then put in their places. */
function readAllowedOnly(guard: Guard, batch: ReadBatch, ranges: readonly AddressRange[], allowed: readonly number[]): void {
  const { offsets } = batch;
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
    clear: batch.clear,
  } satisfies Required<ReadBatch>;
  allowed.forEach((r, k) => part.ranges.set(batch.ranges.subarray(r * 16, r * 16 + 16), k * 16));
  if (allowed.length > 0) {
    guard.meter.countRead(ranges[allowed[0]!]!, allowed.length, total);
    guard.source.readv(part);
  }
  allowed.forEach((r, k) => {
    batch.memory.set(part.memory.subarray(part.offsets[k]!, part.offsets[k + 1]!), offsets[r]!);
    batch.done[r] = part.done[k]!;
    batch.stops![r] = part.stops[k];
  });
}

/** A scan's reads: its regions were chosen with the policy (`skip`), so a denial here is a region that changed under it. */
function checkScanReads(guard: Guard, ranges: readonly AddressRange[], bytes: number): void {
  guard.meter.checkClock('scan');
  const { decision, at } = guard.rules.decide(ranges, (rules, start, end) => rules.read(start, end));
  if (!decision.allowed) throw guard.meter.deny('scan', `read of ${count(bytes, 'byte')} at`, decision, at);
  guard.meter.countScan(ranges, bytes);
}

/** The source's scan, leaving out what the rules deny, its reads decided by `readv` as a scan's. */
function scanSession(guard: Guard): ScanSession {
  const inner = guard.source.scanSession();
  const session = {
    regions: inner.regions,
    vmFlags: inner.vmFlags,
    residentRuns: (start, end) => inner.residentRuns(start, end),
    everyPageOwn: inner.everyPageOwn,
    skip: (region) => inner.skip?.(region) ?? guard.rules.scanSkip(region),
    memory: (size) => inner.memory(size),
    search: inner.search,
    // A worker thread would read past the guard: scans under a policy stay on this thread.
    parallel: undefined,
    close: () => inner.close(),
  } satisfies Required<ScanSession>;
  guard.sessions.set(session, inner);
  return session;
}

function threads(guard: Guard): readonly ThreadState[] {
  if (guard.source.writable !== undefined) checkFreeze(guard); // a live process stops its threads to take their registers
  const all = guard.source.threads();
  const decision = decideRegisters(guard.policies);
  if (decision.allowed) return all;
  // Thread ids stay known; registers are withheld, and reg() raises the denial where the recipe asks, audited then:
  // listing the ids denies nothing.
  let denial: DeniedError | undefined;
  const denied = (): DeniedError => (denial ??= guard.meter.deny('read', 'reading registers', decision));
  return all.map(({ tid }) => ({ tid, registers: undefined, denied }) satisfies Required<ThreadState>);
}

/** Writes (`count`: made now, not only asked about): the clock, code patching, the region rules and the write budget. */
function checkWrites(guard: Guard, requests: readonly WriteRequest[], code: boolean, count = true): void {
  const { meter } = guard;
  const op = code ? 'write-code' : 'write';
  meter.checkClock(op);
  if (code) {
    const decision = decideCode(guard.policies);
    if (!decision.allowed) throw meter.deny(op, 'patch of code at', decision, requests[0] && { start: requests[0].address, end: requests[0].address + BigInt(requests[0].bytes.length) });
  }
  const ranges = requests.map((w) => ({ start: w.address, end: w.address + BigInt(w.bytes.length) }));
  const { decision, at } = guard.rules.decide(ranges, (rules, start, end) => rules.write(start, end));
  if (!decision.allowed) throw meter.deny(op, 'write to', decision, at);
  meter.countWrite(op, ranges, requests.reduce((sum, w) => sum + w.bytes.length, 0), count);
}

function checkFreeze(guard: Guard): void {
  guard.meter.checkClock('freeze');
  const decision = decideFreeze(guard.policies);
  if (!decision.allowed) throw guard.meter.deny('freeze', 'stopping the threads', decision);
  guard.meter.audit?.({ op: 'freeze', allowed: true });
}

/**
 * A freeze timed against the policy's freeze.maxMillis, checked as the threads run again (a snapshot's, the
 * registers'), or, for a patch, just before its first write (checkTime: refused then, nothing written); after
 * that an overrun can no longer undo the write it allowed: it is recorded in the audit log, never reported as a
 * denial of a patch that landed.
 */
function timedFreeze(guard: Guard, frozen: Frozen): Frozen {
  const stoppedAt = guard.meter.now();
  let writeAllowed = false;
  // Where they stopped (pc, sp) stays pvm's own to know (a patch's safety check); their registers are memory.
  const registers = decideRegisters(guard.policies);
  return {
    threads: registers.allowed ? frozen.threads : frozen.threads.map(({ tid, pc, inSyscall, sp }) => ({ tid, pc, inSyscall, sp, registers: undefined }) satisfies Required<StoppedThread>),
    registersWithheld: registers.allowed ? undefined : `the policy withholds them: ${registers.why} — ${describeRule(registers.rule)}`,
    thaw() {
      frozen.thaw();
      if (writeAllowed) guard.meter.noteStopped(stoppedAt);
      else guard.meter.checkStopped(stoppedAt);
    },
    checkTime() {
      guard.meter.checkStopped(stoppedAt);
      writeAllowed = true;
    },
  } satisfies Required<Frozen>;
}

/** The writes and thread stops of a live process, each decided before it is made. */
function guardedWrites(guard: Guard, writable: Writes): Writes {
  return {
    write(requests, force = false) {
      checkWrites(guard, requests, force);
      return writable.write(requests, force);
    },
    freeze() {
      checkFreeze(guard);
      return timedFreeze(guard, writable.freeze());
    },
    lockWrites: writable.lockWrites === undefined ? undefined : () => writable.lockWrites!(),
    authorize(writes) {
      const data = writes.filter((w) => !w.code);
      const code = writes.filter((w) => w.code);
      if (data.length > 0) checkWrites(guard, data, false, false);
      if (code.length > 0) checkWrites(guard, code, true, false);
      if (code.length > 0) checkFreeze(guard);
    },
  } satisfies Required<Writes>;
}
