import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveProcess } from '../../src/target/live-process.ts';
import { caught, caughtAsync } from '../helpers/errors.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { needs } from '../helpers/needs.ts';

describe('LiveProcess', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(() => fixture.stop());

  it('names the process and lists its regions, with the fixture binary and [heap]', async () => {
    const target = await LiveProcess.open(fixture.pid);
    expect(target.identity).toMatchObject({ kind: 'process', pid: fixture.pid, name: 'target' });
    expect(target.identity.exe).toMatch(/test\/\.build\/target$/);
    const regions = target.regions();
    expect(regions.some((r) => r.path.endsWith('/target') && r.perms === 'r-xp')).toBe(true);
    expect(regions.some((r) => r.start === fixture.at('page'))).toBe(true);
    target.close();
  });

  it('writes through /proc/PID/mem, where a write on a userfaultfd page faults at once (no smaps read ahead to stop it), saying why', async (context) => {
    needs(context, fixture.has('uffd'), 'the fixture could not register a userfaultfd page (this kernel allows no userfaultfd for this user)');
    const target = await LiveProcess.open(fixture.pid);
    const scratch = fixture.at('scratch');
    const [before] = target.read([{ address: scratch, length: 1 }]);
    expect(target.writeForce([{ address: scratch, bytes: before!.bytes }])).toEqual([{ done: 1, fault: undefined }]);
    const started = performance.now();
    const [result] = target.writeForce([{ address: fixture.at('uffd'), bytes: Uint8Array.of(1) }]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(result).toMatchObject({ done: 0, fault: { address: fixture.at('uffd'), reason: expect.stringContaining('registered with userfaultfd (VmFlags um)') } });
    target.close();
  });

  it('takes the write lock of a process that has exited as exited (exit 4), not as a lock it cannot take', async () => {
    const short = await startFixture();
    const target = await LiveProcess.open(short.pid);
    await short.stop();
    const error = caught(() => target.lockWrites());
    expect(error).toMatchObject({ exit: 4, code: 'target-exited' });
    target.close();
  });

  it('reports a pid with no process as a target error (exit 4)', async () => {
    const error = await caughtAsync(() => LiveProcess.open(0x3ffffff0));
    expect(error).toMatchObject({ exit: 4, code: 'no-such-process' });
    expect(error.message).toBe(`no process with pid ${0x3ffffff0}`);
  });

  it('reports a target that exits after it was opened as exited (exit 4), not as a bare errno', async () => {
    const short = await startFixture();
    const target = await LiveProcess.open(short.pid);
    await short.stop();
    // Reaped by Node once 'exit' fired, so the pid is gone.
    const error = caught(() => target.read([{ address: short.at('counter'), length: 4 }]));
    expect(error).toMatchObject({ exit: 4, code: 'target-exited' });
    expect(error.message).toBe(`pid ${short.pid} (target) has exited`);
    target.close();
  });
});
