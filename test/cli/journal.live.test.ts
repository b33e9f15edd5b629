// Issue 29, items 10-15 ("Nothing lost, nothing leaked"), on live processes:
// a journal that fills up refuses the patch, an entry appended after a cut
// line is not lost, a process that exec'd another program is not reverted,
// a write the journal cannot read is refused, a refused run makes no journal,
// and `pvm status` says when a patch is partly applied. Issue 33: when
// --journal-sync syncs the appends, against the writes they record.
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pvm, type Runtime, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, fixturesPerTest, startFixture } from '../helpers/fixture.ts';
import { FIXTURE_BINARY } from '../helpers/paths.ts';
import { MAX_JOURNAL_BYTES } from '../../src/limits.ts';

const fixture = fixturesPerTest();

const directory = () => mkdtempSync(join(tmpdir(), 'pvm-journal-'));
const journalPath = () => join(directory(), 'fix.journal');
const exists = (path: string) => statSync(path, { throwIfNoEntry: false }) !== undefined;

/**
 * Runs the rest with the size of the files it writes limited to `bytes` (RLIMIT_FSIZE, which anyone may lower),
 * SIGXFSZ ignored so that a write past it comes back short and then fails with EFBIG, as on a full disk.
 */
const fileSizeLimit = (bytes: number): string[] => ['sh', '-c', `trap '' XFSZ; exec prlimit --fsize=${bytes} -- "$@"`, 'sh'];

/** A patch of `count` one-byte sites, 8 bytes apart, in the fixture's area (0xaa -> 0xbb), as a recipe file. */
function manySites(f: Fixture, count: number): string {
  const lines = Array.from({ length: count }, (_, i) => `  at ${f.hex('area')} + ${4096 + i * 8} expect u8 0xaa with u8 0xbb`);
  const path = join(directory(), 'many.pvm');
  writeFileSync(path, `patch "many" {\n${lines.join('\n')}\n}\n`);
  return path;
}

/** How many of those sites hold 0xbb. */
function patchedSites(runtime: Runtime, f: Fixture, count: number): number {
  const recipe = `let n = 0\nfor i in 0..${count} { if read u8 at ${f.hex('area')} + 4096 + i * 8 == 0xbb { n = n + 1 } }\nprint n`;
  return Number(pvm(runtime, ['-e', recipe, '--pid', String(f.pid)]).stdout.trim());
}

const readU32 = (runtime: Runtime, f: Fixture, address: string) => pvm(runtime, ['-e', `print read u32 at ${address}`, '--pid', String(f.pid)]).stdout.trim();

describe.each(RUNTIMES)('a journal that cannot take a whole entry, on %s', (runtime) => {
  it('refuses the patch when the journal fills up part way (a short write), writes nothing, and the next entry starts a new line', async () => {
    const f = await fixture();
    const journal = journalPath();
    // 2 000 entries of ~350 bytes do not fit in 64 KiB: the write stops short, part way through a line.
    const result = pvm(runtime, ['run', manySites(f, 2000), '--pid', String(f.pid), '--allow-write', '--journal', journal], { prefix: fileSizeLimit(65536) });
    expect(result.stderr).toContain(`cannot append to the journal '${journal}': `);
    expect(result.stderr).toContain('nothing was written to the target');
    expect(result.status).toBe(3);
    expect(result.stdout).toBe('');
    expect(patchedSites(runtime, f, 2000)).toBe(0);
    const text = readFileSync(journal, 'utf8');
    expect(text.endsWith('\n')).toBe(false); // cut part way through a line
    // Item 11: an entry appended after the cut line is not glued onto it, so revert finds it and restores the site.
    const sites = f.hex('patch_sites');
    expect(pvm(runtime, ['-e', `patch at ${sites} expect u32 1000 with u32 7`, '--pid', String(f.pid), '--allow-write', '--journal', journal]).status).toBe(0);
    const lines = readFileSync(journal, 'utf8').split('\n');
    expect(JSON.parse(lines.at(-2)!)).toMatchObject({ address: sites, old: 'e8030000', new: '07000000' });
    const revert = pvm(runtime, ['revert', journal, '--pid', String(f.pid), '--allow-write']);
    expect(revert.stderr).toContain(`line ${lines.length - 2} is incomplete`);
    expect(revert.stdout).toContain(`${sites}: restored (patch at line 1): hex"07 00 00 00" -> hex"e8 03 00 00"`);
    expect(revert.status).toBe(0);
    expect(readU32(runtime, f, sites)).toBe('1000');
  });
});

describe('the journal file', () => {
  it('is made only when its first entry is written: a refused run or a failed one leaves none', async () => {
    const f = await fixture();
    const journal = journalPath();
    const sites = f.hex('patch_sites');
    // A patch that finds other bytes (exit 1), and one against a process that is not there (exit 4).
    expect(pvm('node', ['-e', `patch at ${sites} expect u32 999 with u32 7`, '--pid', String(f.pid), '--allow-write', '--journal', journal]).status).toBe(1);
    expect(pvm('node', ['-e', `patch at ${sites} expect u32 1000 with u32 7`, '--pid', '999999999', '--allow-write', '--journal', journal]).status).toBe(4);
    // A patch found already applied writes nothing either.
    expect(pvm('node', ['-e', `patch at ${sites} expect u32 999 with u32 1000`, '--pid', String(f.pid), '--allow-write', '--journal', journal]).stdout).toContain('already applied');
    expect(exists(journal)).toBe(false);
    // A journal that could not be made is still refused before the target is touched.
    const nowhere = join(directory(), 'missing', 'fix.journal');
    const refused = pvm('node', ['-e', `patch at ${sites} expect u32 1000 with u32 7`, '--pid', String(f.pid), '--allow-write', '--journal', nowhere]);
    expect(refused).toMatchObject({ status: 3, stderr: expect.stringContaining(`cannot open the journal '${nowhere}' for appending: its directory does not exist`) });
    expect(readU32('node', f, sites)).toBe('1000');
    // The first entry makes it, readable by its owner only.
    expect(pvm('node', ['-e', `patch at ${sites} expect u32 1000 with u32 7`, '--pid', String(f.pid), '--allow-write', '--journal', journal]).status).toBe(0);
    expect(statSync(journal).mode & 0o777).toBe(0o600);
    expect(readFileSync(journal, 'utf8').split('\n')).toHaveLength(2);
  });
});

describe('a write whose old bytes the policy forbids reading', () => {
  it('is refused with a journal (exit 3, naming the rule), with its whole batch, and nothing is written; without one it is made', async () => {
    const f = await fixture();
    const policy = join(directory(), 'policy.json');
    writeFileSync(policy, JSON.stringify({ read: { deny: ['module:target'] }, write: { allow: true } }));
    const journal = journalPath();
    const scratch = f.hex('scratch');
    // Two writes, one batch: the area (anonymous memory) may be read, the fixture's own data may not.
    const recipe = `write u8 at ${f.hex('area')} = 1\nwrite u32 at ${scratch} = 5`;
    const result = pvm('node', ['-e', recipe, '--pid', String(f.pid), '--allow-write', '--policy', policy, '--journal', journal]);
    expect(result.stderr).toContain(`<-e>:2:1: error: cannot journal the write of 4 bytes at ${scratch}: the journal keeps the bytes it replaces, and the policy denies reading them`);
    expect(result.stderr).toContain(`read.deny ["module:target"] in ${policy}); nothing was written`);
    expect(result).toMatchObject({ status: 3, stdout: '' });
    expect(readU32('node', f, scratch)).toBe('0');
    expect(pvm('node', ['-e', `print read u8 at ${f.hex('area')}`, '--pid', String(f.pid)]).stdout).toBe('170\n');
    expect(exists(journal)).toBe(false);
    // Without a journal the policy's own rules decide: writing there is allowed.
    expect(pvm('node', ['-e', recipe, '--pid', String(f.pid), '--allow-write', '--policy', policy])).toMatchObject({ status: 0 });
    expect(readU32('node', f, scratch)).toBe('5');
  });

  it('is made with an audit log or a report but no journal, the old bytes withheld from both', async () => {
    const f = await fixture();
    const policy = join(directory(), 'policy.json');
    writeFileSync(policy, JSON.stringify({ read: { deny: ['module:target'] }, write: { allow: true } }));
    const audit = join(directory(), 'audit.jsonl');
    const report = join(directory(), 'report.json');
    const scratch = f.hex('scratch');
    const result = pvm('node', ['-e', `write u32 at ${scratch} = 6`, '--pid', String(f.pid), '--allow-write', '--policy', policy, '--audit', audit, '--report', report]);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(readU32('node', f, scratch)).toBe('6');
    expect(readFileSync(audit, 'utf8')).toContain(`"detail":"write at line 1: (withheld by the policy) -> 06000000"`);
    expect(JSON.parse(readFileSync(report, 'utf8')).results.events).toContainEqual({ type: 'write', address: scratch, before: null, after: '06000000', line: 1 });
  });
});

describe("a process that exec'd another program since pvm patched it (same pid, same start time)", () => {
  it('is not reverted: status says it is gone and why, revert refuses (exit 4) and writes nothing', async () => {
    const first = join(directory(), 'first-program');
    copyFileSync(FIXTURE_BINARY, first);
    chmodSync(first, 0o755);
    // Without ASLR (setarch -R, which exec keeps), the program it execs has its data at the same addresses.
    const f = await startFixture([], ['setarch', '-R'], first);
    try {
      const sites = f.hex('patch_sites');
      const journal = journalPath();
      expect(pvm('node', ['-e', `patch at ${sites} expect u32 1000 with u32 7`, '--pid', String(f.pid), '--allow-write', '--journal', journal]).status).toBe(0);
      const next = JSON.parse(await f.ask(`x ${FIXTURE_BINARY}`)) as { pid: number; patch_sites: string };
      expect([next.pid, next.patch_sites]).toEqual([f.pid, sites]);
      // The new program holds pvm's bytes there (its own, as far as anyone knows): a revert would clobber them.
      expect(pvm('node', ['-e', `write u32 at ${sites} = 7`, '--pid', String(f.pid), '--allow-write']).status).toBe(0);
      const why = `it runs ${FIXTURE_BINARY} now, not ${first}: it exec'd another program since pvm patched it`;
      expect(pvm('node', ['status', journal])).toMatchObject({ status: 0, stdout: `pid ${f.pid} (first-program): gone (${why})\n` });
      const json = pvm('node', ['status', journal, '--json']).stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
      expect(json.map((line) => [line.type, line.state, line.reason])).toEqual([['patch', 'gone', why], ['status', 'gone', why]]);
      // Named, it is refused; among all the journal's processes, it is one whose patches are gone (as one that exited).
      const revert = pvm('node', ['revert', journal, '--pid', String(f.pid), '--allow-write']);
      expect(revert.stderr).toContain(`${journal} records patches of pid ${f.pid} (target) that it no longer holds: ${why}; nothing was written`);
      expect(revert.status).toBe(4);
      expect(pvm('node', ['revert', journal, '--allow-write'])).toMatchObject({ status: 0, stdout: `pid ${f.pid} (first-program): gone (${why}): nothing to revert\n1 process: 0 reverted, 0 already reverted, 1 gone, 0 failed\n` });
      expect(readU32('node', f, sites)).toBe('7');
    } finally {
      await f.stop();
    }
  });
});

describe('a patch whose sites are partly written', () => {
  it('is "partly applied" in pvm status (text and --json), and revert restores the sites written', async () => {
    const f = await fixture();
    const journal = journalPath();
    const sites = f.hex('patch_sites');
    const second = `0x${(f.at('patch_sites') + 4n).toString(16)}`;
    const recipe = `patch "pair" {\n  at ${sites} expect u32 1000 with u32 1\n  at ${second} expect u32 2000 with u32 2\n}\nwrite u8 at ${f.hex('scratch')} = 3`;
    expect(pvm('node', ['-e', recipe, '--pid', String(f.pid), '--allow-write', '--journal', journal]).status).toBe(0);
    expect(pvm('node', ['status', journal]).stdout).toBe(
      `pid ${f.pid} (target)\n  patch "pair" at line 1: applied (2 sites)\n    ${sites}: applied (patch "pair")\n    ${second}: applied (patch "pair")\n  ${f.hex('scratch')}: applied (write at line 5)\n`,
    );
    // As a pvm killed between two write calls of a patch leaves it (SIGKILL: no failure pvm sees): here, the second
    // site holds its old bytes again.
    expect(pvm('node', ['-e', `write u32 at ${second} = 2000`, '--pid', String(f.pid), '--allow-write']).status).toBe(0);
    expect(pvm('node', ['status', journal]).stdout).toBe(
      `pid ${f.pid} (target)\n  patch "pair" at line 1: partly applied (2 sites: 1 applied, 1 reverted)\n    ${sites}: applied (patch "pair")\n    ${second}: reverted (patch "pair")\n  ${f.hex('scratch')}: applied (write at line 5)\n`,
    );
    const json = pvm('node', ['status', journal, '--json']).stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(json[0]).toEqual({ type: 'patch', pid: f.pid, startTime: expect.stringMatching(/^\d+$/), patch: 'pair', line: 1, state: 'partly applied', sites: 2, applied: 1, reverted: 1, changed: 0, gone: 0 });
    expect(json.slice(1).map((line) => [line.type, line.state])).toEqual([['status', 'applied'], ['status', 'reverted'], ['status', 'applied']]);
    const revert = pvm('node', ['revert', journal, '--pid', String(f.pid), '--allow-write']);
    expect(revert.status).toBe(0);
    expect(revert.stdout).toContain(`${second}: already reverted (patch "pair")`);
    expect([readU32('node', f, sites), readU32('node', f, second)]).toEqual(['1000', '2000']);
  });
});

describe('a journal near the size pvm status and revert read', () => {
  it('takes no entry that would carry it past 64 MiB: the write is refused (exit 3) and nothing is written', async () => {
    const f = await fixture();
    const journal = journalPath();
    writeFileSync(journal, '');
    truncateSync(journal, MAX_JOURNAL_BYTES - 16); // sparse: costs no disk
    const result = pvm('node', ['-e', `write u32 at ${f.hex('scratch')} = 9`, '--pid', String(f.pid), '--allow-write', '--journal', journal]);
    expect(result.stderr).toContain(`it would pass ${MAX_JOURNAL_BYTES} bytes, the most pvm status and pvm revert read (start a new journal file); nothing was written to the target`);
    expect(result.status).toBe(3);
    expect(readU32('node', f, f.hex('scratch'))).toBe('0');
  });
});

/**
 * The order of a run's journal appends (J), their syncs (S, when each returned) and its writes to the target (W,
 * when each began), as strace saw them.
 */
function syncOrder(trace: string, pid: number): string {
  return trace.split('\n').map((line) => {
    if (/ write\(\d+, "\{\\"journal\\":\\"pvm\\"/.test(line)) return 'J';
    if (/ fdatasync\(\d+\) += 0$/.test(line) || /<\.\.\. fdatasync resumed>\) += 0$/.test(line)) return 'S';
    // The code patch's bytes through /proc/PID/mem, the data patch by process_vm_writev (not the runtime's own pwrites: Deno's cache).
    if (line.includes(' pwrite64(') && line.includes('"\\270\\1\\0\\0\\0\\303"')) return 'W';
    if (line.includes(` process_vm_writev(${pid}, `)) return 'W';
    return '';
  }).join('');
}

describe.each(RUNTIMES)('--journal-sync, on %s', (runtime) => {
  it('each (the default) syncs every patch before its write; end writes each before its write and syncs once, after the last', async () => {
    const f = await fixture();
    // Two patches, two appends: code (written through /proc/PID/mem) and data (process_vm_writev).
    const recipe = `patch "code" { at ${f.hex('is_licensed')} expect hex"55 48 89 e5 8b 05" with hex"b8 01 00 00 00 c3" }\npatch "data" { at ${f.hex('patch_sites')} expect u32 1000 with u32 7 }`;
    const orders: Record<string, string> = {};
    for (const sync of [undefined, 'each', 'end']) {
      const journal = journalPath();
      const trace = join(directory(), 'trace');
      const strace = ['strace', '-f', '-qq', '-s', '24', '-e', 'trace=write,fdatasync,pwrite64,process_vm_writev', '-o', trace];
      const run = pvm(runtime, ['-e', recipe, '--pid', String(f.pid), '--allow-write', '--journal', journal, ...(sync === undefined ? [] : ['--journal-sync', sync])], { prefix: strace });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      orders[sync ?? 'default'] = syncOrder(readFileSync(trace, 'utf8'), f.pid);
      expect(readFileSync(journal, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line).patch)).toEqual(['code', 'data']);
      expect(pvm(runtime, ['revert', journal, '--pid', String(f.pid), '--allow-write']).status).toBe(0);
    }
    expect(orders).toEqual({ default: 'JSWJSW', each: 'JSWJSW', end: 'JWJWS' });
  });

  it('is refused without a journal, or with another value (exit 2)', () => {
    const without = pvm(runtime, ['-e', 'print 1', '--pid', String(process.pid), '--journal-sync', 'end']);
    expect(without.stderr).toContain('--journal-sync applies to a journal');
    expect(without.status).toBe(2);
    const other = pvm(runtime, ['-e', 'print 1', '--pid', String(process.pid), '--journal', journalPath(), '--journal-sync', 'never']);
    expect(other.stderr).toContain('--journal-sync never: not each or end');
    expect(other.status).toBe(2);
  });
});
