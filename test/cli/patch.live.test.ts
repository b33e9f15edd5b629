// Issue 5 on live processes, on Node, Bun and Deno: patching code while it
// runs, freezing, the journal and `pvm revert`, and --dry-run.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pvm, type Runtime, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, fixturesPerTest } from '../helpers/fixture.ts';

const fixture = fixturesPerTest();

const journalPath = () => join(mkdtempSync(join(tmpdir(), 'pvm-journal-')), 'fix.journal');
const state = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0];

/** The first bytes of a function, read by pvm itself. */
function codeAt(runtime: Runtime, f: Fixture, name: string, length: number): string {
  const result = pvm(runtime, ['-e', `print hex(read bytes ${length} at ${f.hex(name)})`, '--pid', String(f.pid)]);
  expect(result.stderr).toBe('');
  return result.stdout.trim().replace(/(..)(?!$)/g, '$1 ');
}

/** `is_licensed` made to return 1: `mov eax, 1; ret`. */
const UNLOCK = 'b8 01 00 00 00 c3';

describe.each(RUNTIMES)('patching on %s', (runtime) => {
  it('patches a function while the process runs (code page through /proc/PID/mem), and says so', async () => {
    const f = await fixture();
    expect(await f.ask('l')).toBe('licensed=0');
    const original = codeAt(runtime, f, 'is_licensed', 6);
    const recipe = `patch "unlock" { at ${f.hex('is_licensed')} expect hex"${original}" with hex"${UNLOCK}" }`;
    const result = pvm(runtime, ['-e', recipe, '--pid', String(f.pid), '--allow-write', '--json']);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      type: 'patch',
      name: 'unlock',
      status: 'applied',
      sites: [{ address: f.hex('is_licensed'), before: original.replaceAll(' ', ''), after: UNLOCK.replaceAll(' ', '') }],
      stoppedThreads: 1,
      line: 1,
    });
    expect(await f.ask('l')).toBe('licensed=1');
    // Idempotent: the second run finds it applied and writes nothing.
    const again = pvm(runtime, ['-e', recipe, '--pid', String(f.pid), '--allow-write']);
    expect(again).toMatchObject({ status: 0, stdout: 'patch "unlock": already applied (1 site)\n' });
  });

  it('writes nothing to code whose bytes are not the expected ones (exit 1)', async () => {
    const f = await fixture();
    const original = codeAt(runtime, f, 'is_licensed', 6);
    const result = pvm(runtime, ['-e', `patch { at ${f.hex('is_licensed')} expect hex"90 90 90 90 90 ??" with hex"${UNLOCK}" }`, '--pid', String(f.pid), '--allow-write']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`at ${f.hex('is_licensed')} (line 1): expected hex"90 90 90 90 90 ??", found hex"${original}"`);
    expect(codeAt(runtime, f, 'is_licensed', 6)).toBe(original);
    expect(await f.ask('l')).toBe('licensed=0');
  });

  it('refuses to change code a thread is executing, and writes nothing (exit 4)', async () => {
    const f = await fixture(['--spin']);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the thread reach its loop
    const original = codeAt(runtime, f, 'spin_here', 8);
    const result = pvm(runtime, ['-e', `patch { at ${f.hex('spin_here')} expect hex"${original}" with hex"90 90 90 90 90 90 90 c3" }`, '--pid', String(f.pid), '--allow-write']);
    expect(result.status).toBe(4);
    expect(result.stderr).toMatch(new RegExp(`thread \\d+ of pid ${f.pid} is inside the site at ${f.hex('spin_here')} \\(executing at 0x[0-9a-f]+\\) at each of 20 tries; nothing was written`));
    expect(codeAt(runtime, f, 'spin_here', 8)).toBe(original);
    expect(state(f.pid)).not.toBe('t'); // resumed, not left traced
  });

  it('freezes every thread for the write only, and leaves a stopped process stopped', async () => {
    const f = await fixture(['--spin']);
    const sites = f.hex('patch_sites');
    const spin = await fixture(['--spin']);
    // A data patch with `freeze`: both threads stop for the write and run again after.
    const running = pvm(runtime, ['-e', `patch freeze { at ${spin.hex('patch_sites')} expect u32 1000 with u32 1001 }`, '--pid', String(spin.pid), '--allow-write']);
    expect(running).toMatchObject({ status: 0, stdout: expect.stringContaining('applied (1 site; 2 threads stopped for the write)') });
    expect(state(spin.pid)).toMatch(/^[RS]$/);
    // Stopped by job control before the patch: still stopped after it (--freeze, the flag form).
    process.kill(f.pid, 'SIGSTOP');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(state(f.pid)).toBe('T');
    const stopped = pvm(runtime, ['-e', `patch { at ${sites} expect u32 1000 with u32 1002 }`, '--pid', String(f.pid), '--allow-write', '--freeze']);
    expect(stopped).toMatchObject({ status: 0, stdout: expect.stringContaining('applied (1 site; 2 threads stopped for the write)') });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(state(f.pid)).toBe('T');
    process.kill(f.pid, 'SIGCONT');
    expect(pvm(runtime, ['-e', `print read u32 at ${sites}`, '--pid', String(f.pid)]).stdout).toBe('1002\n');
  });

  it('journals before writing, and reverts only what still holds the patch', async () => {
    const f = await fixture();
    const journal = journalPath();
    const sites = f.hex('patch_sites');
    const original = codeAt(runtime, f, 'is_licensed', 6);
    const recipe = `patch "both" {\n at ${f.hex('is_licensed')} expect hex"${original}" with hex"${UNLOCK}"\n at ${sites} expect u32 1000 with u32 7\n}`;
    expect(pvm(runtime, ['-e', recipe, '--pid', String(f.pid), '--allow-write', '--journal', journal]).status).toBe(0);
    const entries = readFileSync(journal, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      journal: 'pvm',
      version: 2,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      pid: f.pid,
      patch: 'both',
      line: 1,
      address: f.hex('is_licensed'),
      old: original.replaceAll(' ', ''),
      new: UNLOCK.replaceAll(' ', ''),
    });
    expect(entries[0].startTime).toMatch(/^\d+$/);
    expect(entries[0].module).toMatchObject({ path: expect.stringMatching(/\/target$/), buildId: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(entries[1]).toMatchObject({ address: sites, module: { path: expect.stringMatching(/\/target$/) }, old: 'e8030000', new: '07000000' });
    // Someone else changes the data site afterwards: revert restores the code and leaves that site alone (exit 1).
    expect(pvm(runtime, ['-e', `write u32 at ${sites} = 99`, '--pid', String(f.pid), '--allow-write']).status).toBe(0);
    expect(await f.ask('l')).toBe('licensed=1');
    const revert = pvm(runtime, ['revert', journal, '--pid', String(f.pid), '--allow-write']);
    expect(revert.status).toBe(1);
    expect(revert.stdout).toBe(
      `${f.hex('is_licensed')}: restored (patch "both"): hex"${UNLOCK}" -> hex"${original}"\n` +
        `${sites}: changed since (patch "both"): left alone: holds hex"63 00 00 00", not hex"07 00 00 00" as pvm wrote\n`,
    );
    expect(revert.stderr).toContain('1 of 2 sites no longer holds what pvm wrote and was left alone');
    expect(await f.ask('l')).toBe('licensed=0');
    expect(pvm(runtime, ['-e', `print read u32 at ${sites}`, '--pid', String(f.pid)]).stdout).toBe('99\n');
    // Reverting again changes nothing and says so.
    const twice = pvm(runtime, ['revert', journal, '--pid', String(f.pid), '--allow-write', '--json']);
    expect(twice.stdout.split('\n')[0]).toContain('"status":"already reverted"');
  });

  it('journals plain writes too, and reverts them', async () => {
    const f = await fixture();
    const journal = journalPath();
    const scratch = f.hex('scratch');
    expect(pvm(runtime, ['-e', `write u32 at ${scratch} = 5\nwrite u8 at ${scratch} + 8 = 6`, '--pid', String(f.pid), '--allow-write', '--journal', journal]).status).toBe(0);
    const entries = readFileSync(journal, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(entries.map((e) => [e.statement, e.patch, e.line, e.old, e.new])).toEqual([
      ['write', null, 1, '00000000', '05000000'],
      ['write', null, 2, '00', '06'],
    ]);
    const revert = pvm(runtime, ['revert', journal, '--pid', String(f.pid), '--allow-write']);
    expect(revert.stdout).toBe(`${scratch}: restored (write at line 1): hex"05 00 00 00" -> hex"00 00 00 00"\n0x${(f.at('scratch') + 8n).toString(16)}: restored (write at line 2): hex"06" -> hex"00"\n`);
    expect(pvm(runtime, ['-e', `print read u32 at ${scratch}, read u8 at ${scratch} + 8`, '--pid', String(f.pid)]).stdout).toBe('0 0\n');
  });

  it('writes nothing when the journal cannot be written (exit 3)', async () => {
    const f = await fixture();
    const result = pvm(runtime, ['-e', `patch { at ${f.hex('patch_sites')} expect u32 1000 with u32 5 }`, '--pid', String(f.pid), '--allow-write', '--journal', '/dev/full']);
    expect(result.status).toBe(3);
    // A device is refused before anything is read or written (a journal that fills up is journal.live.test.ts's).
    expect(result.stderr).toContain("cannot open the journal '/dev/full' for appending: it is a character device, not a regular file");
    expect(result.stderr).toContain('nothing was written to the target');
    expect(pvm(runtime, ['-e', `print read u32 at ${f.hex('patch_sites')}`, '--pid', String(f.pid)]).stdout).toBe('1000\n');
  });

  it('refuses a journal of a process that has exited, even under its pid', async () => {
    const first = await fixture();
    const journal = journalPath();
    expect(pvm(runtime, ['-e', `patch { at ${first.hex('patch_sites')} expect u32 1000 with u32 5 }`, '--pid', String(first.pid), '--allow-write', '--journal', journal]).status).toBe(0);
    await first.stop();
    const gone = pvm(runtime, ['revert', journal, '--pid', String(first.pid), '--allow-write']);
    expect(gone.status).toBe(4);
    expect(gone.stderr).toContain(`no process with pid ${first.pid}`);
    const other = await fixture();
    const refused = pvm(runtime, ['revert', journal, '--pid', String(other.pid), '--allow-write']);
    expect(refused.status).toBe(4);
    expect(refused.stderr).toContain(`${journal} records patches of pid ${first.pid} (started at tick `);
    expect(pvm(runtime, ['-e', `print read u32 at ${other.hex('patch_sites')}`, '--pid', String(other.pid)]).stdout).toBe('1000\n');
  });

  it('--dry-run verifies every site and write, shows them, and changes nothing, without --allow-write', async () => {
    const f = await fixture();
    const original = codeAt(runtime, f, 'is_licensed', 6);
    const recipe = `write u32 at ${f.hex('scratch')} = 5\npatch { at ${f.hex('is_licensed')} expect hex"${original}" with hex"${UNLOCK}" }`;
    const result = pvm(runtime, ['-e', recipe, '--pid', String(f.pid), '--dry-run', '--journal', journalPath()]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`would write 4 bytes at ${f.hex('scratch')}: hex"05 00 00 00" (line 1)\npatch at line 2: would apply (1 site)\n  ${f.hex('is_licensed')}: ${original.replaceAll(' ', '')} -> ${UNLOCK.replaceAll(' ', '')}\n`);
    expect(await f.ask('l')).toBe('licensed=0');
    const bad = pvm(runtime, ['-e', `write u8 at ${f.hex('version')} = 1`, '--pid', String(f.pid), '--dry-run']);
    expect(bad.status).toBe(4);
    expect(bad.stderr).toContain('which has no write permission');
  });
});

it('says what is wrong with a journal file that is not one', () => {
  const path = journalPath();
  expect(pvm('node', ['revert', path, '--pid', String(process.pid), '--allow-write'])).toMatchObject({ status: 2, stderr: expect.stringContaining(`cannot read the journal '${path}': no such file`) });
});

describe.each(RUNTIMES)('expect longer than with, and return addresses on %s', (runtime) => {
  it('verifies an anchored signature, writes only what `with` replaces, finds it applied again, and reverts just those bytes', async () => {
    const f = await fixture();
    const original = codeAt(runtime, f, 'is_licensed', 16).replaceAll(' ', '');
    // After the prologue (push rbp; mov rbp, rsp): mov eax, [rip+d]; cmp eax, imm — 11 bytes verified, with the
    // displacement left open; the first 7 become mov eax, 1; pop rbp; ret, and the last 4 stay as they are.
    const spaced = (hex: string) => hex.replace(/(..)(?!$)/g, '$1 ');
    const expect_ = `${spaced(original.slice(8, 12))} ?? ?? ?? ?? ${spaced(original.slice(20, 30))}`;
    const replacement = 'b8 01 00 00 00 5d c3';
    const recipe = `patch at ${f.hex('is_licensed')} + 4 expect hex"${expect_}" with hex"${replacement}"`;
    const journal = journalPath();
    expect(pvm(runtime, ['-e', recipe, '--pid', String(f.pid), '--allow-write', '--journal', journal])).toMatchObject({ status: 0, stderr: '' });
    expect(codeAt(runtime, f, 'is_licensed', 16).replaceAll(' ', '')).toBe(original.slice(0, 8) + replacement.replaceAll(' ', '') + original.slice(22));
    expect(await f.ask('l')).toBe('licensed=1');
    expect(pvm(runtime, ['-e', recipe, '--pid', String(f.pid), '--allow-write']).stdout).toContain('already applied');
    expect(pvm(runtime, ['revert', journal, '--pid', String(f.pid), '--allow-write']).status).toBe(0);
    expect(codeAt(runtime, f, 'is_licensed', 16).replaceAll(' ', '')).toBe(original);
  });

  it('refuses a site that a thread will return into (its stack holds an address inside the site), and writes nothing (exit 4)', async () => {
    const f = await fixture();
    const text = readFileSync(`/proc/${f.pid}/maps`, 'utf8').split('\n').find((line) => line.includes('r-xp') && line.endsWith('/target'))!;
    const [start, end] = text.split(' ')[0]!.split('-').map((n) => `0x${n}`);
    // A word on the main thread's stack that points into the fixture's code: a return address (of the call that waits for stdin).
    const find = `let sp = reg(threads()[0], "rsp")\nlet i = 0\nwhile i < 4096 {\n  let w = [sp + i * 8]\n  if w > ${start} && w < ${end} {\n    print w\n    break\n  }\n  i = i + 1\n}`;
    const word = pvm(runtime, ['-e', find, '--pid', String(f.pid)]).stdout.trim();
    expect(word).toMatch(/^0x[0-9a-f]+$/);
    const bytes = pvm(runtime, ['-e', `print hex(read bytes 2 at ${word} - 1)`, '--pid', String(f.pid)]).stdout.trim();
    const result = pvm(runtime, ['-e', `patch at ${word} - 1 expect hex"${bytes.slice(0, 2)} ${bytes.slice(2)}" with hex"90 90"`, '--pid', String(f.pid), '--allow-write']);
    expect(result.status).toBe(4);
    expect(result.stderr).toContain(`thread ${f.pid} of pid ${f.pid} will return into the site at`);
    expect(pvm(runtime, ['-e', `print hex(read bytes 2 at ${word} - 1)`, '--pid', String(f.pid)]).stdout.trim()).toBe(bytes);
  });
});

describe.each(RUNTIMES)('one journal, several processes, on %s', (runtime) => {
  it('pvm status shows each site applied, changed or gone, and pvm revert without a target reverts every process still there', async () => {
    const [a, b, c] = [await fixture(), await fixture(), await fixture()];
    const journal = journalPath();
    for (const f of [a, b, c]) {
      expect(pvm(runtime, ['-e', `patch "p" at ${f.hex('patch_sites')} expect u32 1000 with u32 7`, '--pid', String(f.pid), '--allow-write', '--journal', journal]).status).toBe(0);
    }
    expect(pvm(runtime, ['-e', `write u32 at ${b.hex('patch_sites')} = 9`, '--pid', String(b.pid), '--allow-write']).status).toBe(0);
    await c.stop();
    const status = pvm(runtime, ['status', journal, '--json']);
    expect(status.status).toBe(0);
    expect(status.stdout.trimEnd().split('\n').map((line) => JSON.parse(line)).filter((s) => s.type === 'status').map((s) => [s.pid, s.state])).toEqual([[a.pid, 'applied'], [b.pid, 'changed'], [c.pid, 'gone']]);
    // b's site changed since: left alone, exit 1; a is reverted all the same, c is gone.
    const revert = pvm(runtime, ['revert', journal, '--allow-write', '--json']);
    expect(revert.status).toBe(1);
    const lines = revert.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines.filter((l) => l.type === 'target').map((l) => [l.pid, l.status, l.exit])).toEqual([[a.pid, 'reverted', 0], [b.pid, 'failed', 1], [c.pid, 'gone', 0]]);
    expect(lines.at(-1)).toEqual({ type: 'summary', processes: 3, reverted: 1, alreadyReverted: 0, gone: 1, failed: 1, exit: 1 });
    expect(pvm(runtime, ['-e', `print read u32 at ${a.hex('patch_sites')}`, '--pid', String(a.pid)]).stdout).toBe('1000\n');
    expect(pvm(runtime, ['-e', `print read u32 at ${b.hex('patch_sites')}`, '--pid', String(b.pid)]).stdout).toBe('9\n');
    expect(pvm(runtime, ['status', journal, '--pid', String(a.pid)]).stdout).toBe(`pid ${a.pid} (target)\n  ${a.hex('patch_sites')}: reverted (patch "p")\n`);
  });

  it('pvm revert of a journal reverted already writes nothing, and counts the process apart from those it reverted', async () => {
    const f = await fixture();
    const journal = journalPath();
    const site = f.hex('patch_sites');
    expect(pvm(runtime, ['-e', `patch "p" at ${site} expect u32 1000 with u32 7`, '--pid', String(f.pid), '--allow-write', '--journal', journal]).status).toBe(0);
    const first = pvm(runtime, ['revert', journal, '--allow-write']);
    expect(first.stdout).toBe(`pid ${f.pid} (target):\n${site}: restored (patch "p"): hex"07 00 00 00" -> hex"e8 03 00 00"\n1 process: 1 reverted, 0 already reverted, 0 gone, 0 failed\n`);
    const again = pvm(runtime, ['revert', journal, '--allow-write']);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(`pid ${f.pid} (target):\n${site}: already reverted (patch "p"): holds hex"e8 03 00 00" already, nothing written\n1 process: 0 reverted, 1 already reverted, 0 gone, 0 failed\n`);
    const json = pvm(runtime, ['revert', journal, '--allow-write', '--json']).stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(json.slice(1)).toEqual([
      { type: 'target', pid: f.pid, status: 'already reverted', exit: 0 },
      { type: 'summary', processes: 1, reverted: 0, alreadyReverted: 1, gone: 0, failed: 0, exit: 0 },
    ]);
    expect(pvm(runtime, ['-e', `print read u32 at ${site}`, '--pid', String(f.pid)]).stdout).toBe('1000\n');
  });
});

describe('a thread that no stop reaches (state D: the parent of a vfork)', () => {
  it('makes a patch of code give up, resume every thread and name it with its state (exit 4), writing nothing', async () => {
    const f = await fixture(['--vfork']);
    const original = codeAt('node', f, 'is_licensed', 6);
    const result = pvm('node', ['-e', `patch at ${f.hex('is_licensed')} expect hex"${original}" with hex"${UNLOCK}"`, '--pid', String(f.pid), '--allow-write']);
    expect(result.status).toBe(4);
    expect(result.stderr).toMatch(/cannot stop every thread of pid \d+ \(target\): thread \d+ in state D \(uninterruptible sleep\)( in \S+)? did not stop within 2000 ms; every thread was resumed/);
    expect(state(f.pid)).not.toBe('t');
    expect(codeAt('node', f, 'is_licensed', 6)).toBe(original);
    expect(await f.ask('l')).toBe('licensed=0');
  });
});

describe('a thread blocked in a system call', () => {
  it('resumes at pc - 2, where the kernel restarts the call: a patch of those bytes is refused, and nothing is written (exit 4)', async () => {
    const f = await fixture();
    // The fixture's only thread waits in read(2): /proc/PID/syscall is `0 args… sp pc`, and the bytes before pc are `syscall` (0f 05).
    const syscall = () => readFileSync(`/proc/${f.pid}/syscall`, 'latin1').trim().split(' ');
    const deadline = Date.now() + 5000;
    while (syscall()[0] !== '0' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const fields = syscall();
    expect(fields[0]).toBe('0');
    const pc = BigInt(fields.at(-1)!);
    const site = `0x${(pc - 2n).toString(16)}`;
    const result = pvm('node', ['-e', `patch at ${site} expect hex"0f 05" with hex"eb fe"`, '--pid', String(f.pid), '--allow-write']);
    expect(result.stderr).toContain(`is inside the site at ${site} (blocked in a system call it will restart at ${site}) at each of 20 tries; nothing was written`);
    expect(result.status).toBe(4);
    expect(await f.ask('l')).toBe('licensed=0'); // still serving: not spinning on a patched syscall
  });
});

describe('two patchers of one process', () => {
  it('take turns: a patch waits for the write lock another pvm holds, and names it when it gives up (exit 4)', async () => {
    const f = await fixture();
    const { loadLibc } = await import('../../src/native/libc.ts');
    const { closeSync, openSync } = await import('node:fs');
    const libc = await loadLibc();
    // The lock is a flock on the process's /proc/PID/mem: this test holds it, as another pvm would.
    const fd = openSync(`/proc/${f.pid}/mem`, 'r');
    try {
      expect(libc.flock(fd, 2 | 4)).toBe(0); // LOCK_EX | LOCK_NB
      const sites = f.hex('patch_sites');
      const result = pvm('node', ['-e', `patch at ${sites} expect u32 1000 with u32 1001`, '--pid', String(f.pid), '--allow-write']);
      expect(result.stderr).toContain(`another pvm (pid ${process.pid}) is writing to pid ${f.pid} (target); nothing was written`);
      expect(result.status).toBe(4);
      expect(pvm('node', ['-e', `print read u32 at ${sites}`, '--pid', String(f.pid)]).stdout).toBe('1000\n');
    } finally {
      libc.flock(fd, 8);
      closeSync(fd);
    }
    // Free again: the same patch applies.
    expect(pvm('node', ['-e', `patch at ${f.hex('patch_sites')} expect u32 1000 with u32 1001`, '--pid', String(f.pid), '--allow-write']).status).toBe(0);
  });

  it('take turns when four patch it at once: exactly one writes', async () => {
    const f = await fixture();
    const sites = f.hex('patch_sites');
    // Four pvms patching one process at once: one writes 1001 over 1000, the others find it already applied or not expected.
    const { spawn } = await import('node:child_process');
    const { commandFor } = await import('../helpers/cli.ts');
    const [command, ...rest] = commandFor('node');
    const runs = Array.from({ length: 4 }, () =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        const child = spawn(command!, [...rest, '-e', `patch at ${sites} expect u32 1000 with u32 1001`, '--pid', String(f.pid), '--allow-write'], { stdio: ['ignore', 'pipe', 'ignore'] });
        let stdout = '';
        child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.on('close', (code) => resolve({ code: code ?? -1, stdout }));
      }));
    const results = await Promise.all(runs);
    // Under the lock, exactly one wrote; each other found the patch applied, or (checked before it, re-checked
    // under the lock after it) the site changed, and wrote nothing (exit 1).
    expect(results.filter((r) => r.stdout.startsWith('patch at line 1: applied'))).toHaveLength(1);
    expect(results.every((r) => r.code === 0 || r.code === 1)).toBe(true);
    expect(pvm('node', ['-e', `print read u32 at ${sites}`, '--pid', String(f.pid)]).stdout).toBe('1001\n');
  });
});

describe('a hot site', () => {
  it('is patched while a thread calls it over and over: pvm retries the freeze until no thread is inside it', async () => {
    const f = await fixture(['--hot']);
    const original = codeAt('node', f, 'is_licensed', 6);
    const result = pvm('node', ['-e', `patch at ${f.hex('is_licensed')} expect hex"${original}" with hex"${UNLOCK}"`, '--pid', String(f.pid), '--allow-write', '--verbose']);
    expect(result.stderr).toMatch(/^patch at line 1: 2 thread\(s\) stopped for \d+ µs/);
    expect(result.status).toBe(0);
    expect(await f.ask('l')).toBe('licensed=1');
  });
});
