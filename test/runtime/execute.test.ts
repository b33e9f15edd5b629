// The runtime against an in-memory target: values, exact integers, and errors
// that point into the recipe. The live-process versions are in test/cli.
import { assert, describe, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { execute, type OutputEvent } from '../../src/runtime/execute.ts';
import { bindParams, parseArgPairs } from '../../src/runtime/params.ts';
import { MemoryTarget } from '../../src/target/memory-target.ts';
import { caught } from '../helpers/errors.ts';

const BASE = 0x10000n;

function memory(): MemoryTarget {
  const bytes = new Uint8Array(0x1000);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 1000, true);
  view.setBigUint64(8, BASE + 0x100n, true); // a pointer to +0x100
  view.setBigUint64(0x100 + 16, BASE + 0x200n, true); // +0x100 holds, at +16, a pointer to +0x200
  view.setUint32(0x200, 0xc0ffee, true);
  bytes.set(new TextEncoder().encode('hello\0'), 0x300);
  bytes.set(new TextEncoder().encode('UNENDING'), 0x1000 - 8);
  view.setInt16(0x400, -300, true);
  view.setUint32(0x408, 0x12345678, false);
  return new MemoryTarget([
    { start: BASE, end: BASE + 0x1000n, perms: 'rw-p', offset: 0n, path: '', deleted: false, bytes },
    { start: BASE + 0x3000n, end: BASE + 0x4000n, perms: '---p', offset: 0n, path: '', deleted: false, bytes: new Uint8Array(0x1000) },
  ]);
}

function run(text: string, args: string[] = []): OutputEvent[] {
  const plan = compileSource({ name: 'r.pvm', text });
  const events: OutputEvent[] = [];
  execute({ plan, target: memory(), params: bindParams(plan, parseArgPairs(args)), output: (e) => events.push(e) });
  return events;
}

const failure = (text: string, args: string[] = []) => caught(() => run(text, args));

describe('execute', () => {
  it('follows pointer chains and decodes every integer flavour', () => {
    const events = run(`param base: ptr\nemit magic = read u32 at [[base + 8] + 16]\nemit s = read cstring at base + 0x300\nemit neg = read i16 at base + 0x400\nemit be = read u32be at base + 0x408\nprint base, [base + 8] - base`, [
      `base=${BASE}`,
    ]);
    expect(events).toEqual([
      { type: 'emit', name: 'magic', value: { kind: 'int', value: 0xc0ffeen }, line: 2 },
      { type: 'emit', name: 's', value: { kind: 'str', value: 'hello' }, line: 3 },
      { type: 'emit', name: 'neg', value: { kind: 'int', value: -300n }, line: 4 },
      { type: 'emit', name: 'be', value: { kind: 'int', value: 0x12345678n }, line: 5 },
      { type: 'print', values: [{ kind: 'ptr', value: BASE }, { kind: 'int', value: 0x100n }], line: 6 },
    ]);
  });

  it('keeps integers exact: no wrap at 64 bits', () => {
    const [event] = run('print 0xffffffffffffffff * 16 + 1');
    expect(event).toEqual({ type: 'print', values: [{ kind: 'int', value: 0xffffffffffffffffn * 16n + 1n }], line: 1 });
  });

  it('explains an unmapped read with the nearest region, located in the recipe (exit 4)', () => {
    const error = failure('let x = 1\nlet y = read u32 at 0x11800');
    expect(error).toMatchObject({ exit: 4, code: 'unmapped', where: 'r.pvm:2:9' });
    expect(error.message).toBe('cannot read u32 at 0x11800: 0x11800 is not mapped in memory (nearest region: 0x10000-0x11000 rw-p (anonymous))');
    expect(error.excerpt).toBe('2 | let y = read u32 at 0x11800\n  |         ^~~~~~~~~~~~~~~~~~~');
  });

  it('says when a region has no read permission', () => {
    expect(failure('print read u8 at 0x13000').message).toContain('lies in 0x13000-0x14000 ---p (anonymous), which has no read permission');
  });

  it('fails a cstring that runs into unmapped memory before its NUL, and reads one that ends in time', () => {
    expect(failure(`print read cstring at ${BASE + 0x1000n - 8n}`).message).toContain('0x11000 is not mapped');
    expect(run(`print read cstring max 3 at ${BASE + 0x1000n - 8n}`)[0]).toMatchObject({ values: [{ kind: 'str', value: 'UNE' }] });
  });

  it('rejects division by zero and negative addresses with their location', () => {
    expect(failure('print 1 / (2 - 2)')).toMatchObject({ exit: 2, code: 'division-by-zero', where: 'r.pvm:1:9' });
    expect(failure('print read u8 at 0 - 16')).toMatchObject({ exit: 4, code: 'bad-address', message: 'cannot read u8 at -0x10: not an address (outside 0 to 2^64-1)' });
  });
});

describe('params', () => {
  const plan = compileSource({ name: 'r.pvm', text: 'param p: ptr\nparam n: u8 = 7\nparam s: i16 = -1' });

  it('parses hex, binary, decimal and negative integers and applies defaults', () => {
    expect(bindParams(plan, parseArgPairs(['p=0x10_00', 'n=0b101']))).toEqual(
      new Map([
        ['p', { kind: 'ptr', value: 0x1000n }],
        ['n', { kind: 'int', value: 5n }],
        ['s', { kind: 'int', value: -1n }],
      ]),
    );
  });

  it('refuses malformed, unknown, duplicate, missing and out-of-range args (exit 2)', () => {
    const bad = (args: string[]) => {
      const error = caught(() => bindParams(plan, parseArgPairs(args)));
      expect(error.exit).toBe(2);
      return error.message;
    };
    expect(bad(['p'])).toBe('--arg "p" is not NAME=VALUE');
    expect(bad(['p=zz'])).toBe("--arg p=zz: 'zz' is not an integer");
    expect(bad(['p=1', 'q=2'])).toBe("--arg q: r.pvm has no param 'q'");
    expect(bad(['p=1', 'p=2'])).toBe('--arg p is given twice');
    expect(bad([])).toBe("param 'p' (line 1) needs a value");
    expect(bad(['p=1', 'n=256'])).toBe('--arg n=256: out of range for u8 (0 to 255)');
    expect(bad(['p=-1'])).toBe('--arg p=-1: an address must be between 0 and 0xffffffffffffffff');
  });
});

describe('string params', () => {
  const plan = compileSource({ name: 'r.pvm', text: 'param needle: string\nparam greeting: string = "hi"' });
  const files = new Map([['needle.txt', 'PVM-NEEDLE\n'], ['two.txt', 'a\n\n']]);
  const bind = (args: string[]) => bindParams(plan, parseArgPairs(args), (path) => files.get(path) ?? Object.assign(assert.fail(`no ${path}`)));

  it('take TEXT, @FILE without its final newline, @@ for a text starting with @, and their defaults', () => {
    expect(bind(['needle=a b=c'])).toEqual(new Map([['needle', { kind: 'str', value: 'a b=c' }], ['greeting', { kind: 'str', value: 'hi' }]]));
    expect(bind(['needle=@needle.txt', 'greeting=']).get('needle')).toEqual({ kind: 'str', value: 'PVM-NEEDLE' });
    expect(bind(['needle=@two.txt']).get('needle')).toEqual({ kind: 'str', value: 'a\n' });
    expect(bind(['needle=@@home']).get('needle')).toEqual({ kind: 'str', value: '@home' });
  });

  it('are used wherever a string is: a scan needle, a write, a comparison', () => {
    const events = run('param s: string\nlet hit = scan s in range(0x10000, 0x1000)\nprint len(hit), read cstring at hit[0] == s, s', ['s=hello']);
    expect(events.filter((e) => e.type === 'print')).toEqual([{ type: 'print', values: [{ kind: 'int', value: 1n }, { kind: 'bool', value: true }, { kind: 'str', value: 'hello' }], line: 3 }]);
  });

  it('refuse a default that is not a string, and a missing value (exit 2)', () => {
    expect(caught(() => compileSource({ name: 'r.pvm', text: 'param s: string = 5' }))).toMatchObject({ exit: 2, message: expect.stringContaining("the default of 's' must be a string, not a number") });
    expect(caught(() => bindParams(plan, parseArgPairs([])))).toMatchObject({ exit: 2, message: "param 'needle' (line 1) needs a value", hint: 'pass --arg needle=TEXT or --arg needle=@FILE' });
  });
});
