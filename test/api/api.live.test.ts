// The library (`import { open, compile, status } from "pvm"`) against the live
// fixture: its events are the command line's --json lines, its errors the
// command line's PvmErrors, and it never goes around the policies or the
// guard: a policy object, the system policy and the guard's budgets refuse
// as they do on the command line.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compile, open, PvmError, type PvmEvent, status } from '../../src/api/index.ts';
import { pvm } from '../helpers/cli.ts';
import { type Fixture, fixturesPerTest } from '../helpers/fixture.ts';
import { ROOT } from '../helpers/paths.ts';

const fixture = fixturesPerTest();
const directory = () => mkdtempSync(join(tmpdir(), 'pvm-api-'));
const counterOf = (f: Fixture) => pvm('node', ['-e', `print read u32 at ${f.hex('counter')}`, '--pid', String(f.pid)]).stdout.trim();

/** The run's error, which must be a PvmError. */
async function failure(run: PromiseLike<unknown>): Promise<PvmError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof PvmError) return error;
    throw error;
  }
  throw new Error('the run did not fail');
}

describe('open(...).run(...)', () => {
  it('yields the events --json prints, line for line', async () => {
    const f = await fixture();
    const recipe = `let c = ${f.hex('counter')}\nprint c, read u32 at c\nemit big = 0xffffffffffffffff\ndump c, 8\nlet hits = scan "pvm-fixture" in all limit 2\nemit n = len(hits)`;
    const target = await open({ pid: f.pid });
    const events: PvmEvent[] = [];
    for await (const event of target.run(recipe)) events.push(event);
    target.close();
    const cli = pvm('node', ['-e', recipe, '--pid', String(f.pid), '--json']);
    expect(cli.status).toBe(0);
    expect(events.map((event) => JSON.stringify(event))).toEqual(cli.stdout.trimEnd().split('\n'));
    expect(events.map((event) => event.type)).toEqual(['print', 'emit', 'dump', 'scan', 'emit']);
  });

  it('awaited, gives every event, the last value of each emit, and exit 0', async () => {
    const f = await fixture();
    const target = await open({ pid: f.pid });
    const result = await target.run('param n: u32\nemit x = n\nemit x = n + 1\nprint "done"', { args: { n: 41 } });
    target.close();
    expect(result).toMatchObject({ results: { x: 42 }, exit: 0 });
    expect(result.events).toHaveLength(3);
  });

  it('iterated, yields the events before an error, then throws its PvmError with code, exit and place', async () => {
    const f = await fixture();
    const target = await open({ pid: f.pid });
    const seen: string[] = [];
    let caught: unknown;
    try {
      for await (const event of target.run('print 1\nprint read u32 at 0x10')) seen.push(event.type);
    } catch (error) {
      caught = error;
    }
    target.close();
    expect(seen).toEqual(['print']);
    expect(caught).toBeInstanceOf(PvmError);
    expect(caught).toMatchObject({ code: 'unmapped', exit: 4, line: 2 });
    expect((caught as PvmError).message).toContain(`pid ${f.pid}`);
  });

  it('an invalid recipe rejects with exit 2 at its first diagnostic; compile() lists them all', async () => {
    const f = await fixture();
    const target = await open({ pid: f.pid });
    const error = await failure(target.run({ text: 'print 1\nlet x = read u24 at 0\nlet y = zz', name: 'fix.pvm' }));
    target.close();
    expect(error).toMatchObject({ code: 'invalid-recipe', exit: 2, where: 'fix.pvm:2:14', line: 2, col: 14 });
    const compiled = await compile('print 1\nlet x = read u24 at 0\nlet y = zz');
    expect(compiled.ok).toBe(false);
    expect(compiled.diagnostics.map((d) => [d.code, d.line, d.col, d.endCol])).toEqual([['unknown-type', 2, 14, 17], ['unknown-name', 3, 9, 11]]);
    expect(compiled.diagnostics[0]!.hint).toContain("did you mean 'u16' or 'u32'?");
  });

  it('a policy object that denies writes makes the run reject with exit 3, and nothing is written', async () => {
    const f = await fixture();
    const target = await open({ pid: f.pid });
    const error = await failure(target.run(`write u32 at ${f.hex('counter')} = 7`, { allowWrite: true, policy: { write: { allow: false } } }));
    target.close();
    expect(error).toMatchObject({ code: 'policy-denied', exit: 3 });
    expect(error.message).toContain('write.allow false in the policy object');
    expect(counterOf(f)).toBe('1000');
  });

  it('a write without allowWrite is refused (exit 3); dryRun shows it and writes nothing', async () => {
    const f = await fixture();
    const target = await open({ pid: f.pid });
    const recipe = `write u32 at ${f.hex('counter')} = 7`;
    expect(await failure(target.run(recipe))).toMatchObject({ code: 'write-not-allowed', exit: 3 });
    const dry = await target.run(recipe, { dryRun: true });
    target.close();
    expect(dry.events).toEqual([{ type: 'write', status: 'would write', address: f.hex('counter'), bytes: '07000000', line: 1 }]);
    expect(counterOf(f)).toBe('1000');
  });

  it("the guard's budgets hold: a read past the policy's read.maxBytes is denied (exit 3)", async () => {
    const f = await fixture();
    const target = await open({ pid: f.pid });
    const error = await failure(target.run(`print read u64 at ${f.hex('counter')}`, { policy: { read: { maxBytes: 4 } } }));
    target.close();
    expect(error.exit).toBe(3);
  });

  it('an invalid policy object is refused as an invalid policy file is (exit 2), naming the key', async () => {
    const f = await fixture();
    const target = await open({ pid: f.pid });
    const error = await failure(target.run('print 1', { policy: { write: { alow: true } } as never }));
    target.close();
    expect(error).toMatchObject({ code: 'policy-invalid', exit: 2 });
    expect(error.message).toContain('write.alow: unknown key (did you mean allow?)');
  });

  it('the system policy applies to the API as to the command line: a policy object cannot widen it', async () => {
    // A copy of pvm built with another system policy path (the real one, /etc/pvm/policy.json, is not for tests to touch),
    // inside the checkout, so that it finds node_modules and package.json.
    const f = await fixture();
    const copy = `${ROOT}test/.build/dist-api-system-policy-${process.pid}`;
    cpSync(`${ROOT}dist`, copy, { recursive: true });
    const system = join(directory(), 'system.json');
    writeFileSync(system, JSON.stringify({ write: { allow: false } }));
    const module = join(copy, 'policy/system.js');
    writeFileSync(module, readFileSync(module, 'utf8').replace("'/etc/pvm/policy.json'", JSON.stringify(system)));
    try {
      const api = (await import(pathToFileURL(join(copy, 'api/index.js')).href)) as typeof import('../../src/api/index.ts');
      const target = await api.open({ pid: f.pid });
      let caught: unknown;
      try {
        await target.run(`write u32 at ${f.hex('counter')} = 7`, { allowWrite: true, policy: { write: { allow: true } } });
      } catch (error) {
        caught = error;
      }
      target.close();
      expect(caught).toMatchObject({ code: 'policy-denied', exit: 3 });
      expect((caught as Error).message).toContain(`write.allow false in ${system}`);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
    expect(counterOf(f)).toBe('1000');
  });

  it('journals a patch, and status() says it is applied', async () => {
    const f = await fixture();
    const journal = join(directory(), 'fix.journal');
    const target = await open({ pid: f.pid });
    const patched = await target.run(`patch "licence" {\n  at ${f.hex('counter')} expect u32 1000 with u32 0xC0FFEE\n}`, { allowWrite: true, journal });
    target.close();
    expect(patched.events).toMatchObject([{ type: 'patch', name: 'licence', status: 'applied' }]);
    const now = await status(journal);
    expect(now.exit).toBe(0);
    expect(now.events).toMatchObject([
      { type: 'patch', pid: f.pid, patch: 'licence', state: 'applied', sites: 1, applied: 1 },
      { type: 'status', pid: f.pid, address: f.hex('counter'), state: 'applied', expected: 'eeffc000', old: 'e8030000' },
    ]);
    // The command line's --json says the same, line for line.
    const cli = pvm('node', ['status', journal, '--json']);
    expect(now.events.map((event) => JSON.stringify(event))).toEqual(cli.stdout.trimEnd().split('\n'));
  });

  it("with match, visits every matching process: each event names its pid, a failure is that process's, and the run goes on", async () => {
    const name = `api${process.pid % 100000}`;
    const a = await fixture();
    const b = await fixture();
    for (const f of [a, b]) expect(await f.ask(`n ${name}`)).toBe('renamed');
    expect(pvm('node', ['-e', `write u32 at ${b.hex('counter')} = 5`, '--pid', String(b.pid), '--allow-write']).status).toBe(0);
    const fleet = await open({ match: `name=${name}` });
    const recipe = 'let n = read u32 at symbol("target", "counter")\nassert n == 1000, "counter moved"\nemit n = n';
    const result = await fleet.run({ text: recipe, name: '<-e>' }); // named as -e names its recipe, for the comparison below
    fleet.close();
    expect(result.exit).toBe(1);
    const byPid = [a, b].sort((x, y) => x.pid - y.pid);
    expect(result.events.filter((event) => event.type === 'target')).toEqual(byPid.map((f) => ({ type: 'target', pid: f.pid, status: f === b ? 'failed' : 'ok', exit: f === b ? 1 : 0 })));
    expect(result.events).toContainEqual({ type: 'emit', name: 'n', value: 1000, line: 3, pid: a.pid });
    expect(result.events).toContainEqual(expect.objectContaining({ type: 'error', code: 'assert', exit: 1, pid: b.pid, line: 2 }));
    expect(result.events.at(-1)).toEqual({ type: 'summary', processes: 2, ok: 1, failed: 1, exit: 1, helpers: 0, helped: 0 });
    expect(result.results).toEqual({});
    expect(result.processes).toEqual(byPid.map((f) => ({ pid: f.pid, exit: f === b ? 1 : 0, results: f === b ? {} : { n: 1000 } })));
    // pvm run --match --json prints the same lines (two processes: no helper pvm).
    const cli = pvm('node', ['-e', recipe, '--match', `name=${name}`, '--json']);
    expect(result.events.map((event) => JSON.stringify(event))).toEqual(cli.stdout.trimEnd().split('\n'));
  });

  it('opens a snapshot: reads what the process held, and refuses a write to it (exit 3)', async () => {
    const f = await fixture();
    const file = join(directory(), 'fixture.snap');
    expect(pvm('node', ['snapshot', '--pid', String(f.pid), '-o', file]).status).toBe(0);
    const snapshot = await open({ snapshot: file });
    const recipe = `emit counter = read u32 at ${f.hex('counter')}`;
    expect((await snapshot.run(recipe)).results).toEqual({ counter: 1000 });
    expect(await failure(snapshot.run(`write u32 at ${f.hex('counter')} = 7`, { allowWrite: true }))).toMatchObject({ code: 'read-only-target', exit: 3 });
    await expect(snapshot.run(recipe, { journal: join(directory(), 'x.journal') })).rejects.toMatchObject({ exit: 2, message: 'run(): journal applies to a live process, not to a core file' });
    snapshot.close();
  });

  it("a grant is true or false: allowWrite 'false' from a config file is refused (exit 2), and nothing is written", async () => {
    const f = await fixture();
    const target = await open({ pid: f.pid });
    const error = await failure(target.run(`write u32 at ${f.hex('counter')} = 7`, { allowWrite: 'false' as never }));
    target.close();
    expect(error).toMatchObject({ code: 'usage', exit: 2, message: 'run(): allowWrite is true or false, not "false"' });
    expect(counterOf(f)).toBe('1000');
  });

  it("never opens pvm's own process, nor one of its threads (self-target, exit 3)", async () => {
    await expect(open({ pid: process.pid })).rejects.toMatchObject({ code: 'self-target', exit: 3, message: expect.stringContaining(`pid ${process.pid} is this pvm's own process`) });
    const thread = readdirSync('/proc/self/task').map(Number).find((tid) => tid !== process.pid);
    expect(thread, 'Node runs threads besides its main one').toBeDefined();
    await expect(open({ pid: thread! })).rejects.toMatchObject({ code: 'self-target', exit: 3, message: expect.stringContaining('a thread of this pvm') });
  });

  it('a run begins when run() returns: close() right after it lets it end, and refuses the next', async () => {
    const f = await fixture();
    const target = await open({ pid: f.pid });
    const run = target.run(`emit c = read u32 at symbol("target", "counter")`);
    target.close();
    expect((await run).results).toEqual({ c: 1000 });
    await expect(target.run('print 1')).rejects.toMatchObject({ exit: 2 });
    // A run is a promise: catch and finally work on it.
    let finished = false;
    await target.run('print 1').catch(() => {}).finally(() => (finished = true));
    expect(finished).toBe(true);
  });

  it('takes an arg string as it is, even one that starts with @; a { file } is read as --arg @FILE reads it', async () => {
    const f = await fixture();
    const file = join(directory(), 'name.txt');
    writeFileSync(file, 'from a file\n');
    const target = await open({ pid: f.pid });
    const recipe = 'param s: string\nemit s = s';
    expect((await target.run(recipe, { args: { s: '@etc/hostname' } })).results).toEqual({ s: '@etc/hostname' });
    expect((await target.run(recipe, { args: { s: { file } } })).results).toEqual({ s: 'from a file' });
    await expect(target.run(recipe, { args: { 's=x': 'y' } })).rejects.toMatchObject({ exit: 2, message: 'run(): args: "s=x" is not a param name' });
    target.close();
  });

  it('names its target once: a pid that is not a process is exit 4 at open(), a bad option exit 2 at run()', async () => {
    await expect(open({ pid: 999_999_999 })).rejects.toMatchObject({ code: 'no-such-process', exit: 4 });
    await expect(open({ pid: 1, core: 'x' } as never)).rejects.toMatchObject({ exit: 2 });
    const f = await fixture();
    const target = await open({ pid: f.pid });
    await expect(target.run('print 1', { allowWrites: true } as never)).rejects.toMatchObject({ exit: 2, message: "run(): unknown option 'allowWrites'" });
    target.close();
    await expect(target.run('print 1')).rejects.toMatchObject({ exit: 2, message: `run(): the target --pid ${f.pid} was closed` });
    await expect(open({ pid: '12' } as never)).rejects.toMatchObject({ exit: 2, message: 'open({ pid }) takes a number, not "12"' });
  });
});

describe('compile()', () => {
  it('gives the plan `pvm plan --json` prints, without a target', async () => {
    const dir = directory();
    const file = join(dir, 'fix.pvm');
    writeFileSync(file, 'param at_: ptr\nwrite u32 at at_ = 1\n');
    const compiled = await compile({ file });
    expect(compiled.ok).toBe(true);
    expect(JSON.stringify(compiled.plan)).toBe(pvm('node', ['plan', file, '--json']).stdout.trimEnd());
    expect(compiled.plan).toMatchObject({ format: 'pvm-plan', writes: true, params: [{ name: 'at_' }] });
  });

  it('a recipe that names types from debug info compiles only against a target: needsTarget', async () => {
    const compiled = await compile('let a = symbol("libc.so.6", "main_arena") as struct malloc_state\nemit top = a.top');
    expect(compiled).toMatchObject({ ok: true, plan: undefined, needsTarget: true });
  });
});
