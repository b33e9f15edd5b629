// Issue 10: the same read-only recipe live and offline. The fixture is read
// live, captured with `pvm snapshot` (and gcore, and the kernel's own core),
// killed, and the recipe rerun on each file under Node, Bun and Deno: the
// answers must be the ones it gave live.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, pvm, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { kernelCore } from '../helpers/kernel-core.ts';
import { needs } from '../helpers/needs.ts';
import { FIXTURE_BINARY } from '../helpers/paths.ts';

const RECIPE = 'test/cli/recipes/offline.pvm';
const dir = mkdtempSync(join(tmpdir(), 'pvm-offline-'));
const SNAPSHOT = join(dir, 'fixture.snapshot');
const REPORT_LIVE = join(dir, 'live.report.json');

/** Everything the fixture said live, and what pvm said about it, captured before it is killed. */
let live: { args: string[]; stdout: string; pid: number; maps: string; registers: string; gcore: string | undefined };
let gdbAvailable = false;

const lines = (result: CliResult) => result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string });
/** What a recipe found: emits and prints (scan summaries say how much each target had to read, which differs between core formats). */
const findings = (result: CliResult) => lines(result).filter((event) => event.type !== 'scan');

beforeAll(async () => {
  const fixture: Fixture = await startFixture(['--spin']);
  try {
    const args = ['--arg', `area=${fixture.hex('area')}`, '--arg', `page=${fixture.hex('page')}`, '--arg', `table=${fixture.hex('table')}`];
    // Stopped, so that its registers and memory hold still between the live run and the captures; once still, so
    // that its threads are where the tests look for them (the spinner in spin_here, the main thread in read(2)).
    await fixture.settled();
    await fixture.stopped();
    const run = pvm('node', ['run', RECIPE, '--pid', String(fixture.pid), ...args, '--json', '--report', REPORT_LIVE]);
    expect(run.stderr).toBe('');
    const registers = pvm('node', ['-e', REGISTERS_RECIPE, '--pid', String(fixture.pid), '--json']).stdout;
    const maps = pvm('node', ['maps', '--pid', String(fixture.pid), '--json']).stdout;
    const snapshot = pvm('node', ['snapshot', '--pid', String(fixture.pid), '-o', SNAPSHOT]);
    expect(snapshot).toMatchObject({ status: 0, stderr: '' });
    gdbAvailable = spawnSync('gdb', ['--version']).status === 0;
    let gcore: string | undefined;
    if (gdbAvailable) {
      execFileSync('gcore', ['-o', join(dir, 'gcore'), String(fixture.pid)], { stdio: 'ignore' });
      gcore = join(dir, `gcore.${fixture.pid}`);
    }
    live = { args, stdout: run.stdout, pid: fixture.pid, maps, registers, gcore };
  } finally {
    await fixture.stop();
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every register of every thread, in order. */
const REGISTERS_RECIPE = `for t in threads() { print t, reg(t, "rip"), reg(t, "rsp"), reg(t, "rbp"), reg(t, "fs_base"), reg(t, "rax"), reg(t, "rdi"), reg(t, "eflags") }`;

describe.each(RUNTIMES)('a snapshot on %s', (runtime) => {
  it('gives the answers the live process gave: reads, symbols, pointer chains, scans, dump', () => {
    const result = pvm(runtime, ['run', RECIPE, '--snapshot', SNAPSHOT, ...live.args, '--json']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(live.stdout);
    expect(result.status).toBe(0);
  });

  it('has the map the process had, and the registers of its stopped threads', () => {
    expect(pvm(runtime, ['maps', '--snapshot', SNAPSHOT, '--json']).stdout).toBe(live.maps);
    const registers = pvm(runtime, ['-e', REGISTERS_RECIPE, '--snapshot', SNAPSHOT, '--json']);
    expect(registers.stdout).toBe(live.registers);
    expect(lines(registers)).toHaveLength(2); // the main thread and the spinner
  });

  it('writes a report whose results are the same bytes as live, but for the target kind and the core file', () => {
    const report = join(dir, `${runtime}.report.json`);
    pvm(runtime, ['run', RECIPE, '--snapshot', SNAPSHOT, ...live.args, '--json', '--report', report]);
    const offline = JSON.parse(readFileSync(report, 'utf8'));
    const online = JSON.parse(readFileSync(REPORT_LIVE, 'utf8'));
    expect(offline.results.target).toMatchObject({ kind: 'core', core: { file: SNAPSHOT, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(online.results.target.kind).toBe('process');
    const { kind: _a, core: _b, ...offlineTarget } = offline.results.target;
    const { kind: _c, ...onlineTarget } = online.results.target;
    expect(JSON.stringify({ ...offline.results, target: offlineTarget })).toBe(JSON.stringify({ ...online.results, target: onlineTarget }));
    expect(offline.results.reads.length).toBeGreaterThan(2000); // the 1000-pointer walk reads 2000 ranges, each hashed
    expect(offline.run).toMatchObject({ pvm: expect.any(String), runtime, argv: expect.arrayContaining(['--report', report]) });
  });

  it('refuses a recipe that writes, before anything runs (exit 3)', () => {
    const result = pvm(runtime, ['-e', 'write u8 at 0x1000 = 1', '--snapshot', SNAPSHOT, '--allow-write']);
    expect(result.status).toBe(3);
    expect(result.stderr).toBe(`pvm: error: <-e> writes memory, and ${SNAPSHOT} is a core file: it can only be read\nhint: run recipes that write or patch against the live process (--pid); \`pvm plan\` shows which statements write\n`);
  });
});

describe.each(RUNTIMES)('a snapshot that does not fit its file, on %s', (runtime) => {
  it('is refused with what it needs (exit 2), and leaves no file', async () => {
    const fixture = await startFixture();
    try {
      const output = join(mkdtempSync(join(tmpdir(), 'pvm-full-')), 'fixture.core');
      // A file-size limit, which anyone may set: a write past it fails as on a full disk (SIGXFSZ ignored).
      const limited = ['sh', '-c', `trap '' XFSZ; exec prlimit --fsize=1000000 -- "$@"`, 'sh'];
      const result = pvm(runtime, ['snapshot', '--pid', String(fixture.pid), '-o', output], { prefix: limited });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^pvm: error: cannot write ${output}: .*(too large).* \\(the snapshot takes \\d+ bytes\\)\nhint: write it to a disk with room for it`, 'i'));
      expect(readdirSync(join(output, '..'))).toEqual([]);
    } finally {
      await fixture.stop();
    }
  });
});

describe('pvm snapshot', () => {
  it('writes a core that gdb opens', (context) => {
    needs(context, gdbAvailable, 'gdb is not installed');
    const gdb = spawnSync('gdb', ['-batch', '-ex', 'x/s &version', '-ex', 'p counter', '-ex', 'info threads', FIXTURE_BINARY, SNAPSHOT], { encoding: 'utf8' });
    expect(gdb.stdout).toMatch(/<version>:\s+"pvm-fixture 1\.2\.3"/);
    expect(gdb.stdout).toContain('$1 = 1000');
    expect(gdb.stdout).toMatch(/2 +Thread .*spin_here/);
  });

  it('leaves untouched pages as holes: the 64 MiB sparse region costs no disk; the file is private (0600)', () => {
    const { size, blocks, mode } = statSync(SNAPSHOT);
    expect(size - blocks * 512).toBeGreaterThan(60 << 20);
    expect(mode & 0o777).toBe(0o600);
  });

  it('a capture that fails leaves no file, and keeps the one it would have replaced', async () => {
    const fixture = await startFixture();
    try {
      const file = join(dir, 'kept.snapshot');
      writeFileSync(file, 'an older snapshot');
      const failed = pvm('node', ['snapshot', '--pid', String(fixture.pid), '-o', file, '--only', 'no-such-module.so']);
      expect(failed.status).toBe(2);
      expect(readFileSync(file, 'utf8')).toBe('an older snapshot');
      expect(readdirSync(dir).filter((name) => name.includes('.partial-'))).toEqual([]);
    } finally {
      await fixture.stop();
    }
  });

  it('says whether the process ran during the capture, what it left out and why; --freeze stops it', async () => {
    const fixture = await startFixture();
    try {
      const running = pvm('node', ['snapshot', '--pid', String(fixture.pid), '-o', join(dir, 'running.snapshot')]);
      expect(running.stdout).toMatch(new RegExp(`^snapshot of pid ${fixture.pid} \\(target\\) written to .*running\\.snapshot: [\\d.]+ MiB in \\d+ regions, [\\d.]+ MiB of untouched pages left as holes\n  taken while the process ran`));
      expect(running.stdout).toMatch(/left out 0x[0-9a-f]+-0x[0-9a-f]+ \(4\.0 KiB\): not readable/);
      expect(running.stdout).toMatch(/left out 0x[0-9a-f]+-0x[0-9a-f]+ \([\d.]+ KiB\): \[vvar\]|kernel data page/);
      const frozen = pvm('node', ['snapshot', '--pid', String(fixture.pid), '-o', join(dir, 'frozen.snapshot'), '--freeze', '--json']);
      // Nothing is missing: a file whose end falls mid-page (the fixture maps its own file) reads as zeros to the page's end, as live.
      expect(JSON.parse(frozen.stdout)).toMatchObject({ type: 'snapshot', pid: fixture.pid, frozen: true, registers: true, threads: 1, missing: [] });
      const only = pvm('node', ['snapshot', '--pid', String(fixture.pid), '-o', join(dir, 'only.snapshot'), '--only', 'target', '--json']);
      expect(JSON.parse(only.stdout).leftOut).toContainEqual(expect.objectContaining({ reason: 'not selected by --only' }));
      expect(pvm('node', ['-e', 'print read cstring at symbol("target", "version")', '--snapshot', join(dir, 'only.snapshot')]).stdout).toBe('pvm-fixture 1.2.3\n');
    } finally {
      await fixture.stop();
    }
  });

  it('says the process was stopped when a signal stopped it (state T) before and after the capture, on Node, Bun and Deno', async () => {
    const fixture = await startFixture();
    try {
      await fixture.stopped();
      for (const runtime of RUNTIMES) {
        const text = pvm(runtime, ['snapshot', '--pid', String(fixture.pid), '-o', join(dir, `stopped-${runtime}.snapshot`)]);
        expect(text.stdout.split('\n')[1]).toBe('  taken while the process was stopped (state T: SIGSTOP or ^Z, before the capture and after it), so it did not run during the capture');
        const json = pvm(runtime, ['snapshot', '--pid', String(fixture.pid), '-o', join(dir, `stopped-${runtime}.snapshot`), '--json']);
        expect(JSON.parse(json.stdout)).toMatchObject({ type: 'snapshot', frozen: false, stoppedBySignal: true });
      }
      // pvm stopped and let go of the threads to take their registers: the process is stopped still, as it was.
      expect(readFileSync(`/proc/${fixture.pid}/status`, 'utf8')).toMatch(/\nState:\tT /);
      process.kill(fixture.pid, 'SIGCONT');
      const running = pvm('node', ['snapshot', '--pid', String(fixture.pid), '-o', join(dir, 'continued.snapshot'), '--json']);
      expect(JSON.parse(running.stdout)).toMatchObject({ frozen: false, stoppedBySignal: false });
    } finally {
      process.kill(fixture.pid, 'SIGCONT');
      await fixture.stop();
    }
  });

  it("leaves pages that map the zero page (gcore's reads map it into untouched pages) as holes: the same file on Node, Bun and Deno", async (context) => {
    needs(context, gdbAvailable, 'gdb is not installed');
    needs(context, process.getuid?.() === 0, 'pagemap shows page frames to root only');
    const fixture = await startFixture();
    try {
      await fixture.stopped();
      execFileSync('gcore', ['-o', join(dir, 'zero'), String(fixture.pid)], { stdio: 'ignore' });
      const taken = RUNTIMES.map((runtime) => {
        const file = join(dir, `zero-${runtime}.snapshot`);
        const result = pvm(runtime, ['snapshot', '--pid', String(fixture.pid), '-o', file, '--json']);
        expect(result).toMatchObject({ status: 0, stderr: '' });
        return { file, summary: JSON.parse(result.stdout) as { bytes: number; holes: number } };
      });
      for (const { file, summary } of taken) {
        // Present now, so captured (no longer untouched), but neither read nor written: 64 MiB of file without disk.
        expect(summary.holes).toBeLessThan(1 << 20);
        expect(summary.bytes).toBeGreaterThan(64 << 20);
        const { size, blocks } = statSync(file);
        expect(size - blocks * 512).toBeGreaterThan(60 << 20);
      }
      // The runtimes wrote the same bytes (their background writes differ), but for the moment each was taken.
      const bytes = taken.map(({ file }) => readFileSync(file).toString('latin1').replace(/"takenAt":"[^"]+"/, '"takenAt":""'));
      expect(bytes[1] === bytes[0] && bytes[2] === bytes[0]).toBe(true);
      const read = pvm('node', ['-e', `print read bytes 16 at ${fixture.hex('sparse')} + 0x100000`, '--snapshot', taken[2]!.file]);
      expect(read.stdout).toBe(`${'0'.repeat(32)}\n`);
    } finally {
      process.kill(fixture.pid, 'SIGCONT');
      await fixture.stop();
    }
  });

  it('captures without faulting a page into the process', async () => {
    const fixture = await startFixture();
    try {
      const rss = () => {
        const smaps = readFileSync(`/proc/${fixture.pid}/smaps`, 'utf8');
        const at = smaps.indexOf(`${fixture.at('sparse').toString(16)}-`);
        return Number(/\nRss:\s+(\d+) kB/.exec(smaps.slice(at))![1]);
      };
      const before = rss();
      expect(pvm('node', ['snapshot', '--pid', String(fixture.pid), '-o', join(dir, 'rss.snapshot')]).status).toBe(0);
      expect(rss()).toBe(before);
    } finally {
      await fixture.stop();
    }
  });
});

describe.each(RUNTIMES)('cores made by others, on %s', (runtime) => {
  it("reads gdb's gcore: the same findings as live", (context) => {
    needs(context, live.gcore !== undefined, 'gdb (gcore) is not installed');
    const result = pvm(runtime, ['run', RECIPE, '--core', live.gcore!, ...live.args, '--json']);
    expect(result.stderr).toBe('');
    expect(findings(result)).toEqual(findings({ ...result, stdout: live.stdout }));
  });

  it('--snapshot refuses a core that is not a pvm snapshot, and points to --core', (context) => {
    needs(context, live.gcore !== undefined, 'gdb (gcore) is not installed');
    const result = pvm(runtime, ['maps', '--snapshot', live.gcore!]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`it has no pvm snapshot note`);
    expect(result.stderr).toContain(`hint: read it with --core ${live.gcore}`);
  });
});

describe("the kernel's core", () => {
  let core: string | undefined;
  let args: string[] = [];
  let why = '';
  beforeAll(async () => {
    const taken = await kernelCore(dir);
    if (taken.core === undefined) {
      why = taken.why;
      return;
    }
    core = taken.core;
    args = ['--arg', `area=${taken.fixture.hex('area')}`, '--arg', `page=${taken.fixture.hex('page')}`, '--arg', `table=${taken.fixture.hex('table')}`];
  }, 60_000);

  /** Findings that do not depend on where this other process put things. */
  const values = (result: CliResult) => findings(result).filter((e) => e.type === 'print' || VALUE_EMITS.includes((e as { name?: string }).name ?? ''));

  for (const runtime of RUNTIMES) {
    it(`reads it on ${runtime}: code from the files the kernel left out, the same values as live`, (context) => {
      needs(context, core !== undefined, why);
      const result = pvm(runtime, ['run', RECIPE, '--core', core!, ...args, '--json']);
      expect(result.stderr).toBe('');
      expect(values(result)).toEqual(values({ ...result, stdout: live.stdout }));
    });
  }
});

/** Emits of offline.pvm whose values are the same in any run of the fixture (not addresses). */
const VALUE_EMITS = ['version', 'counter', 'magic', 'big_endian', 'libc_getpid', 'text', 'typed', 'in_module', 'total'];

describe('bad core files', () => {
  it.each([
    ['an empty file', () => writeFileSync(join(dir, 'empty'), ''), 'empty', 'not a core file'],
    ['an executable', () => copyFileSync('/bin/true', join(dir, 'true')), 'true', 'not a core file'],
    [
      'a truncated snapshot',
      () => {
        copyFileSync(SNAPSHOT, join(dir, 'cut.snapshot'));
        truncateSync(join(dir, 'cut.snapshot'), 3 << 20);
      },
      'cut.snapshot',
      'truncated',
    ],
  ])('%s: exit 2, naming the file and what is wrong', (_what, make, name, words) => {
    make();
    const path = join(dir, name);
    const result = pvm('node', ['maps', '--core', path]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^pvm: error: ${path.replaceAll('.', '\\.')}: .*${words}`));
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('a missing file: exit 2', () => {
    expect(pvm('node', ['maps', '--core', join(dir, 'nothing')])).toMatchObject({ status: 2, stderr: `pvm: error: cannot open ${join(dir, 'nothing')}: no such file\nhint: check the path of the core or snapshot file\n` });
  });

  it('a snapshot whose program file is gone: reads work, symbols say which file is missing (exit 4)', async () => {
    const copy = join(dir, 'gone-target');
    copyFileSync(FIXTURE_BINARY, copy);
    const fixture = await startFixture([], ['bash', '-c', `exec '${copy}'`]);
    const snapshot = join(dir, 'gone.snapshot');
    try {
      expect(pvm('node', ['snapshot', '--pid', String(fixture.pid), '-o', snapshot]).status).toBe(0);
    } finally {
      await fixture.stop();
    }
    rmSync(copy);
    expect(existsSync(copy)).toBe(false);
    const read = pvm('node', ['-e', `print read cstring at ${fixture.hex('version')}`, '--snapshot', snapshot]);
    expect(read).toMatchObject({ status: 0, stdout: 'pvm-fixture 1.2.3\n' });
    const symbol = pvm('node', ['-e', 'print symbol("gone-target", "version")', '--snapshot', snapshot]);
    expect(symbol.status).toBe(4);
    expect(symbol.stderr).toContain(`cannot read ${copy}, a file mapped by pid ${fixture.pid} (gone-target): it is not on this machine`);
  });
});
