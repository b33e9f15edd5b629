// Stopping every thread of a live process: all stop, all run again on thaw,
// and if pvm dies while they are stopped (Ctrl-C), the kernel resumes them.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freezeProcess } from '../../src/native/freeze.ts';
import { type Libc, loadLibc } from '../../src/native/libc.ts';
import { pvm } from '../helpers/cli.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { holdWithTracer } from '../helpers/tracer.ts';

let fixture: Fixture;
let libc: Libc;
beforeAll(async () => {
  fixture = await startFixture(['--spin']);
  libc = await loadLibc();
});
afterAll(() => fixture.stop());

/** Each thread's state letter: `t` is stopped by a tracer. */
const states = (pid: number) => readdirSync(`/proc/${pid}/task`).map((tid) => readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]![0]);

it('stops every thread, says where each is, and resumes them all', () => {
  const frozen = freezeProcess(libc, fixture.pid);
  try {
    expect(frozen.threads).toHaveLength(2);
    expect(states(fixture.pid)).toEqual(['t', 't']);
    // The spinning thread is stopped inside spin_here (8 bytes long).
    const spin = fixture.at('spin_here');
    expect(frozen.threads.some((t) => t.pc !== undefined && t.pc >= spin && t.pc < spin + 8n)).toBe(true);
  } finally {
    frozen.thaw();
  }
  expect(states(fixture.pid).every((s) => s === 'R' || s === 'S')).toBe(true);
});

const holder = () => holdWithTracer(fixture.pid);

it('refuses to freeze a process another tracer holds, naming it (exit 3), and writes nothing', async () => {
  const debugger_ = await holder();
  try {
    const sites = fixture.hex('patch_sites');
    const result = pvm('node', ['-e', `patch freeze { at ${sites} expect u32 1000 with u32 4 }`, '--pid', String(fixture.pid), '--allow-write']);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`cannot stop the threads of pid ${fixture.pid} (target): it is already traced by pid ${debugger_.pid} (a debugger?)`);
    expect(pvm('node', ['-e', `print read u32 at ${sites}`, '--pid', String(fixture.pid)]).stdout).toBe('1000\n');
  } finally {
    debugger_.kill('SIGKILL');
    await new Promise((resolve) => debugger_.once('exit', resolve));
  }
});

it('leaves no thread stopped when pvm is interrupted while they are (the kernel detaches them)', async () => {
  // A child runtime freezes the fixture, says so, and waits forever; then gets Ctrl-C (SIGINT).
  const child = await holder();
  expect(states(fixture.pid)).toEqual(['t', 't']);
  child.kill('SIGINT');
  await new Promise((resolve) => child.once('exit', resolve));
  expect(states(fixture.pid).every((s) => s === 'R' || s === 'S')).toBe(true);
});

it('snapshots a process another tracer holds, without registers, and a replay says they are missing', async () => {
  const debugger_ = await holder();
  const dir = mkdtempSync(join(tmpdir(), 'pvm-held-'));
  try {
    const file = join(dir, 'held.snapshot');
    const taken = pvm('node', ['snapshot', '--pid', String(fixture.pid), '-o', file, '--json']);
    expect(taken.status).toBe(0);
    expect(JSON.parse(taken.stdout)).toMatchObject({ registers: false, registersMissing: expect.stringContaining(`already traced by pid ${debugger_.pid}`), threads: 2 });
    expect(pvm('node', ['-e', 'print len(threads())', '--snapshot', file]).stdout).toBe('2\n');
    const reg = pvm('node', ['-e', 'print reg(threads()[0], "rip")', '--snapshot', file]);
    expect(reg.status).toBe(4);
    expect(reg.stderr).toContain(`the registers of thread ${fixture.pid} are not available`);
  } finally {
    debugger_.kill('SIGKILL');
    await new Promise((resolve) => debugger_.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});
