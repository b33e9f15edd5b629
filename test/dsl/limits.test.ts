// Issue 16: recipes that used to crash the parser, hang the runtime or take
// quadratic time get a clear error, or work, within bounds.
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { MAX_NESTING } from '../../src/limits.ts';
import { execute } from '../../src/runtime/execute.ts';
import { MemoryTarget } from '../../src/target/memory-target.ts';
import { diagnosticsOf } from '../helpers/errors.ts';

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
    const started = Date.now();
    expect(() => execute({ plan: compile('let x = 3\nfor i in 0..40 { x = x * x }'), target: memory, params: new Map(), output: () => {} })).toThrow(/integer overflow: \d+ \* \d+ is beyond ±2\^128/);
    expect(Date.now() - started).toBeLessThan(2000);
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
