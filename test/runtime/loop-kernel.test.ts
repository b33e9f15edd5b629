// Compiled loops (loop-kernel.ts) must be the interpreter, faster: the same
// output, the same errors at the same place, the same values of the names
// around the loop afterwards. Each case runs both ways and compares.
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { PvmError } from '../../src/errors.ts';
import { execute, type OutputEvent } from '../../src/runtime/execute.ts';
import { MemoryTarget, type MemoryTargetOptions } from '../../src/target/memory-target.ts';
import { compileWasmFor } from '../../src/runtime/loops/wasm-kernel.ts';
import type { Value } from '../../src/runtime/evaluation/value.ts';
import { Budget, DEFAULT_LIMITS } from '../../src/runtime/budget.ts';
import { compileJsFor } from '../../src/runtime/loops/js-kernel.ts';
import { type ForStep, lowerLoop, type WhileStep } from '../../src/runtime/loops/lower.ts';
import { Scope } from '../../src/runtime/evaluation/scope.ts';
import { guardSource } from '../../src/policy/guard.ts';
import { parsePolicy } from '../../src/policy/load.ts';
import type { MemorySource } from '../../src/target/target.ts';

const BASE = 0x10000n;
const SIZE = 4096;

/**
 * The engines a case runs on: how the target reads compiled loops' iovecs (`vectors`: not at all, and the JS
 * kernel runs every loop; or as a live process does, and loops go to WebAssembly, wasm-kernel.ts, which hands
 * over to the JS kernel where it stops), and from how many iterations a loop goes to WebAssembly.
 */
interface Engine {
  readonly vectors: MemoryTargetOptions['vectors'];
  readonly wasmLoopsFrom: number | undefined;
}
const JS_ONLY: Engine = { vectors: undefined, wasmLoopsFrom: Infinity };
/** Every loop WebAssembly takes goes there, however short (by default, from 1024 iterations). */
const WASM: Engine = { vectors: {}, wasmLoopsFrom: 1 };

/** 4 KiB of values chosen to reach the edges: small, negative as signed, above 2^53, 2^63, all ones. */
function memory(vectors: MemoryTargetOptions['vectors'] = undefined): MemoryTarget {
  const bytes = new Uint8Array(SIZE);
  const view = new DataView(bytes.buffer);
  const specials = [0n, 1n, 7n, 255n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n, 0x7fffffffffffn, BASE + 64n, 2n ** 64n - 2n ** 53n];
  for (let i = 0; i < SIZE / 8; i++) view.setBigUint64(i * 8, i < specials.length ? specials[i]! : BigInt(i * 2654435761 % 1000003), true);
  // A table of pointers into the region from offset 1024: entry k points at value k * 3 % 128.
  for (let k = 0; k < 64; k++) view.setBigUint64(1024 + k * 8, BASE + BigInt(((k * 3) % 128) * 8), true);
  // A linked list from offset 2048: a head pointer, then 64 nodes of { next, value = k * k }, the last next 0.
  view.setBigUint64(2040, BASE + 2048n, true);
  for (let k = 0; k < 64; k++) {
    view.setBigUint64(2048 + k * 16, k < 63 ? BASE + BigInt(2048 + (k + 1) * 16) : 0n, true);
    view.setBigUint64(2048 + k * 16 + 8, BigInt(k * k), true);
  }
  return new MemoryTarget([{ start: BASE, end: BASE + BigInt(SIZE), perms: 'rw-p', offset: 0n, path: '', deleted: false, bytes }], 'memory', new Map(), {}, { vectors });
}

/** JSON.stringify's replacer for outcomes: a bigint as `12n`. */
const bigints = (_: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);

type Outcome = { events: unknown[]; error?: { code: string; message: string; line: number | undefined; col: number | undefined; hint: string | undefined }; names: Record<string, string> };

/** Options of a run: budgets, a wrapper of the target (a policy's guard), and whether it may write. */
interface RunOptions {
  readonly limits?: typeof DEFAULT_LIMITS;
  readonly wrap?: (target: MemoryTarget) => MemorySource;
  readonly allowWrite?: boolean;
}

function runBoth(text: string, engine: Engine, { limits = DEFAULT_LIMITS, wrap = (t) => t, allowWrite = false }: RunOptions = {}): { compiled: Outcome; interpreted: Outcome } {
  const plan = compileSource({ name: 'loop.pvm', text });
  const run = (compileLoops: boolean): Outcome => {
    const events: unknown[] = [];
    let names: Record<string, string> = {};
    let error: Outcome['error'];
    try {
      execute({
        plan,
        target: wrap(memory(engine.vectors)),
        params: new Map(),
        limits,
        allowWrite,
        compileLoops,
        wasmLoopsFrom: engine.wasmLoopsFrom,
        output: (e: OutputEvent) => events.push(JSON.parse(JSON.stringify(e, bigints))),
        finished: (all) => (names = Object.fromEntries([...all].map(([k, v]: [string, Value]) => [k, JSON.stringify(v, bigints)]))),
      });
    } catch (e) {
      if (!(e instanceof PvmError)) throw e;
      error = { code: e.code, message: e.message, line: e.line, col: e.col, hint: e.hint };
    }
    return { events, names, ...(error === undefined ? {} : { error }) };
  };
  return { compiled: run(true), interpreted: run(false) };
}

/** Runs a recipe compiled on `engine` and interpreted, expects the same outcome, and gives it. */
const sameOn = (engine: Engine) => (text: string, options?: RunOptions | typeof DEFAULT_LIMITS) => {
  const { compiled, interpreted } = runBoth(text, engine, options !== undefined && 'steps' in options ? { limits: options } : options);
  expect(compiled).toEqual(interpreted);
  return compiled;
};

/** The plan's first loop of `op`. */
function loopOf<Op extends 'for' | 'while'>(text: string, op: Op): Extract<ForStep | WhileStep, { op: Op }> {
  return compileSource({ name: 'loop.pvm', text }).steps.find((s) => s.op === op) as Extract<ForStep | WhileStep, { op: Op }>;
}

/** What a compiled loop needs of a run, over `target`: outputs go to `events`. */
function kernelRun(target: MemorySource, events: unknown[] = []) {
  return { target, budget: new Budget(DEFAULT_LIMITS, () => ({ where: 'loop.pvm' })), context: undefined as never, read: undefined as never, output: (e: OutputEvent) => events.push(e), flush: () => {} };
}

describe.each([['the JS kernel', JS_ONLY], ['WebAssembly', WASM]] as const)('a compiled loop (%s)', (_, engine) => {
  const same = sameOn(engine);

  it('is what runs these loops (they are compiled, not left to the interpreter)', () => {
    const recipes = [
      `let total = 0\nfor i in 0..64 { total = total + read u64 at [${BASE + 1024n} + i * 8] }`,
      `let found = 0\nfor i in 0..100 {\n  let v = read u8 at ${BASE} + i\n  if v == 7 && i > 3 { found = i\n break } else { let w = v + 1\n found = found + w }\n}`,
      `let sum = 0\nfor p in [${BASE}, ${BASE + 8n}] { sum = sum + read u64 at p + 8 }`,
      `let n = 0\nfor i in 0..4 { print "at", i, read u32 at ${BASE} + i * 4, n > 2\nemit last = i }`,
    ];
    for (const text of recipes) {
      const loop = loopOf(text, 'for');
      const lowering = lowerLoop(loop);
      expect({ text, lowering }).toMatchObject({ text, lowering: { eligible: true } });
      if (lowering.eligible) expect(compileJsFor(lowering.loop, kernelRun(memory()))).toBeDefined();
    }
  });

  it('sums through a table of pointers as the interpreter does', () => {
    const outcome = same(`let total = 0\nfor i in 0..64 { total = total + read u64 at [${BASE + 1024n} + i * 8] }\nprint total`);
    expect(outcome.error).toBeUndefined();
  });

  it('keeps integers exact above 2^53, at 2^63 and 2^64 - 1, signed and unsigned', () => {
    same(`let s = 0\nlet t = 0\nfor i in 0..14 { s = s + read u64 at ${BASE} + i * 8\nt = t + read i64 at ${BASE} + i * 8 }\nprint s, t`);
    same(`let m = 0\nfor i in 6..10 { m = m * 3 + read u64 at ${BASE} + i * 8 - 5 }\nprint m`);
    same(`let x = 0\nfor i in 0..13 { x = x ^ (read u32 at ${BASE} + i * 8) | (read u16 at ${BASE} + i * 8 + 2) & 0xffff }\nprint x`);
  });

  it('counts a range across 2^53 exactly, as numbers below and bigints from there on, and from a negative start', () => {
    same(`let last = 0\nlet n = 0\nfor i in 9007199254740985..9007199254740999 { last = i\nn = n + 1 }\nprint last, n`);
    same(`let s = 0\nfor i in 0 - 5..5000 { s = s + i }\nprint s`);
    expect(same(`let s = 0\nfor i in 9007199254730991..9007199254740992 { s = s + i % 7 }\nprint s`).events).toHaveLength(1);
  });

  it('reads -2^53 as the bigint it is (one value, one form), so == finds it', () => {
    const outcome = same(`let n = 0\nfor i in 0..14 { let v = read i64 at ${BASE} + i * 8\nif v == 0 - 9007199254740992 { n = n + 1 } }\nprint n`);
    expect(outcome.events).toEqual([{ type: 'print', values: [{ kind: 'int', value: '1n' }], line: 4 }]);
  });

  it('gives the loop variable the kind its range has on each run (an integer once, an address the next)', () => {
    same(`let b = 0\nlet k = 0\nwhile k < 2 limit 2 {\n for i in b..b+2 { print i, i + 1 }\n b = b + (read ptr at ${BASE + 96n}) + 0\n k = k + 1\n}`);
  });

  it('takes the kinds of the names around the loop from the plan, where the value chooses if it gives several, as the interpreter does', () => {
    same(`let seen = false\nlet n = 0\nfor i in 0..100 { if (read u8 at ${BASE} + i) == 7 { seen = true }\nif seen { n = n + 1 } }\nprint seen, n`);
    // q is declared a number and holds an address as the loop starts (the plan says so).
    same(`let q = 0\nq = read ptr at ${BASE + 1024n}\nfor i in 0..10 { q = q + 8 }\nprint q`);
    // q holds a number or an address, as a branch went (the plan: int|ptr); the body gives it another kind.
    for (const at of [8n, 16n]) same(`let q = 0\nif (read u8 at ${BASE + at}) == 1 { q = read ptr at ${BASE + 1024n} }\nfor i in 0..10 { q = q + 8 }\nprint q`);
    same(`let q = 0\nfor i in 0..10 { if i == 5 { q = read ptr at ${BASE + 1024n} } else { q = i } }\nprint q`);
    same(`let r = range(${BASE}, 64)\nlet n = 0\nfor i in 0..10 { if i < r.size { n = n + 1 } }\nprint n`);
  });

  it('under a policy: the same read budget, counted the same, and an error there placed at the loop', () => {
    const guard = (maxBytes: number) => (target: MemoryTarget) => guardSource(target, { policies: [parsePolicy('p.json', JSON.stringify({ read: { maxBytes } }))], symbol: () => undefined });
    for (const maxBytes of [64, 200, 250, 400, 100_000]) {
      same(`let n = 0\nfor i in 0..20 { let a = read u8 at ${BASE} + i * 8\nlet b = read u64 at ${BASE + 2048n} + i * 8\nn = n + a + b }\nprint n`, { wrap: guard(maxBytes) });
    }
    const outcome = same(`let n = 0\nfor i in 0..20 { n = n + read u64 at ${BASE} + i * 8 }`, { wrap: guard(64) });
    expect(outcome.error).toMatchObject({ code: 'policy-denied', line: 2, col: 1 });
  });

  it('sends pending writes before reading ahead (a loop sees what the recipe wrote), and an unlanded write is reported as the interpreter does', () => {
    expect(same(`write u64 at ${BASE} = 5\nfor i in 0..3 { print read u64 at ${BASE} }`, { allowWrite: true }).events).toContainEqual({ type: 'print', values: [{ kind: 'int', value: '5n' }], line: 2 });
    same(`write u64 at ${BASE + 4092n} = 1\nlet s = 0\nfor i in 0..3 { print i\n s = s + 10 / (1 - i) }`, { allowWrite: true });
    same(`write u64 at ${BASE + 4092n} = 1\nlet s = 0\nfor i in 0..3 { s = s + read u64 at ${BASE} + i * 8 }`, { allowWrite: true });
  });

  it('divides and shifts as C does, negatives included', () => {
    same(`let a = 0\nfor i in 0..40 { let n = i - 20\na = a + n / 7 + n % 7 + (n << 3) + (n >> 2) + (0 - n) / 3 }\nprint a`);
    same(`let a = 0\nfor i in 0..8 { a = a + ((read u64 at ${BASE} + i * 8) >> 60) + ((read i64 at ${BASE} + i * 8) / 1000003) }\nprint a`);
    same(`let a = 1\nfor i in 0..70 { a = a + (1 << i) }\nprint a`);
  });

  it('raises an overflow where the interpreter does, with the names as they were', () => {
    const outcome = same(`let a = 3\nfor i in 0..200 { a = a * a }\nprint a`);
    expect(outcome.error?.code).toBe('overflow');
  });

  it('raises division by zero and a bad shift at the same place', () => {
    expect(same(`let a = 0\nfor i in 0..10 { a = a + 100 / (5 - i) }`).error?.code).toBe('division-by-zero');
    expect(same(`let a = 0\nfor i in 0..10 { a = a + (1 << (i - 3)) }`).error?.code).toBe('bad-shift');
  });

  it('raises the same error for a read that faults in the middle of the loop', () => {
    const outcome = same(`let a = 0\nfor i in 0..1000 { a = a + read u64 at ${BASE} + i * 8 }\nprint a`);
    expect(outcome.error?.code).toBe('unmapped');
  });

  it('stops at break, takes if and else, and shadows names in blocks', () => {
    same(`let found = 0\nlet count = 0\nfor i in 0..100 {\n  let v = read u8 at ${BASE} + i\n  if v == 7 && i > 3 { found = i\n break } else { let w = v + 1\n count = count + w }\n}\nprint found, count`);
    same(`let evens = 0\nfor i in 0..50 { if !(i % 2 == 1) || i == 7 { evens = evens + 1 } }\nprint evens`);
  });

  it('prints and emits the same events in the same order, before an error too', () => {
    same(`let n = 0\nfor i in 0..20 { let v = read u64 at ${BASE} + i * 8\nprint "value", i, v, v > 1000, ${BASE} + i * 8\nif i % 5 == 0 { emit v = v }\nn = n + 1 }\nprint n`);
    expect(same(`for i in 0..1000 { print i, read u8 at ${BASE} + i * 8 }`).error?.code).toBe('unmapped');
  });

  it('compiles a while loop that walks a list', () => {
    const loop = loopOf(`let p = read ptr at ${BASE + 2040n}\nlet sum = 0\nwhile p != 0 { sum = sum + read u64 at p + 8\np = read ptr at p }`, 'while');
    expect(lowerLoop(loop)).toMatchObject({ eligible: true, loop: { outer: [{ name: 'p', kind: 'ptr', assigned: true }, { name: 'sum', kind: 'int', assigned: true }] } });
  });

  it('walks a linked list in a while loop, with a limit, a break and the loop cap as the interpreter does', () => {
    const list = `let p = read ptr at ${BASE + 2040n}\nlet sum = 0\nlet n = 0\n`;
    same(`${list}while p != 0 { sum = sum + read u64 at p + 8\nn = n + 1\np = read ptr at p }\nprint sum, n, p`);
    same(`${list}while p != 0 limit 10 { sum = sum + read u64 at p + 8\np = read ptr at p }\nprint sum, p`);
    same(`${list}while true { n = n + 1\nif read u64 at p + 8 > 400 { break }\np = read ptr at p }\nprint n, p`);
    expect(same(`let a = 0\nwhile a >= 0 { a = a + 1 }`, { ...DEFAULT_LIMITS, loopIterations: 1000n }).error?.code).toBe('unbounded-loop');
    expect(same(`${list}while true limit 100 { p = read ptr at p }`).error?.code).toBe('unmapped');
  });

  it('walks a list of addresses, and address arithmetic keeps addresses', () => {
    same(`let hits = [${BASE}, ${BASE + 8n}, ${BASE + 16n}]\nlet last = ${BASE}\nfor p in hits { last = p + 8 }\nprint last`);
    same(`let p = ${BASE + 1024n}\nlet q = p\nfor i in 0..10 { q = read ptr at p + i * 8 }\nprint q, q - p`);
  });

  it('runs into the step budget at the same statement', () => {
    const outcome = same(`let a = 0\nfor i in 0..100000 { a = a + 1\na = a + 2 }`, { ...DEFAULT_LIMITS, steps: 5000 });
    expect(outcome.error?.code).toBe('step-budget');
  });

  it('gives the same results over 300 generated loops', () => {
    let seed = 12345;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    const operators = ['+', '-', '*', '/', '%', '&', '|', '^', '<<', '>>'];
    const atom = (names: string[]): string => {
      const roll = random(6);
      if (roll === 0) return String(random(2) === 0 ? random(100) : random(2 ** 30) * 4096);
      if (roll === 1) return `(read ${['u8', 'u16', 'u32', 'u64', 'i32', 'i64', 'ptr'][random(7)]} at ${BASE} + (i % 500) * 8)`;
      return names[random(names.length)]!;
    };
    const expression = (names: string[], depth: number): string => depth === 0 || random(3) === 0 ? atom(names) : `(${expression(names, depth - 1)} ${operators[random(operators.length)]} ${expression(names, depth - 1)})`;
    for (let n = 0; n < 300; n++) {
      const names = ['i', 'a', 'b'];
      const body = [`let c = ${expression(names, 2)}`, `a = ${expression([...names, 'c'], 3)}`, `if ${expression([...names, 'c'], 1)} > ${expression(names, 1)} { b = b + ${expression(names, 2)} } else { b = b - 1 }`];
      if (random(4) === 0) body.push(`if a == ${random(10)} { break }`);
      if (random(3) === 0) body.push(`if i % 97 == 0 { print "i", i, a, b > 0 }`);
      same(`let a = ${random(1000)}\nlet b = 0\nfor i in ${random(5)}..${random(600)} {\n${body.join('\n')}\n}\nprint a, b`);
    }
  });
});

describe('a loop compiled to WebAssembly', () => {
  const same = sameOn(WASM);
  /** The `for` loop of `text` in WebAssembly, if it takes it. */
  const wasmFor = (text: string, events: unknown[] = []) => {
    const lowering = lowerLoop(loopOf(text, 'for'));
    return lowering.eligible ? compileWasmFor(lowering.loop, kernelRun(memory({}), events)) : undefined;
  };
  /** Runs the `for` loop of `text` over 0..count in WebAssembly alone, with `names` around it: what it ran, the names after, what it showed. */
  const wasmRun = (text: string, count: number, names: Record<string, Value> = {}, start = 0n) => {
    const events: unknown[] = [];
    const wasm = wasmFor(text, events);
    expect(wasm).toBeDefined();
    const env = new Scope(undefined, new Map(Object.entries(names)));
    const ran = wasm!.run(count, { start }, env);
    return { ran, names: Object.fromEntries([...env.own()].map(([k, v]) => [k, JSON.stringify(v, bigints)])), events: events.map((e) => JSON.parse(JSON.stringify(e, bigints))) };
  };
  const int = (value: bigint) => ({ kind: 'int', value }) as Value;

  it('takes loops over a range whose reads are all read ahead, with no output, and runs them', () => {
    // Entry k of the table points at value k * 3 % 128: from k = 5 to 45, one that fits in i64; entry 3 at 2^63, which does not.
    const table = `let total = 0\nfor i in 5..46 { total = total + read u64 at [${BASE + 1024n} + i * 8] }`;
    expect(wasmRun(table, 41, { total: int(0n) }, 5n)).toEqual({ ran: 41, names: same(`${table}\nprint total`).names, events: [] });
    // From 0, it stops at iteration 3, with the sum of the three before it, for the JS kernel to take that one.
    const [first] = [same(`let total = 0\nfor i in 0..3 { total = total + read u64 at [${BASE + 1024n} + i * 8] }\nprint total`).names];
    expect(wasmRun(table.replace('5..46', '0..46'), 46, { total: int(0n) })).toEqual({ ran: 3, names: first, events: [] });
    // `f` is 16 after iteration 7 (a read of 7) breaks out, the u8 at BASE + 8 * k being k's special value's low byte.
    const found = `let f = 0\nfor i in 0..100 {\n  let v = read u8 at ${BASE} + i\n  if v == 7 && i > 3 { f = i\n break } else { let w = v + 1\n f = f + w }\n}`;
    expect(wasmRun(found, 100, { f: int(0n) })).toEqual({ ran: 'break', names: same(`${found}\nprint f`).names, events: [] });
  });

  it('takes loops that print and emit: what an iteration shows is held until it ends, so one stopped midway shows nothing twice', () => {
    const shown = wasmRun(`for i in 0..4 { print "i", i, i > 2\nemit last = i }`, 4);
    expect(shown.ran).toBe(4);
    expect(shown.events).toEqual(same(`for i in 0..4 { print "i", i, i > 2\nemit last = i }`).events);
    same(`let n = 0\nfor i in 0..200 { let v = read u64 at ${BASE} + i * 8\nif v > 1000 { print "big", i, v, v > 2000\nemit addr = ${BASE} + i * 8 }\nn = n + v }\nprint n`);
    // Iteration 13 prints, then overflows: it is run again by the JS kernel, which prints once and raises the error.
    same(`let a = 1\nfor i in 0..100 { print i\na = a * 30 }\nprint a`);
    same(`let a = 0\nfor i in 0..20 { print i, a\nif i == 9 { break }\na = a + read u64 at ${BASE} + i * 8 }`);
  });

  it('takes loops over a list, and leaves an item beyond i64 (and what follows) to the JS kernel', () => {
    const hits = Array.from({ length: 40 }, (_, k) => `${BASE + BigInt(((k * 7) % 64) * 8)}`).join(', ');
    const calls = { n: 0 };
    same(`let s = 0\nlet n = 0\nfor p in [${hits}] { s = s + read u64 at p\nn = n + 1 }\nprint s, n`, { wrap: counting(calls) });
    expect(calls.n).toBe(1);
    same(`let s = 0\nfor p in [${hits}] { s = s + read u64 at [p + 1024] }\nprint s`);
    same(`let n = 0\nfor p in [${BASE}, 18446744073709551615, ${BASE + 8n}, 9223372036854775807] { n = n + 1\nprint p }\nprint n`);
  });

  it('goes back to WebAssembly after the JS kernel ran the iteration it stopped at, a few times, then leaves the rest to JS', () => {
    // u64 2^63 at BASE + 72: every 14th iteration stops WebAssembly.
    const calls = { n: 0 };
    same(`let s = 0\nfor i in 0..3000 { s = s + (read u64 at ${BASE} + (i % 14) * 8) % 7 }\nprint s`, { wrap: counting(calls) });
    expect(calls.n).toBeGreaterThan(1);
    same(`let s = 0\nfor i in 0..3000 { let v = read u64 at ${BASE} + (i % 14) * 8\nif i % 14 == 9 { print i, v }\nif i == 2000 { break }\ns = s + v % 7 }\nprint s`);
  });

  it('gives a loop over threads() integers, as the interpreter does (a list of integers, not addresses)', () => {
    const threads = Array.from({ length: 1500 }, (_, k) => ({ tid: 1000 + k, registers: undefined }));
    const withThreads = (target: MemoryTarget) => new MemoryTarget(target.regions().map((r) => r as never), 'memory', new Map(), {}, { vectors: WASM.vectors, threads });
    same(`let s = 0\nfor t in threads() { s = s + t\nif t % 500 == 0 { print t, t + 1 } }\nemit s = s`, { wrap: withThreads });
  });

  /** A target that lists `count` threads, whose vector reads are counted (calls.n). */
  const withThreads = (count: number, calls: { n: number }) => (target: MemoryTarget): MemorySource => {
    const threads = Array.from({ length: count }, (_, k) => ({ tid: 1000 + k, registers: undefined }));
    return counting(calls)(new MemoryTarget(target.regions().map((r) => r as never), 'memory', new Map(), {}, { vectors: WASM.vectors, threads }));
  };

  it('compiles loops whose kinds the plan gives: over threads() integers (an inner loop too), over listed numbers, with a name given an address', () => {
    const cases = [
      `let s = 0\nfor t in threads() { s = s + (read u8 at ${BASE} + t % 100) }\nprint s`,
      `let s = 0\nfor t in threads() { for i in 0..8 { s = s + (read u8 at ${BASE} + (t + i) % 100)\nif t % 2 == 0 { print t, t + i } } }\nprint s`,
      `let s = 0\nlet ts = threads()\nlet first = ts[0]\nfor i in 0..8 { s = s + (read u8 at ${BASE} + i) + first }\nprint s, first`,
      `let s = 0\nfor p in [1, 2, 3, 40] { s = s + (read u8 at ${BASE} + p)\nprint p, p + 1 }\nprint s`,
      `let q = 0\nq = read ptr at ${BASE + 1024n}\nlet s = 0\nfor i in 0..64 { s = s + (read u8 at ${BASE} + i)\nq = q + 8 }\nprint q, s`,
      `let q = 0\nif (read u8 at ${BASE + 8n}) == 1 { q = read ptr at ${BASE + 1024n} }\nlet s = 0\nfor i in 0..64 { s = s + (read u8 at ${BASE} + i)\nq = q + 8 }\nprint q, s`,
    ];
    for (const text of cases) {
      const calls = { n: 0 };
      same(text, { wrap: withThreads(4, calls) });
      // WebAssembly read the loop's values: it ran the loop, compiled.
      expect({ text, compiled: calls.n > 0 }).toEqual({ text, compiled: true });
    }
  });

  it('compiles a loop that names its addresses by symbol(), module() or region(), for the JS kernel, and fails as the interpreter does', () => {
    for (const address of ['symbol("app", "counter")', 'module("app").start + 16', 'region("[heap]").end - 4']) {
      const text = `let t = 0\nfor i in 0..4 { t = t + read u32 at ${address} }`;
      expect({ address, lowered: lowerLoop(loopOf(text, 'for')) }).toMatchObject({ address, lowered: { eligible: true, loop: { wasm: 'it resolves a symbol, module or region' } } });
      // The memory target has no module "app" and no heap: both engines stop at the same place with the same error.
      expect(same(text).error).toMatchObject({ code: expect.stringMatching(/^no-(module|region)$/), line: 2 });
    }
    expect(lowerLoop(loopOf('let t = 0\nfor i in 0..4 { t = t + module("app").size }', 'for'))).toMatchObject({ eligible: true });
  });

  it('leaves to the JS kernel loops that read big-endian or read what cannot be read ahead', () => {
    expect(lowerLoop(loopOf(`let t = 0\nfor i in 0..4 { t = t + read u32be at ${BASE} + i * 4 }`, 'for'))).toMatchObject({ eligible: true, loop: { wasm: 'a big-endian read' } });
    expect(lowerLoop(loopOf(`let p = read ptr at ${BASE + 2040n}\nfor i in 0..4 { p = read ptr at p }`, 'for'))).toMatchObject({ eligible: true, loop: { wasm: expect.stringMatching(/not read ahead/) } });
    expect(wasmFor(`let t = 0\nfor i in 0..4 { t = t + read u32be at ${BASE} + i * 4 }`)).toBeUndefined();
  });

  /** A target whose vector reads are counted (calls.n). */
  const counting = (calls: { n: number }) => (target: MemoryTarget): MemorySource => {
    const reader = target.vectors!;
    const vectors = { ...reader, read: (...args: Parameters<typeof reader.read>) => (calls.n++, reader.read(...args)) };
    return new Proxy(target, {
      get: (t, key) => {
        if (key === 'vectors') return vectors;
        const value = Reflect.get(t, key, t) as unknown;
        return typeof value === 'function' ? value.bind(t) : value;
      },
    });
  };

  it('is what reads them: the target reads its iovecs, a few calls for the whole loop', () => {
    const calls = { n: 0 };
    same(`let total = 0\nfor i in 0..64 { total = total + read u64 at [${BASE + 1024n} + i * 8] }\nprint total`, { wrap: counting(calls) });
    expect(calls.n).toBe(2); // the table, then what it points at
  });

  it('stops at the read budget where the interpreter does', () => {
    for (const readBytes of [8, 100, 1000]) {
      same(`let total = 0\nfor i in 0..64 { total = total + read u64 at [${BASE + 1024n} + i * 8] }\nprint total`, { ...DEFAULT_LIMITS, readBytes });
    }
  });

  it('sends pending writes only where the interpreter does: before a window of two iterations or more read ahead', () => {
    const write = `write u64 at ${BASE + 4092n} = 1\n`; // crosses the end of the region: fails as it lands
    for (
      const body of [
        `let s = 0\nfor i in 0..3 { s = s + i }\nprint s`,
        `let s = 3\nfor i in 0..200 { s = s * s }\nprint s`,
        `let s = 0\nfor i in 0..1 { s = 10 / i\n s = s + (read u64 at ${BASE}) }\nprint s`,
        `let s = 0\nfor i in 0..1 { s = s + (read u64 at ${BASE}) }\nprint s`,
        `let s = 0\nfor i in 0..16385 { s = s + (read u8 at ${BASE} + i % 100) }\nprint s`,
      ]
    ) same(write + body, { allowWrite: true });
  });

  it('leaves to the JS kernel a body past what the engine compiles, and one whose reads would need more memory than it takes', () => {
    same(`let a = 0\nfor i in 0..3 {\n${Array.from({ length: 17_000 }, () => 'a = a + 1').join('\n')}\n}\nprint a`);
    same(`let s = 0\nfor i in 0..3 {\n${Array.from({ length: 2000 }, (_, k) => `s = s + (read u8 at ${BASE} + i + ${k})`).join('\n')}\n}\nprint s`);
  });

  it('lays out the ranges the JS kernel reads: one rule merges them (level-read.ts, `gather`), emitted in the module', () => {
    /** The ranges each call reads, as offsets from BASE and lengths, with the JS kernel (through `read`) or in WebAssembly (its iovecs). */
    const rangesRead = (text: string, engine: Engine): string[] => {
      const calls: string[] = [];
      const show = (address: bigint, length: number | bigint) => `${address - BASE}+${length}`;
      const target = memory(engine.vectors);
      const vectors = target.vectors && {
        ...target.vectors,
        read: (remote: Uint8Array, count: number, offsets: Int32Array, done: Int32Array, into: Uint8Array) => {
          const view = new DataView(remote.buffer, remote.byteOffset);
          calls.push(Array.from({ length: count }, (_, r) => show(view.getBigUint64(r * 16, true), view.getBigUint64(r * 16 + 8, true))).join(' '));
          target.vectors!.read(remote, count, offsets, done, into);
        },
      };
      const recorded = new Proxy(target, {
        get: (t, key) => {
          if (key === 'vectors') return vectors;
          if (key === 'read') return (requests: Parameters<MemoryTarget['read']>[0]) => (calls.push(requests.map((r) => show(r.address, r.length)).join(' ')), t.read(requests));
          const value = Reflect.get(t, key, t) as unknown;
          return typeof value === 'function' ? value.bind(t) : value;
        },
      });
      execute({ plan: compileSource({ name: 'loop.pvm', text }), target: recorded, params: new Map(), output: () => {}, wasmLoopsFrom: engine.wasmLoopsFrom });
      return calls;
    };
    for (
      const text of [
        `let s = 0\nfor i in 5..46 { s = s + read u32 at [${BASE + 1024n} + i * 8] }`,
        `let s = 0\nfor i in 0..50 { let b = read u32 at ${BASE + 2048n} + i * 16 + 8\nlet a = read u32 at ${BASE + 2048n} + i * 16\ns = s + a + b }`,
        `let s = 0\nfor i in 0..300 { s = s + (read u8 at ${BASE} + 8) + read u16 at ${BASE} + (i * 2654435761) % 4000 }`,
        `let s = 0\nfor i in 0..200 { s = s + (read u16 at ${BASE} + i * 4) + (read u8 at ${BASE} + i * 4 + 1) }`,
      ]
    ) {
      const js = rangesRead(text, JS_ONLY);
      expect(js.length).toBeGreaterThan(0);
      expect({ text, ranges: rangesRead(text, WASM) }).toEqual({ text, ranges: js });
    }
  });

  it('takes a run of 1024 iterations or more by default, shorter ones staying in JS (generating the module does not pay for them)', () => {
    for (const [count, wasm] of [[1023, false], [1024, true]] as const) {
      const calls = { n: 0 };
      sameOn({ ...WASM, wasmLoopsFrom: undefined })(`let total = 0\nfor i in 0..${count} { total = total + read u8 at ${BASE} + i }\nprint total`, { wrap: counting(calls) });
      expect({ count, wasm: calls.n > 0 }).toEqual({ count, wasm });
    }
  });

  it('leaves out ranges the target says would block (userfaultfd pages), and the JS kernel reads them live', () => {
    const blocking = sameOn({ ...WASM, vectors: { blocked: [{ start: BASE + 1024n + 80n, end: BASE + 1024n + 88n }] } });
    blocking(`let total = 0\nfor i in 0..64 { total = total + read u64 at [${BASE + 1024n} + i * 8] }\nprint total`);
    blocking(`let total = 0\nfor i in 0..64 { total = total + read u64 at ${BASE} + ((i * 37) % 64) * 8 }\nprint total`);
  });
});
