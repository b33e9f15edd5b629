// A `for` loop compiled to WebAssembly: the loops lower.ts finds it takes
// (the JS kernel, js-kernel.ts, takes more), run from their first iteration
// at the speed of compiled code. A recipe runs once, and JS runs
// its first thousands of iterations in the interpreter; WebAssembly is
// compiled before it runs (V8's Liftoff, JavaScriptCore's BBQ: well under a
// millisecond for a loop).
//
// Everything a window of iterations needs lives in the module's memory: for
// each level of the read-ahead (read-ahead-window.ts) a generated function computes
// every iteration's addresses and lays them out as iovecs (ranges merged by
// the rule level-read.ts's `gather` follows, emitted here as WebAssembly so
// that the merge runs in the module: test/runtime/loop-kernel.test.ts checks
// both against each other), the target reads them straight into that memory
// (`MemorySource.vectors`), and the body reads its values there.
//
// Integers are i64 here. Whatever the i64 form cannot answer exactly (a
// result past ±2^63, a u64 at or above 2^63, a division by zero, a shift out of
// range, a read not read ahead or that faulted, a budget running out) stops
// the window at the start of that iteration, with the names as they were
// then: the JS kernel runs that iteration, and answers it exactly, or raises
// the error the interpreter raises, at the same place; WebAssembly takes the
// rest (run-loop.ts, a few times a run). What an
// iteration prints or emits is held until the iteration ends, so that one
// stopped midway prints nothing twice.
import type { BinaryOperator } from '../../plan/arithmetic.ts';
import type { VectorReader } from '../../target/target.ts';
import { placeError } from '../locate.ts';
import type { Scope } from '../evaluation/scope.ts';
import type { IntType } from './level-read.ts';
import { encodeModule, FunctionCode, I32, I64, Op } from '../../wasm-encode.ts';
import type { OutputEvent } from '../execute.ts';
import { bool, int, numeric, ptr, type Value } from '../evaluation/value.ts';
import type { KernelRun } from './js-kernel.ts';
import type { Kind, LoopExpr, LoopStatement, LoweredLoop, Ref } from './lower.ts';
import { WINDOW } from './window.ts';

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

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
/** The most memory a loop's module takes: its window shrinks to fit, down to MIN_WINDOW iterations (else the JS kernel runs the loop). */
const MAX_MEMORY = 64 << 20;
const MIN_WINDOW = 256;
/** Ranges of `blocked()` the memory has room for; more, and the JS kernel runs the loop. */
const AVOID_CAPACITY = 64;
/** The body's outcome. */
const DONE = 0;
const BROKE = 1;
const STOPPED = 2;

/** A window too small to gain from WebAssembly: its memory would pass MAX_MEMORY. */
class TooLarge extends Error {}

/**
 * The `for` loop in WebAssembly (lower.ts said it takes it), or undefined
 * where the target reads no vectors, or the module would not fit its memory
 * or the engine refuses it (a body past its limits): the JS kernel runs it.
 */
export function compileWasmFor(loop: LoweredLoop, run: KernelRun, window = WINDOW): WasmLoop | undefined {
  const vectors = run.target.vectors;
  if (loop.wasm !== true || vectors === undefined || typeof WebAssembly === 'undefined') return undefined;
  try {
    return new LoopModule(loop, run, vectors, window);
  } catch (error) {
    if (error instanceof TooLarge || error instanceof WebAssembly.CompileError || error instanceof RangeError) return undefined;
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
  /** The body's locals by slot, those declared so far; in a level's function, the read-ahead's lets (any other local is unknown there). */
  readonly locals: Map<number, Binding>;
  /** The outer names' locals, by index. */
  readonly outer: readonly Binding[];
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
  readonly #loop: LoweredLoop;
  readonly #run: KernelRun;
  readonly #vectors: VectorReader;
  readonly #window: number;
  readonly #sites = new Map<number, Site>();
  readonly #levels: Level[] = [];
  readonly #memory: WebAssembly.Memory;
  readonly #exports: Record<string, (...args: (number | bigint)[]) => number>;
  /** The body's prints and emits, by the number the import `output` is called with; their values' slots at #out. */
  readonly #outputs: OutputSite[] = [];
  readonly #out: number;
  /** Where a list's items lie in memory (i64, a window's), or undefined for a range. */
  readonly #items: number | undefined;
  /** What the window's iterations printed and emitted, held until it ends (an iteration stopped midway prints nothing). */
  readonly #pending: { readonly index: number; readonly event: OutputEvent }[] = [];

  constructor(loop: LoweredLoop, run: KernelRun, vectors: VectorReader, window: number) {
    this.#loop = loop;
    this.#run = run;
    this.#vectors = vectors;
    const step = loop.step as Extract<LoweredLoop['step'], { op: 'for' }>;
    const readAhead = loop.readAhead!;
    // Memory layout: fixed places, then the outer names (an i64 slot each, by index), then per site and level:
    // per iteration, a site's address and range (12 bytes), its remote iovec, offset and done (24), its bytes.
    this.#out = OUTER + loop.outer.length * 8;
    let at = this.#out + loop.mostValues * 8;
    const take = (bytes: number): number => {
      const place = at;
      at += Math.ceil(bytes / 8) * 8;
      return place;
    };
    // A list's items take 8 bytes an iteration too (a range's are computed).
    const perIteration = readAhead.levels.flat().reduce((sum, { type }) => sum + 36 + type.size, step.over.kind === 'list' ? 8 : 0);
    window = Math.min(window, Math.floor((MAX_MEMORY - at) / Math.max(1, perIteration)));
    if (window < MIN_WINDOW) throw new TooLarge();
    this.#window = window;
    this.#items = step.over.kind === 'list' ? take(window * 8) : undefined;
    for (const level of readAhead.levels) {
      const sites: Site[] = [];
      for (const { site, type } of level) {
        const entry: Site = { site, level: this.#levels.length, type, addresses: take(window * 8), rangeOf: take(window * 4) };
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
    for (const [slot, { name, kind }] of this.#loop.outer.entries()) {
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
          throw placeError(error, this.#run.context.locate(this.#loop.step.loc));
        }
        const status = this.#exports.body!(itemBase, size, BigInt(Math.max(0, budget.stepsLeft)), BigInt(Math.max(0, budget.readBytesLeft)));
        budget.spent(Number(words[STATE_STEPS >> 3]), Number(words[STATE_READS >> 3]));
        this.#release(status === STOPPED ? ints[STATE_STOPPED >> 2]! : undefined);
        // After each window (at most COMPILED_CLOCK_STEPS steps under a time limit), once what it printed is out.
        budget.checkClock(this.#loop.step.loc);
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
      for (const [slot, { name, kind, assigned }] of this.#loop.outer.entries()) if (assigned) env.assign(name, valueOf(words[(OUTER >> 3) + slot]!, kind));
    }
    return outcome;
  }

  /** The import `output`: what print or emit `k` of iteration `index` shows, from its slots, held until the window ends. */
  #hold(k: number, index: number): void {
    // Only the iteration the body stops in is ever dropped: what earlier ones showed goes out now.
    if (this.#pending.length > 0 && this.#pending[0]!.index < index) this.#release(index);
    const site = this.#outputs[k]!;
    const words = new BigInt64Array(this.#memory.buffer, this.#out, this.#loop.mostValues);
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
    const outer = this.#loadOuter(code);
    /** The assigned outer names' values as the iteration began, by index. */
    const saved = new Map<number, number>();
    this.#loop.outer.forEach(({ kind, assigned }, slot) => {
      if (assigned) saved.set(slot, code.local(kind === 'bool' ? I32 : I64));
    });
    const store = () => {
      for (const [slot, { assigned, kind }] of this.#loop.outer.entries()) {
        if (!assigned) continue;
        code.i32(0).get(outer[slot]!.local);
        if (kind === 'bool') code.op(Op.i64ExtendI32U);
        code.memory(Op.i64Store, OUTER + slot * 8);
      }
      code.i32(0).get(steps).memory(Op.i64Store, STATE_STEPS);
      code.i32(0).get(reads).memory(Op.i64Store, STATE_READS);
    };
    const context: Context = { code, mode: 'body', level: Infinity, fail: 'stop', locals: new Map(), outer, item, index, steps, reads };
    code.open('block', 'exit').open('loop', 'iterate');
    code.get(index).get(size).op(Op.i32GeS).brIf('exit');
    this.#item(code, itemBase, index, item);
    for (const [slot, local] of saved) code.get(outer[slot]!.local).set(local);
    code.get(steps).set(stepsBefore).get(reads).set(readsBefore);
    code.open('block', 'next').open('block', 'stop');
    this.#block(context, this.#loop.body, { limits: { steps: stepLimit, reads: readLimit }, store });
    code.br('next').end();
    // Stopped: the names, statements and bytes as they were when the iteration began.
    for (const [slot, local] of saved) code.get(local).set(outer[slot]!.local);
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

  /** Locals holding the outer names, loaded from their slots at OUTER. */
  #loadOuter(code: FunctionCode): Binding[] {
    return this.#loop.outer.map(({ kind }, slot) => {
      const local = code.local(kind === 'bool' ? I32 : I64);
      code.i32(0).memory(Op.i64Load, OUTER + slot * 8);
      if (kind === 'bool') code.op(Op.i32WrapI64);
      code.set(local);
      return { local, kind };
    });
  }

  #block(context: Context, steps: readonly LoopStatement[], body: { limits: { steps: number; reads: number }; store: () => void }): void {
    const { code } = context;
    for (const step of steps) {
      // As H.step: a statement is counted before it runs; one past the budget stops the iteration (the JS kernel raises the error).
      code.get(context.steps!).i64(1n).op(Op.i64Add).set(context.steps!);
      code.get(context.steps!).get(body.limits.steps).op(Op.i64GtS).brIf(context.fail);
      switch (step.op) {
        case 'let': {
          this.#expression(context, step.value, body.limits.reads);
          const local = code.local(step.value.kind === 'bool' ? I32 : I64);
          code.set(local);
          context.locals.set(step.slot, { local, kind: step.value.kind });
          break;
        }
        case 'assign': {
          const binding = this.#lookup(context, step.ref) as Binding;
          this.#expression(context, step.value, body.limits.reads);
          code.set(binding.local);
          break;
        }
        case 'if': {
          this.#expression(context, step.condition, body.limits.reads);
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
            if (v.op === 'text') return { text: { kind: 'str', value: v.value } as Value };
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
      }
    }
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
    const outer = this.#loadOuter(code);
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
    const context: Context = { code, mode: 'level', level: k, fail: 'unknown', locals: new Map(), outer, item, index };
    code.open('block', 'exit').open('loop', 'iterate');
    code.get(index).get(size).op(Op.i32GeS).brIf('exit');
    this.#item(code, itemBase, index, item);
    // The top-level lets the read-ahead computes, each known or not for this iteration.
    for (const l of this.#loop.readAhead!.lets) {
      const flag = code.local(I32);
      code.i32(1).set(flag);
      code.open('block', 'unknown');
      const kind = this.#expression(context, l.value, undefined);
      const local = code.local(kind === 'bool' ? I32 : I64);
      code.set(local).i32(0).set(flag);
      code.end();
      context.locals.set(l.slot, { local, kind, unknownFlag: flag });
    }
    const addresses = this.#loop.readAhead!.levels[k]!;
    level.sites.forEach((site, s) => {
      const length = BigInt(site.type.size);
      code.i64(-1n).set(address);
      code.open('block', 'unknown');
      this.#expression(context, addresses[s]!.address, undefined);
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

  /** Where a name's value is: a local, or unknown (in a level's function, a local the read-ahead does not compute). */
  #lookup(context: Context, ref: Ref): Binding | 'unknown' {
    if (ref.to === 'item') return { local: context.item, kind: this.#loop.item! };
    if (ref.to === 'outer') return context.outer[ref.index]!;
    return context.locals.get(ref.slot) ?? 'unknown';
  }

  /** Leaves the expression's value on the stack (i64, or i32 for a condition): its kind. `readLimit`: the body's parameter. */
  #expression(context: Context, e: LoopExpr, readLimit: number | undefined): Kind {
    const { code, fail } = context;
    const operand = (operand: LoopExpr): Kind => this.#expression(context, operand, readLimit);
    switch (e.op) {
      case 'int':
        code.i64(e.value);
        return 'int';
      case 'bool':
        code.i32(e.value ? 1 : 0);
        return 'bool';
      case 'name': {
        const binding = this.#lookup(context, e.ref);
        if (binding === 'unknown') {
          // A let of the body the read-ahead does not compute: what needs it is not known ahead.
          code.i32(1).brIf(fail);
          if (e.kind === 'bool') code.i32(0);
          else code.i64(0n);
          return e.kind;
        }
        if (binding.unknownFlag !== undefined) code.get(binding.unknownFlag).brIf(fail);
        code.get(binding.local);
        return binding.kind;
      }
      case 'unary': {
        operand(e.operand);
        if (e.operator === '-') {
          const a = code.temp(I64);
          code.tee(a).i64(I64_MIN).op(Op.i64Eq).brIf(fail);
          code.i64(0n).get(a).op(Op.i64Sub);
          code.free(I64, a);
        } else code.i64(-1n).op(Op.i64Xor);
        return 'int';
      }
      case 'binary': {
        operand(e.left);
        const a = code.temp(I64);
        code.set(a);
        operand(e.right);
        const b = code.temp(I64);
        code.set(b);
        this.#binary(code, e.operator, a, b, fail);
        code.free(I64, a, b);
        return e.kind;
      }
      case 'compare': {
        operand(e.left);
        operand(e.right);
        const ops = { '==': Op.i64Eq, '!=': Op.i64Ne, '<': Op.i64LtS, '<=': Op.i64LeS, '>': Op.i64GtS, '>=': Op.i64GeS } as const;
        code.op(ops[e.operator]);
        return 'bool';
      }
      case 'logical':
        operand(e.left);
        code.open('if', undefined, I32);
        if (e.operator === '&&') {
          operand(e.right);
          code.else().i32(0);
        } else {
          code.i32(1).else();
          operand(e.right);
        }
        code.end();
        return 'bool';
      case 'not':
        operand(e.operand);
        code.op(Op.i32Eqz);
        return 'bool';
      case 'read':
        return this.#read(context, e, readLimit);
      case 'resolved':
        throw new Error('a loop that resolves symbols is not lowered for WebAssembly (lower.ts)');
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
  #read(context: Context, e: Extract<LoopExpr, { op: 'read' }>, readLimit: number | undefined): Kind {
    const { code, fail } = context;
    // Every read is read ahead: lower.ts gives WebAssembly no loop with another.
    const site = this.#sites.get(e.site)!;
    const type = site.type;
    this.#expression(context, e.address, readLimit);
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
