// Issue 12, items 1, 3, 7 and 8: one patch for a fleet of twenty live
// processes of one program, on Node, Bun and Deno. One already holds the
// patch, one is held by another tracer, one is killed between the patch and
// the revert; `pvm status` and `pvm revert` without a target see them all.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pvm, type Runtime, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { FIXTURE_BINARY } from '../helpers/paths.ts';
import { holdWithTracer, release } from '../helpers/tracer.ts';

const FLEET = 20;
/** is_licensed's first six bytes (push rbp; mov rbp, rsp; mov eax, [rip+…]) made `mov eax, 1; ret`. */
const ORIGINAL = '55 48 89 e5 8b 05';
const UNLOCK = 'b8 01 00 00 00 c3';

const fleet: Fixture[] = [];
afterEach(async () => {
  for (const f of fleet.splice(0)) await f.stop();
});

/** Twenty copies of the fixture under a name no other process has (each test has its own). */
async function startFleet(count = FLEET): Promise<{ name: string; fixtures: Fixture[] }> {
  const name = `pvmf${process.pid % 10000}-${Math.floor(Math.random() * 1000)}`.slice(0, 15);
  const binary = join(mkdtempSync(join(tmpdir(), 'pvm-fleet-')), name);
  copyFileSync(FIXTURE_BINARY, binary);
  const fixtures = await Promise.all(Array.from({ length: count }, () => startFixture([], [], binary)));
  fixtures.sort((a, b) => a.pid - b.pid);
  fleet.push(...fixtures);
  return { name, fixtures };
}

const jsonLines = (stdout: string) => stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
const patchOf = (name: string) => `patch "unlock" { at symbol("${name}", "is_licensed") expect hex"${ORIGINAL}" with hex"${UNLOCK}" }`;

function codeOf(runtime: Runtime, f: Fixture): string {
  const result = pvm(runtime, ['-e', `print hex(read bytes 6 at ${f.hex('is_licensed')})`, '--pid', String(f.pid)]);
  expect(result.stderr).toBe('');
  return result.stdout.trim().replace(/(..)(?!$)/g, '$1 ');
}

describe.each(RUNTIMES)('a fleet of processes on %s', (runtime) => {
  it('patches every process in one run, reports the one another tracer holds (exit 3), then status and revert see each one', async () => {
    const { name, fixtures } = await startFleet();
    const [patched, traced, killed] = [fixtures[3]!, fixtures[7]!, fixtures[12]!];
    expect(pvm(runtime, ['-e', patchOf(name), '--pid', String(patched.pid), '--allow-write']).status).toBe(0);
    const journal = join(mkdtempSync(join(tmpdir(), 'pvm-fleet-journal-')), 'fleet.journal');
    const tracer = await holdWithTracer(traced.pid);
    let run;
    try {
      run = pvm(runtime, ['-e', patchOf(name), '--match', `name=${name}`, '--allow-write', '--journal', journal, '--json']);
    } finally {
      await release(tracer);
    }
    expect(run.status).toBe(3);
    const lines = jsonLines(run.stdout);
    expect(lines.at(-1)).toEqual({ type: 'summary', processes: FLEET, ok: FLEET - 1, failed: 1, exit: 3, helpers: expect.any(Number), helped: expect.any(Number) }); // a slow machine may start a helper
    const targets = lines.filter((l) => l.type === 'target');
    expect(targets.map((t) => t.pid)).toEqual(fixtures.map((f) => f.pid));
    expect(targets.filter((t) => t.exit !== 0)).toEqual([{ type: 'target', pid: traced.pid, status: 'failed', exit: 3 }]);
    expect(lines.find((l) => l.type === 'error')).toMatchObject({ pid: traced.pid, code: 'freeze-denied' });
    const patches = lines.filter((l) => l.type === 'patch');
    expect(patches.filter((p) => p.status === 'already applied').map((p) => p.pid)).toEqual([patched.pid]);
    expect(patches.filter((p) => p.status === 'applied')).toHaveLength(FLEET - 2);
    expect(run.stderr).toContain(`pid ${traced.pid}: pvm: error: cannot stop the threads of pid ${traced.pid}`);

    // One exits between the patch and the revert.
    await killed.stop();
    const status = pvm(runtime, ['status', journal, '--json']);
    const states = new Map(jsonLines(status.stdout).filter((l) => l.type === 'status').map((l) => [l.pid, l.state]));
    expect(states.size).toBe(FLEET - 2); // the one already patched and the traced one wrote nothing, so have no entry
    expect(states.get(killed.pid)).toBe('gone');
    expect([...states.values()].filter((s) => s === 'applied')).toHaveLength(FLEET - 3);

    const revert = pvm(runtime, ['revert', journal, '--allow-write', '--json']);
    expect(jsonLines(revert.stdout).at(-1)).toEqual({ type: 'summary', processes: FLEET - 2, reverted: FLEET - 3, alreadyReverted: 0, gone: 1, failed: 0, exit: 0 });
    for (const f of fixtures.filter((f) => f !== killed)) expect(codeOf(runtime, f)).toBe(f === patched ? UNLOCK : ORIGINAL);
  });

  it('runs the processes of a list in order, one of them gone before pvm gets to it (exit 4), the others patched', async () => {
    const { name, fixtures } = await startFleet();
    const gone = fixtures[5]!;
    await gone.stop();
    const run = pvm(runtime, ['-e', patchOf(name), ...fixtures.flatMap((f) => ['--pid', String(f.pid)]), '--allow-write']);
    expect(run.status).toBe(4);
    expect(run.stdout).toContain(`== pid ${gone.pid} (exited): exit 4 ==`);
    expect(run.stdout.match(/^patch "unlock": applied/gm)).toHaveLength(FLEET - 1);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^${FLEET} processes: ${FLEET - 1} ok, 1 failed( \\(1 helper pvm ran \\d+ of them\\))?$`));
    expect(run.stderr).toContain(`pid ${gone.pid}: pvm: error: no process with pid ${gone.pid}`);
  });

  it('hands processes to a helper pvm when the work left outweighs its start, with the same output in the same order', async () => {
    const { name, fixtures } = await startFleet(14);
    // Long enough per process (0.3-1 s) that the twelve left after the first two (3.6 s or more) are worth a
    // helper (more than 2 s of work left), which starts (0.1-0.3 s) before this pvm has run them all.
    // The float keeps the loop in the interpreter: a loop of integer work alone runs compiled, in a few milliseconds.
    const recipe = `let i = 0\nlet f = 0.0\nwhile i < 900000 limit 1000000 {\n  i = i + 1\n  f = f + 1.0\n}\nemit counter = (read u32 at symbol("${name}", "counter")) + i`;
    const run = pvm(runtime, ['-e', recipe, '--match', `name=${name}`, '--jobs', '2', '--json']);
    expect(run.stderr).toBe('');
    const lines = jsonLines(run.stdout);
    expect(lines.slice(0, -1)).toEqual(fixtures.flatMap((f) => [{ type: 'emit', pid: f.pid, name: 'counter', value: 901000, line: 7 }, { type: 'target', pid: f.pid, status: 'ok', exit: 0 }]));
    expect(lines.at(-1)).toMatchObject({ type: 'summary', processes: 14, ok: 14, failed: 0, exit: 0, helpers: 1 });
    expect((lines.at(-1) as { helped: number }).helped).toBeGreaterThan(0); // it ran some, not only started
  });
});

describe('a selector that matches nothing', () => {
  it('is exit 4, listing the processes nearest to matching and the keys that do not hold', async () => {
    const { name } = await startFleet(2);
    const result = pvm('node', ['-e', 'print 1', '--match', `name=${name.slice(0, -1)}x`]);
    expect(result.status).toBe(4);
    expect(result.stderr).toContain(`no process matches --match name=${name.slice(0, -1)}x; the nearest:\n  pid ${fleet[0]!.pid} (${name}): name=${name.slice(0, -1)}x does not hold\n  pid ${fleet[1]!.pid} (${name}):`);
  });
});
