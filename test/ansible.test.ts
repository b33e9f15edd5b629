// Issue 15, item 7: deploy/ansible/pvm-run.yml, the playbook that runs one
// recipe on many hosts, passes `ansible-playbook --syntax-check` and, against
// this machine (connection local), ships the single binary and the recipe,
// runs it against a live process with --json and --report, brings both back,
// and leaves nothing behind, also when pvm fails. Needs ansible-playbook
// (Debian: apt install ansible-core); skipped without it, except on CI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Fixture, startFixture } from './helpers/fixture.ts';
import { hasCommand, needs } from './helpers/needs.ts';
import { ROOT } from './helpers/paths.ts';

const PLAYBOOK = `${ROOT}deploy/ansible/pvm-run.yml`;
const HAS_ANSIBLE = hasCommand('ansible-playbook');
const WHY = 'needs ansible-playbook (apt install ansible-core)';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(() => fixture?.stop());

function playbook(extra: Record<string, unknown>, work: string) {
  // A temporary directory of its own for the host's side, so that leftovers can be counted.
  return spawnSync('ansible-playbook', ['-i', 'localhost,', '-c', 'local', PLAYBOOK, '-e', JSON.stringify({ pvm_become: false, ...extra })], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_LOCAL_TEMP: join(work, 'ansible-local'), ANSIBLE_REMOTE_TEMP: join(work, 'ansible-remote'), TMPDIR: work, HOME: work },
  });
}

it('passes ansible-playbook --syntax-check', (context) => {
  needs(context, HAS_ANSIBLE, WHY);
  const result = spawnSync('ansible-playbook', ['--syntax-check', '-i', 'localhost,', PLAYBOOK], { encoding: 'utf8', env: { ...process.env, HOME: mkdtempSync(join(tmpdir(), 'pvm-ansible-')) } });
  expect(result.stderr).not.toMatch(/ERROR/);
  expect(result.status).toBe(0);
});

it('runs a recipe on a host and brings back its JSON lines and report; a failing run fails the host and leaves nothing behind', (context) => {
  needs(context, HAS_ANSIBLE, WHY);
  expect(existsSync(`${ROOT}dist/bin/pvm`), 'the global setup builds dist/bin/pvm').toBe(true);
  const work = mkdtempSync(join(tmpdir(), 'pvm-ansible-'));
  const recipe = join(work, 'counter.pvm');
  writeFileSync(recipe, `emit counter = read u32 at ${fixture.hex('counter')}\n`);
  const results = join(work, 'results');
  const ok = playbook({ recipe, pvm_target: ['--pid', String(fixture.pid)], pvm_results: results }, work);
  expect(ok.status, ok.stdout.slice(-3000)).toBe(0);
  expect(readFileSync(join(results, 'localhost', 'run.jsonl'), 'utf8')).toBe('{"type":"emit","name":"counter","value":1000,"line":1}\n');
  const report = JSON.parse(readFileSync(join(results, 'localhost', 'report.json'), 'utf8')) as { format: string; run: { runtime: string } };
  expect(report).toMatchObject({ format: 'pvm-report', run: { runtime: 'bun' } }); // the single binary carries Bun
  const failed = playbook({ recipe, pvm_target: ['--pid', '999999'], pvm_results: results }, work);
  expect(failed.status).not.toBe(0);
  expect(failed.stdout).toContain('no process with pid 999999');
  expect(readdirSync(work).filter((name) => name.startsWith('pvm-'))).toEqual([]); // the host's working directories are gone
});
