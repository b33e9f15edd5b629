// pvm verify (docs/forensics.md): a report re-checked on its evidence. A
// report of the live fixture's snapshot matches on every runtime; a report
// checked on memory that changed names the fields that differ; evidence or a
// recipe other than the report's is refused before anything runs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pvm, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { hasCommand, needs } from '../helpers/needs.ts';

const RECIPE = `param who: string = "x"
let c = symbol("target", "counter")
emit counter = read u32 at c
emit version = read cstring max 32 at symbol("target", "version")
dump c, 16
`;

let fixture: Fixture;
let dir: string;
let recipe: string;
/** A snapshot of the fixture, and a report of the recipe run on it (by Node). */
let snapshot: string;
let report: string;
const target = () => ['--pid', String(fixture.pid)];
/** The fixture's counter set to `value` (each test sets the value it needs). */
const setCounter = (value: number) => expect(pvm('node', ['-e', `write u32 at symbol("target", "counter") = ${value}`, ...target(), '--allow-write']).status).toBe(0);

beforeAll(async () => {
  fixture = await startFixture();
  dir = mkdtempSync(join(tmpdir(), 'pvm-verify-'));
  recipe = join(dir, 'read.pvm');
  writeFileSync(recipe, RECIPE);
  setCounter(1000);
  snapshot = join(dir, 'before.snapshot');
  expect(pvm('node', ['snapshot', ...target(), '-o', snapshot]).status).toBe(0);
  report = join(dir, 'report.json');
  expect(pvm('node', ['run', recipe, '--snapshot', snapshot, '--arg', 'who=@@me', '--report', report])).toMatchObject({ status: 0, stderr: '' });
});
afterAll(() => fixture.stop());

describe.each(RUNTIMES)('pvm verify on %s', (runtime) => {
  it("matches a report on the snapshot it names, rerunning the recipe kept in the report with the report's args", () => {
    expect(JSON.parse(readFileSync(report, 'utf8')).results.recipe.text).toBe(RECIPE);
    const result = pvm(runtime, ['verify', report]);
    expect(result).toMatchObject({ status: 0, stderr: '', stdout: 'match: the recipe found the same on this evidence (3 events, 3 ranges read, exit 0)\n' });
  });

  it('names each field that differs on memory that changed since, with both values (exit 1)', () => {
    setCounter(1234);
    try {
      const result = pvm(runtime, ['verify', report, ...target(), '--json']);
      expect(result.status).toBe(1);
      const { match, differences } = JSON.parse(result.stdout) as { match: boolean; differences: { field: string; report: unknown; evidence: unknown }[] };
      expect(match).toBe(false);
      expect(differences).toContainEqual({ field: 'emit counter (line 3)', report: { value: 1000 }, evidence: { value: 1234 } });
      expect(differences.map((d) => d.field)).toContain(`reads[0]: 4 bytes at ${fixture.hex('counter')}`);
      expect(differences.map((d) => d.field)).not.toContain('emit version (line 4)');
    } finally {
      setCounter(1000);
    }
  });
});

describe('pvm verify refuses before anything runs', () => {
  it('evidence other than the core the report names (exit 4)', () => {
    const other = join(dir, 'other.snapshot');
    expect(pvm('node', ['snapshot', ...target(), '-o', other]).status).toBe(0);
    const result = pvm('node', ['verify', report, '--snapshot', other]);
    expect(result).toMatchObject({ status: 4, stdout: '' });
    expect(result.stderr).toContain(`pvm: error: ${other} is not the evidence ${report} was made from: its sha256 is `);
  });

  it('a report whose recipe text was changed after pvm wrote it (exit 2)', () => {
    const changed = join(dir, 'changed.json');
    const document = JSON.parse(readFileSync(report, 'utf8'));
    document.results.recipe.text = RECIPE.replace('dump c, 16', 'dump c, 8');
    writeFileSync(changed, JSON.stringify(document));
    const result = pvm('node', ['verify', changed]);
    expect(result).toMatchObject({ status: 2, stdout: '' });
    expect(result.stderr).toContain(`the recipe text in ${changed} is not the recipe the report ran`);
  });

  it('a report of a live run without the evidence to check it on (exit 2)', () => {
    const live = join(dir, 'live.json');
    expect(pvm('node', ['run', recipe, ...target(), '--report', live]).status).toBe(0);
    expect(pvm('node', ['verify', live])).toMatchObject({ status: 2, stderr: expect.stringContaining(`${live} was made from a live process: name the evidence to verify it on`) });
    expect(pvm('node', ['verify', live, ...target()])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^match: /) });
  });

  it('a report with a field of the wrong type, naming it, and never a file named by a list arg (exit 2)', () => {
    const edited = (name: string, change: (results: Record<string, unknown>) => void) => {
      const document = JSON.parse(readFileSync(report, 'utf8'));
      change(document.results);
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(document));
      return pvm('node', ['verify', path]);
    };
    expect(edited('null-args.json', (r) => (r.args = null))).toMatchObject({ status: 2, stderr: expect.stringContaining('results.args: ') });
    expect(edited('text-number.json', (r) => ((r.recipe as Record<string, unknown>).text = 5))).toMatchObject({ status: 2, stderr: expect.stringContaining('results.recipe.text: ') });
    // A list arg is addresses: one naming a file (`@FILE` on a command line) would have verify read that file.
    expect(edited('file-arg.json', (r) => (r.args = { hits: ['@/etc/os-release'] }))).toMatchObject({ status: 2, stderr: expect.stringContaining('results.args.hits.0: ') });
  });

  it('evidence named by a path from where the run was: found beside the report, else asked for (exit 2)', () => {
    // The report names its snapshot as given then: an absolute path here. A copy with a path relative to the report's
    // directory (pvm runs the tests in the checkout, where no before.snapshot is).
    const document = JSON.parse(readFileSync(report, 'utf8'));
    document.results.target.core.file = 'before.snapshot';
    const copy = join(dir, 'relative.json');
    writeFileSync(copy, JSON.stringify(document));
    expect(pvm('node', ['verify', copy])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^match: /) });
    document.results.target.core.file = 'elsewhere/gone.snapshot';
    writeFileSync(copy, JSON.stringify(document));
    expect(pvm('node', ['verify', copy])).toMatchObject({ status: 2, stderr: expect.stringContaining('it is neither here nor beside the report') });
    expect(pvm('node', ['verify', copy, snapshot])).toMatchObject({ status: 2, stderr: expect.stringContaining('hint: name the evidence with --snapshot FILE, --core FILE or --pid N') });
  });

  it('not a report (exit 2)', () => {
    const junk = join(dir, 'junk.json');
    writeFileSync(junk, '{"format":"something else"}');
    expect(pvm('node', ['verify', junk])).toMatchObject({ status: 2, stderr: expect.stringContaining('it is not a pvm report') });
  });
});

describe('pvm verify of other reports', () => {
  it('reads the recipe from its file when the report left the text out, and refuses the file once it changed', () => {
    const without = join(dir, 'without.json');
    expect(pvm('node', ['run', recipe, '--snapshot', snapshot, '--report', without, '--report-without-recipe']).status).toBe(0);
    expect(JSON.parse(readFileSync(without, 'utf8')).results.recipe.text).toBeUndefined();
    expect(pvm('node', ['verify', without])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^match: /) });
    const copy = join(dir, 'copy.pvm');
    writeFileSync(copy, RECIPE);
    const moved = join(dir, 'moved.json');
    expect(pvm('node', ['run', copy, '--snapshot', snapshot, '--report', moved, '--report-without-recipe']).status).toBe(0);
    writeFileSync(copy, `${RECIPE}print 1\n`);
    expect(pvm('node', ['verify', moved])).toMatchObject({ status: 2, stderr: expect.stringContaining(`the recipe file ${copy} is not the recipe the report ran`) });
  });

  it('says when the report ran under other policies than the rerun (what a policy withholds may differ)', () => {
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ run: { maxSeconds: 60 } }));
    const under = join(dir, 'under-policy.json');
    expect(pvm('node', ['run', recipe, '--snapshot', snapshot, '--report', under, '--policy', policy]).status).toBe(0);
    expect(pvm('node', ['verify', under]).stdout).toContain(`note: the report ran under other policies than this rerun (${policy})`);
    const same = pvm('node', ['verify', under, '--policy', policy, '--json']);
    expect(JSON.parse(same.stdout)).toMatchObject({ match: true, policiesDiffer: false });
  });

  it("re-checks a gcore's report on the gcore", (context) => {
    needs(context, hasCommand('gcore'), 'needs gdb (its gcore): apt install gdb');
    execFileSync('gcore', ['-o', join(dir, 'gcore'), String(fixture.pid)], { stdio: 'ignore' });
    const gcoreReport = join(dir, 'gcore.json');
    expect(pvm('node', ['run', recipe, '--core', join(dir, `gcore.${fixture.pid}`), '--report', gcoreReport]).status).toBe(0);
    expect(pvm('bun', ['verify', gcoreReport])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^match: /) });
  });

  it('reruns a recipe that writes as a dry run on the live process: it compares what it would write, and writes nothing', () => {
    const writing = join(dir, 'write.pvm');
    const at = `${fixture.hex('scratch')} + 40`;
    writeFileSync(writing, `write u32 at ${at} = 7\n`);
    const wrote = join(dir, 'wrote.json');
    expect(pvm('node', ['run', writing, ...target(), '--allow-write', '--report', wrote]).status).toBe(0);
    expect(pvm('node', ['-e', `write u32 at ${at} = 0`, ...target(), '--allow-write']).status).toBe(0);
    expect(pvm('node', ['verify', wrote, ...target()])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^match: /) });
    expect(pvm('node', ['-e', `print read u32 at ${at}`, ...target()]).stdout).toBe('0\n');
    const patching = join(dir, 'patch.pvm');
    writeFileSync(patching, `patch "one" { at ${at} expect hex"00 00 00 00" with hex"01 00 00 00" }\n`);
    const patched = join(dir, 'patched.json');
    expect(pvm('node', ['run', patching, ...target(), '--allow-write', '--report', patched]).status).toBe(0);
    // Rerun on the patched memory, the patch is already applied: the same sites and bytes, and what was there before is not re-checked.
    expect(pvm('node', ['verify', patched, ...target()])).toMatchObject({ status: 0, stdout: expect.stringMatching(/^match: .*\nnot checked: the bytes 1 write or patch found before writing/) });
    expect(pvm('node', ['-e', `write u32 at ${at} = 0`, ...target(), '--allow-write']).status).toBe(0);
    // A core can only be read: the dry run needs the process.
    expect(pvm('node', ['verify', wrote, '--snapshot', snapshot])).toMatchObject({ status: 2, stderr: expect.stringContaining('which needs the live process, and a core can only be read') });
  });
});
