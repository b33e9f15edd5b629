// `npm run demo` is the README's first command: it must keep working. It
// reads, scans, hot-patches and reverts the demo target, and exits non-zero
// if any step ends with another status than it should. The demo target also
// runs on its own (`--serve`, README "Cookbook"), for the cookbook's recipes,
// and a gcore of it shows what a core says of its exe (docs/forensics.md).
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pvm } from '../helpers/cli.ts';
import { hasCommand, needs } from '../helpers/needs.ts';
import { ROOT } from '../helpers/paths.ts';

it('npm run demo reads, scans, patches and reverts the demo target', () => {
  const result = spawnSync(process.execPath, [`${ROOT}scripts/demo.mjs`], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(result.stdout).not.toContain('!! expected exit status');
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('player ada level 42');
  expect(result.stdout).toMatch(/tick 1: ada can fly: no[\s\S]*patch "fly": applied[\s\S]*tick 2: ada can fly: yes[\s\S]*restored \(patch "fly"\)[\s\S]*tick 3: ada can fly: no/);
});

describe('demo-target --serve, started as the README says', () => {
  let dir: string;
  let server: ChildProcess;
  let text = '';
  /** An address --serve printed on the line of `label`. */
  const address = (label: string) => new RegExp(`^  ${label} +(0x[0-9a-f]+)`, 'm').exec(text)?.[1];
  /** `./demo-target --serve` with stdin at EOF, as a shell's `&` gives it (without --serve it would end at once), once it has printed its four lines. */
  const serve = async (): Promise<{ server: ChildProcess; text: string }> => {
    const started = spawn('./demo-target', ['--serve'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
    let printed = '';
    await new Promise<void>((resolve, reject) => {
      started.stdout!.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        if (printed.split('\n').length > 4) resolve();
      });
      started.once('exit', (code) => reject(new Error(`demo-target --serve exited with ${code}:\n${printed}`)));
    });
    return { server: started, text: printed };
  };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pvm-serve-'));
    execFileSync('cc', ['-g', '-O0', '-o', 'demo-target', `${ROOT}examples/demo-target.c`], { cwd: dir }); // the README's command
    ({ server, text } = await serve());
  });
  afterAll(() => {
    server?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it("outlives a stdin at EOF and prints pointer-path.pvm's base, which the README's command follows to the gold", () => {
    expect(text).toMatch(new RegExp(`^demo-target: pid ${server.pid}, serving until killed`));
    const [base, gold] = [address('&world\\.player'), address('bag\\.gold')];
    expect(base).toBeDefined();
    const path = pvm('node', ['run', 'examples/cookbook/pointer-path.pvm', '--pid', String(server.pid), '--arg', `base=${base}`, '--arg', 'offsets=0x18,0x0']);
    expect(path.stderr).toBe('');
    expect(path.stdout).toBe(`address = ${gold}\nvalue = 1337\n`);
    const world = pvm('node', ['-e', 'print symbol("demo-target", "world") + 8', '--pid', String(server.pid)]);
    expect(world.stdout).toBe(`${base}\n`); // base is world + 8: &world.player
    expect(server.exitCode).toBeNull();
  });

  it("a gcore of it names its exe as it was started (./demo-target), where live it is /proc's absolute path (docs/forensics.md)", (context) => {
    needs(context, hasCommand('gcore'), 'needs gdb (its gcore): apt install gdb');
    execFileSync('gcore', ['-o', join(dir, 'gcore'), String(server.pid)], { stdio: 'ignore' });
    const target = (where: string[]) => {
      const report = join(dir, `report-${where[0]!.slice(2)}.json`);
      expect(pvm('node', ['-e', 'print 1', ...where, '--report', report]).status).toBe(0);
      return (JSON.parse(readFileSync(report, 'utf8')) as { results: { target: { exe: string; cmdline: string[] } } }).results.target;
    };
    expect(target(['--core', join(dir, `gcore.${server.pid}`)])).toMatchObject({ exe: './demo-target', cmdline: ['./demo-target'] }); // gdb's psargs: argv[0] only
    expect(target(['--pid', String(server.pid)])).toMatchObject({ exe: join(dir, 'demo-target'), cmdline: ['./demo-target', '--serve'] });
  });

  it('ends on SIGTERM', async () => {
    const { server: own } = await serve();
    own.kill('SIGTERM');
    if (own.exitCode === null && own.signalCode === null) await new Promise((resolve) => own.once('exit', resolve));
    expect([own.exitCode, own.signalCode]).toEqual([null, 'SIGTERM']);
  });
});
