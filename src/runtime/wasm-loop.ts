// A `for` loop compiled to WebAssembly (issue 13): the same loops the JS
// kernel compiles (loop-kernel.ts), run from their first iteration at the
// speed of compiled code. A recipe runs once, and JS runs
// its first thousands of iterations in the interpreter; WebAssembly is
// compiled before it runs (V8's Liftoff, JavaScriptCore's BBQ: well under a
// millisecond for a loop).
//
// Everything a window of iterations needs lives in the module's memory: for
// each level of the read-ahead (prefetch.ts) a generated function computes
// every iteration's addresses and lays them out as iovecs (ranges merged as
// level-read.ts merges them), the target reads them straight into that memory
// (`MemorySource.vectors`), and the body reads its values there.
//
// Integers are i64 here. Whatever the i64 form cannot answer exactly (a
// result past ±2^63, a u64 at or above 2^63, a division by zero, a shift out of
// range, a read not read ahead or that faulted, a budget running out) stops
// the window at the start of that iteration, with the names as they were
// then: the JS kernel runs that iteration, and answers it exactly, or raises
// the error the interpreter raises, at the same place; WebAssembly takes the
// rest (loop-kernel.ts, a few times a run). What an
// iteration prints or emits is held until the iteration ends, so that one
// stopped midway prints nothing twice.
import type { PlanExpr, PlanStep, Prefetch } from '../plan/plan.ts';
import { type BinaryOperator, resultKind } from '../plan/arithmetic.ts';
import { childrenOf, readSites } from '../plan/walk.ts';
import type { MemorySource, VectorReader } from '../target/target.ts';
import type { Budget } from './budget.ts';
import { placeError } from './locate.ts';
import type { EvalContext } from './evaluate.ts';
import type { Scope } from './scope.ts';
import type { IntType } from './level-read.ts';
import { encodeModule, FunctionCode, I32, I64, Op } from '../wasm-encode.ts';
import type { OutputEvent } from './execute.ts';
import { bool, int, numeric, ptr, readLength, type Value } from './value.ts';

type Kind = 'int' | 'ptr' | 'bool';

/** What the loop needs from the run around it. */
export interface WasmRun {
  readonly target: MemorySource;
  readonly budget: Budget;
  readonly context: EvalContext;
  readonly sites: ReadonlyMap<number, Extract<PlanExpr, { op: 'read' }>>;
  readonly flush: () => void;
  /** Where `print` and `emit` go: the run's output, in order. */
  readonly output: (event: OutputEvent) => void;
}

/** A `print` or `emit` of the body: its values are left in memory at OUT, in slots, and the import `output` is told which. */
type OutputSite =
  | { readonly type: 'print'; readonly parts: readonly ({ readonly text: Value } | { readonly kind: Kind })[]; readonly line: number }
  | { readonly type: 'emit'; readonly name: string; readonly kind: Kind; readonly line: number };

/** What a loop goes over: a range from `start` (item i is start + i), or a list (item i is `at(i)`). */
export type LoopItems = { readonly start: bigint } | { readonly at: (index: number) => bigint };

export interface WasmLoop {
  /**
   * Runs iterations [0, count) of the loop over `items`, over the scope
   * around it: all of them, 'break', or the iteration where the JS kernel
   * must take over (the names the body assigns are stored in `env` as they
   * were at that iteration's start).
   */
  run(count: number, items: LoopItems, env: Scope): number | 'break';
}

/** Not compiled to WebAssembly (the JS kernel runs the loop). */
class Ineligible extends Error {}

/** Iterations a window: as the interpreter's (execute.ts); the memory holds one window's reads. */
const WINDOW = 16384;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
/** The most memory a loop's module takes: its window shrinks to fit, down to MIN_WINDOW iterations (else the JS kernel runs the loop). */
const MAX_MEMORY = 64 << 20;
const MIN_WINDOW = 256;
/** The most reads a body may have: a module for thousands compiles in seconds (measured: 2000 reads 1.5 s, 5000 5.5 s on V8). */
const MAX_SITES = 256;
/** Ranges of `blocked()` the memory has room for; more, and the JS kernel runs the loop. */
const AVOID_CAPACITY = 64;
/** The body's outcome. */
const DONE = 0;
const BROKE = 1;
const STOPPED = 2;

/** The loop in WebAssembly, or undefined where its body is not one this compiles (or the target reads no vectors). */
export function compileWasmLoop(step: Extract<PlanStep, { op: 'for' }>, variableKind: 'int' | 'ptr', env: Scope, run: WasmRun, window = WINDOW): WasmLoop | undefined {
  const vectors = run.target.vectors;
  if (vectors === undefined || typeof WebAssembly === 'undefined') return undefined;
  try {
    return new LoopModule(step, variableKind, env, run, vectors, window);
  } catch (error) {
    // Not one this compiles, or one the engine refuses (a body past its limits): the JS kernel runs it.
    if (error instanceof Ineligible || error instanceof WebAssembly.CompileError || error instanceof RangeError) return undefined;
    throw error;
  }
}

interface Binding {
  readonly local: number;
  readonly kind: Kind;
  /** A read-ahead's let: an i32 local, 1 where this iteration's value is not known ahead. */
  readonly unknownFlag?: number;
}

interface Site {
  readonly site: number;
  readonly level: number;
  readonly type: IntType;
  /** Memory: the address read ahead for each iteration (i64, -1: none), and the range it lies in (i32). */
  readonly addresses: number;
  readonly rangeOf: number;
}

interface Level {
  readonly sites: readonly Site[];
  readonly name: string;
  /** Memory: remote iovecs, where each range lands (offsets, one more than ranges), what arrived of it, the bytes. */
  readonly remote: number;
  readonly offsets: number;
  readonly done: number;
  readonly bytes: number;
}

/** Where a function's code goes when a value cannot be had: the body stops (bails), a read-ahead leaves the address out. */
interface Context {
  readonly code: FunctionCode;
  readonly mode: 'body' | 'level';
  /** In a level's function, the level: sites of lower levels are readable. */
  readonly level: number;
  readonly fail: string;
  readonly scopes: Map<string, Binding | 'unknown'>[];
  readonly outer: ReadonlyMap<string, Binding>;
  readonly item: number;
  readonly index: number;
  /** Body: the locals counting statements and bytes read, and the parameters bounding them. */
  readonly steps?: number;
  readonly reads?: number;
}

/** The memory's fixed places (byte offsets). */
const STATE_STEPS = 0;
const STATE_READS = 8;
const STATE_STOPPED = 16;
const AVOID = 32;
const OUTER = AVOID + AVOID_CAPACITY * 16;

class LoopModule implements WasmLoop {
  readonly #step: Extract<PlanStep, { op: 'for' }>;
  readonly #run: WasmRun;
  readonly #vectors: VectorReader;
  readonly #window: number;
  readonly #variable: { name: string; kind: 'int' | 'ptr' };
  /** Names of the scope around the loop, in the order of their i64 slots at OUTER. */
  readonly #outer = new Map<string, { kind: Kind; slot: number; assigned: boolean }>();
  readonly #sites = new Map<number, Site>();
  readonly #levels: Level[] = [];
  /** The body's top-level lets the read-ahead computes, in order. */
  readonly #prefetchLets: readonly Extract<PlanStep, { op: 'let' }>[];
  /** The names the body's top level declares (a read-ahead that needs one it has not computed knows nothing). */
  readonly #topNames: ReadonlySet<string>;
  /** The kinds of the body's top-level lets, as the body computes them. */
  readonly #topKinds = new Map<string, Kind>();
  readonly #memory: WebAssembly.Memory;
  readonly #exports: Record<string, (...args: (number | bigint)[]) => number>;
  /** The body's prints and emits, by the number the import `output` is called with; their values' slots at #out. */
  readonly #outputs: OutputSite[] = [];
  #out = 0;
  #mostValues = 0;
  /** Where a list's items lie in memory (i64, a window's), or undefined for a range. */
  readonly #items: number | undefined;
  /** What the window's iterations printed and emitted, held until it ends (an iteration stopped midway prints nothing). */
  readonly #pending: { readonly index: number; readonly event: OutputEvent }[] = [];

  constructor(step: Extract<PlanStep, { op: 'for' }>, variableKind: 'int' | 'ptr', env: Scope, run: WasmRun, vectors: VectorReader, window: number) {
    this.#step = step;
    this.#run = run;
    this.#vectors = vectors;
    this.#variable = { name: step.variable, kind: variableKind };
    const prefetch: Prefetch = step.prefetch;
    this.#topNames = new Set(step.body.flatMap((s) => (s.op === 'let' ? [s.name] : [])));
    this.#prefetchLets = step.body.filter((s): s is Extract<PlanStep, { op: 'let' }> => s.op === 'let' && prefetch.lets.includes(s.name));
    // Every read of the body must be read ahead (a live read is the JS kernel's), as an integer or pointer, little-endian.
    const levelOf = new Map(prefetch.sites.map(({ site, level }) => [site, level]));
    if ([...readSites(step.body).keys()].some((site) => !levelOf.has(site)) || prefetch.sites.length > MAX_SITES) throw new Ineligible();
    // Memory layout: fixed places, then the outer names (known after a first pass over the body), then per site and level:
    // per iteration, a site's address and range (12 bytes), its remote iovec, offset and done (24), its bytes.
    this.#discoverOuter(env);
    this.#out = OUTER + this.#outer.size * 8;
    let at = this.#out + this.#mostValues * 8;
    const take = (bytes: number): number => {
      const place = at;
      at += Math.ceil(bytes / 8) * 8;
      return place;
    };
    // A list's items take 8 bytes an iteration too (a range's are computed).
    const perIteration = prefetch.sites.reduce((sum, { site }) => sum + 36 + readLength(run.sites.get(site)!.type), step.over.kind === 'list' ? 8 : 0);
    window = Math.min(window, Math.floor((MAX_MEMORY - at) / Math.max(1, perIteration)));
    if (window < MIN_WINDOW) throw new Ineligible();
    this.#window = window;
    this.#items = step.over.kind === 'list' ? take(window * 8) : undefined;
    const levels = [...new Set(prefetch.sites.map((s) => s.level))].sort((a, b) => a - b);
    for (const level of levels) {
      const sites: Site[] = [];
      for (const { site } of prefetch.sites.filter((s) => s.level === level)) {
        const node = run.sites.get(site)!;
        const type = node.type;
        if (!((type.kind === 'int' && !type.bigEndian) || type.kind === 'ptr')) throw new Ineligible();
        const entry: Site = { site, level: this.#levels.length, type: type as IntType, addresses: take(window * 8), rangeOf: take(window * 4) };
        sites.push(entry);
        this.#sites.set(site, entry);
      }
      const maxRanges = window * sites.length;
      const bytesPerIteration = sites.reduce((sum, s) => sum + s.type.size, 0);
      this.#levels.push({
        sites,
        name: `level${this.#levels.length}`,
        remote: take(maxRanges * 16),
        offsets: take((maxRanges + 1) * 4),
        done: take(maxRanges * 4),
        bytes: take(window * bytesPerIteration),
      });
    }
    const functions = [{ name: 'body', code: this.#body() }, ...this.#levels.map((level, k) => ({ name: level.name, code: this.#levelFunction(level, k) }))];
    const pages = Math.ceil(at / 65536) + 1;
    const imports = [{ module: 'pvm', name: 'output', params: [I32, I32] as const }];
    const instance = new WebAssembly.Instance(new WebAssembly.Module(encodeModule(functions, pages, imports)), { pvm: { output: (k: number, index: number) => this.#hold(k, index) } });
    this.#exports = instance.exports as unknown as Record<string, (...args: (number | bigint)[]) => number>;
    // The memory never grows: where it lies stays put (the target reads into it).
    this.#memory = instance.exports.memory as WebAssembly.Memory;
  }

  run(count: number, items: LoopItems, env: Scope): number | 'break' {
    const start = 'start' in items ? items.start : 0n;
    if ('start' in items && (start < I64_MIN || start + BigInt(count) > I64_MAX)) return 0;
    const words = new BigInt64Array(this.#memory.buffer);
    for (const [name, { kind, slot }] of this.#outer) {
      const value = env.get(name)!;
      const raw = kind === 'bool' ? ((value as { value: boolean }).value ? 1n : 0n) : numeric(value)!.value;
      if (raw < I64_MIN || raw > I64_MAX) return 0;
      words[(OUTER >> 3) + slot] = raw;
    }
    const blocked = this.#vectors.blocked();
    if (blocked.length > AVOID_CAPACITY) return 0;
    // (Read ahead are addresses below 2^53: a bound beyond 2^63 - 1 is as good as that.)
    blocked.forEach(({ start: from, end }, i) => {
      words[(AVOID >> 3) + i * 2] = from > I64_MAX ? I64_MAX : from;
      words[(AVOID >> 3) + i * 2 + 1] = end > I64_MAX ? I64_MAX : end;
    });
    const { budget } = this.#run;
    const memoryBytes = new Uint8Array(this.#memory.buffer);
    const ints = new Int32Array(this.#memory.buffer);
    let outcome: number | 'break' = count;
    try {
      for (let first = 0; first < count; first += this.#window) {
        const full = Math.min(this.#window, count - first);
        let size = full;
        const itemBase = start + BigInt(first);
        if ('at' in items) {
          // An item beyond i64 ends the window before it: the JS kernel takes it.
          const slots = this.#items! >> 3;
          for (let i = 0; i < size; i++) {
            const item = items.at(first + i);
            if (item < I64_MIN || item > I64_MAX) size = i;
            else words[slots + i] = item;
          }
          if (size === 0) {
            outcome = first;
            break;
          }
        }
        // The interpreter reads ahead (and sends pending writes first) only for a window of two iterations or more:
        // a lone one is the JS kernel's, which reads live, as the interpreter does.
        if (this.#levels.length > 0 && size < 2) {
          outcome = first;
          break;
        }
        try {
          // As the interpreter: pending writes land before the window is read ahead, and an error there is the loop's.
          if (this.#levels.length > 0) this.#run.flush();
          this.#levels.forEach((level) => {
            const ranges = this.#exports[level.name]!(itemBase, size, blocked.length);
            if (ranges === 0) return;
            this.#vectors.read(
              memoryBytes.subarray(level.remote, level.remote + ranges * 16),
              ranges,
              ints.subarray(level.offsets >> 2, (level.offsets >> 2) + ranges + 1),
              ints.subarray(level.done >> 2, (level.done >> 2) + ranges),
              memoryBytes,
            );
          });
        } catch (error) {
          throw placeError(error, this.#run.context.locate(this.#step.loc));
        }
        const status = this.#exports.body!(itemBase, size, BigInt(Math.max(0, budget.stepsLeft)), BigInt(Math.max(0, budget.readBytesLeft)));
        budget.spent(Number(words[STATE_STEPS >> 3]), Number(words[STATE_READS >> 3]));
        this.#release(status === STOPPED ? ints[STATE_STOPPED >> 2]! : undefined);
        // After each window (at most COMPILED_CLOCK_STEPS steps under a time limit), once what it printed is out.
        budget.checkClock(this.#step.loc);
        if (status === BROKE) {
          outcome = 'break';
          break;
        }
        if (status === STOPPED || size < full) {
          outcome = first + (status === STOPPED ? ints[STATE_STOPPED >> 2]! : size);
          break;
        }
      }
    } finally {
      for (const [name, { kind, slot, assigned }] of this.#outer) if (assigned) env.assign(name, valueOf(words[(OUTER >> 3) + slot]!, kind));
    }
    return outcome;
  }

  /** The import `output`: what print or emit `k` of iteration `index` shows, from its slots, held until the window ends. */
  #hold(k: number, index: number): void {
    // Only the iteration the body stops in is ever dropped: what earlier ones showed goes out now.
    if (this.#pending.length > 0 && this.#pending[0]!.index < index) this.#release(index);
    const site = this.#outputs[k]!;
    const words = new BigInt64Array(this.#memory.buffer, this.#out, this.#mostValues);
    if (site.type === 'emit') {
      this.#pending.push({ index, event: { type: 'emit', name: site.name, value: valueOf(words[0]!, site.kind), line: site.line } });
      return;
    }
    let slot = 0;
    const values = site.parts.map((part) => ('text' in part ? part.text : valueOf(words[slot++]!, part.kind)));
    this.#pending.push({ index, event: { type: 'print', values, line: site.line } });
  }

  /** Shows what was held, but for what iteration `stopped` (which the JS kernel runs again) printed, which is dropped. */
  #release(stopped?: number): void {
    for (const { index, event } of this.#pending) if (index !== stopped) this.#run.output(event);
    this.#pending.length = 0;
  }

  /** A first pass over the body: the outer names it uses, their kinds, and which it assigns. */
  #discoverOuter(env: Scope): void {
    const lookup = (name: string, scopes: Set<string>[], assigning: boolean): void => {
      if (name === this.#variable.name && !scopes.some((s) => s.has(name))) return;
      if (scopes.some((s) => s.has(name))) return;
      let outer = this.#outer.get(name);
      if (outer === undefined) {
        const value = env.get(name);
        const kind = value?.kind;
        if (kind !== 'int' && kind !== 'ptr' && kind !== 'bool') throw new Ineligible();
        outer = { kind, slot: this.#outer.size, assigned: false };
        this.#outer.set(name, outer);
      }
      if (assigning) outer.assigned = true;
    };
    const expression = (e: PlanExpr, scopes: Set<string>[]): void => {
      if (e.op === 'var') lookup(e.name, scopes, false);
      for (const child of childrenOf(e)) expression(child, scopes);
    };
    const block = (steps: readonly PlanStep[], scopes: Set<string>[]): void => {
      const scope = new Set<string>();
      const inner = [...scopes, scope];
      for (const s of steps) {
        if (s.op === 'let') {
          expression(s.value, inner);
          scope.add(s.name);
        } else if (s.op === 'assign') {
          expression(s.value, inner);
          lookup(s.name, inner, true);
        } else if (s.op === 'if') {
          expression(s.condition, inner);
          block(s.then, inner);
          block(s.otherwise, inner);
        } else if (s.op === 'print') {
          const values = s.values.filter((v) => v.op !== 'str');
          values.forEach((v) => expression(v, inner));
          this.#mostValues = Math.max(this.#mostValues, values.length);
        } else if (s.op === 'emit') {
          expression(s.value, inner);
          this.#mostValues = Math.max(this.#mostValues, 1);
        } else if (s.op !== 'break' && s.op !== 'read-ahead') throw new Ineligible();
      }
    };
    block(this.#step.body, []);
  }

  /**
   * The body: `body(itemBase, size, stepsLeft, readsLeft)` runs iterations
   * [0, size) of the window; DONE, BROKE, or STOPPED (at the iteration in
   * STATE_STOPPED, names as they were at its start).
   */
  #body(): FunctionCode {
    const code = new FunctionCode([I64, I32, I64, I64], I32);
    const [itemBase, size, stepLimit, readLimit] = [0, 1, 2, 3];
    // (A list's item comes from memory: itemBase is unused.)
    const index = code.local(I32);
    const item = code.local(I64);
    const steps = code.local(I64);
    const reads = code.local(I64);
    const stepsBefore = code.local(I64);
    const readsBefore = code.local(I64);
    const outer = new Map<string, Binding>();
    const saved = new Map<string, number>();
    for (const [name, { kind, slot, assigned }] of this.#outer) {
      const local = code.local(kind === 'bool' ? I32 : I64);
      outer.set(name, { local, kind });
      code.i32(0).memory(Op.i64Load, OUTER + slot * 8);
      if (kind === 'bool') code.op(Op.i32WrapI64);
      code.set(local);
      if (assigned) saved.set(name, code.local(kind === 'bool' ? I32 : I64));
    }
    const store = () => {
      for (const [name, { slot, assigned, kind }] of this.#outer) {
        if (!assigned) continue;
        code.i32(0).get(outer.get(name)!.local);
        if (kind === 'bool') code.op(Op.i64ExtendI32U);
        code.memory(Op.i64Store, OUTER + slot * 8);
      }
      code.i32(0).get(steps).memory(Op.i64Store, STATE_STEPS);
      code.i32(0).get(reads).memory(Op.i64Store, STATE_READS);
    };
    const context: Context = { code, mode: 'body', level: Infinity, fail: 'stop', scopes: [], outer, item, index, steps, reads };
    code.open('block', 'exit').open('loop', 'iterate');
    code.get(index).get(size).op(Op.i32GeS).brIf('exit');
    this.#item(code, itemBase, index, item);
    for (const [name, local] of saved) code.get(outer.get(name)!.local).set(local);
    code.get(steps).set(stepsBefore).get(reads).set(readsBefore);
    code.open('block', 'next').open('block', 'stop');
    this.#block(context, this.#step.body, { limits: { steps: stepLimit, reads: readLimit }, store });
    code.br('next').end();
    // Stopped: the names, statements and bytes as they were when the iteration began.
    for (const [name, local] of saved) code.get(local).set(outer.get(name)!.local);
    code.get(stepsBefore).set(steps).get(readsBefore).set(reads);
    store();
    code.i32(0).get(index).memory(Op.i32Store, STATE_STOPPED);
    code.i32(STOPPED).op(Op.return);
    code.end();
    code.get(index).i32(1).op(Op.i32Add).set(index).br('iterate');
    code.end().end();
    store();
    code.i32(DONE);
    return code;
  }

  #block(context: Context, steps: readonly PlanStep[], body: { limits: { steps: number; reads: number }; store: () => void }): void {
    const { code } = context;
    context.scopes.push(new Map());
    for (const step of steps) {
      if (step.op === 'read-ahead') continue;
      // As H.step: a statement is counted before it runs; one past the budget stops the iteration (the JS kernel raises the error).
      code.get(context.steps!).i64(1n).op(Op.i64Add).set(context.steps!);
      code.get(context.steps!).get(body.limits.steps).op(Op.i64GtS).brIf(context.fail);
      switch (step.op) {
        case 'let': {
          const value = this.#expression(context, step.value, body.limits.reads);
          const local = code.local(value === 'bool' ? I32 : I64);
          code.set(local);
          context.scopes.at(-1)!.set(step.name, { local, kind: value });
          if (context.scopes.length === 1) this.#topKinds.set(step.name, value);
          break;
        }
        case 'assign': {
          const binding = this.#lookup(context, step.name);
          if (binding === 'unknown') throw new Ineligible();
          const value = this.#expression(context, step.value, body.limits.reads);
          // The JS kernel's kinds are fixed; so are these.
          if (value !== binding.kind) throw new Ineligible();
          code.set(binding.local);
          break;
        }
        case 'if': {
          if (this.#expression(context, step.condition, body.limits.reads) !== 'bool') throw new Ineligible();
          code.open('if');
          this.#block(context, step.then, body);
          code.else();
          this.#block(context, step.otherwise, body);
          code.end();
          break;
        }
        case 'break':
          body.store();
          code.i32(BROKE).op(Op.return);
          break;
        case 'print': {
          // Each value to its slot, then the import is told which print this is.
          let slot = 0;
          const parts = step.values.map((v) => {
            if (v.op === 'str') return { text: { kind: 'str', value: v.value } as Value };
            code.i32(0);
            const kind = this.#expression(context, v, body.limits.reads);
            if (kind === 'bool') code.op(Op.i64ExtendI32U);
            code.memory(Op.i64Store, this.#out + slot++ * 8);
            return { kind };
          });
          this.#outputs.push({ type: 'print', parts, line: step.loc.line });
          code.i32(this.#outputs.length - 1).get(context.index).call(0);
          break;
        }
        case 'emit': {
          code.i32(0);
          const kind = this.#expression(context, step.value, body.limits.reads);
          if (kind === 'bool') code.op(Op.i64ExtendI32U);
          code.memory(Op.i64Store, this.#out);
          this.#outputs.push({ type: 'emit', name: step.name, kind, line: step.loc.line });
          code.i32(this.#outputs.length - 1).get(context.index).call(0);
          break;
        }
        default:
          throw new Ineligible();
      }
    }
    context.scopes.pop();
  }

  /**
   * A level's read-ahead: `levelK(itemBase, size, blocked)` computes each
   * iteration's address of each of its sites, lays them out as ranges (remote
   * iovecs, their bytes back to back from `level.bytes`), and returns how
   * many. A range meeting one of the `blocked`
   * ranges (at AVOID) is left out: its reads stop the body, and the JS kernel
   * raises their errors.
   */
  #levelFunction(level: Level, k: number): FunctionCode {
    const code = new FunctionCode([I64, I32, I32], I32);
    const [itemBase, size, blocked] = [0, 1, 2];
    const index = code.local(I32);
    const item = code.local(I64);
    const ranges = code.local(I32); // ranges so far
    const current = code.local(I32); // the range being extended, -1 none
    const currentStart = code.local(I64);
    const currentEnd = code.local(I64);
    const total = code.local(I32); // bytes laid out so far
    const address = code.local(I64);
    const end = code.local(I64);
    const j = code.local(I32);
    const last = level.sites.map(() => code.local(I32));
    const outer = new Map<string, Binding>();
    for (const [name, { kind, slot }] of this.#outer) {
      const local = code.local(kind === 'bool' ? I32 : I64);
      outer.set(name, { local, kind });
      code.i32(0).memory(Op.i64Load, OUTER + slot * 8);
      if (kind === 'bool') code.op(Op.i32WrapI64);
      code.set(local);
    }
    code.i32(-1).set(current);
    for (const l of last) code.i32(-1).set(l);
    const remoteAt = (range: number, field: 0 | 8) => code.get(range).i32(16).op(Op.i32Mul).memory(Op.i64Load, level.remote + field);
    // Closes the current range: left out (no bytes) if it meets a blocked range.
    const close = () => {
      code.get(current).i32(0).op(Op.i32GeS).open('if');
      code.i32(0).set(j);
      code.open('block', 'scanned').open('loop', 'avoid');
      code.get(j).get(blocked).op(Op.i32GeS).brIf('scanned');
      // currentStart < blockedEnd && blockedStart < currentEnd
      code.get(currentStart).get(j).i32(16).op(Op.i32Mul).memory(Op.i64Load, AVOID + 8).op(Op.i64LtS);
      code.get(j).i32(16).op(Op.i32Mul).memory(Op.i64Load, AVOID).get(currentEnd).op(Op.i64LtS);
      code.op(Op.i32And);
      code.open('if');
      code.get(total).get(currentEnd).get(currentStart).op(Op.i64Sub, Op.i32WrapI64, Op.i32Sub).set(total);
      code.get(current).i32(16).op(Op.i32Mul).i64(0n).memory(Op.i64Store, level.remote + 8);
      code.br('scanned');
      code.end();
      code.get(j).i32(1).op(Op.i32Add).set(j).br('avoid');
      code.end().end();
      code.end();
    };
    const context: Context = { code, mode: 'level', level: k, fail: 'unknown', scopes: [], outer, item, index };
    code.open('block', 'exit').open('loop', 'iterate');
    code.get(index).get(size).op(Op.i32GeS).brIf('exit');
    this.#item(code, itemBase, index, item);
    // The top-level lets the read-ahead computes, each known or not for this iteration.
    const scope = new Map<string, Binding | 'unknown'>();
    context.scopes.push(scope);
    const known = new Set<string>();
    for (const name of this.#topNames) scope.set(name, 'unknown');
    for (const l of this.#prefetchLets) {
      // A let computed once per function: a second `let` of a name is not one the read-ahead sees through.
      if (known.has(l.name)) throw new Ineligible();
      const flag = code.local(I32);
      code.i32(1).set(flag);
      code.open('block', 'unknown');
      const kind = this.#expression(context, l.value, undefined);
      const local = code.local(kind === 'bool' ? I32 : I64);
      code.set(local).i32(0).set(flag);
      code.end();
      known.add(l.name);
      scope.set(l.name, { local, kind, unknownFlag: flag });
    }
    level.sites.forEach((site, s) => {
      const node = this.#run.sites.get(site.site)!;
      const length = BigInt(site.type.size);
      code.i64(-1n).set(address);
      code.open('block', 'unknown');
      if (this.#expression(context, node.address, undefined) === 'bool') throw new Ineligible();
      code.set(end);
      // Read ahead only addresses whose bytes stay below 2^53, as the JS kernel does; others are the body's to stop at.
      code.get(end).i64(0n).op(Op.i64LtS).brIf('unknown');
      code.get(end).i64((1n << 53n) - 1n - length).op(Op.i64GtS).brIf('unknown');
      code.get(end).set(address);
      code.end();
      code.get(index).i32(8).op(Op.i32Mul).get(address).memory(Op.i64Store, site.addresses);
      code.open('block', 'placed');
      code.get(index).i32(4).op(Op.i32Mul).i32(-1).memory(Op.i32Store, site.rangeOf);
      code.get(address).i64(0n).op(Op.i64LtS).brIf('placed');
      code.get(address).i64(length).op(Op.i64Add).set(end);
      // Within the range this site read last (a header read in every iteration): reuse it.
      code.open('block', 'elsewhere');
      code.get(last[s]!).i32(0).op(Op.i32LtS).brIf('elsewhere');
      code.get(address);
      remoteAt(last[s]!, 0);
      code.op(Op.i64LtS).brIf('elsewhere');
      code.get(end);
      remoteAt(last[s]!, 0);
      remoteAt(last[s]!, 8);
      code.op(Op.i64Add, Op.i64GtS).brIf('elsewhere');
      code.get(index).i32(4).op(Op.i32Mul).get(last[s]!).memory(Op.i32Store, site.rangeOf);
      code.br('placed');
      code.end();
      // Starting inside or at the end of the current range: it grows to take it.
      code.get(current).i32(0).op(Op.i32GeS);
      code.get(address).get(currentStart).op(Op.i64GeS, Op.i32And);
      code.get(address).get(currentEnd).op(Op.i64LeS, Op.i32And);
      code.open('if');
      code.get(end).get(currentEnd).op(Op.i64GtS).open('if');
      code.get(total).get(end).get(currentEnd).op(Op.i64Sub, Op.i32WrapI64, Op.i32Add).set(total);
      code.get(end).set(currentEnd);
      code.get(current).i32(16).op(Op.i32Mul).get(currentEnd).get(currentStart).op(Op.i64Sub).memory(Op.i64Store, level.remote + 8);
      code.end();
      code.else();
      close();
      code.get(ranges).set(current);
      code.get(ranges).i32(1).op(Op.i32Add).set(ranges);
      code.get(address).set(currentStart).get(end).set(currentEnd);
      code.get(current).i32(16).op(Op.i32Mul).get(address).memory(Op.i64Store, level.remote);
      code.get(current).i32(16).op(Op.i32Mul).i64(length).memory(Op.i64Store, level.remote + 8);
      code.get(current).i32(4).op(Op.i32Mul).get(total).i32(level.bytes).op(Op.i32Add).memory(Op.i32Store, level.offsets);
      code.get(total).i32(site.type.size).op(Op.i32Add).set(total);
      code.end();
      code.get(index).i32(4).op(Op.i32Mul).get(current).memory(Op.i32Store, site.rangeOf);
      code.get(current).set(last[s]!);
      code.end();
    });
    context.scopes.pop();
    code.get(index).i32(1).op(Op.i32Add).set(index).br('iterate');
    code.end().end();
    close();
    // Each range arrived in full unless the target says otherwise; and where the bytes end.
    code.i32(0).set(j);
    code.open('block', 'laid').open('loop', 'lay');
    code.get(j).get(ranges).op(Op.i32GeS).brIf('laid');
    code.get(j).i32(4).op(Op.i32Mul);
    remoteAt(j, 8);
    code.op(Op.i32WrapI64).memory(Op.i32Store, level.done);
    code.get(j).i32(1).op(Op.i32Add).set(j).br('lay');
    code.end().end();
    code.get(ranges).i32(4).op(Op.i32Mul).get(total).i32(level.bytes).op(Op.i32Add).memory(Op.i32Store, level.offsets);
    code.get(ranges);
    return code;
  }

  /** Sets `item` to iteration `index`'s item: start + index for a range, from memory for a list. */
  #item(code: FunctionCode, itemBase: number, index: number, item: number): void {
    if (this.#items === undefined) code.get(itemBase).get(index).op(Op.i64ExtendI32U, Op.i64Add).set(item);
    else code.get(index).i32(8).op(Op.i32Mul).memory(Op.i64Load, this.#items).set(item);
  }

  #lookup(context: Context, name: string): Binding | 'unknown' {
    for (let i = context.scopes.length - 1; i >= 0; i--) {
      const binding = context.scopes[i]!.get(name);
      if (binding !== undefined) return binding;
    }
    if (name === this.#variable.name) return { local: context.item, kind: this.#variable.kind };
    const outer = context.outer.get(name);
    if (outer === undefined) throw new Ineligible();
    return outer;
  }

  /** Leaves the expression's value on the stack (i64, or i32 for a condition): its kind. `readLimit`: the body's parameter. */
  #expression(context: Context, e: PlanExpr, readLimit: number | undefined): Kind {
    const { code, fail } = context;
    const integer = (operand: PlanExpr): 'int' | 'ptr' => {
      const kind = this.#expression(context, operand, readLimit);
      if (kind === 'bool') throw new Ineligible();
      return kind;
    };
    const condition = (operand: PlanExpr): void => {
      if (this.#expression(context, operand, readLimit) !== 'bool') throw new Ineligible();
    };
    switch (e.op) {
      case 'int': {
        const value = BigInt(e.value);
        if (value < I64_MIN || value > I64_MAX) throw new Ineligible();
        code.i64(value);
        return 'int';
      }
      case 'bool':
        code.i32(e.value ? 1 : 0);
        return 'bool';
      case 'var': {
        const binding = this.#lookup(context, e.name);
        if (binding === 'unknown') {
          // A let of the body the read-ahead does not compute: what needs it is not known ahead.
          const kind = this.#topKinds.get(e.name);
          if (kind === undefined) throw new Ineligible();
          code.i32(1).brIf(fail);
          if (kind === 'bool') code.i32(0);
          else code.i64(0n);
          return kind;
        }
        if (binding.unknownFlag !== undefined) code.get(binding.unknownFlag).brIf(fail);
        code.get(binding.local);
        return binding.kind;
      }
      case 'unary': {
        integer(e.operand);
        if (e.operator === '-') {
          const a = code.temp(I64);
          code.tee(a).i64(I64_MIN).op(Op.i64Eq).brIf(fail);
          code.i64(0n).get(a).op(Op.i64Sub);
          code.free(I64, a);
        } else code.i64(-1n).op(Op.i64Xor);
        return 'int';
      }
      case 'binary': {
        const left = integer(e.left);
        const a = code.temp(I64);
        code.set(a);
        const right = integer(e.right);
        const b = code.temp(I64);
        code.set(b);
        this.#binary(code, e.operator, a, b, fail);
        code.free(I64, a, b);
        return resultKind(e.operator, left, right);
      }
      case 'compare': {
        integer(e.left);
        integer(e.right);
        const ops = { '==': Op.i64Eq, '!=': Op.i64Ne, '<': Op.i64LtS, '<=': Op.i64LeS, '>': Op.i64GtS, '>=': Op.i64GeS } as const;
        code.op(ops[e.operator]);
        return 'bool';
      }
      case 'logical':
        condition(e.left);
        code.open('if', undefined, I32);
        if (e.operator === '&&') {
          condition(e.right);
          code.else().i32(0);
        } else {
          code.i32(1).else();
          condition(e.right);
        }
        code.end();
        return 'bool';
      case 'not':
        condition(e.operand);
        code.op(Op.i32Eqz);
        return 'bool';
      case 'read':
        return this.#read(context, e, readLimit);
      default:
        throw new Ineligible();
    }
  }

  /** Leaves a + b etc. on the stack, or branches to `fail` where i64 cannot hold the exact result (or the language raises an error). */
  #binary(code: FunctionCode, operator: BinaryOperator, a: number, b: number, fail: string): void {
    const r = code.temp(I64);
    this.#operation(code, operator, a, b, r, fail);
    code.free(I64, r);
  }

  #operation(code: FunctionCode, operator: BinaryOperator, a: number, b: number, r: number, fail: string): void {
    switch (operator) {
      case '+':
      case '-':
        code.get(a).get(b).op(operator === '+' ? Op.i64Add : Op.i64Sub).set(r);
        // Overflow: for +, a and b share a sign the result lacks; for -, a and b differ in sign and the result's is b's.
        code.get(a).get(r).op(Op.i64Xor);
        if (operator === '+') code.get(b).get(r).op(Op.i64Xor);
        else code.get(a).get(b).op(Op.i64Xor);
        code.op(Op.i64And).i64(0n).op(Op.i64LtS).brIf(fail);
        code.get(r);
        return;
      case '*':
        // Exact when both fit in 31 bits; else checked by dividing back (a is then neither 0 nor -1 unless b is large).
        code.open('block', 'product');
        code.get(a).get(b).op(Op.i64Mul).set(r);
        code.get(a).i64(1n << 31n).op(Op.i64Add).i64(1n << 32n).op(Op.i64LtU);
        code.get(b).i64(1n << 31n).op(Op.i64Add).i64(1n << 32n).op(Op.i64LtU, Op.i32And).brIf('product');
        code.get(a).op(Op.i64Eqz).brIf('product');
        code.get(a).i64(-1n).op(Op.i64Eq).get(b).i64(I64_MIN).op(Op.i64Eq, Op.i32And).brIf(fail);
        code.get(a).i64(-1n).op(Op.i64Eq).brIf('product');
        code.get(r).get(a).op(Op.i64DivS).get(b).op(Op.i64Ne).brIf(fail);
        code.end();
        code.get(r);
        return;
      case '/':
      case '%':
        code.get(b).op(Op.i64Eqz).brIf(fail);
        if (operator === '/') code.get(a).i64(I64_MIN).op(Op.i64Eq).get(b).i64(-1n).op(Op.i64Eq, Op.i32And).brIf(fail);
        code.get(a).get(b).op(operator === '/' ? Op.i64DivS : Op.i64RemS);
        return;
      case '<<':
        // 0..62, and the bits shifted out are copies of the sign (shifting back gives a again).
        code.get(b).i64(0n).op(Op.i64LtS).brIf(fail);
        code.get(b).i64(62n).op(Op.i64GtS).brIf(fail);
        code.get(a).get(b).op(Op.i64Shl).set(r);
        code.get(r).get(b).op(Op.i64ShrS).get(a).op(Op.i64Ne).brIf(fail);
        code.get(r);
        return;
      case '>>':
        // 0..1024 (MAX_SHIFT); past 63 every bit is the sign, as a shift by 63 gives.
        code.get(b).i64(0n).op(Op.i64LtS).brIf(fail);
        code.get(b).i64(1024n).op(Op.i64GtS).brIf(fail);
        code.get(a).i64(63n).get(b).get(b).i64(63n).op(Op.i64GtS).op(Op.select /* 63 if b > 63, else b */).op(Op.i64ShrS);
        return;
      case '&':
        code.get(a).get(b).op(Op.i64And);
        return;
      case '|':
        code.get(a).get(b).op(Op.i64Or);
        return;
      case '^':
        code.get(a).get(b).op(Op.i64Xor);
        return;
    }
  }

  /**
   * A read: the value read ahead for this iteration at this very address, or
   * the body stops (a read-ahead: the address it serves is unknown). A u64 at
   * or above 2^63 does not fit: the same.
   */
  #read(context: Context, e: Extract<PlanExpr, { op: 'read' }>, readLimit: number | undefined): Kind {
    const { code, fail } = context;
    const site = this.#sites.get(e.site);
    if (site === undefined) throw new Ineligible();
    const type = site.type;
    if (this.#expression(context, e.address, readLimit) === 'bool') throw new Ineligible();
    // In a level's function only lower levels are read.
    if (context.mode === 'level' && site.level >= context.level) {
      code.op(Op.drop).i32(1).brIf(fail);
      code.i64(0n);
      return type.kind;
    }
    const level = this.#levels[site.level]!;
    const address = code.temp(I64);
    const range = code.temp(I32);
    const offset = code.temp(I64);
    code.set(address);
    code.get(context.index).i32(8).op(Op.i32Mul).memory(Op.i64Load, site.addresses).get(address).op(Op.i64Ne).brIf(fail);
    code.get(context.index).i32(4).op(Op.i32Mul).memory(Op.i32Load, site.rangeOf).tee(range).i32(0).op(Op.i32LtS).brIf(fail);
    code.get(address).get(range).i32(16).op(Op.i32Mul).memory(Op.i64Load, level.remote).op(Op.i64Sub).set(offset);
    // All of it arrived.
    code.get(offset).i64(BigInt(type.size)).op(Op.i64Add);
    code.get(range).i32(4).op(Op.i32Mul).memory(Op.i32Load, level.done).op(Op.i64ExtendI32U).op(Op.i64GtS).brIf(fail);
    if (context.mode === 'body') {
      code.get(context.reads!).i64(BigInt(type.size)).op(Op.i64Add).set(context.reads!);
      code.get(context.reads!).get(readLimit!).op(Op.i64GtS).brIf(fail);
    }
    code.get(range).i32(4).op(Op.i32Mul).memory(Op.i32Load, level.offsets).get(offset).op(Op.i32WrapI64, Op.i32Add);
    const signed = type.kind === 'int' && type.signed;
    const load = { 1: signed ? Op.i64Load8S : Op.i64Load8U, 2: signed ? Op.i64Load16S : Op.i64Load16U, 4: signed ? Op.i64Load32S : Op.i64Load32U, 8: Op.i64Load }[type.size];
    code.memory(load, 0);
    if (type.size === 8 && !signed) {
      code.tee(offset).i64(0n).op(Op.i64LtS).brIf(fail).get(offset);
    }
    code.free(I64, address, offset);
    code.free(I32, range);
    return type.kind;
  }
}

function valueOf(raw: bigint, kind: Kind): Value {
  if (kind === 'bool') return bool(raw !== 0n);
  return kind === 'ptr' ? ptr(raw) : int(raw);
}
