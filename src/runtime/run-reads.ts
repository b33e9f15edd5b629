// A run's reads of the target, as statements make them: one value at a time
// (placed at the read, checked against the budget, answered from a window read
// ahead where one holds it), many values of a list at once (narrow), and
// scans; and the read-aheads of loops and straight-line steps that fill those
// windows (loops/read-ahead-window.ts).
import { decodeShape } from './evaluation/decode-shape.ts';
import { TargetError } from '../errors.ts';
import type { Loc, MemoryType, PlanStep, ReadAhead } from '../plan/plan.ts';
import { type ReadNode, readSites } from '../plan/walk.ts';
import type { MemorySource, ReadResult } from '../target/target.ts';
import type { Budget } from './budget.ts';
import type { EvalContext } from './evaluation/evaluate.ts';
import { explainFault } from './explain-fault.ts';
import { locate, placeError, type SourcePoint } from './locate.ts';
import type { ModuleResolver } from './symbols/modules.ts';
import type { ReadEachResult } from './evaluation/narrow.ts';
import { type ReadAheadCache, readAheadResult, readAheadWindow, type SiteReadAhead } from './loops/read-ahead-window.ts';
import { ReusedReads } from './loops/reused-reads.ts';
import { type ScanProgress, type ScanRequest, scanTarget } from './scans/scan.ts';
import { pointerScan, type PointerScanRequest } from './scans/pointer-scan.ts';
import type { Scope } from './evaluation/scope.ts';
import type { OutputEvent } from './execute.ts';
import { decode, type PointerPath, readLength, type Value } from './evaluation/value.ts';
import { hexAddress } from '../bytes.ts';

const ADDRESS_LIMIT = 1n << 64n;
/** Items a narrow reads per batch: enough to fill the target's 1024-iovec calls, few enough that a batch's objects stay small. */
const READ_EACH_BATCH = 1 << 16;
const utf8 = new TextDecoder('utf-8');
const utf16 = new TextDecoder('utf-16le');

export interface RunReadsOptions {
  readonly target: MemorySource;
  readonly budget: Budget;
  readonly steps: readonly PlanStep[];
  readonly recipeName: string;
  /** The target as errors name it: `pid 4242`, `the core of pid 4242`. */
  readonly addressSpace: string;
  readonly modules: ModuleResolver;
  /** Sends the writes still waiting: a read must see memory as the writes before it left it. */
  readonly flush: () => void;
  readonly output: (event: OutputEvent) => void;
  readonly onRead: ((address: bigint, bytes: Uint8Array) => void) | undefined;
  readonly progress: ((progress: ScanProgress & { readonly line: number }) => void) | undefined;
}

export class RunReads {
  readonly #o: RunReadsOptions;
  /** The read nodes of the recipe, by site. */
  readonly sites: ReadonlyMap<number, ReadNode>;
  /** Memory that large reads whose values die with their loop iteration reuse. */
  readonly reused: ReusedReads;
  /** Evaluation with live reads. */
  readonly live: EvalContext;
  /**
   * Read-ahead results of the loops and read-aheads now running, by site (a site is read ahead by one of them
   * at most), with the frame that says which iteration runs.
   */
  readonly #active: ({ readAhead: SiteReadAhead; frame: { index: number } } | undefined)[] = [];

  constructor(options: RunReadsOptions) {
    this.#o = options;
    this.sites = readSites(options.steps);
    this.reused = new ReusedReads(options.target);
    this.live = this.contextWith(this.read);
  }

  /** True when the run tells each read's bytes (--report hashes them): only the interpreter does. */
  get hashed(): boolean {
    return this.#o.onRead !== undefined;
  }

  #at(loc: Loc): SourcePoint {
    return locate(this.#o.recipeName, loc);
  }

  /** Runs `f`, placing an error from below (a policy's budget) at the statement that caused it. */
  placed<T>(loc: Loc, f: () => T): T {
    try {
      return f();
    } catch (error) {
      throw placeError(error, this.#at(loc));
    }
  }

  readonly read = (type: MemoryType, address: bigint, loc: Loc, site: number): Value => {
    const { target, budget, onRead, addressSpace } = this.#o;
    if (address < 0n || address >= ADDRESS_LIMIT) {
      throw new TargetError('bad-address', `cannot read ${type.name} at ${hexAddress(address)}: not an address (outside 0 to 2^64-1)`, {
        ...this.#at(loc),
        hint: 'check the address arithmetic',
      });
    }
    const length = readLength(type);
    budget.read(length, loc);
    this.#o.flush();
    const ahead = site >= 0 ? this.#active[site] : undefined;
    // A live read's refusal (a policy's budget, say) is placed at the read, as one read ahead is at its loop.
    const result = (ahead === undefined ? undefined : readAheadResult(ahead.readAhead, ahead.frame.index, address, length)) ??
      this.placed(loc, () => this.reused.read(site, { address, length }) ?? target.read([{ address, length }])[0]!);
    onRead?.(address, result.bytes.subarray(0, result.done));
    if (result.fault?.denied !== undefined) throw placeError(result.fault.denied, this.#at(loc));
    const value = valueOf(type, result);
    if (value !== undefined) return value;
    const faultAt = result.fault?.address ?? address;
    const why = result.fault?.reason === undefined ? explainFault(faultAt, target.regions(), addressSpace, 'r') : `${hexAddress(faultAt)}: ${result.fault.reason}`;
    throw new TargetError('unmapped', `cannot read ${type.name} at ${hexAddress(address)}: ${why}`, {
      ...this.#at(loc),
      hint: mapsHint(target),
    });
  };

  readonly #scan = (request: ScanRequest, loc: Loc): bigint[] => {
    const { target, budget, progress } = this.#o;
    this.#o.flush();
    // A refusal from below (a policy's read budget, say) is placed at the scan.
    const outcome = this.placed(loc, () => scanTarget(target, request, progress && ((p) => progress({ ...p, line: loc.line }))));
    budget.scanned(outcome.bytesScanned, () => this.#at(loc));
    this.#o.output({ type: 'scan', hits: outcome.hits.length, bytesScanned: outcome.bytesScanned, regions: outcome.regions, skipped: outcome.skipped, line: loc.line });
    return outcome.hits;
  };

  readonly #pointerScan = (request: PointerScanRequest, loc: Loc): PointerPath[] => {
    const { target, budget, progress } = this.#o;
    this.#o.flush();
    const outcome = this.placed(loc, () => pointerScan(target, request, progress && ((p) => progress({ ...p, line: loc.line }))));
    budget.scanned(outcome.bytesScanned, () => this.#at(loc));
    const pointers = { count: outcome.pointers, mapBytes: outcome.mapBytes, levels: outcome.levels, cut: outcome.cut };
    this.#o.output({ type: 'scan', hits: outcome.paths.length, bytesScanned: outcome.bytesScanned, regions: outcome.regions, skipped: outcome.skipped, pointers, line: loc.line });
    return outcome.paths;
  };

  readonly #readEach = (addresses: readonly bigint[], length: number, loc: Loc): ReadEachResult => {
    const { target, budget, onRead } = this.#o;
    budget.read(addresses.length * length, loc);
    this.#o.flush();
    const bytes = new Uint8Array(addresses.length * length);
    const readable = new Uint8Array(addresses.length);
    // In batches, copied into one buffer: a batch's requests and results (an object each) die before the next.
    for (let first = 0; first < addresses.length; first += READ_EACH_BATCH) {
      const batch = addresses.slice(first, first + READ_EACH_BATCH);
      target.read(batch.map((address) => ({ address, length }))).forEach((result, j) => {
        if (result.fault?.denied !== undefined) throw placeError(result.fault.denied, this.#at(loc));
        if (result.done < length) return; // unmapped since: the item drops out
        const i = first + j;
        bytes.set(result.bytes.subarray(0, length), i * length);
        readable[i] = 1;
        onRead?.(addresses[i]!, bytes.subarray(i * length, (i + 1) * length));
      });
    }
    return { bytes, readable };
  };

  /** What evaluation needs, with reads from the target or (reading ahead) from a cache. */
  contextWith(reader: EvalContext['read']): EvalContext {
    const { target, budget, modules } = this.#o;
    return {
      read: reader,
      readEach: this.#readEach,
      scan: this.#scan,
      pointerScan: this.#pointerScan,
      modules,
      threads: () => target.threads(),
      hitCap: { limit: budget.limits.scanHits, rule: budget.limits.rules?.scanHits },
      locate: (loc) => this.#at(loc),
      work: (units, loc) => budget.work(units, loc),
    };
  }

  /**
   * Reads ahead what `count` iterations (or, for a `read-ahead` step, the steps after it: one) will read, once
   * pending writes have landed (a read-ahead must not see memory as it was before them); empty for a window of one
   * iteration of a loop, which reads as it goes.
   */
  readAhead(plan: ReadAhead, body: readonly PlanStep[], iterationScope: (index: number) => Scope, count: number, loc: Loc, loop?: PlanStep): ReadAheadCache {
    if (loop !== undefined && (plan.sites.length === 0 || count <= 1)) return new Map();
    const { target } = this.#o;
    // (Before a step's read-ahead, writes land as before a read: an error there is theirs, not the read-ahead's.)
    if (loop === undefined) this.#o.flush();
    return this.placed(loc, () => {
      if (loop !== undefined) this.#o.flush();
      return readAheadWindow({
        readAhead: plan,
        body,
        sites: this.sites,
        iterationScope,
        count,
        target,
        context: (reader) => this.contextWith(reader),
        decode: decodeOrThrow,
        into: loop === undefined ? undefined : (site, index, length) => this.reused.slot(site, index, length),
      });
    });
  }

  /** A window of a `for` loop read ahead. */
  readAheadLoop(step: Extract<PlanStep, { op: 'for' }>, iterationScope: (index: number) => Scope, count: number): ReadAheadCache {
    return this.readAhead(step.readAhead, step.body, iterationScope, count, step.loc, step);
  }

  /** Reads of these sites take their values from `cache`, for the iteration `frame` says. */
  activate(cache: ReadAheadCache, frame: { index: number }): void {
    for (const [site, readAhead] of cache) this.#active[site] = { readAhead, frame };
  }

  /** What was read ahead for these sites holds no longer. */
  deactivate(sites: Iterable<number>): void {
    for (const site of sites) this.#active[site] = undefined;
  }
}

/** Where to look when an address is not mapped: the map of a live process, or of the core. */
function mapsHint(target: MemorySource): string {
  const { kind, pid } = target.identity;
  if (kind === 'core') return 'check the address arithmetic; `pvm maps --core FILE` lists the regions the core holds';
  return pid === undefined ? 'check the address arithmetic' : `check the address arithmetic; \`pvm maps --pid ${pid}\` lists the mapped regions`;
}

/** A read's value, or undefined when it faulted before the value was complete. */
function valueOf(type: MemoryType, result: ReadResult): Value | undefined {
  if (type.kind === 'cstring') {
    const nul = result.bytes.subarray(0, result.done).indexOf(0);
    if (nul >= 0 || result.fault === undefined) return { kind: 'str', value: utf8.decode(result.bytes.subarray(0, nul >= 0 ? nul : result.done)) };
    return undefined;
  }
  if (result.fault !== undefined) return undefined;
  switch (type.kind) {
    case 'bytes': {
      // Bytes of their own (a large read: coalesce.ts) are kept as they are; a view of a shared buffer is copied, or
      // the value would keep the whole buffer alive. Nothing else holds a read's bytes, and values are never changed.
      const bytes = result.bytes;
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.length === type.size;
      return { kind: 'bytes', value: own ? bytes : bytes.slice(0, type.size) };
    }
    case 'utf16':
      return { kind: 'str', value: utf16.decode(result.bytes.subarray(0, type.units * 2)) };
    case 'shaped':
      return decodeShape(type.shape, result.bytes, 0);
    default:
      return decode(type, result.bytes);
  }
}

function decodeOrThrow(type: MemoryType, result: ReadResult): Value {
  const value = valueOf(type, result);
  if (value === undefined) throw new Error('faulted');
  return value;
}
