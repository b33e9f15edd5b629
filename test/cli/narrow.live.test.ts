// Issue 15, item 4: narrowing as Cheat Engine users do it, on a live process,
// on Node, Bun and Deno: a value scan, then next scans in the REPL as the
// value moves; hits saved by one run and narrowed by the next; and narrowing
// 100 000 hits in about a hundred system calls, not 100 000.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { execute, type OutputEvent } from '../../src/runtime/execute.ts';
import { LiveProcess } from '../../src/target/live-process.ts';
import { pvm, RUNTIMES } from '../helpers/cli.ts';
import { fixturesPerTest } from '../helpers/fixture.ts';

const fixture = fixturesPerTest();

describe.each(RUNTIMES)('narrowing on %s', (runtime) => {
  it('finds the one u32 that went up then down among every 1000 in the process, in the REPL', async () => {
    const f = await fixture();
    const counter = f.hex('counter');
    const script = [
      'let hits = scan u32 1000 in all align 4',
      'print len(hits) > 1',
      `write u32 at ${counter} = 1005`,
      'hits = narrow hits u32 increased',
      `write u32 at ${counter} = 1003`,
      'hits = narrow hits u32 decreased',
      'hits = narrow hits u32 between 1000 and 1010',
      `print len(hits), hits[0] == ${counter}`,
    ].join('\n');
    const result = pvm(runtime, ['repl', '--pid', String(f.pid), '--allow-write'], { input: `${script}\n` });
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').filter((line) => !line.startsWith('wrote '))).toEqual(['true', '1 true', '']);
    expect(result.status).toBe(0);
  });

  it('starts from an unknown initial value over a page, and finds the one value that went down', async () => {
    const f = await fixture();
    const counter = f.hex('counter');
    const script = [
      `let page = range(${counter} & ~0xfff, 4096)`,
      'let hits = narrow scan hex"?? ?? ?? ??" in page align 4 u32 any',
      'print len(hits)',
      `write u32 at ${counter} = 999`,
      'hits = narrow hits u32 decreased',
      `print len(hits), hits[0] == ${counter}`,
    ].join('\n');
    const result = pvm(runtime, ['repl', '--pid', String(f.pid), '--allow-write'], { input: `${script}\n` });
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').filter((line) => !line.startsWith('wrote '))).toEqual(['1024', '1 true', '']);
  });

  it('narrows hits a previous run saved (--arg hits=@FILE); a change test needs remembered values (exit 2)', async () => {
    const f = await fixture();
    const saved = pvm(runtime, ['-e', 'emit hits = scan u32 1000 in all align 4', '--pid', String(f.pid), '--json']);
    const file = join(mkdtempSync(join(tmpdir(), 'pvm-narrow-')), 'hits.jsonl');
    writeFileSync(file, saved.stdout);
    const emitted = saved.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; value: string[] });
    const count = emitted.find((line) => line.type === 'emit')!.value.length;
    const again = pvm(runtime, ['-e', 'param hits: list\nemit kept = len(narrow hits u32 == 1000)', '--pid', String(f.pid), '--arg', `hits=@${file}`]);
    expect(again).toMatchObject({ status: 0, stdout: `kept = ${count}\n` });
    const change = pvm(runtime, ['-e', 'param hits: list\nemit kept = len(narrow hits u32 changed)', '--pid', String(f.pid), '--arg', `hits=@${file}`]);
    expect(change.status).toBe(2);
    expect(change.stderr).toContain("'changed' compares with the values the list had, and this list remembers none");
  });
});

it('narrows 100 000 hits of a live process with one batched read: about 100 system calls', async () => {
  const f = await fixture();
  const target = await LiveProcess.open(f.pid);
  try {
    const table = f.at('table');
    // The table's 100 000 entries are pointers (never 0): every one is kept.
    const hits = { kind: 'list' as const, items: Array.from({ length: 100_000 }, (_, i) => ({ kind: 'ptr' as const, value: table + BigInt(i) * 8n })) };
    const plan = compileSource({ name: 'n.pvm', text: 'param hits: list\nlet kept = narrow hits u64 != 0\nemit kept = len(kept)' });
    const events: OutputEvent[] = [];
    const calls = target.calls;
    execute({ plan, target, params: new Map([['hits', hits]]), output: (e) => events.push(e) });
    expect(events).toEqual([{ type: 'emit', name: 'kept', value: { kind: 'int', value: 100_000n }, line: 3 }]);
    expect(target.calls - calls).toBeLessThanOrEqual(110); // 1024 iovecs a call: 98
  } finally {
    target.close();
  }
});
