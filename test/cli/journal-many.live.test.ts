// `pvm status JOURNAL` and `pvm revert JOURNAL` over a fleet of live
// processes with --jobs, on Node, Bun and Deno: helper pvms forced to start
// (PVM_INTERNAL_HELPER_START_MS) take part, and the output is the very text
// and JSON of one pvm alone, in the journal's order of processes, with the
// summary and the most serious exit status.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pvm, type Runtime, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { FIXTURE_BINARY } from '../helpers/paths.ts';
import { holdWithTracer, release } from '../helpers/tracer.ts';

const FLEET = 8;
/** is_licensed's first six bytes made `mov eax, 1; ret` (as in fleet.live.test.ts). */
const ORIGINAL = '55 48 89 e5 8b 05';
const UNLOCK = 'b8 01 00 00 00 c3';
/** Helpers start after this pvm's second process, whatever the work, and take some. */
const FORCED = { PVM_INTERNAL_HELPER_START_MS: '0' };
const HELPED = /^pvm: internal: [12] helper pvm\(s\) ran [1-9]\d* process\(es\)$/m;

const fleet: Fixture[] = [];
afterEach(async () => {
  for (const f of fleet.splice(0)) await f.stop();
});

/** A fleet of the fixture under a name no other process has, patched with a journal. */
async function patchedFleet(runtime: Runtime): Promise<{ fixtures: Fixture[]; journal: string }> {
  const name = `pvmj${process.pid % 10000}-${Math.floor(Math.random() * 1000)}`.slice(0, 15);
  const binary = join(mkdtempSync(join(tmpdir(), 'pvm-jmany-')), name);
  copyFileSync(FIXTURE_BINARY, binary);
  const fixtures = await Promise.all(Array.from({ length: FLEET }, () => startFixture([], [], binary)));
  fixtures.sort((a, b) => a.pid - b.pid);
  fleet.push(...fixtures);
  const journal = join(mkdtempSync(join(tmpdir(), 'pvm-jmany-journal-')), 'fleet.journal');
  const patch = `patch "unlock" { at symbol("${name}", "is_licensed") expect hex"${ORIGINAL}" with hex"${UNLOCK}" }`;
  const run = pvm(runtime, ['-e', patch, '--match', `name=${name}`, '--allow-write', '--journal', journal]);
  expect(run.status).toBe(0);
  return { fixtures, journal };
}

function codeOf(f: Fixture): string {
  const result = pvm('node', ['-e', `print hex(read bytes 6 at ${f.hex('is_licensed')})`, '--pid', String(f.pid)]);
  return result.stdout.trim().replace(/(..)(?!$)/g, '$1 ');
}

const jsonLines = (stdout: string) => stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

describe.each(RUNTIMES)('status and revert of a fleet with --jobs on %s', (runtime) => {
  it('gives with helpers the output of one pvm alone, then reverts every process but the one another tracer holds (exit 3)', async () => {
    const { fixtures, journal } = await patchedFleet(runtime);
    const gone = fixtures[2]!;
    const traced = fixtures[5]!;
    await gone.stop();

    for (const json of [[], ['--json']]) {
      const alone = pvm(runtime, ['status', journal, '--jobs', '1', ...json]);
      const helped = pvm(runtime, ['status', journal, '--jobs', '3', ...json], { env: FORCED });
      expect(alone.status).toBe(0);
      expect(helped.stderr).toMatch(HELPED);
      expect(helped).toMatchObject({ status: 0, stdout: alone.stdout });
    }
    const states = jsonLines(pvm(runtime, ['status', journal, '--json']).stdout).filter((l) => l.type === 'patch');
    expect(states.map((l) => [l.pid, l.state])).toEqual(fixtures.map((f) => [f.pid, f === gone ? 'gone' : 'applied']));

    // A dry run writes nothing: the same, alone and with helpers.
    const dryAlone = pvm(runtime, ['revert', journal, '--allow-write', '--dry-run', '--jobs', '1']);
    const dryHelped = pvm(runtime, ['revert', journal, '--allow-write', '--dry-run', '--jobs', '2'], { env: FORCED });
    expect(dryHelped.stderr).toMatch(HELPED);
    expect(dryHelped).toMatchObject({ status: 0, stdout: dryAlone.stdout });
    expect(dryAlone.stdout.trimEnd().split('\n').at(-1)).toBe(`${FLEET} processes: ${FLEET - 1} reverted, 0 already reverted, 1 gone, 0 failed`);

    const tracer = await holdWithTracer(traced.pid);
    let revert;
    try {
      revert = pvm(runtime, ['revert', journal, '--allow-write', '--jobs', '2', '--json'], { env: FORCED });
    } finally {
      await release(tracer);
    }
    expect(revert.status).toBe(3);
    expect(revert.stderr).toMatch(HELPED);
    const lines = jsonLines(revert.stdout);
    const targets = lines.filter((l) => l.type === 'target');
    expect(targets.map((t) => [t.pid, t.status])).toEqual(fixtures.map((f) => [f.pid, f === gone ? 'gone' : f === traced ? 'failed' : 'reverted']));
    expect(lines.find((l) => l.type === 'error')).toMatchObject({ pid: traced.pid, code: 'freeze-denied' });
    expect(lines.at(-1)).toEqual({ type: 'summary', processes: FLEET, reverted: FLEET - 2, alreadyReverted: 0, gone: 1, failed: 1, exit: 3 });
    for (const f of fixtures.filter((f) => f !== gone)) expect(codeOf(f)).toBe(f === traced ? UNLOCK : ORIGINAL);
  });
});

describe('--jobs with status and revert', () => {
  it('applies to every process of the journal, not to one target, and must be a positive number', () => {
    expect(pvm('node', ['status', 'x.journal', '--pid', '1', '--jobs', '2'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--jobs applies to every process the journal names') });
    expect(pvm('node', ['revert', 'x.journal', '--allow-write', '--jobs', '0'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--jobs 0: not a positive number') });
    expect(pvm('node', ['maps', '--pid', '1', '--jobs', '2'])).toMatchObject({ status: 2, stderr: expect.stringContaining('--jobs does not apply to pvm maps') });
  });
});
