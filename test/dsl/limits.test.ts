// Issue 16: recipes that used to crash the parser, hang the runtime or take
// quadratic time get a clear error, or work, within bounds.
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { MAX_DEPTH, MAX_DIAGNOSTICS, MAX_EXCERPT_COLUMNS, MAX_NESTING } from '../../src/limits.ts';
import { printPlan } from '../../src/plan/print.ts';
import { execute } from '../../src/runtime/execute.ts';
import { MemoryTarget } from '../../src/target/memory-target.ts';
import { caught, diagnosticsOf } from '../helpers/errors.ts';
import { cpuMillis, cpuTimed } from '../helpers/cpu-time.ts';

const compile = (text: string) => compileSource({ name: 'r.pvm', text });

describe('nesting', () => {
  it(`works to ${MAX_NESTING} levels, and beyond is a diagnostic, not a stack overflow`, () => {
    expect(() => compile(`let x = ${'('.repeat(MAX_NESTING)}1${')'.repeat(MAX_NESTING)}`)).not.toThrow();
    for (const [open, close] of [['(', ')'], ['[', ']']]) {
      expect(diagnosticsOf(`let x = ${open!.repeat(300)}1${close!.repeat(300)}`)).toContain(`r.pvm:1:${9 + MAX_NESTING}: error: nesting deeper than ${MAX_NESTING} levels`);
    }
    const ifs = `${'if 1 == 1 {\n'.repeat(300)}print 1\n${'}\n'.repeat(300)}`;
    expect(diagnosticsOf(ifs)).toContain(`nesting deeper than ${MAX_NESTING} levels`);
    // Brackets inside strings and comments do not count.
    expect(() => compile(`let s = "${'('.repeat(100)}" # ${'['.repeat(100)}`)).not.toThrow();
  });
});

describe('large recipes', () => {
  it('are parsed a chunk of statements at a time, with every position right', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `let v${i} = ${i}`);
    lines[2500] = 'if v1 == 1 {\n  print "a long block that a chunk boundary must not cut"\n' + '  print 1\n'.repeat(2000) + '}';
    lines.push('let broken = (');
    const text = lines.join('\n');
    const brokenLine = text.split('\n').length;
    expect(diagnosticsOf(text)).toContain(`r.pvm:${brokenLine}:15: error: unexpected end of recipe`);
    const plan = compile(lines.slice(0, -1).join('\n'));
    expect(plan.steps.at(-1)).toMatchObject({ op: 'let', name: 'v2999', loc: { line: brokenLine - 1 } });
  });

  it('a 64 KiB string literal is one value', () => {
    expect(compile(`let s = "${'a'.repeat(65536)}"\nprint len(s)`).steps).toHaveLength(2);
  });
});

describe('integers', () => {
  it('are bounded to 128 bits: a runaway product stops at the operator (exit 2), at once', () => {
    const memory = new MemoryTarget([]);
    const started = cpuMillis();
    expect(() => execute({ plan: compile('let x = 3\nfor i in 0..40 { x = x * x }'), target: memory, params: new Map(), output: () => {} })).toThrow(/integer overflow: \d+ \* \d+ is beyond ±2\^128/);
    expect(cpuMillis() - started).toBeLessThan(2000);
    expect(() => execute({ plan: compile('print 1 << 200'), target: memory, params: new Map(), output: () => {} })).toThrow('integer overflow');
    const values: unknown[] = [];
    execute({ plan: compile('print 0xffffffffffffffff * 0xffffffffffffffff'), target: memory, params: new Map(), output: (e) => values.push(e) });
    expect(values).toHaveLength(1);
  });
});

describe('invisible characters', () => {
  it('a byte-order mark or a vertical tab is named by its code point, not "end of recipe"', () => {
    expect(diagnosticsOf('\ufeffprint 1')).toContain('r.pvm:1:1: error: unexpected character U+FEFF (invisible)');
    expect(diagnosticsOf('print 1\u000b')).toContain('r.pvm:1:8: error: unexpected character U+000B (invisible)');
  });
});

// Issue 29, items 18 and 19: every kind of nesting counts on one counter (MAX_DEPTH), long flat forms are
// walked without recursion per item, and Ohm reads only the statements the fast parser was not sure of.
describe('depth: every kind of nesting counts', () => {
  const BASE = 0x10000n;
  const memory = () => new MemoryTarget([{ start: BASE, end: BASE + 0x1000n, perms: 'rw-p', offset: 0n, path: '', deleted: false, bytes: new Uint8Array(0x1000) }]);
  const elseIfs = (n: number, tail = '') => `let x = ${n}\nif x == 0 { print 0 }${Array.from({ length: n }, (_, i) => ` else if x == ${i + 1} { print ${i + 1} }`).join('')} else { print -1 }${tail}`;
  /** The forms of issue 29, as deep as `n`. */
  const FORMS: Record<string, (n: number) => string> = {
    'unary -': (n) => `let x = ${'-'.repeat(n)}1\nprint x`,
    'unary ~': (n) => `let x = ${'~'.repeat(n)}1\nprint x`,
    'unary !': (n) => `let b = ${'!'.repeat(n)}true\nif b { print 1 }`,
    'read … at': (n) => `let x = ${`read u8 at ${BASE} + `.repeat(n >> 1)}0\nprint x`, // a read and a +: two levels
    '1 + 1 + …': (n) => `let x = ${Array(n).fill('1').join(' + ')}\nprint x`,
    '"a" + …': (n) => `let x = ${Array(n).fill('"a"').join(' + ')}\nprint len(x)`,
    '&& chains': (n) => `if ${Array(n).fill('1 == 1').join(' && ')} { print 1 }`,
    'else if': (n) => elseIfs(n),
    'in a loop': (n) => `let t = 0\nfor i in 0..3 { t = t + ${'(-'.repeat(20)}${'-'.repeat(n - 40)}i${')'.repeat(20)} }\nprint t`,
    'else if in a loop': (n) => `for i in 0..3 { if i == 100 { print 0 }${Array.from({ length: n }, (_, k) => ` else if i == ${k + 1000} { print 1 }`).join('')} else { print i } }`,
  };

  it.each(Object.keys(FORMS))(`%s: near MAX_DEPTH it compiles, prints its plan and runs; past it, a too-deep diagnostic, not a stack overflow`, (form) => {
    const make = FORMS[form]!;
    const plan = compile(make(MAX_DEPTH - 10));
    expect(printPlan(plan)).toContain('line 1');
    const printed: unknown[] = [];
    execute({ plan, target: memory(), params: new Map(), output: (e) => printed.push(e) });
    expect(printed.length).toBeGreaterThan(0);
    for (const n of [MAX_DEPTH + 10, 2500]) expect(diagnosticsOf(make(n))).toContain(`error: nesting deeper than ${MAX_DEPTH} levels`);
  });

  it('l[0][0]… and .field chains count, as does a deep statement Ohm would have to read (a syntax error after it)', () => {
    expect(diagnosticsOf(`let l = [1,]\nlet x = l${'[0]'.repeat(2000)}`)).toContain(`r.pvm:2:`);
    expect(diagnosticsOf(`let l = [1,]\nlet x = l${'[0]'.repeat(2000)}`)).toContain(`nesting deeper than ${MAX_DEPTH} levels`);
    expect(diagnosticsOf(`let x = ${'-'.repeat(500)}1 +`)).toContain(`nesting deeper than ${MAX_DEPTH} levels`);
    expect(diagnosticsOf(elseIfs(1500, ' else {'))).toContain(`nesting deeper than ${MAX_DEPTH} levels`);
    // Within MAX_DEPTH, but deeper than Ohm's stack: the fast parser's position is reported, never a crash.
    expect(diagnosticsOf(`let x = ${'read u8 at '.repeat(190)}1 +`)).toMatch(/r\.pvm:1:\d+: error: unexpected end of (line|recipe)/);
  });

  it('the position of a too-deep diagnostic is where the nesting passes the limit', () => {
    expect(diagnosticsOf(`print 1\nlet x = ${'-'.repeat(300)}1`)).toContain(`r.pvm:2:${9 + MAX_DEPTH}: error: nesting deeper than ${MAX_DEPTH} levels`);
  });
});

describe('long flat forms', () => {
  it('124 000 print lines compile (no call with a block of steps as its arguments)', () => {
    expect(compile('print 1\n'.repeat(124_000)).steps.length).toBeGreaterThanOrEqual(124_000);
  });

  it('124 000 reads read ahead in one batch run (their sites are not spread into one call), and a 200 000-byte needle is quoted cut', () => {
    const memory = new MemoryTarget([{ start: 0x10000n, end: 0x11000n, perms: 'rw-p', offset: 0n, path: '', deleted: false, bytes: new Uint8Array(0x1000).fill(7) }]);
    let printed = 0;
    execute({ plan: compile('print read u8 at 0x10000\n'.repeat(124_000)), target: memory, params: new Map(), output: () => printed++ });
    expect(printed).toBe(124_000);
    const error = caught(() => execute({ plan: compile(`let h = scan "${'q'.repeat(200_000)}" in range(0x10000, 0x1000) unique`), target: memory, params: new Map(), output: () => {} }));
    expect(error.message).toMatch(/^unique scan found no match for "q{256}"… \(200000 bytes\)/);
  });

  it('100 000 top-level lets run in linear time (the scope searched its names one by one: 200 000 took 103 s)', () => {
    const plan = compile(`${Array.from({ length: 100_000 }, (_, i) => `let x${i} = ${i}`).join('\n')}\nprint x0 + x99999`);
    const printed: unknown[] = [];
    const started = cpuMillis();
    execute({ plan, target: new MemoryTarget([]), params: new Map(), output: (e) => printed.push(e) });
    expect(cpuMillis() - started).toBeLessThan(5000); // ~0.2 s here
    expect(printed).toHaveLength(1);
  });

  it('124 000 pattern alternatives compile; alternatives nested past MAX_NESTING are a diagnostic', () => {
    expect(() => compile(`let h = scan hex"(${Array(124_000).fill('01').join('|')})" in all`)).not.toThrow();
    expect(diagnosticsOf(`let h = scan hex"${'( 01 | '.repeat(2000)}02${' )'.repeat(2000)}" in all`)).toContain(`alternatives nested deeper than ${MAX_NESTING} levels`);
  });
});

describe('hungry inputs are bounded', () => {
  it('a syntax error after 100 000 good lines: Ohm reads the broken statement only (was 25 s)', () => {
    const [text, ms] = cpuTimed(() => diagnosticsOf(`${'let a = 1\n'.repeat(100_000)}let = 2\nlet b = 2 +\n`));
    expect(text).toContain("r.pvm:100001:5: error: unexpected '=': expected a name");
    expect(text).toContain('r.pvm:100002:12: error: unexpected end of line: expected');
    expect(ms).toBeLessThan(5000); // ~0.5 s here; generous for a loaded machine
  });

  it('non-ASCII strings and names are the fast parser\'s: 400 000 "é" in under a second (was 8 s and 925 MB)', () => {
    const [plan, ms] = cpuTimed(() => compile(`let s = "${'é'.repeat(400_000)}"\nlet café = len(s)\nprint café`));
    expect(plan.steps).toHaveLength(3);
    expect(ms).toBeLessThan(3000);
  });

  it('a 2 MB name before a syntax error is not given to Ohm (was 20 s and 2.9 GB); the excerpt shows 200 columns of its line', () => {
    const [text, ms] = cpuTimed(() => diagnosticsOf(`let ${'a'.repeat(2 << 20)} =\n`));
    expect(text).toContain(`r.pvm:1:${(2 << 20) + 7}: error: unexpected end of line`);
    expect(ms).toBeLessThan(3000);
    expect(Math.max(...text.split('\n').map((line) => line.length))).toBeLessThan(MAX_EXCERPT_COLUMNS + 20);
  });

  it('a diagnostic on a 1 MB line shows MAX_EXCERPT_COLUMNS around its caret, and the caret under the error', () => {
    const line = `let x = ${'1 + '.repeat(100)}${'y'.repeat(1 << 20)}`;
    const text = diagnosticsOf(line);
    const [, excerpt, caret] = text.split('\n');
    expect(excerpt!.length).toBeLessThan(MAX_EXCERPT_COLUMNS + 10);
    expect(excerpt).toMatch(/^1 \| …(\+ 1 )+\+ y+…$/);
    expect(excerpt![caret!.indexOf('^')]).toBe('y');
    expect(text.length).toBeLessThan(1500); // the message and the hint quote the name cut, too
  });

  it("262 144 statements on one 2 MiB line: each location finds the line's end at once (was a scan of the line each, 6 s)", () => {
    const [plan, ms] = cpuTimed(() => compile('print 1;'.repeat(262_144)));
    expect(plan.steps).toHaveLength(262_144);
    expect(plan.steps.at(-1)!.loc).toMatchObject({ line: 1, col: 8 * 262_143 + 1, width: 7 });
    expect(ms).toBeLessThan(3000); // ~0.5 s here
  });

  it('past 1024 statements on one line, an error later on it is reported as on a line of its own', () => {
    expect(diagnosticsOf(`${'print 1;'.repeat(2000)}let = 2`)).toContain("r.pvm:1:16005: error: unexpected '='");
    expect(diagnosticsOf(`${'print 1;'.repeat(2000)}print nope;let = 2`)).not.toContain('unknown name'); // a syntax error outranks the checker
    expect(diagnosticsOf(`${'print 1;'.repeat(2000)}print nope`)).toContain("r.pvm:1:16007: error: unknown name 'nope'");
  });

  it('400 000 unknown names: MAX_DIAGNOSTICS are shown, the rest counted', () => {
    const text = Array.from({ length: 400_000 }, (_, i) => `print n${i}`).join('\n');
    const [shown, ms] = cpuTimed(() => diagnosticsOf(text));
    expect(shown.match(/error: unknown name/g)).toHaveLength(MAX_DIAGNOSTICS);
    expect(shown).toContain(`r.pvm: and ${400_000 - MAX_DIAGNOSTICS} more errors not shown`);
    expect(ms).toBeLessThan(6000);
  });

  it('did-you-mean compares no more than it can show: 20 000 names and 20 000 typos', () => {
    const text = [...Array.from({ length: 20_000 }, (_, i) => `let name${i} = ${i}`), ...Array.from({ length: 20_000 }, (_, i) => `print nmae${i}`)].join('\n');
    const [shown, ms] = cpuTimed(() => diagnosticsOf(text));
    expect(shown).toContain("did you mean 'name0'?");
    expect(ms).toBeLessThan(5000);
  });
});
