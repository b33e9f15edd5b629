import { describe, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { caught, diagnosticsOf } from '../helpers/errors.ts';
import type { PlanStep } from '../../src/plan/plan.ts';

describe('compileSource', () => {
  it('compiles params, lets, reads, derefs, print and emit into a versioned plan', () => {
    const plan = compileSource({ name: 'r.pvm', text: 'param p: ptr = 0x10\nlet x = read u32be at [p + 8] + 4 # comment\nprint "x", x; emit x = -x\n' });
    expect(plan).toMatchObject({ format: 'pvm-plan', version: 7, writes: false, recipe: { name: 'r.pvm' } });
    expect(plan.recipe.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(plan.params).toEqual([{ name: 'p', type: { kind: 'ptr', name: 'ptr', size: 8 }, default: { op: 'int', value: '16' }, loc: expect.objectContaining({ line: 1, col: 7 }) }]);
    expect(plan.steps.map((s) => s.op)).toEqual(['let', 'print', 'emit']);
    const read = plan.steps[0]!.op === 'let' ? plan.steps[0]!.value : undefined;
    expect(read).toMatchObject({ op: 'read', type: { name: 'u32be', bigEndian: true }, address: { op: 'binary', operator: '+', left: { op: 'read', type: { name: 'ptr' } } } });
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('records the names each loop uses from around it, with the types the checker gave them', () => {
    const plan = compileSource({ name: 'r.pvm', text: 'param p: ptr\nlet n = 0\nlet r = module("libc")\nlet ok = true\nwhile ok limit 3 { n = n + 1\nfor i in 0..n { let q = p + i\nprint q, r\nok = n < 2 } }' });
    const outer = plan.steps.find((s) => s.op === 'while')!;
    expect(outer.op === 'while' && outer.names).toEqual({ ok: 'bool', n: 'int', p: 'ptr', r: 'region' });
    const inner = outer.op === 'while' ? outer.body.find((s) => s.op === 'for') : undefined;
    expect(inner?.op === 'for' && inner.names).toEqual({ p: 'ptr', r: 'region', ok: 'bool', n: 'int' });
  });

  it('records what each name holds as a loop starts, followed through assignments, branches and the loops around it', () => {
    const kinds = (text: string) => {
      const loops: { names: unknown; item?: unknown }[] = [];
      const walk = (steps: readonly PlanStep[]): void =>
        steps.forEach((s) => {
          if (s.op === 'for') loops.push({ names: s.names, item: s.item });
          if (s.op === 'while') loops.push({ names: s.names });
          if (s.op === 'for' || s.op === 'while') walk(s.body);
          if (s.op === 'if') [s.then, s.otherwise].forEach(walk);
        });
      walk(compileSource({ name: 'r.pvm', text }).steps);
      return loops;
    };
    // threads() lists integers, a scan or a list literal addresses; an index or min() of them holds what they list.
    expect(kinds('let s = 0\nfor t in threads() { for i in 0..3 { s = s + t } }')).toEqual([{ names: { s: 'int' }, item: 'int' }, { names: { s: 'int', t: 'int' }, item: 'int' }]);
    expect(kinds('let ts = threads()\nlet first = ts[0]\nlet low = min(ts)\nfor p in [1, 2] { print p, first, low }')).toEqual([{ names: { first: 'int', low: 'int' }, item: 'ptr' }]);
    expect(kinds('let hits = scan u32 1 in all\nlet n = narrow hits u32 == 1\nfor h in n { print h, hits[0], reg(1, "rip"), reg(1, "rax") }')).toEqual([{ names: { hits: 'list' }, item: 'ptr' }]);
    // An assignment gives the name its value's kind; a branch may leave either; an iteration's change holds as the next starts.
    expect(kinds('let q = 0\nq = read ptr at 0x10\nfor i in 0..3 { q = q + 8 }')).toEqual([{ names: { q: 'ptr' }, item: 'int' }]);
    expect(kinds('let q = 0\nif q == 0 { q = read ptr at 0x10 }\nwhile q != 0 { q = q - 1 }')).toEqual([{ names: { q: 'int|ptr' } }]);
    expect(kinds('let b = 0\nlet k = 0\nwhile k < 2 { for i in b..b+2 { k = k + 1 }\nb = b + read ptr at 0x10 }')).toEqual([
      { names: { k: 'int', b: 'int|ptr' } },
      { names: { k: 'int' }, item: 'int|ptr' },
    ]);
    // What a break leaves reaches past the loop.
    expect(kinds('let q = 0\nfor i in 0..3 { q = read ptr at 0x10\nbreak }\nwhile q != 0 { q = 0 }')).toEqual([{ names: { q: 'int' }, item: 'int' }, { names: { q: 'int|ptr' } }]);
  });

  it('reads `at` as arithmetic only: `x + read u8 at p + 1` adds the byte at p + 1', () => {
    const plan = compileSource({ name: 'r.pvm', text: 'param p: ptr\nlet x = 1\nlet y = x + read u8 at p + 1' });
    const y = plan.steps[1]!;
    expect(y.op === 'let' && y.value).toMatchObject({ op: 'binary', operator: '+', left: { op: 'var', name: 'x' }, right: { op: 'read', address: { op: 'binary', operator: '+' } } });
  });

  it('accepts every literal form and string escape', () => {
    const plan = compileSource({ name: 'r.pvm', text: 'print 0x7f_ff, 0b1010, 1_000, -3, "a\\n\\0\\x41\\"\\\\"' });
    const print = plan.steps[0]!;
    expect(print.op === 'print' && print.values).toEqual([
      { op: 'int', value: '32767' },
      { op: 'int', value: '10' },
      { op: 'int', value: '1000' },
      { op: 'unary', operator: '-', operand: { op: 'int', value: '3' } },
      { op: 'str', value: 'a\n\0A"\\' },
    ]);
  });
});

describe('diagnostics', () => {
  it('names the file, line and column, shows the line with a caret, and suggests a fix', () => {
    expect(diagnosticsOf('param counter: ptr\nlet n = read u24 at counter\n')).toBe(
      [
        "r.pvm:2:14: error: unknown type 'u24' (expected u8, u16, u32, u64, i8 … i64, f32, f64, ptr, cstring, bytes N, utf16 N, or a be variant such as u32be)",
        '2 | let n = read u24 at counter',
        '  |              ^~~',
        "hint: did you mean 'u16' or 'u32'? (the integers are 8, 16, 32 and 64 bits)",
      ].join('\n'),
    );
  });

  it('reports every problem at once', () => {
    const message = diagnosticsOf('let a = read u33 at 0\nprint countr\nlet a = 1\nlet counter = 2\nprint "s" + 1\n');
    expect(message).toContain("r.pvm:1:14: error: unknown type 'u33'");
    expect(message).toContain("r.pvm:2:7: error: unknown name 'countr'");
    expect(message).toContain("r.pvm:3:5: error: 'a' is already defined");
    expect(message).toContain('r.pvm:5:7: error: a string joins only with a string, not a number');
    expect(message.match(/error:/g)).toHaveLength(4);
  });

  it('suggests a close name', () => {
    expect(diagnosticsOf('let counter = 1\nprint countr')).toContain("hint: did you mean 'counter'?");
  });

  it('suggests declaring an unknown name with let or param in a recipe, with let only in a REPL (which takes no params)', () => {
    expect(diagnosticsOf('print nope')).toContain('hint: define it first with `let nope = …` or `param nope: …`');
    const repl = caught(() => compileSource({ name: '<repl:1>', text: 'print nope' }, { session: new Map() }));
    expect(repl.message).toMatch(/hint: define it first with `let nope = …`$/);
    expect(repl.message).not.toContain('param');
  });

  it('reports a syntax error where it happens, with what was expected', () => {
    const message = diagnosticsOf('let x = read u32 at\nprint x');
    expect(message.split('\n')[0]).toMatch(/^r\.pvm:1:20: error: unexpected end of line: expected /);
    expect(diagnosticsOf('let x = "\\q"')).toMatch(/^r\.pvm:1:11: error: unexpected 'q'/);
  });

  it('keeps param defaults constant and params numeric', () => {
    expect(diagnosticsOf('param p: ptr = [0x10]')).toContain('a param default cannot read memory');
    expect(diagnosticsOf('param s: cstring')).toContain('a param cannot be a cstring');
    expect(diagnosticsOf('print read cstring max 0 at 0')).toContain('the size of a cstring must be a constant from 1 to 1048576');
  });
});

describe('syntax errors', () => {
  it('are all reported at once: parsing resumes at the next statement after each', () => {
    const error = (() => {
      try {
        compileSource({ name: 'r.pvm', text: 'let a = 1 +\nprint 1\nif 1 > 0 {\n  print 2\n}\nelse {\n  print 3\n}\nlet b = )\nprint "ok"\n' });
      } catch (caught) {
        return caught as { diagnostics: { message: string; span: { start: number } }[] };
      }
      throw new Error('compiled');
    })();
    expect(error.diagnostics.map((d) => d.message.split(':')[0])).toEqual(['unexpected end of line', '`else` must follow the `}` of its `if` on the same line', "unexpected ')'"]);
  });

  it('name an else on its own line, and say how to write it', () => {
    expect(diagnosticsOf('if 1 > 0 {\n  print 1\n}\nelse {\n  print 2\n}')).toContain('hint: write `} else {` (a newline after `}` ends the if statement)');
  });

  it('name a misspelt keyword at the start of a statement, and the keyword it is near', () => {
    expect(diagnosticsOf('prnt 1')).toMatch(/^r\.pvm:1:1: error: 'prnt' is not a statement keyword\n[^]*hint: did you mean 'print'\?/);
    expect(diagnosticsOf('let x = 1\nlett y = 2')).toMatch(/^r\.pvm:2:1: error: 'lett' is not a statement keyword\n[^]*hint: did you mean 'let'\?/);
    expect(diagnosticsOf('let x = 1\nif x > 0 {\n  whlie x < 3 { x = x + 1 }\n}')).toContain("r.pvm:3:3: error: 'whlie' is not a statement keyword");
    expect(diagnosticsOf('let x = 1; iff x { }')).toContain("hint: did you mean 'if'?");
    expect(diagnosticsOf('scna u32 == 1')).toContain("hint: did you mean 'scan'? it gives a value: `let NAME = scan …`");
    // Not near a keyword, or not a statement's first word: what the parser expected, as before.
    expect(diagnosticsOf('x 1')).toMatch(/^r\.pvm:1:3: error: unexpected '1': expected "="/);
    expect(diagnosticsOf('let x = 1\nlet y = x prnt')).not.toContain('statement keyword');
  });

  it('read keywords as whole words: `letter = 1` assigns letter (unknown here), never `let ter = 1`', () => {
    expect(diagnosticsOf('letter = 1\nprintx = 2')).toContain("error: unknown name 'letter'");
    const plan = compileSource({ name: 'r.pvm', text: 'let forward = 1\nlet utf16x = 2\nprint forward + utf16x' });
    expect(plan.steps.map((s) => (s.op === 'let' ? s.name : s.op))).toEqual(['forward', 'utf16x', 'print']);
  });
});

describe('literals that cannot be written or scanned for, found before anything runs', () => {
  it('a literal of another size than its sized type says, and an empty needle', () => {
    expect(diagnosticsOf('write bytes 4 at 0x10 = "abc"')).toContain('r.pvm:1:25: error: the value has 3 bytes, not the 4 that bytes 4 says');
    expect(diagnosticsOf('write bytes 3 at 0x10 = hex"01 02"')).toContain('the value has 2 bytes, not the 3 that bytes 3 says');
    expect(diagnosticsOf('write cstring max 3 at 0x10 = "abc"')).toContain('the string and its NUL take 4 bytes, more than cstring max 3');
    expect(diagnosticsOf('write utf16 2 at 0x10 = "abc"')).toContain('the string has 3 UTF-16 units, more than utf16 2 allows');
    expect(diagnosticsOf('let h = scan "" in anon')).toContain('r.pvm:1:14: error: a scan for nothing (an empty string or bytes)');
    expect(() => compileSource({ name: 'r.pvm', text: 'write bytes 3 at 0x10 = "abc"\nwrite cstring max 4 at 0x10 = "abc"' })).not.toThrow();
  });
});
