// Issue 16, what must never crash (exit 70) or hang: addresses at the top of
// the address space, float params with defaults, recipes that are not files,
// and command lines that say two things at once. Each gets a clear error.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandFor, pvm, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { needs } from '../helpers/needs.ts';
import { FIXTURE_BINARY } from '../helpers/paths.ts';

let fixture: Fixture;
beforeAll(async () => {
  fixture = await startFixture();
});
afterAll(() => fixture.stop());

describe.each(RUNTIMES)('addresses near 2^64 on %s', (runtime) => {
  it.each([
    ['print read u16 at 0xffffffffffffffff', 'cannot read u16 at 0xffffffffffffffff'],
    ['print [0xffffffffffffffff]', 'cannot read ptr at 0xffffffffffffffff'],
    ['dump 0xfffffffffffffff0, 32', 'cannot read bytes at 0xfffffffffffffff0'],
    ['print read cstring at 0xfffffffffffffff0', 'cannot read cstring at 0xfffffffffffffff0'],
    ['write u8 at 0xffffffffffffffff = 1', 'cannot write 1 byte at 0xffffffffffffffff'],
    ['patch at 0xfffffffffffffffe expect u16 1 with u16 2', 'patch not applied: cannot read the site at 0xfffffffffffffffe'],
  ])('%s: not mapped (exit 4), never a crash', (recipe, message) => {
    const result = pvm(runtime, ['-e', recipe, '--pid', String(fixture.pid), '--allow-write']);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(`is not mapped in pid ${fixture.pid}`);
    expect(result.status).toBe(4);
  });
});

describe('recipes and command lines', () => {
  it('a float param with a default', () => {
    expect(pvm('node', ['-e', 'param n: f64 = 0.25\nparam m: f32 = 2\nprint n, m', '--pid', String(fixture.pid)])).toMatchObject({ status: 0, stdout: '0.25 2\n' });
  });

  it('a recipe that is not a regular file is refused at once (/dev/zero would never end)', () => {
    expect(pvm('node', ['run', '/dev/zero', '--pid', String(fixture.pid)])).toMatchObject({ status: 2, stderr: "pvm: error: cannot read recipe '/dev/zero': it is a character device, not a regular file\nhint: a recipe is a .pvm file\n" });
  });

  it('an option given twice, an empty --name, and -e without a value are usage errors', () => {
    // --pid may be given more than once (many targets: many.live.test.ts); --name may not.
    expect(pvm('node', ['-e', 'print 1', '--name', 'a', '--name', 'b'])).toMatchObject({ status: 2, stderr: 'pvm: error: --name is given 2 times\nhint: give --name once\n' });
    expect(pvm('node', ['-e', 'print 1', '--name', ''])).toMatchObject({ status: 2, stderr: expect.stringContaining('--name needs a process name') });
    expect(pvm('node', ['-e'])).toMatchObject({ status: 2, stderr: "pvm: error: option '-e' needs a value\nhint: run `pvm --help` for the options\n" });
  });
});

describe('targets that are no process to read, and journals that cannot be', () => {
  it('a kernel thread is named as such (exit 4), not "exited"', (context) => {
    const kthreadd = (() => {
      try {
        return readFileSync('/proc/2/stat', 'latin1');
      } catch {
        return '';
      }
    })();
    needs(context, kthreadd.includes('(kthreadd)'), 'pid 2 is not kthreadd here (a container with its own pid namespace?)');
    expect(pvm('node', ['-e', 'print 1', '--pid', '2'])).toMatchObject({ status: 4, stderr: expect.stringContaining('pid 2 (kthreadd) is a kernel thread: it has no user memory to read') });
  });

  it('a journal that cannot be opened stops the run before any write (exit 3)', () => {
    const result = pvm('node', ['-e', `write u32 at ${fixture.hex('scratch')} = 9`, '--pid', String(fixture.pid), '--allow-write', '--journal', '/nonexistent-dir/fix.journal']);
    expect(result).toMatchObject({ status: 3, stderr: expect.stringContaining("cannot open the journal '/nonexistent-dir/fix.journal' for appending: its directory does not exist; nothing was written to the target") });
    expect(pvm('node', ['-e', `print read u32 at ${fixture.hex('scratch')}`, '--pid', String(fixture.pid)]).stdout).toBe('0\n');
  });
});

describe('pvm revert', () => {
  it('needs --allow-write, like any write: a journal is input (exit 3)', () => {
    expect(pvm('node', ['revert', 'any.journal', '--pid', String(fixture.pid)])).toMatchObject({
      status: 3,
      stderr: "pvm: error: pvm revert writes to the target's memory, and writing was not allowed\nhint: run it with --allow-write once you have checked the journal (--dry-run shows what it would write, without writing)\n",
    });
  });
});

describe('output to a slow pipe', () => {
  it('waits for the reader instead of holding everything in memory (20 MiB through a pipe read a second late)', (context) => {
    needs(context, existsSync('/usr/bin/time'), '/usr/bin/time is not installed (Debian package time)');
    const recipe = `for i in 0..320 { print read bytes 65536 at ${fixture.hex('area')} }`;
    const [command, ...args] = commandFor('node');
    const script = `/usr/bin/time -f %M -o "$0" "$@" | (sleep 1; wc -c)`;
    const peakFile = join(tmpdir(), `pvm-peak-${process.pid}`);
    const result = spawnSync('sh', ['-c', script, peakFile, command!, ...args, '-e', recipe, '--pid', String(fixture.pid)], { encoding: 'utf8' });
    expect(result.stdout.trim(), `pvm's stderr: ${result.stderr}`).toBe(String(320 * (65536 * 2 + 1)));
    const peakKiB = Number(readFileSync(peakFile, 'utf8').trim().split('\n').at(-1));
    expect(peakKiB).toBeLessThan(400 * 1024); // it was 1.25 GB, holding every line until the end
  });
});

describe('a module mapped twice, far apart (the fixture maps its own file again)', () => {
  it('is its mappings, not the span between them: .size and scans leave out the memory in between', () => {
    const mine = readFileSync(`/proc/${fixture.pid}/maps`, 'utf8').split('\n').filter((line) => line.endsWith('/test/.build/target'));
    const bytes = mine.map((line) => line.split(' ')[0]!.split('-').map((h) => BigInt(`0x${h}`))).reduce((sum, [a, b]) => sum + (b! - a!), 0n);
    expect(mine.length).toBeGreaterThan(4);
    const result = pvm('node', ['-e', 'print module("target").size\nprint len(scan "pvm-fixture 1.2.3" in module("target"))', '--pid', String(fixture.pid), '--json']);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines[0].values[0]).toBe(Number(bytes));
    expect(lines[1]).toMatchObject({ type: 'scan', bytes: Number(bytes) });
  });
});

describe('a file whose name ends in " (deleted)", as the kernel marks unlinked files', () => {
  it('is that file when it exists with the mapped inode, and deleted once it is unlinked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pvm-deleted-'));
    const copy = join(dir, 'lib (deleted)');
    copyFileSync(FIXTURE_BINARY, copy);
    const named = await startFixture([], [], copy);
    try {
      const symbol = pvm('node', ['-e', 'print symbol("lib (deleted)", "counter")', '--pid', String(named.pid)]);
      expect(symbol).toMatchObject({ status: 0, stdout: `${named.hex('counter')}\n` });
      unlinkSync(copy);
      const gone = pvm('node', ['-e', 'print symbol("lib (deleted)", "counter")', '--pid', String(named.pid)]);
      expect(gone).toMatchObject({ status: 4, stderr: expect.stringContaining(`the file of ${copy} was deleted after pid ${named.pid}`) });
    } finally {
      await named.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(RUNTIMES)('a page registered with userfaultfd on %s (a read there blocks until the target serves it)', (runtime) => {
  it.for(
    [
      ['print read u8 at UFFD', 'cannot read u8 at UFFD'],
      ['dump UFFD - 16, 32', 'cannot read bytes at'],
      ['write u8 at UFFD = 1', 'cannot write 1 byte at UFFD'],
      ['patch at UFFD expect u8 0 with u8 1', 'patch not applied: cannot read the site at UFFD'],
      // Loops read ahead in batches, by the JS kernel and (long enough) WebAssembly: smaps read as the run began
      // (live-process.ts) leaves the range out, and the read of the page itself is refused.
      ['let t = 0; for i in 0..64 { t = t + read u8 at UFFD - 32 + i }; print t', 'cannot read u8 at UFFD'],
      ['let t = 0; for i in 0..2048 { t = t + read u8 at UFFD - 1024 + i }; print t', 'cannot read u8 at UFFD'],
    ] as const,
  )('%s is refused at once (exit 4), never a hang', ([recipe, message], context) => {
    needs(context, fixture.has('uffd'), 'the fixture could not register a userfaultfd page (this kernel allows no userfaultfd for this user)');
    const uffd = fixture.hex('uffd');
    const result = pvm(runtime, ['-e', recipe.replace('UFFD', uffd), '--pid', String(fixture.pid), '--allow-write']);
    expect(result.stderr).toContain(message.replace('UFFD', uffd));
    expect(result.stderr).toContain('registered with userfaultfd (VmFlags um): reading or writing it would block');
    expect(result.status).toBe(4);
  });
});
