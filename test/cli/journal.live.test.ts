// Issue 29, items 10-15 ("Nothing lost, nothing leaked"), on live processes:
// a journal that fills up refuses the patch, an entry appended after a cut
// line is not lost, a process that exec'd another program is not reverted,
// a write the journal cannot read is refused, a refused run makes no journal,
// and `pvm status` says when a patch is partly applied.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pvm, type Runtime, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, fixturesPerTest } from '../helpers/fixture.ts';

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
});
