// `npm run demo` is the README's first command: it must keep working. It
// reads, scans, hot-patches and reverts the demo target, and exits non-zero
// if any step ends with another status than it should. The demo target also
// runs on its own (`--serve`, README "Cookbook"), for the cookbook's recipes.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { pvm } from '../helpers/cli.ts';
import { ROOT } from '../helpers/paths.ts';

it('npm run demo reads, scans, patches and reverts the demo target', () => {
  const result = spawnSync(process.execPath, [`${ROOT}scripts/demo.mjs`], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(result.stdout).not.toContain('!! expected exit status');
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('player ada level 42');
  expect(result.stdout).toMatch(/tick 1: ada can fly: no[\s\S]*patch "fly": applied[\s\S]*tick 2: ada can fly: yes[\s\S]*restored \(patch "fly"\)[\s\S]*tick 3: ada can fly: no/);
});

it('demo-target --serve outlives a stdin at EOF, prints the addresses the README uses, and ends on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pvm-serve-'));
  execFileSync('cc', ['-g', '-O0', '-o', 'demo-target', `${ROOT}examples/demo-target.c`], { cwd: dir }); // the README's command
  // stdin at EOF, as a shell's `&` gives it: without --serve it would end at once.
  const server = spawn('./demo-target', ['--serve'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let text = '';
    server.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await expect.poll(() => text.split('\n').length, { timeout: 10_000 }).toBeGreaterThan(4);
    const address = (label: string) => new RegExp(`^  ${label} +(0x[0-9a-f]+)`, 'm').exec(text)?.[1];
    expect(text).toMatch(new RegExp(`^demo-target: pid ${server.pid}, serving until killed`));
    const [base, gold] = [address('&world\\.player'), address('bag\\.gold')];
    expect(base).toBeDefined();
    const path = pvm('node', ['run', 'examples/cookbook/pointer-path.pvm', '--pid', String(server.pid), '--arg', `base=${base}`, '--arg', 'offsets=0x18,0x0']);
    expect(path.stderr).toBe('');
    expect(path.stdout).toBe(`address = ${gold}\nvalue = 1337\n`);
    const world = pvm('node', ['-e', 'print symbol("demo-target", "world") + 8', '--pid', String(server.pid)]);
    expect(world.stdout).toBe(`${base}\n`); // base is world + 8: &world.player
    expect(server.exitCode).toBeNull();
  } finally {
    server.kill('SIGTERM');
  }
  if (server.exitCode === null && server.signalCode === null) await new Promise((resolve) => server.once('exit', resolve));
  expect([server.exitCode, server.signalCode]).toEqual([null, 'SIGTERM']);
});
