// Conditions, loops, assignment and asserts, against an in-memory target.
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { DEFAULT_LIMITS, type Limits } from '../../src/runtime/budget.ts';
import { execute, type OutputEvent } from '../../src/runtime/execute.ts';
import { MemoryTarget } from '../../src/target/memory-target.ts';
import { caught, diagnosticsOf } from '../helpers/errors.ts';

const BASE = 0x10000n;

function target(): MemoryTarget {
  const bytes = new Uint8Array(0x1000);
  for (let i = 0; i < 16; i++) new DataView(bytes.buffer).setUint32(i * 4, i * 10, true);
  return new MemoryTarget([{ start: BASE, end: BASE + 0x1000n, perms: 'rw-p', offset: 0n, path: '', deleted: false, bytes }]);
}

function run(text: string, limits?: Limits): string[] {
  const plan = compileSource({ name: 'r.pvm', text });
  const lines: string[] = [];
  const show = (e: OutputEvent) => (e.type === 'print' ? e.values.map((v) => ('value' in v ? String(v.value) : v.kind)).join(' ') : e.type === 'emit' ? `${e.name}=${'value' in e.value ? e.value.value : ''}` : e.type);
  execute({ plan, target: target(), params: new Map(), output: (e) => lines.push(show(e)), ...(limits === undefined ? {} : { limits }) });
  return lines;
}

const failure = (text: string, limits?: Limits) => caught(() => run(text, limits));

describe('control flow', () => {
  it('sums a table in a loop with assignment, and branches with else if', () => {
    expect(run(`let total = 0\nfor i in 0..16 { total = total + read u32 at ${BASE} + i * 4 }\nprint total\nif total < 100 { print "small" } else if total < 2000 { print "medium" } else { print "large" }`)).toEqual(['1200', 'medium']);
  });

  it('gives each iteration a fresh block: a let in the body is declared anew', () => {
    expect(run('for i in 0..3 { let square = i * i; print square }')).toEqual(['0', '1', '4']);
  });

  it('counts A..B from A up to B-1, and runs no iteration when B <= A', () => {
    expect(run('for i in 5..8 { print i }\nfor i in 3..3 { print "never" }\nfor i in 4..1 { print "never" }')).toEqual(['5', '6', '7']);
  });

  it('cuts a loop at an explicit limit, and refuses one over the default cap without it', () => {
    expect(run('for i in 0..1000000000 limit 2 { print i }')).toEqual(['0', '1']);
    const error = failure('for i in 0..11 { print i }', { ...DEFAULT_LIMITS, steps: 1000, readBytes: 1000, loopIterations: 10n });
    expect(error).toMatchObject({ exit: 2, code: 'unbounded-loop', where: 'r.pvm:1:1', message: 'this loop would run 11 times, more than the default cap of 10' });
  });

  it('short-circuits && and ||: the right side is not evaluated (nor read) when the left decides', () => {
    expect(run('print 1 == 2 && read u8 at 0 == 0, 1 == 1 || read u8 at 0 == 0, !(1 == 2)')).toEqual(['false true true']);
  });

  it('fails an assert with exit 1, its message and the values compared', () => {
    const error = failure(`let n = read u32 at ${BASE + 4n}\nassert n == 1000, "counter moved"`);
    expect(error).toMatchObject({ exit: 1, code: 'assert', where: 'r.pvm:2:1', message: 'assertion failed: counter moved (10 == 1000 is false)' });
    expect(failure('assert "a" == "b"').message).toBe('assertion failed ("a" == "b" is false)');
    expect(run('assert 1 < 2 && 2 < 3; print "ok"')).toEqual(['ok']);
  });

  it('stops a recipe that exceeds its step or read budget (exit 3)', () => {
    expect(failure('let x = 0\nfor i in 0..100 { x = x + 1 }', { ...DEFAULT_LIMITS, steps: 50, readBytes: 1 << 20, loopIterations: 1000n })).toMatchObject({ exit: 3, code: 'step-budget' });
    expect(failure(`for i in 0..10 { let v = read u64 at ${BASE} }`, { ...DEFAULT_LIMITS, steps: 1000, readBytes: 40, loopIterations: 1000n })).toMatchObject({ exit: 3, code: 'read-budget', where: 'r.pvm:1:26' });
  });
});

describe('control-flow diagnostics', () => {
  it('keeps block names inside their block, and forbids shadowing', () => {
    expect(diagnosticsOf('if 1 == 1 { let inner = 1 }\nprint inner')).toContain("r.pvm:2:7: error: unknown name 'inner'");
    expect(diagnosticsOf('let x = 1\nif 1 == 1 { let x = 2 }')).toContain("r.pvm:2:17: error: 'x' is already defined");
    expect(diagnosticsOf('for i in 0..2 { let i = 1 }')).toContain("'i' is already defined");
  });

  it('wants conditions where conditions go, and numbers where numbers go', () => {
    expect(diagnosticsOf('if 1 { print 1 }')).toContain('r.pvm:1:4: error: a condition must be true or false, not a number');
    expect(diagnosticsOf('print (1 < 2) + 1')).toContain('a condition cannot be used in arithmetic');
    expect(diagnosticsOf('print "a" < "b"')).toContain('strings compare only with == and !=, not <');
    expect(diagnosticsOf('print "a" == 1')).toContain('a string cannot be compared with a number');
    expect(diagnosticsOf('assert 1 == 1, 5')).toContain('the message of an assert must be a string');
  });

  it('keeps params at the top and read-only, and `at` arithmetic', () => {
    expect(diagnosticsOf('if 1 == 1 { param p: u8 }')).toContain('a param must be declared at the top level');
    expect(diagnosticsOf('param p: u8 = 1\np = 2')).toContain("'p' is a param and cannot be assigned");
    // `read u32 at p + 4 == 7` compares the u32 at p + 4 with 7 (docs/language.md): it is a condition.
    expect(diagnosticsOf('param p: ptr = 0\nlet c = read u32 at p + 4 == 7\nprint c + 1')).toContain('r.pvm:3:7: error: a condition cannot be used in arithmetic');
  });

  it('walks a NULL-terminated list with while, and leaves loops with break', () => {
    // Three nodes at BASE + 0x100, + 0x200, + 0x300: { next, value }; the values 0..15 at BASE stay as they are.
    const list = `write ptr at ${BASE + 0x100n} = ${BASE + 0x200n}\nwrite u64 at ${BASE + 0x108n} = 7\nwrite ptr at ${BASE + 0x200n} = ${BASE + 0x300n}\nwrite u64 at ${BASE + 0x208n} = 8\nwrite ptr at ${BASE + 0x300n} = 0\nwrite u64 at ${
      BASE + 0x308n
    } = 9\n`;
    const plan = compileSource({ name: 'r.pvm', text: `${list}let p = ${BASE + 0x100n}\nwhile p != 0 limit 100 {\n  print read u64 at p + 8\n  p = [p]\n}\nfor i in 0..10 {\n  if i == 2 { break }\n  print i\n}` });
    const lines: string[] = [];
    execute({ plan, target: target(), params: new Map(), allowWrite: true, output: (e) => e.type === 'print' && lines.push(e.values.map((v) => ('value' in v ? String(v.value) : v.kind)).join(' ')) });
    expect(lines).toEqual(['7', '8', '9', '0', '1']);
  });

  it('stops a while loop at its limit, and refuses one that runs past the cap without a limit', () => {
    expect(run('let n = 0\nwhile true limit 5 { n = n + 1 }\nprint n')).toEqual(['5']);
    expect(failure('let n = 0\nwhile n >= 0 { n = n + 1 }', { ...DEFAULT_LIMITS, loopIterations: 100n })).toMatchObject({ exit: 2, code: 'unbounded-loop', message: 'this while loop ran 100 times and its condition still holds' });
  });

  it('has true and false, list literals (numbers become addresses) and joins strings with +', () => {
    expect(run('let seen = false\nfor i in 0..3 { if i == 1 { seen = true } }\nprint seen\nlet l = [1, 0x20,]\nprint len(l), l[1], len([]), len([5,])\nprint "a" + "b" + hex(255)')).toEqual(['true', '2 32 0 1', 'ab0xff']);
  });

  it('bounds a joined string, and explains an index out of range in plain words', () => {
    expect(failure('let s = "ab"\nfor i in 0..30 { s = s + s }')).toMatchObject({ code: 'string-too-long' });
    expect(failure('let l = [1, 2]\nprint l[2]')).toMatchObject({ message: 'index 2 is out of range: the list has 2 items' });
  });

  it('rejects break outside a loop, lists of non-addresses, and strings mixed with numbers', () => {
    const error = caught(() => compileSource({ name: 'r.pvm', text: 'break\nlet l = [1, "x"]\nprint "a" + 1\nprint "a" - "b"' })) as unknown as { diagnostics: { code: string; message: string }[] };
    expect(error.diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual([
      'break-outside-loop: `break` outside a loop',
      'type: a list holds addresses, not a string',
      'type: a string joins only with a string, not a number',
      'type: strings take only + (to join them), not -',
    ]);
  });
});
