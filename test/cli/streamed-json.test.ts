// A report written as it grows must be the bytes JSON.stringify(document, null, 2) writes at the end.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixedString, streamedArray, streamJson, tailValue } from '../../src/api/streamed-json.ts';

const dir = mkdtempSync(join(tmpdir(), 'pvm-streamed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function both(events: unknown[], reads: unknown[], args: Record<string, unknown> = {}): { streamed: string; whole: string } {
  const path = join(dir, `doc-${Math.random()}.json`);
  const ended = '2026-12-07T10:00:00.000Z';
  const late = { endedAt: ended, exit: 1, error: { code: 'x', message: 'y "quoted"' } };
  const document = (e: unknown, r: unknown, end: unknown, exit: unknown, error: unknown) => ({
    format: 'pvm-report',
    run: { startedAt: 'a', endedAt: end, argv: ['run', 'é'] },
    results: { args, events: e, reads: r, exit, error },
  });
  const doc = streamJson(path, document(streamedArray('events'), streamedArray('reads'), fixedString('endedAt', 24), tailValue('exit'), tailValue('error')), ['events', 'reads']);
  for (let i = 0; i < Math.max(events.length, reads.length); i++) {
    if (i < events.length) doc.push('events', events[i]);
    if (i < reads.length) doc.push('reads', reads[i]);
  }
  doc.finish(late);
  return { streamed: readFileSync(path, 'utf8'), whole: `${JSON.stringify(document(events, reads, ended, late.exit, late.error), null, 2)}\n` };
}

describe('streamJson', () => {
  it('writes what JSON.stringify writes: nested values, empty arrays, late values, non-ASCII', () => {
    const events = [{ type: 'print', values: [1, [2, 3], { a: 'é' }], line: 1 }, { type: 'emit', name: 'n', value: [], line: 2 }];
    for (const [e, r] of [[events, [{ address: '0x1', length: 4, sha256: 'ab' }]], [[], []], [events, []], [[], events]] as const) {
      const { streamed, whole } = both([...e], [...r]);
      expect(streamed).toBe(whole);
    }
  });

  it('writes an item given as its text, in pieces cut anywhere, as the item itself', () => {
    const path = join(dir, 'pieces.json');
    const item = { pid: 1, results: { events: [{ a: 'é\n' }], exit: 0 } };
    const doc = streamJson(path, { processes: streamedArray('processes'), exit: tailValue('exit') }, ['processes']);
    const text = JSON.stringify(item, null, 2);
    doc.pushText('processes', [text.slice(0, 7), text.slice(7, 20), text.slice(20)]);
    doc.push('processes', item);
    doc.finish({ exit: 3 });
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify({ processes: [item, item], exit: 3 }, null, 2)}\n`);
  });

  it('leaves no spill file behind, and a user value cannot pass for a placeholder', () => {
    const { streamed, whole } = both([{ a: 1 }], [{ b: 2 }], { trick: '@streamed:events@' });
    expect(streamed).toBe(whole);
    expect(readdirSync(dir).filter((name) => name.endsWith('.part'))).toEqual([]);
  });

  it('holds a large array without keeping it (many flushes)', () => {
    const events = Array.from({ length: 20_000 }, (_, i) => ({ type: 'print', values: [i, 'x'.repeat(100)], line: i }));
    const { streamed, whole } = both(events, events.slice(0, 100));
    expect(streamed).toBe(whole);
  });
});
