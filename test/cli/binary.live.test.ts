// Issue 15, item 2: `npm run build:bin` writes dist/bin/pvm, one executable
// (Bun's build --compile, libc through Bun's FFI), which runs live recipes
// from an empty directory with an empty environment: reads, a scan, a patch,
// and a recipe with a syntax error (the grammar is inside too).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pvm } from '../helpers/cli.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { ROOT } from '../helpers/paths.ts';

let fixture: Fixture;
let empty: string;
let binary: string;
beforeAll(async () => {
  // Built by the global setup (test/helpers/global-setup.ts), as `npm run build:bin` builds it.
  empty = mkdtempSync(join(tmpdir(), 'pvm-binary-'));
  // A copy, alone in a directory of its own: nothing beside it to load.
  binary = join(mkdtempSync(join(tmpdir(), 'pvm-bin-')), 'pvm');
  copyFileSync(`${ROOT}dist/bin/pvm`, binary);
  execFileSync('chmod', ['755', binary]);
  fixture = await startFixture();
}, 180_000);
afterAll(() => fixture?.stop());

const run = (args: readonly string[]) => spawnSync(binary, args, { cwd: empty, env: {}, encoding: 'utf8', timeout: 60_000 });

it('reads, scans and patches a live process, and reverts the patch, with nothing but the binary', () => {
  const recipe = `print read u32 at ${fixture.hex('counter')}\nprint scan "pvm-fixture 1.2.3" in all`;
  const fromNode = pvm('node', ['-e', recipe, '--pid', String(fixture.pid)]);
  expect(fromNode.stdout).toMatch(/^1000\n\[0x/);
  expect(run(['-e', recipe, '--pid', String(fixture.pid)])).toMatchObject({ status: 0, stdout: fromNode.stdout, stderr: '' });
  const journal = join(empty, 'fix.journal');
  const patch = run(['-e', `patch { at ${fixture.hex('patch_sites')} expect u32 1000 with u32 7 }`, '--pid', String(fixture.pid), '--allow-write', '--journal', journal]);
  expect(patch).toMatchObject({ status: 0, stderr: '' });
  expect(run(['-e', `print read u32 at ${fixture.hex('patch_sites')}`, '--pid', String(fixture.pid)]).stdout).toBe('7\n');
  expect(run(['revert', journal, '--allow-write']).status).toBe(0);
  expect(run(['-e', `print read u32 at ${fixture.hex('patch_sites')}`, '--pid', String(fixture.pid)]).stdout).toBe('1000\n');
});

it('reports a syntax error with its place (exit 2), and says its version', () => {
  writeFileSync(join(empty, 'bad.pvm'), 'let x = = 1\n');
  const result = run(['check', 'bad.pvm']);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain("bad.pvm:1:9: error: unexpected '='");
  expect(run(['--version']).stdout).toMatch(/^pvm \d+\.\d+\.\d+\n$/);
});

it('hands processes to a helper, itself, when a run over many processes is long', async () => {
  const name = `pvmb${process.pid % 100000}`;
  const copy = join(mkdtempSync(join(tmpdir(), 'pvm-bin-fleet-')), name);
  copyFileSync(`${ROOT}test/.build/target`, copy);
  const fleet = await Promise.all(Array.from({ length: 14 }, () => startFixture([], [], copy)));
  try {
    // ~0.3 s a process: after the first two, the twelve left (~3.6 s) are worth a helper (more than 2 s). The float
    // keeps the loop in the interpreter (a loop of integer work alone would run compiled, in a few milliseconds).
    const recipe = `let i = 0\nlet f = 0.0\nwhile i < 600000 limit 700000 {\n  i = i + 1\n  f = f + 1.0\n}\nemit i = i`;
    const result = run(['-e', recipe, '--match', `name=${name}`, '--jobs', '2', '--json']);
    expect(result.stderr).toBe('');
    const summary = JSON.parse(result.stdout.trimEnd().split('\n').at(-1)!) as { processes: number; helpers: number; helped: number };
    expect(summary).toMatchObject({ processes: 14, helpers: 1 });
    expect(summary.helped).toBeGreaterThan(0);
  } finally {
    for (const f of fleet) await f.stop();
  }
});
