// `--report FILE` for a run over many processes (docs/forensics.md): one
// file, a section per process in pid order, each the very `results` a report
// of that process alone gives, also for the processes helper pvms ran; a
// process that fails is recorded; pvm verify checks each section on its
// process, and pvm view draws each.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commandFor, pvm, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { FIXTURE_BINARY } from '../helpers/paths.ts';
import { holdWithTracer, release } from '../helpers/tracer.ts';

const FLEET = 5;
const ORIGINAL = '55 48 89 e5 8b 05';
const UNLOCK = 'b8 01 00 00 00 c3';

const fleet: Fixture[] = [];
afterEach(async () => {
  for (const f of fleet.splice(0)) await f.stop();
});

async function startFleet(): Promise<{ name: string; fixtures: Fixture[]; dir: string }> {
  const name = `pvmr${process.pid % 10000}-${Math.floor(Math.random() * 1000)}`.slice(0, 15);
  const dir = mkdtempSync(join(tmpdir(), 'pvm-report-many-'));
  copyFileSync(FIXTURE_BINARY, join(dir, name));
  const fixtures = await Promise.all(Array.from({ length: FLEET }, () => startFixture([], [], join(dir, name))));
  fixtures.sort((a, b) => a.pid - b.pid);
  fleet.push(...fixtures);
  await Promise.all(fixtures.map((f) => f.settled()));
  return { name, fixtures, dir };
}

type Section = { pid: number; results: Record<string, unknown> | null; exit?: number; error?: { code: string; message: string } | null };
/** The report, checked to be in the canonical form (what JSON.stringify(report, null, 2) writes). */
function readReport(path: string): { processes: Section[]; exit: number; run: Record<string, unknown> } {
  const text = readFileSync(path, 'utf8');
  const report = JSON.parse(text);
  expect(`${JSON.stringify(report, null, 2)}\n`).toBe(text);
  expect(Object.keys(report)).toEqual(['format', 'version', 'run', 'processes', 'exit']);
  return report;
}

describe.each(RUNTIMES)('a report of many processes on %s', (runtime) => {
  it('is one file with a section per pid, each the results of a report of that process alone, helpers included', async () => {
    const { name, fixtures, dir } = await startFleet();
    const recipe = `emit counter = read u32 at symbol("${name}", "counter")\nprint hex(read bytes 4 at symbol("${name}", "counter"))`;
    const file = join(dir, 'fleet.json');
    const run = pvm(runtime, ['-e', recipe, '--match', `name=${name}`, '--jobs', '2', '--report', file, '--json'], { env: { PVM_INTERNAL_HELPER_START_MS: '0' } });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^pvm: internal: 1 helper pvm\(s\) ran [1-9]\d* process\(es\)$/m);
    const report = readReport(file);
    expect(report.exit).toBe(0);
    expect(report.run.argv).toContain('--match');
    expect(report.processes.map((s) => s.pid)).toEqual(fixtures.map((f) => f.pid));
    const lines = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const { pid, results } of report.processes) {
      // Its events are what --json printed for it.
      const printed = lines.filter((l) => l.pid === pid && l.type !== 'target').map(({ pid: _, ...rest }) => rest);
      expect(results!.events).toEqual(printed);
      expect(results).toMatchObject({ exit: 0, error: null, target: { pid, name } });
      // And the results are those of a report of it alone.
      const alone = join(dir, `alone-${pid}.json`);
      expect(pvm(runtime, ['-e', recipe, '--pid', String(pid), '--report', alone]).status).toBe(0);
      expect(results).toEqual(JSON.parse(readFileSync(alone, 'utf8')).results);
    }
    expect(readdirSync(dir).filter((f) => f.endsWith('.part'))).toEqual([]); // every section joined in, its part removed

    const verify = pvm(runtime, ['verify', file]);
    expect(verify.status).toBe(0);
    expect(verify.stdout.trimEnd().split('\n').map((line) => line.replace(/: match: .*/, ''))).toEqual(fixtures.map((f) => `pid ${f.pid}`));
  });
});

describe('a report of many processes where some fail', () => {
  it('records the process another tracer holds (its error in its results) and the one that was gone (no results), exit 3', async () => {
    const { name, fixtures, dir } = await startFleet();
    const traced = fixtures[1]!;
    const patch = `patch "unlock" { at symbol("${name}", "is_licensed") expect hex"${ORIGINAL}" with hex"${UNLOCK}" }`;
    const file = join(dir, 'patch.json');
    const tracer = await holdWithTracer(traced.pid);
    let run;
    try {
      run = pvm('node', ['-e', patch, ...fixtures.flatMap((f) => ['--pid', String(f.pid)]), '--pid', '999999', '--allow-write', '--report', file]);
    } finally {
      await release(tracer);
    }
    expect(run.status).toBe(3);
    const report = readReport(file);
    expect(report.exit).toBe(3);
    expect(report.processes.map((s) => s.pid)).toEqual([...fixtures.map((f) => f.pid), 999999]);
    for (const section of report.processes) {
      if (section.pid === 999999) expect(section).toEqual({ pid: 999999, results: null, exit: 4, error: { code: 'no-such-process', message: expect.stringContaining('no process with pid 999999') } });
      else if (section.pid === traced.pid) expect(section.results).toMatchObject({ exit: 3, error: { code: 'freeze-denied' }, target: { pid: traced.pid } });
      else expect(section.results).toMatchObject({ exit: 0, error: null, events: [{ type: 'patch', status: 'applied' }] });
    }

    // verify: each section on its process (the patch is rerun as a dry run: already applied now); the gone one has nothing.
    const verify = pvm('node', ['verify', file, '--json']);
    const verdicts = verify.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(verdicts.map((v) => [v.pid, v.match])).toEqual([...fixtures.map((f) => [f.pid, expect.any(Boolean)]), [999999, null]]);
    expect(verdicts.at(-1).reason).toContain('no-such-process');
    expect(pvm('node', ['verify', file, '--pid', String(fixtures[0]!.pid)])).toMatchObject({ status: 2, stderr: expect.stringContaining(`is a report of ${FLEET + 1} processes: pvm verify reruns each section`) });

    // view: each section that ran drawn as a report of its process; the one that did not, named.
    const page = join(dir, 'patch.html');
    const view = pvm('node', ['view', file, '-o', page]);
    expect(view.status).toBe(0);
    expect(view.stdout).toContain(fixtures.map((f) => `${file} (pid ${f.pid}) (report)`).join(', '));
    expect(readFileSync(page, 'utf8')).toContain('pid 999999 did not run (the report has their errors)');
  });
});

describe('a report of many processes that cannot be written to its end', () => {
  it('leaves every process run and its summary shown, then says why (exit 2)', async () => {
    const { name, dir } = await startFleet();
    const file = join(dir, 'full.json');
    // A file size limit, SIGXFSZ ignored, as on a full disk: each section's part fits, the whole report does not.
    const [command, ...rest] = ['sh', '-c', `trap '' XFSZ; exec prlimit --fsize=2500 -- "$@"`, 'sh', ...commandFor('node')];
    const result = spawnSync(command!, [...rest, '-e', `emit counter = read u32 at symbol("${name}", "counter")`, '--match', `name=${name}`, '--report', file], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(`${FLEET} processes: ${FLEET} ok, 0 failed`);
    expect(result.stderr).toContain(`pvm: error: cannot write the report ${file}`);
    expect(readdirSync(dir).filter((f) => f.endsWith('.part'))).toEqual([]);
  });
});
