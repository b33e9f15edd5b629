// The measure, on a live process: walking a table of 100 000 pointers
// and reading each target takes about 100 system calls, not 200 000.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { execute, type OutputEvent } from '../../src/runtime/execute.ts';
import { guardSource } from '../../src/policy/guard.ts';
import { parsePolicy } from '../../src/policy/load.ts';
import { LiveProcess } from '../../src/target/live-process.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(() => fixture.stop());

it('walks 100 000 pointers of a live process in about 200 calls and a few thousand iovecs, with the right total', async () => {
  const target = await LiveProcess.open(fixture.pid);
  const [calls, iovecs] = [target.calls, target.iovecs];
  const plan = compileSource({ name: 'walk.pvm', text: `let total = 0\nfor i in 0..100000 { total = total + read u64 at [${fixture.hex('table')} + i * 8] }\nemit total = total` });
  const events: OutputEvent[] = [];
  execute({ plan, target, params: new Map(), output: (e) => events.push(e) });
  // values[j] = 3j, and the table is a permutation of them.
  expect(events).toEqual([{ type: 'emit', name: 'total', value: { kind: 'int', value: 3n * ((100000n * 99999n) / 2n) }, line: 3 }]);
  // 7 windows of 16384 iterations: one call for the table's slice, ~32 for the values, read a page at a time.
  expect({ calls: target.calls - calls <= 220, iovecs: target.iovecs - iovecs <= 5000 }).toEqual({ calls: true, iovecs: true });
  target.close();
});

it('reads the values of straight-line steps in one call per level, with the same answers', async () => {
  const target = await LiveProcess.open(fixture.pid);
  const table = fixture.hex('table');
  const text = `let first = [${table}]\nlet second = [${table} + 8]\nemit sum = (read u64 at first) + (read u64 at second) + (read u64 at [${table} + 16])`;
  const plan = compileSource({ name: 'lines.pvm', text });
  const calls = target.calls;
  const events: OutputEvent[] = [];
  execute({ plan, target, params: new Map(), output: (e) => events.push(e) });
  // Level 1: three table entries in one iovec; level 2: the three values they point at.
  expect(target.calls - calls).toBe(2);
  // The same values read one recipe at a time, so nothing is batched.
  let expected = 0n;
  for (const offset of [0, 8, 16]) {
    const one: OutputEvent[] = [];
    execute({ plan: compileSource({ name: 'one.pvm', text: `emit v = read u64 at [${table} + ${offset}]` }), target, params: new Map(), output: (e) => one.push(e) });
    expected += (one[0] as { value: { value: bigint } }).value.value;
  }
  expect(events).toEqual([{ type: 'emit', name: 'sum', value: { kind: 'int', value: expected }, line: 3 }]);
  target.close();
});

it('reads large byte ranges of a live process each on its own, with the bytes a lone read gives', async () => {
  const target = await LiveProcess.open(fixture.pid);
  const table = fixture.hex('table');
  // Twelve 64 KiB reads of the table (each read alone, into its own memory), against the same bytes read one at a time.
  const events: OutputEvent[] = [];
  const text = `let s = 0\nfor i in 0..12 { let b = read bytes 65536 at ${table} + i * 65536\ns = s * 3 + b[0] + b[777] * 5 + b[65535] }\nemit s = s`;
  execute({ plan: compileSource({ name: 'large.pvm', text }), target, params: new Map(), output: (e) => events.push(e) });
  let expected = 0n;
  const byte = (at: bigint) => BigInt(target.read([{ address: at, length: 1 }])[0]!.bytes[0]!);
  for (let i = 0n; i < 12n; i++) {
    const at = fixture.at('table') + i * 65536n;
    expected = expected * 3n + byte(at) + byte(at + 777n) * 5n + byte(at + 65535n);
  }
  expect(events).toEqual([{ type: 'emit', name: 's', value: { kind: 'int', value: expected }, line: 4 }]);
  target.close();
});

it('reads values that die with their iteration into reused memory, and leaves a value kept past it alone', async () => {
  const target = await LiveProcess.open(fixture.pid);
  const table = fixture.hex('table');
  // 600 reads of 64 KiB: windows of 16 iterations (1 MiB), so the later windows land in the first one's memory.
  const events: OutputEvent[] = [];
  const text =
    `let s = 0\nlet first = read bytes 65536 at ${table}\nfor i in 0..600 { let b = read bytes 65536 at ${table} + (i % 12) * 65536\ns = (s * 3 + b[i % 100] + b[65535]) % 1000000007\nlet c = read bytes 65536 at ${table} + (i % 12) * 65536\nif i == 5 { first = c } }\nemit s = s\nemit first = hex(first)`;
  execute({ plan: compileSource({ name: 'reused.pvm', text }), target, params: new Map(), output: (e) => events.push(e) });
  const block = (k: bigint) => target.read([{ address: fixture.at('table') + k * 65536n, length: 65536 }])[0]!.bytes;
  let expected = 0n;
  for (let i = 0n; i < 600n; i++) {
    const b = block(i % 12n);
    expected = (expected * 3n + BigInt(b[Number(i % 100n)]!) + BigInt(b[65535]!)) % 1000000007n;
  }
  expect(events[0]).toMatchObject({ name: 's', value: { kind: 'int', value: expected } });
  expect(events[1]).toMatchObject({ name: 'first', value: { kind: 'str', value: Buffer.from(block(5n)).toString('hex') } });
  target.close();
});

it('reads a value that dies with its iteration into reused memory under a policy too, decided and counted as any read', async () => {
  const live = await LiveProcess.open(fixture.pid);
  const table = fixture.hex('table');
  // A loop of one iteration is not read ahead: each read lands in the site's own reused memory, through the guard.
  const text = `let s = 0\nfor j in 0..12 { for i in 0..1 { let b = read bytes 65536 at ${table} + j * 65536\ns = s + b[j] + b[65535] } }\nemit s = s`;
  const plan = compileSource({ name: 'policed.pvm', text });
  const plain: OutputEvent[] = [];
  execute({ plan, target: live, params: new Map(), output: (e) => plain.push(e) });
  const audit: { op: string; bytes?: number; allowed: boolean }[] = [];
  // Reads into reused memory reach the process as batches of one range into the same memory each time.
  const readv = live.readv.bind(live);
  const memories = new Set<Uint8Array>();
  let reused = 0;
  live.readv = (batch) => {
    if (batch.count === 1 && batch.memory.length >= 65536) (reused++, memories.add(batch.memory));
    readv(batch);
  };
  const under = (json: unknown) => guardSource(live, { policies: [parsePolicy('p.json', JSON.stringify(json))], symbol: () => undefined, audit: (e) => audit.push(e as never) });
  const events: OutputEvent[] = [];
  execute({ plan, target: under({ read: { maxBytes: 1 << 20 } }), params: new Map(), output: (e) => events.push(e) });
  expect(events).toEqual(plain);
  expect(reused).toBe(12);
  expect(memories.size).toBe(1);
  expect(audit.filter((e) => e.op === 'read').reduce((sum, e) => sum + e.bytes!, 0)).toBe(12 * 65536);
  // A budget the loop outgrows stops it at the read, as any read.
  expect(() => execute({ plan, target: under({ read: { maxBytes: 5 * 65536 } }), params: new Map(), output: () => {} })).toThrow(/reading more than 327680 bytes/);
  live.close();
});
