// docs/language.md end to end: every construct against the live C fixture on Node, Bun and Deno.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pvm, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(() => fixture.stop());

const RECIPE = 'test/cli/recipes/language.pvm';
const hex = (n: bigint) => `0x${n.toString(16)}`;

describe.each(RUNTIMES)('the language on %s', (runtime) => {
  const args = () => ['--pid', String(fixture.pid), ...['area', 'split', 'scratch', 'page'].flatMap((n) => ['--arg', `${n}=${fixture.hex(n)}`]), '--arg', `sites=${fixture.hex('patch_sites')}`];

  it('refuses a recipe that writes without --allow-write, before touching the target (exit 3)', () => {
    const result = pvm(runtime, ['run', RECIPE, ...args()]);
    expect(result.status).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain("writes to the target's memory, and writing was not allowed");
  });

  it('runs every construct, with the same JSON on every runtime', () => {
    const area = fixture.at('area');
    const page = fixture.at('page');
    // Once per runtime against one fixture: the first run patches, the others find it applied.
    const result = pvm(runtime, ['run', RECIPE, ...args(), '--allow-write', '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const events = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    const emits = Object.fromEntries(events.filter((e) => e.type === 'emit').map((e) => [e.name, e.value]));
    expect(emits).toEqual({
      chunk_edge: (1 << 20) - 5,
      region_edge: hex(fixture.at('split') + BigInt(fixture.pageSize) - 6n),
      narrowed: 0,
      code: hex(area + 64n),
      alternatives: 1,
      wide: hex(area + 2048n),
      typed: [hex(area + 4n), hex(area + 9n)],
      aligned: [hex(area + 4n)],
      unique: hex(area + 256n),
      first_two: true,
      bytes: '488b0511',
      hexed: '488b',
      text: 'WideSecret',
      rip: 7 + 0x44332211,
      patched: 2002,
    });
    expect(events.find((e) => e.type === 'print' && e.values[0] === 'twice at')).toMatchObject({ values: ['twice at', 512, 'PVM-TWICE-77'] });
    expect(events.find((e) => e.type === 'print' && e.values[0] === 0xc0ffee)).toMatchObject({ values: [0xc0ffee, 'hi', 1.5] });
    const patches = events.filter((e) => e.type === 'patch');
    expect(patches[1]).toMatchObject({ status: 'already applied', sites: [{ address: fixture.hex('patch_sites'), before: 'e9030000', after: 'e9030000' }] });
    expect(events.find((e) => e.type === 'dump')).toMatchObject({ address: hex(page), size: 20, bytes: '000102030405060708090a0b0c0d0e0f10111213' });
  });

  it('exits 1 when a unique scan finds no match or two, naming what it found', () => {
    const none = pvm(runtime, ['-e', `let x = scan "PVM-NOT-THERE" in range(${fixture.hex('area')}, 4096) unique`, '--pid', String(fixture.pid)]);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('unique scan found no match');
    const two = pvm(runtime, ['-e', `let x = scan "PVM-TWICE-77" in anon unique`, '--pid', String(fixture.pid)]);
    expect(two.status).toBe(1);
    expect(two.stderr).toContain(`unique scan found more than one match for "PVM-TWICE-77": ${hex(fixture.at('area') + 512n)}, ${hex(fixture.at('area') + 1024n)}`);
  });

  /** The patch sites hold 1001 and 2002, as the test's own write sets them, whichever test ran before. */
  const siteHolds2002 = (sites: string) => expect(pvm(runtime, ['-e', `write u32 at ${sites} = 1001\nwrite u32 at ${sites} + 4 = 2002`, '--pid', String(fixture.pid), '--allow-write']).status).toBe(0);

  it('exits 1 on a patch whose expected bytes do not match, and writes nothing', () => {
    const sites = fixture.hex('patch_sites');
    siteHolds2002(sites);
    const result = pvm(runtime, ['-e', `patch { \n at ${sites} + 4 expect u32 2002 with u32 3 \n at ${sites} expect u32 77 with u32 5 \n }`, '--pid', String(fixture.pid), '--allow-write']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`1 of 2 sites did not hold the expected bytes; nothing was written\n  at ${sites} (line 3): expected hex"4d 00 00 00", found hex"e9 03 00 00"`);
    const after = pvm(runtime, ['-e', `print read u32 at ${sites} + 4`, '--pid', String(fixture.pid)]);
    expect(after.stdout).toBe('2002\n');
  });

  it('exits 4 for a patch site on an unmapped page in the middle of a block, and writes nothing', () => {
    const sites = fixture.hex('patch_sites');
    siteHolds2002(sites);
    const result = pvm(runtime, ['-e', `patch {\n at ${sites} + 4 expect u32 2002 with u32 9\n at ${fixture.hex('hole')} expect u8 0 with u8 1\n }`, '--pid', String(fixture.pid), '--allow-write']);
    expect(result.status).toBe(4);
    expect(result.stderr).toContain(`cannot read the site at ${fixture.hex('hole')}: ${fixture.hex('hole')} is not mapped in pid ${fixture.pid}`);
    expect(pvm(runtime, ['-e', `print read u32 at ${sites} + 4`, '--pid', String(fixture.pid)]).stdout).toBe('2002\n');
  });

  it('writes in order and stops at the first write that cannot land (exit 4)', () => {
    const scratch = fixture.hex('scratch');
    // The byte the run must not reach, set here: other tests write to scratch too.
    expect(pvm(runtime, ['-e', `write u8 at ${scratch} + 33 = 0`, '--pid', String(fixture.pid), '--allow-write']).status).toBe(0);
    const result = pvm(runtime, ['-e', `write u8 at ${scratch} + 32 = 7; write u8 at ${fixture.hex('version')} = 1; write u8 at ${scratch} + 33 = 8`, '--pid', String(fixture.pid), '--allow-write']);
    expect(result.status).toBe(4);
    expect(result.stderr).toContain(`cannot write 1 byte at ${fixture.hex('version')}: ${fixture.hex('version')} in pid ${fixture.pid} lies in`);
    expect(result.stderr).toContain('which has no write permission');
    const after = pvm(runtime, ['-e', `print read u8 at ${scratch} + 32, read u8 at ${scratch} + 33`, '--pid', String(fixture.pid)]);
    expect(after.stdout).toBe('7 0\n');
  });

  it('walks a NULL-terminated list with while and break, and joins strings', () => {
    const s = fixture.at('scratch') + 256n;
    // Three nodes { next, value } that this test writes itself: 7 -> 8 -> 9 -> NULL.
    const setup = [0n, 16n, 32n].map((at, i) => `write ptr at ${hex(s + at)} = ${i < 2 ? hex(s + at + 16n) : 0}\nwrite u64 at ${hex(s + at + 8n)} = ${7 + i}`).join('\n');
    const walk = `let p = ${hex(s)}\nlet seen = ""\nwhile p != 0 limit 100 {\n  seen = seen + hex(read u64 at p + 8) + " "\n  p = [p]\n}\nprint seen\nfor i in 0..100 {\n  if read u64 at ${
      hex(s + 8n)
    } + i * 16 == 8 { print "8 is node", i; break }\n}`;
    expect(pvm(runtime, ['-e', setup, '--pid', String(fixture.pid), '--allow-write']).status).toBe(0);
    expect(pvm(runtime, ['-e', walk, '--pid', String(fixture.pid)])).toMatchObject({ status: 0, stderr: '', stdout: '0x7 0x8 0x9 \n8 is node 1\n' });
  });

  it('reads a MiB of bytes straight into the value (64 KiB or more), and stops at a hole with the error there', () => {
    const area = fixture.at('area');
    const large = pvm(runtime, ['-e', `let b = read bytes 1048576 at ${hex(area + 1024n)}\nprint len(b), b[0], b[1048571 - 1024], b[1048575]`, '--pid', String(fixture.pid)]);
    expect(large).toMatchObject({ status: 0, stdout: '1048576 80 80 170\n', stderr: '' });
    const holed = pvm(runtime, ['-e', `let b = read bytes 65536 at ${fixture.hex('page')}`, '--pid', String(fixture.pid)]);
    expect(holed.status).toBe(4);
    expect(holed.stderr).toContain(`${fixture.hex('hole')} is not mapped in pid ${fixture.pid}`);
  });

  it('runs a compiled loop up to a fault in the middle of a read-ahead range: what came before, then the error where the recipe reads', () => {
    // 1000 u32 reads front to back from `page`, read ahead as one range per window: the page's 1024 values, then the hole.
    const page = fixture.at('page');
    const result = pvm(runtime, ['-e', `let sum = 0\nfor i in 0..2000 {\n  sum = sum + read u32 at ${hex(page)} + i * 4\n  if i % 1000 == 999 { print i, sum }\n}`, '--pid', String(fixture.pid)]);
    let sum = 0;
    for (let i = 0; i < 1000; i++) sum += [0, 1, 2, 3].reduce((word, k) => word + ((i * 4 + k) % 256) * 2 ** (8 * k), 0);
    expect(result.stdout).toBe(`999 ${sum}\n`);
    expect(result.status).toBe(4);
    expect(result.stderr).toContain(hex(page + BigInt(fixture.pageSize)));
    expect(result.stderr).toContain('<-e>:3:15: error: cannot read u32');
  });

  it('runs a loop of reads with no output in WebAssembly: 100 000 pointers walked to the sum C finds, and a fault mid-range is the same error', () => {
    const walk = pvm(runtime, ['-e', `let total = 0\nfor i in 0..100000 { total = total + read u64 at [${fixture.hex('table')} + i * 8] }\nprint total`, '--pid', String(fixture.pid)]);
    // values[i] = 3i, each reached once through the table: 3 * (0 + … + 99 999).
    expect(walk).toMatchObject({ status: 0, stdout: '14999850000\n', stderr: '' });
    const page = fixture.at('page');
    const faulted = pvm(runtime, ['-e', `let sum = 0\nfor i in 0..2000 {\n  sum = sum + read u32 at ${hex(page)} + i * 4\n}\nprint sum`, '--pid', String(fixture.pid)]);
    expect(faulted.status).toBe(4);
    expect(faulted.stderr).toContain(hex(page + BigInt(fixture.pageSize)));
    expect(faulted.stderr).toContain('<-e>:3:15: error: cannot read u32');
  });

  it("takes a list param from another recipe's --json output, and a recipe from standard input", () => {
    const first = pvm(runtime, ['-e', 'emit hits = scan "PVM-TWICE-77" in anon', '--pid', String(fixture.pid), '--json']);
    const file = join(mkdtempSync(join(tmpdir(), 'pvm-hits-')), 'hits.jsonl');
    writeFileSync(file, first.stdout);
    const second = pvm(runtime, ['run', '-', '--arg', `hits=@${file}`, '--pid', String(fixture.pid)], { input: 'param hits: list\nfor h in hits {\n  print h, read cstring max 12 at h\n}\n' });
    expect(second).toMatchObject({ status: 0, stderr: '', stdout: `${hex(fixture.at('area') + 512n)} PVM-TWICE-77\n${hex(fixture.at('area') + 1024n)} PVM-TWICE-77\n` });
  });

  it('takes a string param as TEXT or @FILE, and uses it as a scan needle and as bytes to write', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pvm-needle-')), 'needle.txt');
    writeFileSync(file, 'PVM-TWICE-77\n');
    const recipe = 'param needle: string\nprint len(scan needle in anon)';
    const given = pvm(runtime, ['-e', recipe, '--arg', 'needle=PVM-TWICE-77', '--pid', String(fixture.pid)]);
    expect(given).toMatchObject({ status: 0, stderr: '', stdout: '2\n' });
    expect(pvm(runtime, ['-e', recipe, '--arg', `needle=@${file}`, '--pid', String(fixture.pid)]).stdout).toBe(given.stdout);
    const at = hex(fixture.at('scratch') + 48n); // bytes no other test of this file writes
    const written = pvm(runtime, ['-e', `param text: string\nwrite cstring max 16 at ${at} = text\nprint read cstring max 16 at ${at} == text`, '--arg', 'text=hi pvm', '--pid', String(fixture.pid), '--allow-write']);
    expect(written).toMatchObject({ status: 0, stderr: '', stdout: expect.stringMatching(/hex"68 69 20 70 76 6d 00" \(line 2\)\ntrue\n$/) });
  });

  it('says what each write wrote, in the order of the recipe, and only the writes that landed (--json errors carry line and col)', () => {
    const at = hex(fixture.at('scratch') + 64n);
    const result = pvm(runtime, ['-e', `write u32 at ${at} = 5\nprint "between"\nwrite u8 at ${fixture.hex('version')} = 1\nprint "never"`, '--pid', String(fixture.pid), '--allow-write', '--json']);
    expect(result.status).toBe(4);
    const [write, print, error, ...rest] = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect([write, print, rest]).toEqual([{ type: 'write', status: 'wrote', address: at, bytes: '05000000', line: 1 }, { type: 'print', values: ['between'], line: 2 }, []]);
    expect(error).toMatchObject({ type: 'error', code: 'unwritable', exit: 4, where: '<-e>:3:1', line: 3, col: 1 });
  });

  it('resolves a symbol in libc and reads through it', () => {
    const result = pvm(runtime, ['-e', 'let f = symbol("libc.so.6", "getpid"); print f == symbol("libc.so.6", "getpid"), len(read bytes 4 at f)', '--pid', String(fixture.pid)]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('true 4\n');
  });
});
