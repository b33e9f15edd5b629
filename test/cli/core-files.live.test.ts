// Issue 29, items 5 and 17, through the CLI on a real core: the kernel's core
// of a copy of the fixture leaves its unmodified code out, and pvm takes it
// from the file the core names, but only while that is a regular ELF file
// with the build-id the core holds. A crafted core (or a file replaced since)
// that names a secret, a FIFO or a device gets no byte of it, and a policy's
// `targets` judge a core by the build-id it proves, not by the names it gives.
import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readElfHeaders } from '../../src/native/elf-headers.ts';
import { readAt } from '../../src/target/file-mapping.ts';
import { pvm } from '../helpers/cli.ts';
import { itAsRoot, needs } from '../helpers/needs.ts';
import { kernelCore } from '../helpers/kernel-core.ts';
import { startFixture } from '../helpers/fixture.ts';
import { FIXTURE_BINARY } from '../helpers/paths.ts';

const dir = mkdtempSync(join(tmpdir(), 'pvm-core-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const victim = join(dir, 'victim');
const secret = join(dir, 'shadow');
writeFileSync(secret, 'root:$6$not-for-you:19000:0:99999:7:::\n'.repeat(300));
const fd = openSync(FIXTURE_BINARY, 'r');
const buildId = readElfHeaders((offset, length) => readAt(fd, offset, length))!.buildId!;
closeSync(fd);

let core: string | undefined;
let why = '';
beforeAll(async () => {
  copyFileSync(FIXTURE_BINARY, victim);
  const taken = await kernelCore(dir, victim);
  if (taken.core === undefined) why = taken.why;
  else core = taken.core;
}, 60_000);

/** The first 4 bytes of the fixture's code (file offset 0x1000, mapped r-xp at its base + 0x1000), which the kernel left out of the core. */
const READ_CODE = 'print read u32 at module("victim") + 0x1000';
const codeWord = () => String(new DataView(readFileSync(FIXTURE_BINARY).buffer).getUint32(0x1000, true));
const replace = (make: () => void) => {
  rmSync(victim, { force: true });
  make();
};

describe('the file a core names', () => {
  it('is read while it is the regular ELF file, with the build-id, that the process ran', (context) => {
    needs(context, core !== undefined, why);
    copyFileSync(FIXTURE_BINARY, victim);
    expect(pvm('node', ['-e', READ_CODE, '--core', core!])).toMatchObject({ status: 0, stdout: `${codeWord()}\n` });
    expect(pvm('node', ['maps', '--core', core!]).stdout).not.toContain(`${victim}  (unreadable`);
  });

  const cases: [string, () => void, string][] = [
    ['a symlink to a secret', () => symlinkSync(secret, victim), `is not the file the process mapped (not an ELF file; the process ran build-id ${buildId})`],
    ['a FIFO (open blocked for ever)', () => execFileSync('mkfifo', [victim]), 'cannot be used (it is a pipe (FIFO), not a regular file)'],
    ['a symlink to /dev/zero (read as zeros)', () => symlinkSync('/dev/zero', victim), 'cannot be used (it is a character device, not a regular file)'],
  ];
  for (const [what, make, problem] of cases) {
    it(`is not read when it is ${what}: exit 4, saying why`, (context) => {
      needs(context, core !== undefined, why);
      replace(make);
      const started = performance.now();
      const result = pvm('node', ['-e', READ_CODE, '--core', core!]);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(result.status).toBe(4);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`${victim}, the file mapped there, ${problem}`);
      expect(result.stderr).not.toContain('not-for-you');
      // pvm maps says which regions cannot be read, and why.
      const maps = pvm('node', ['maps', '--core', core!, '--json']).stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { path: string; perms: string; unreadable?: string });
      expect(maps.find((r) => r.path === victim && r.perms === 'r-xp')?.unreadable).toBe(`the core does not hold all of it, and ${victim}, the file mapped there, ${problem}`);
    });
  }
});

describe("a policy's targets on a core", () => {
  const policy = (value: unknown) => {
    const path = join(dir, `policy-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };

  it('judge it by the build-id the core proves: exe, comm and uid, names a core only claims, match no core (exit 3, saying so)', (context) => {
    needs(context, core !== undefined, why);
    replace(() => copyFileSync(FIXTURE_BINARY, victim));
    const named = policy({ targets: [{ exe: victim, comm: 'victim' }] });
    const result = pvm('node', ['-e', 'print 1', '--core', core!, '--policy', named]);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain(`a core proves only its executable's build-id (${buildId}), and no entry of targets names it alone (exe, comm, uid and cgroup match no core): add {"buildId": "${buildId}"} to targets`);
    expect(pvm('node', ['-e', 'print 1', '--core', core!, '--policy', policy({ targets: [{ buildId }] })])).toMatchObject({ status: 0, stdout: '1\n' });
    expect(pvm('node', ['-e', 'print 1', '--core', core!, '--policy', policy({ targets: [{ buildId: 'ab'.repeat(20) }] })]).status).toBe(3);
  });
});

describe('the core itself', () => {
  it.each([
    ['a FIFO (open blocked for ever)', () => {
      execFileSync('mkfifo', [join(dir, 'core-fifo')]);
      return join(dir, 'core-fifo');
    }, 'it is a pipe (FIFO), not a regular file'],
    ['a device', () => '/dev/zero', 'it is a character device, not a regular file'],
  ])('is a regular file: %s is exit 2, at once', (_what, make, why) => {
    const path = make();
    expect(pvm('node', ['maps', '--core', path])).toMatchObject({ status: 2, stderr: `pvm: error: ${path}: ${why}\nhint: a core is a file: give the file the kernel, gcore or pvm snapshot wrote\n` });
  });
});

// The same for a live process: whoever owns a target can put a FIFO where the file it mapped was (a bind mount in its
// own mount namespace, which /proc/PID/root enters): a scan and a symbol lookup blocked in open for ever.
describe('a FIFO mounted over the file a live process mapped', () => {
  itAsRoot('is not opened: a scan reads the memory, a symbol comes from the mapping itself (/proc/PID/map_files)', async () => {
    const copy = join(dir, 'mounted');
    copyFileSync(FIXTURE_BINARY, copy);
    const fixture = await startFixture([], [], copy);
    const fifo = join(dir, 'mounted-fifo');
    execFileSync('mkfifo', [fifo]);
    execFileSync('mount', ['--bind', fifo, copy]);
    try {
      const scan = pvm('node', ['-e', 'print len(scan "pvm-fixture" in module("mounted") limit 3) > 0', '--pid', String(fixture.pid)]);
      expect(scan).toMatchObject({ status: 0, stdout: 'true\n' });
      const symbol = pvm('node', ['-e', 'print symbol("mounted", "counter")', '--pid', String(fixture.pid)]);
      expect(symbol).toMatchObject({ status: 0, stdout: `${fixture.hex('counter')}\n` });
    } finally {
      execFileSync('umount', [copy]);
      await fixture.stop();
    }
  }, 60_000);
});
