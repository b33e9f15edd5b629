// Walks a plan against a target. Prints and emits go to a sink as events;
// the CLI decides how they look. Nothing here prints or exits.
import { attempt } from '../attempt.ts';
import { AssertionFailed, assertNever, DeniedError, RecipeError, TargetError } from '../errors.ts';
import { MAX_DUMP } from '../limits.ts';
import type { Loc, MemoryType, Plan, PlanExpr, PlanStep } from '../plan/plan.ts';
import { describeTarget, type MemorySource, type ReadResult, type WritableTarget } from '../target/target.ts';
import { Budget, type Limits } from './budget.ts';
import { compare, type EvalContext, evaluate } from './evaluate.ts';
import type { ReadEachResult } from './narrow.ts';
import { explainFault } from './explain-fault.ts';
import { locate, placeError, type SourcePoint } from './locate.ts';
import { readSites } from '../plan/walk.ts';
import { readAheadSteps } from '../plan/read-ahead.ts';
import { type FileAddress, ModuleResolver } from './modules.ts';
import type { ElfFiles } from './elf-files.ts';
import { type PrefetchCache, prefetched, prefetchWindow, type SitePrefetch } from './prefetch.ts';
import { ReusedReads } from './reused-reads.ts';
import { LARGE_READ } from './coalesce.ts';
import { Scope } from './scope.ts';
import { humanValue } from './show.ts';
import { encode } from './encode.ts';
import { applyPatch, type PatchOutcome } from './patch.ts';
import { type ScanProgress, type ScanRequest, scanTarget, type SkippedRange } from './scan.ts';
import { WriteBuffer } from './write-buffer.ts';
import { firstUnwritable } from './writable.ts';
import type { JournalEntry } from './journal.ts';
import { decode, hexAddress, int, numeric, ptr, readLength, type Value } from './value.ts';
import { compileLoop, compileWhile, type LoopKernel, type WhileKernel } from './loop-kernel.ts';
import type { LoopItems } from './wasm-loop.ts';
import { type ExactInt, exactInt } from './exact-int.ts';
import { count } from '../count.ts';

export type OutputEvent =
  | { readonly type: 'print'; readonly values: readonly Value[]; readonly line: number }
  | { readonly type: 'emit'; readonly name: string; readonly value: Value; readonly line: number }
  | { readonly type: 'dump'; readonly address: bigint; readonly bytes: Uint8Array; readonly line: number }
  | { readonly type: 'patch'; readonly name: string | undefined; readonly outcome: PatchOutcome; readonly line: number }
  /** A write that landed, or one a dry run did not make (--dry-run: checked against the maps, not sent). */
  | { readonly type: 'write'; readonly status: 'wrote' | 'would write'; readonly address: bigint; readonly bytes: Uint8Array; readonly line: number }
  /** After each scan: what it covered and what it left out, and why. */
  | { readonly type: 'scan'; readonly hits: number; readonly bytesScanned: number; readonly regions: number; readonly skipped: readonly SkippedRange[]; readonly line: number };

export interface ExecuteOptions {
  readonly plan: Plan;
  /** What the recipe reads; a plan that writes also needs its `writable` capability (a live process). */
  readonly target: MemorySource;
  /** Bound params (see params.ts). */
  readonly params: ReadonlyMap<string, Value>;
  readonly output: (event: OutputEvent) => void;
  /** Budgets; the defaults of budget.ts unless a caller narrows them. */
  readonly limits?: Limits;
  /** Writes and patches run only when allowed (docs/policy.md); the CLI refuses earlier, this is the last guard. */
  readonly allowWrite?: boolean;
  /** Verify and show every write and patch, and write nothing (--dry-run); runs without `allowWrite`. */
  readonly dryRun?: boolean;
  /** Run eligible `for` loops compiled (loop-kernel.ts); false runs everything in the interpreter (tests compare the two). */
  readonly compileLoops?: boolean;
  /** Stop every thread of the target for each patch's write (--freeze), not only for patches of code. */
  readonly freeze?: boolean;
  /** Given the sites of each patch, and each batch of writes, just before they are written, to record durably (--journal): one call, one sync. */
  readonly journal?: ((entries: readonly JournalEntry[]) => void) | undefined;
  /**
   * True when `journal` keeps a journal file (--journal), which must hold the
   * bytes each write replaces: a write whose old bytes the policy forbids
   * reading is then refused. Otherwise (an audit log, a report) such a write
   * is recorded with its old bytes withheld (empty).
   */
  readonly journalFile?: boolean;
  /** Told of each range the recipe reads, in order, with the bytes read (--report hashes them). */
  readonly onRead?: ((address: bigint, bytes: Uint8Array) => void) | undefined;
  /** Told how far a scan has got after each of its calls (the CLI shows it on a terminal). */
  readonly progress?: ((progress: ScanProgress & { readonly line: number }) => void) | undefined;
  /** Where symbol() looks for separate debug files (PVM_DEBUG_FILE_DIRECTORY); /usr/lib/debug unless given. */
  readonly debugDirectories?: readonly string[] | undefined;
  /** ELF parses shared with the runs of other processes (pvm run --match). */
  readonly elfFiles?: ElfFiles | undefined;
  /**
   * Told the top-level names and their values when the run ends, even by an error, and which of them a `let`
   * declared as it ran (the REPL keeps them for its next input, with the types of those declared).
   */
  readonly finished?: ((names: ReadonlyMap<string, Value>, declared: ReadonlySet<string>) => void) | undefined;
}

const ADDRESS_LIMIT = 1n << 64n;
/** Items a narrow reads per batch: enough to fill the target's 1024-iovec calls, few enough that a batch's objects stay small. */
const READ_EACH_BATCH = 1 << 16;
const utf8 = new TextDecoder('utf-8');
const utf16 = new TextDecoder('utf-16le');

export function execute(
  { plan, target, params, output: emit, limits, allowWrite = false, dryRun = false, compileLoops = true, freeze = false, journal, journalFile = journal !== undefined, onRead, progress, debugDirectories, elfFiles, finished }: ExecuteOptions,
): void {
  if (plan.writes && !allowWrite && !dryRun) throw writeRefusal(plan);
  // The README's wording: `0x7f00dead0000 is not mapped in pid 4242 (nearest region: …)`.
  const { kind, pid: targetPid, name } = target.identity;
  const addressSpace = targetPid === undefined ? name : kind === 'core' ? `the core of pid ${targetPid}` : `pid ${targetPid}`;
  const at = (loc: Loc) => () => locate(plan.recipe.name, loc);
  const budget = new Budget(limits, (loc) => locate(plan.recipe.name, loc));
  /** Memory that large reads whose values die with their loop iteration reuse. */
  const reused = new ReusedReads(target);
  const modules = new ModuleResolver(target, { debugDirectories, elfFiles });
  /** Journal entries for sites about to be written (`patch` is null for a `write` statement). */
  const journalEntries = journal &&
    ((sites: readonly { address: bigint; before: Uint8Array; after: Uint8Array; line: number; file: FileAddress | undefined }[], statement: 'patch' | 'write', patch?: string) => {
      const { pid, startTime, exe } = target.identity;
      journal(sites.map((site) => ({ pid: pid ?? 0, startTime, exe, recipe: plan.recipe, statement, patch, line: site.line, address: site.address, module: site.file, old: site.before, new: site.after })));
    });
  // Only a plan that writes asks for the write capability, and only a live process has it.
  const writable = plan.writes ? requireWritable(plan, target) : undefined;
  // Writes wait in a buffer until the next read; what the recipe outputs meanwhile waits with them, so the
  // output keeps the recipe's order and says "wrote" only of writes that landed (see WriteBuffer).
  const held: OutputEvent[] = [];
  const output = (event: OutputEvent): void => {
    if (writes !== undefined && (held.length > 0 || writes.pending > 0)) held.push(event);
    else emit(event);
  };
  const release = (landed: number): void => {
    for (const event of held) {
      if (event.type === 'write' && event.status === 'wrote' && landed-- <= 0) break; // this write and what follows did not happen
      emit(event);
    }
    held.length = 0;
  };
  const writes = writable &&
    new WriteBuffer(
      writable,
      addressSpace,
      (loc) => locate(plan.recipe.name, loc),
      journalEntries &&
        ((batch) => {
          const files = modules.filesAt(batch.map((w) => w.address));
          journalEntries(batch.map((w, i) => ({ ...w, line: w.loc.line, file: files[i] })), 'write');
        }),
      release,
      journalFile,
    );

  /**
   * Prefetched results of the loops and read-aheads now running, by site (a site is prefetched by one of them
   * at most), with the frame that says which iteration runs.
   */
  const activeSite: ({ prefetch: SitePrefetch; frame: { index: number } } | undefined)[] = [];
  const activate = (cache: PrefetchCache, frame: { index: number }): void => {
    for (const [site, prefetch] of cache) activeSite[site] = { prefetch, frame };
  };
  const deactivate = (sites: Iterable<number>): void => {
    for (const site of sites) activeSite[site] = undefined;
  };

  const read = (type: MemoryType, address: bigint, loc: Loc, site: number): Value => {
    if (address < 0n || address >= ADDRESS_LIMIT) {
      throw new TargetError('bad-address', `cannot read ${type.name} at ${hexAddress(address)}: not an address (outside 0 to 2^64-1)`, {
        ...at(loc)(),
        hint: 'check the address arithmetic',
      });
    }
    const length = readLength(type);
    budget.read(length, loc);
    writes?.flush();
    const ahead = site >= 0 ? activeSite[site] : undefined;
    // A live read's refusal (a policy's budget, say) is placed at the read, as one read ahead is at its loop.
    const result = (ahead === undefined ? undefined : prefetched(ahead.prefetch, ahead.frame.index, address, length)) ??
      placed(loc, () => reused.read(site, { address, length }) ?? target.read([{ address, length }])[0]!);
    onRead?.(address, result.bytes.subarray(0, result.done));
    if (result.fault?.denied !== undefined) throw placeError(result.fault.denied, at(loc)());
    const value = valueOf(type, result);
    if (value !== undefined) return value;
    const faultAt = result.fault?.address ?? address;
    const why = result.fault?.reason === undefined ? explainFault(faultAt, target.regions(), addressSpace, 'r') : `${hexAddress(faultAt)}: ${result.fault.reason}`;
    throw new TargetError('unmapped', `cannot read ${type.name} at ${hexAddress(address)}: ${why}`, {
      ...at(loc)(),
      hint: mapsHint(target),
    });
  };

  const scan = (request: ScanRequest, loc: Loc): bigint[] => {
    writes?.flush();
    // A refusal from below (a policy's read budget, say) is placed at the scan.
    const outcome = placed(loc, () => scanTarget(target, request, progress && ((p) => progress({ ...p, line: loc.line }))));
    budget.scanned(outcome.bytesScanned, at(loc));
    output({ type: 'scan', hits: outcome.hits.length, bytesScanned: outcome.bytesScanned, regions: outcome.regions, skipped: outcome.skipped, line: loc.line });
    return outcome.hits;
  };

  const readEach = (addresses: readonly bigint[], length: number, loc: Loc): ReadEachResult => {
    budget.read(addresses.length * length, loc);
    writes?.flush();
    const bytes = new Uint8Array(addresses.length * length);
    const readable = new Uint8Array(addresses.length);
    // In batches, copied into one buffer: a batch's requests and results (an object each) die before the next.
    for (let first = 0; first < addresses.length; first += READ_EACH_BATCH) {
      const batch = addresses.slice(first, first + READ_EACH_BATCH);
      target.read(batch.map((address) => ({ address, length }))).forEach((result, j) => {
        if (result.fault?.denied !== undefined) throw placeError(result.fault.denied, at(loc)());
        if (result.done < length) return; // unmapped since: the item drops out
        const i = first + j;
        bytes.set(result.bytes.subarray(0, length), i * length);
        readable[i] = 1;
        onRead?.(addresses[i]!, bytes.subarray(i * length, (i + 1) * length));
      });
    }
    return { bytes, readable };
  };

  /** What evaluation needs, with reads from the target or (prefetching) from a cache. */
  const contextWith = (reader: EvalContext['read']): EvalContext => ({
    read: reader,
    readEach,
    scan,
    modules,
    threads: () => target.threads(),
    hitCap: { limit: budget.limits.scanHits, rule: budget.limits.rules?.scanHits },
    locate: (loc) => locate(plan.recipe.name, loc),
    work: (units, loc) => budget.work(units, loc),
  });
  const live = contextWith(read);
  const sites = readSites(plan.steps);
  /** Runs `f`, placing an error from below (a policy's budget) at the statement that caused it. */
  const placed = <T>(loc: Loc, f: () => T): T => {
    try {
      return f();
    } catch (error) {
      throw placeError(error, at(loc)());
    }
  };

  /** Runs a block; 'break' when a `break` ran in it, for the loop around it to stop. */
  const run = (steps: readonly PlanStep[], env: Scope): 'break' | undefined => {
    const value = (e: PlanExpr) => evaluate(e, env, live);
    /** Sites this block read ahead: their values hold only while the block runs. */
    let readAhead: number[] | undefined;
    for (let index = 0; index < steps.length; index++) {
      const step = steps[index]!;
      if (step.op === 'read-ahead') {
        writes?.flush();
        const cache = placed(step.loc, () => prefetchWindow({ prefetch: step.prefetch, body: readAheadSteps(steps, index), sites, iterationScope: () => env.child(), count: 1, target, context: contextWith, decode: decodeOrThrow }));
        activate(cache, { index: 0 });
        readAhead ??= [];
        for (const site of cache.keys()) readAhead.push(site); // not push(...keys): 124 000 reads ahead are more arguments than a call takes
        continue;
      }
      budget.step(step.loc);
      switch (step.op) {
        case 'let':
          env.declare(step.name, value(step.value));
          break;
        case 'assign':
          env.assign(step.name, value(step.value));
          break;
        case 'print':
          output({ type: 'print', values: step.values.map(value), line: step.loc.line });
          break;
        case 'emit':
          output({ type: 'emit', name: step.name, value: value(step.value), line: step.loc.line });
          break;
        case 'if': {
          const condition = value(step.condition);
          if (run(condition.kind === 'bool' && condition.value ? step.then : step.otherwise, env.child()) === 'break') return stopBlock('break');
          break;
        }
        case 'break':
          return stopBlock('break');
        case 'while': {
          const limit = step.limit === undefined ? undefined : numeric(value(step.limit))!.value;
          if (limit !== undefined && limit < 0n) {
            throw new RecipeError('bad-limit', `limit ${limit} is negative`, { ...at(step.loc)(), hint: 'give a limit of 0 or more' });
          }
          // A body of integer work runs compiled (loop-kernel.ts), unless the run hashes its reads.
          const kernel = compileLoops && onRead === undefined ? whileKernelFor(step, env) : undefined;
          if (kernel !== undefined) {
            kernel.run(env, limit);
            break;
          }
          for (let iteration = 0n;; iteration++) {
            if (limit !== undefined && iteration >= limit) break;
            const condition = value(step.condition);
            if (condition.kind !== 'bool' || !condition.value) break;
            if (limit === undefined && iteration >= budget.limits.loopIterations) {
              throw new RecipeError('unbounded-loop', `this while loop ran ${budget.limits.loopIterations} times and its condition still holds`, {
                ...at(step.loc)(),
                hint: 'add `limit N` to run at most N iterations, or check that the body changes what the condition reads',
              });
            }
            if (run(step.body, env.child()) === 'break') break;
          }
          break;
        }
        case 'for': {
          const limit = step.limit === undefined ? undefined : numeric(value(step.limit))!.value;
          if (limit !== undefined && limit < 0n) {
            throw new RecipeError('bad-limit', `limit ${limit} is negative`, { ...at(step.loc)(), hint: 'give a limit of 0 or more' });
          }
          const source = loopSource(step.over, value);
          const iterations = budget.iterations(source.count, limit, at(step.loc));
          // A body of integer work only runs compiled (loop-kernel.ts), unless the run hashes its reads.
          const kernel = compileLoops && onRead === undefined ? kernelFor(step, source.kind, env) : undefined;
          const window = windowOf(step.prefetch.sites.map((s) => readLength(sites.get(s.site)!.type)));
          if (kernel !== undefined) {
            kernel.run(Number(iterations), source.exactItem, env, Number(window), source.items);
            break;
          }
          reused.enter(step, (site) => readLength(sites.get(site)!.type));
          try {
            for (let first = 0n; first < iterations; first += window) {
              const size = Number(iterations - first < window ? iterations - first : window);
              // One scope serves every iteration, emptied before each: an iteration sees nothing of the one before.
              const body = env.child();
              const iterationScope = (index: number): Scope => {
                body.clear();
                body.declare(step.variable, source.item(first + BigInt(index)));
                return body;
              };
              // Pending writes land before the window is read ahead: a prefetch must not see memory as it was before them.
              const cache: PrefetchCache = step.prefetch.sites.length > 0 && size > 1
                ? placed(step.loc, () => (writes?.flush(),
                  prefetchWindow({
                    prefetch: step.prefetch,
                    body: step.body,
                    sites,
                    iterationScope,
                    count: size,
                    target,
                    context: contextWith,
                    decode: decodeOrThrow,
                    into: (site, index, length) => reused.slot(site, index, length),
                  })))
                : new Map();
              const frame = { index: 0 };
              activate(cache, frame);
              let broke = false;
              for (let index = 0; index < size && !broke; index++) {
                frame.index = index;
                broke = run(step.body, iterationScope(index)) === 'break';
              }
              deactivate(cache.keys());
              if (broke) break;
            }
          } finally {
            // The loop's values are gone: its reused memory serves the loops after it.
            reused.leave(step);
          }
          break;
        }
        case 'assert':
          checkAssertion(step, env, live, at(step.loc));
          break;
        case 'write': {
          const address = checkAddress(numeric(value(step.address))!.value, at(step.loc));
          const data = encode(step.datum.encoding, value(step.datum.value), at(step.datum.loc));
          if (data.kind !== 'bytes') break;
          if (dryRun) {
            checkWritable(target, addressSpace, address, data.bytes.length, at(step.loc));
            output({ type: 'write', status: 'would write', address, bytes: data.bytes, line: step.loc.line });
          } else {
            writes!.add(address, data.bytes, step.loc);
            output({ type: 'write', status: 'wrote', address, bytes: data.bytes, line: step.loc.line });
          }
          break;
        }
        case 'dump': {
          const address = checkAddress(numeric(value(step.address))!.value, at(step.loc));
          const length = numeric(value(step.length))!.value;
          if (length < 1n || length > BigInt(MAX_DUMP)) {
            throw new RecipeError('dump-size', `a dump covers 1 to ${MAX_DUMP} bytes, not ${length}`, { ...at(step.loc)(), hint: 'dump a smaller range, or several' });
          }
          const bytes = read({ kind: 'bytes', name: 'bytes', size: Number(length) }, address, step.loc, -1);
          output({ type: 'dump', address, bytes: (bytes as { value: Uint8Array }).value, line: step.loc.line });
          break;
        }
        case 'patch': {
          writes?.flush();
          const resolved = step.sites.map((site) => {
            const expect = encode(site.expect.encoding, value(site.expect.value), at(site.expect.loc));
            const replacement = encode(site.replacement.encoding, value(site.replacement.value), at(site.replacement.loc));
            return { address: checkAddress(numeric(value(site.address))!.value, at(site.loc)), expect, replacement: (replacement as { bytes: Uint8Array }).bytes, loc: site.loc };
          });
          // Which file each site lies in is looked up now (it may read an ELF file), not while the threads are stopped.
          const files = journalEntries && modules.filesAt(resolved.map((site) => site.address));
          const record = journalEntries &&
            ((sites: readonly { address: bigint; before: Uint8Array; after: Uint8Array }[]) => journalEntries(sites.map((site, i) => ({ ...site, line: step.loc.line, file: files![i] })), 'patch', step.name));
          const outcome = applyPatch(resolved, { target: writable!, space: addressSpace, locate: (loc) => locate(plan.recipe.name, loc), at: at(step.loc)(), freeze: freeze || step.freeze, dryRun, beforeWrite: record });
          output({ type: 'patch', name: step.name, outcome, line: step.loc.line });
          break;
        }
        default:
          assertNever(step);
      }
    }
    return stopBlock(undefined);

    /** Leaves the block: what it read ahead holds no longer. */
    function stopBlock(signal: 'break' | undefined): 'break' | undefined {
      if (readAhead !== undefined) deactivate(readAhead);
      return signal;
    }
  };

  /** Compiled loops, by step; null: not compiled. Reused while the names they use keep their kinds. */
  const kernels = new Map<PlanStep, LoopKernel | WhileKernel | null>();
  const kernelRun = { target, budget, context: live, read, sites, output, flush: () => writes?.flush() };
  /** The step's compiled loop, compiled on first use, while the names it uses keep the kinds it was compiled for. */
  const cachedKernel = <K extends LoopKernel | WhileKernel>(step: PlanStep, env: Scope, compile: () => K | undefined): K | undefined => {
    let kernel = kernels.get(step) as K | null | undefined;
    if (kernel === undefined) {
      kernel = compile() ?? null;
      kernels.set(step, kernel);
    }
    return kernel !== null && [...kernel.outer].every(([name, kind]) => env.get(name)?.kind === kind) ? kernel : undefined;
  };
  const kernelFor = (step: Extract<PlanStep, { op: 'for' }>, kind: 'int' | 'ptr', env: Scope): LoopKernel | undefined => {
    const kernel = cachedKernel(step, env, () => compileLoop(step, kind, env, kernelRun));
    return kernel?.variableKind === kind ? kernel : undefined;
  };
  const whileKernelFor = (step: Extract<PlanStep, { op: 'while' }>, env: Scope): WhileKernel | undefined => cachedKernel(step, env, () => compileWhile(step, env, kernelRun));

  const root = new Scope(undefined, params);
  try {
    run(plan.steps, root);
    writes?.flush();
  } catch (error) {
    // The writes made before the statement that failed land, as they would have one at a time, and what the
    // recipe printed before it is shown; the first error is the one reported.
    if (writes !== undefined && writes.pending > 0) attempt(() => writes.flush());
    throw error;
  } finally {
    modules.close();
    finished?.(root.own(), root.declared());
  }
}

/** The count and items of a loop: a range A..B, or a list; items also as exact integers, for a compiled loop. */
function loopSource(over: Extract<PlanStep, { op: 'for' }>['over'], value: (e: PlanExpr) => Value): {
  count: bigint;
  kind: 'int' | 'ptr';
  item: (i: bigint) => Value;
  exactItem: (i: number) => ExactInt;
  /** The items as compiled loops in WebAssembly take them (wasm-loop.ts). */
  items: LoopItems;
} {
  if (over.kind === 'list') {
    const list = value(over.list);
    const items = list.kind === 'list' ? list.items : [];
    return {
      count: BigInt(items.length),
      // Lists of addresses (hits, literals, params), or of integers (threads()): never mixed.
      kind: items.length > 0 && items.every((v) => v.kind === 'int') ? 'int' : 'ptr',
      item: (i) => items[Number(i)]!,
      exactItem: (i) => exactInt(numeric(items[i]!)!.value),
      items: { at: (i) => numeric(items[i]!)!.value },
    };
  }
  const from = numeric(value(over.from))!;
  const to = numeric(value(over.to))!;
  const start = exactInt(from.value);
  return {
    items: { start: from.value },
    count: to.value > from.value ? to.value - from.value : 0n,
    kind: from.kind,
    item: (i) => (from.kind === 'ptr' ? ptr(from.value + i) : int(from.value + i)),
    exactItem: (i) => (typeof start === 'number' && Number.isSafeInteger(start + i) ? start + i : exactInt(from.value + BigInt(i))),
  };
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

/** Where to look when an address is not mapped: the map of a live process, or of the core. */
function mapsHint(target: MemorySource): string {
  const { kind, pid } = target.identity;
  if (kind === 'core') return 'check the address arithmetic; `pvm maps --core FILE` lists the regions the core holds';
  return pid === undefined ? 'check the address arithmetic' : `check the address arithmetic; \`pvm maps --pid ${pid}\` lists the mapped regions`;
}

function checkAddress(address: bigint, at: () => SourcePoint): bigint {
  if (address < 0n || address >= ADDRESS_LIMIT) {
    throw new TargetError('bad-address', `${hexAddress(address)} is not an address (outside 0 to 2^64-1)`, { ...at(), hint: 'check the address arithmetic' });
  }
  return address;
}

/** The write capability of `target`; a core or snapshot has none, and a recipe that writes is refused (exit 3). */
function requireWritable(plan: Plan, target: MemorySource): WritableTarget {
  if (target.writable !== undefined) return target.writable;
  throw readOnlyRefusal(plan, describeTarget(target.identity));
}

/** A recipe that writes, against a core or snapshot: refused before anything runs. */
export function readOnlyRefusal(plan: Plan, target: string): DeniedError {
  return new DeniedError('read-only-target', `${plan.recipe.name} writes memory, and ${target} is a core file: it can only be read`, {
    hint: 'run recipes that write or patch against the live process (--pid); `pvm plan` shows which statements write',
  });
}

/** docs/policy.md: a recipe that writes runs only with --allow-write; refused before anything is touched. */
export function writeRefusal(plan: Plan): DeniedError {
  return new DeniedError('write-not-allowed', `${plan.recipe.name} writes to the target's memory, and writing was not allowed`, {
    hint: 'run it with --allow-write once you have checked it (`pvm plan` shows every write; --dry-run shows what it would write, without writing)',
  });
}

/** Iterations prefetched and run together: enough to fill 1024-iovec calls and merge neighbours (4096 took 20% less GC time but 25% more calls). */
const WINDOW = 16384n;
/** Bytes a window reads ahead at most: a loop reading 1 KiB an iteration reads 16 384 iterations ahead, not 1 GiB. */
const WINDOW_BYTES = 16 << 20;
/**
 * The same for a loop with a large read (LARGE_READ or more): one reading 64 KiB an iteration reads 16 iterations
 * ahead, and one reading more than 512 KiB reads each as it comes. Small, so that the memory its large reads reuse
 * (reused-reads.ts) stays in the core's cache: a recipe reading 1 GiB as 1 MiB values took 1.5× C's time with
 * 16 MiB windows and 1.3× with these (2 MiB, two buffers that fill this machine's L2, gained less: docs/bench.md,
 * "Bulk reads"). Reads that overlap are read once a window: a loop reading one 64 KiB block each iteration reads it
 * every 16th.
 */
const LARGE_WINDOW_BYTES = 1 << 20;

/** The iterations of a window, for a loop whose iterations read ahead `lengths` bytes at their sites. */
function windowOf(lengths: readonly number[]): bigint {
  const perIteration = lengths.reduce((sum, length) => sum + length, 0);
  const bytes = lengths.some((length) => length >= LARGE_READ) ? LARGE_WINDOW_BYTES : WINDOW_BYTES;
  return perIteration === 0 ? WINDOW : BigInt(Math.max(1, Math.min(Number(WINDOW), Math.floor(bytes / perIteration))));
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
    default:
      return decode(type, result.bytes);
  }
}

function decodeOrThrow(type: MemoryType, result: ReadResult): Value {
  const value = valueOf(type, result);
  if (value === undefined) throw new Error('faulted');
  return value;
}

/** Fails with the message and, for a comparison, the values on both sides. */
function checkAssertion(step: Extract<PlanStep, { op: 'assert' }>, env: Scope, context: EvalContext, at: () => SourcePoint): void {
  let detail = '';
  let holds: boolean;
  if (step.condition.op === 'compare') {
    // Each side is evaluated once: a read must not happen twice to explain a failure.
    const left = evaluate(step.condition.left, env, context);
    const right = evaluate(step.condition.right, env, context);
    holds = compare(step.condition.operator, left, right);
    detail = `${showValue(left)} ${step.condition.operator} ${showValue(right)} is false`;
  } else {
    const condition = evaluate(step.condition, env, context);
    holds = condition.kind === 'bool' && condition.value;
  }
  if (holds) return;
  const message = step.message === undefined ? undefined : evaluate(step.message, env, context);
  const text = message?.kind === 'str' ? message.value : undefined;
  throw new AssertionFailed('assert', `assertion failed${text === undefined ? '' : `: ${text}`}${detail === '' ? '' : ` (${detail})`}`, {
    ...at(),
    hint: 'the target is not in the state this recipe expects',
  });
}

function showValue(value: Value): string {
  switch (value.kind) {
    case 'str':
      return JSON.stringify(value.value);
    default:
      return humanValue(value);
  }
}
