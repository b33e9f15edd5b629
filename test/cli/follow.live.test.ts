// `--follow`: the recipe runs against the matching processes that exist,
// then against each that starts later (a new process, a fork of a patched
// one, one that execs the program again), until SIGTERM or --for; on Node,
// Bun and Deno, through the kernel's process connector (as root) and by
// polling /proc (as an ordinary user, who may not listen to the connector).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { commandFor, pvm, type Runtime, RUNTIMES } from '../helpers/cli.ts';
import { type Fixture, startFixture } from '../helpers/fixture.ts';
import { IS_ROOT } from '../helpers/needs.ts';
import { FIXTURE_BINARY, ROOT } from '../helpers/paths.ts';
import { AS_ORDINARY_USER, ordinaryUserEnv } from '../helpers/users.ts';

const ORIGINAL = '55 48 89 e5 8b 05';
const UNLOCK = 'b8 01 00 00 00 c3';
const patchOf = (name: string) => `patch "unlock" { at symbol("${name}", "is_licensed") expect hex"${ORIGINAL}" with hex"${UNLOCK}" }`;

type Line = Record<string, unknown>;

const started: Fixture[] = [];
const followers: ChildProcess[] = [];
afterEach(async () => {
  for (const f of followers.splice(0)) f.kill('SIGKILL');
  for (const f of started.splice(0)) await f.stop();
});

/** A copy of the fixture under a name no other process has, in a directory anyone may run it from. */
function fixtureCopy(): { name: string; binary: string } {
  const name = `pvmfo${process.pid % 10000}${Math.floor(Math.random() * 1000)}`.slice(0, 15);
  const directory = mkdtempSync(join(tmpdir(), 'pvm-follow-'));
  chmodSync(directory, 0o755);
  const binary = join(directory, name);
  copyFileSync(FIXTURE_BINARY, binary);
  return { name, binary };
}

async function fixture(binary: string, prefix: readonly string[] = []): Promise<Fixture> {
  const f = await startFixture([], prefix, binary);
  started.push(f);
  return f;
}

/** pvm --follow, started in the background: its JSON lines as they come, and its end. */
function follow(runtime: Runtime, args: readonly string[], asUser = false) {
  const prefix = asUser ? AS_ORDINARY_USER : [];
  const [command, ...rest] = [...prefix, ...commandFor(runtime), ...args, '--follow', '--json'];
  const child = spawn(command!, rest, { cwd: ROOT, env: { ...process.env, ...(asUser ? ordinaryUserEnv() : {}) }, stdio: ['ignore', 'pipe', 'pipe'] });
  followers.push(child);
  const lines: Line[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const waiting: { holds: (line: Line) => boolean; resolve: (line: Line) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const line = JSON.parse(text) as Line;
    lines.push(line);
    for (const w of waiting.filter((w) => w.holds(line))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve(line);
    }
  });
  const ended = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    lines,
    ended,
    get stderr() {
      return stderr;
    },
    /** The first line (already printed, or to come within 15 s) that `holds`. */
    line(holds: (line: Line) => boolean, what: string): Promise<Line> {
      const found = lines.find(holds);
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} from pvm --follow in 15 s; it printed:\n${lines.map((l) => JSON.stringify(l)).join('\n')}\n${stderr}`)), 15_000);
        waiting.push({ holds, resolve: (line) => (clearTimeout(timer), resolve(line)) });
      });
    },
  };
}

const targetOf = (pid: number) => (line: Line) => line.type === 'target' && line.pid === pid;
const patchLineOf = (pid: number) => (line: Line) => line.type === 'patch' && line.pid === pid;

describe.each(RUNTIMES)('--follow on %s', (runtime) => {
  const modes: [string, boolean, 'connector' | 'poll'][] = IS_ROOT ? [['the process connector', false, 'connector'], ['polling /proc as an ordinary user', true, 'poll']] : [['polling /proc', false, 'poll']];
  it.each(modes)('patches the processes there, then one started later, a fork of a patched one and one that execs the program again, until SIGTERM (%s)', async (_, asUser, source) => {
    const { name, binary } = fixtureCopy();
    const prefix = asUser ? AS_ORDINARY_USER : [];
    const first = await fixture(binary, prefix);
    const dir = mkdtempSync(join(tmpdir(), 'pvm-follow-journal-'));
    chmodSync(dir, 0o777);
    const journal = join(dir, 'follow.journal');
    const run = follow(runtime, ['-e', patchOf(name), '--match', `name=${name}`, '--allow-write', '--journal', journal], asUser);
    expect(await run.line(targetOf(first.pid), 'line for the process that was there')).toMatchObject({ status: 'ok', exit: 0 });

    // A process started later is patched once it is ready: the patched function answers 1.
    const later = await fixture(binary, prefix);
    expect(await run.line(patchLineOf(later.pid), 'patch of the process started later')).toMatchObject({ status: 'applied' });
    await run.line(targetOf(later.pid), 'end of the process started later');
    expect(await later.ask('l')).toBe('licensed=1');

    // A fork inherits the patched bytes: already applied, and journaled as its own process.
    const child = Number((await later.ask('f')).replace('child=', ''));
    expect(await run.line(patchLineOf(child), 'patch of the forked child')).toMatchObject({ status: 'already applied' });

    // The same process execs the program again: a new image, patched again.
    later.child.stdin!.write(`x ${binary}\n`);
    await run.line((line) => line.type === 'patch' && line.pid === later.pid && run.lines.filter(patchLineOf(later.pid)).length === 2, 'patch after the exec');

    run.child.kill('SIGTERM');
    expect(await run.ended).toBe(0);
    const summary = run.lines.at(-1)!;
    expect(summary).toMatchObject({ type: 'summary', processes: 4, ok: 4, failed: 0, exit: 0, follow: { source } });

    // pvm status names every process followed, the fork included (its site holds the patch).
    const status = pvm(runtime, ['status', journal, '--json']);
    const pids = status.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Line).filter((l) => l.type === 'status').map((l) => l.pid);
    for (const pid of [first.pid, later.pid, child]) expect(pids).toContain(pid);
  }, 60_000);

  it.each(modes)('patches a process that takes the name after its start, journals no patch it did not make, and a revert after a re-exec undoes the program that runs (%s)', async (_, asUser) => {
    const { name, binary } = fixtureCopy();
    const prefix = asUser ? AS_ORDINARY_USER : [];
    // Patched before pvm follows, by another run: its fork holds the patch, which this run did not make.
    const before = await fixture(binary, prefix);
    expect(pvm(runtime, ['-e', patchOf(name), '--pid', String(before.pid), '--allow-write'], asUser ? { prefix, env: ordinaryUserEnv() } : {}).status).toBe(0);
    // The same program started under another name (a link to it): it matches only once it takes the name.
    const alias = join(dirname(binary), `z${name.slice(1)}`);
    symlinkSync(binary, alias);
    const dir = mkdtempSync(join(tmpdir(), 'pvm-follow-journal-'));
    chmodSync(dir, 0o777);
    const journal = join(dir, 'follow.journal');
    const run = follow(runtime, ['-e', patchOf(name), '--match', `name=${name}`, '--allow-write', '--journal', journal], asUser);
    expect(await run.line(patchLineOf(before.pid), 'the process there')).toMatchObject({ status: 'already applied' });
    const child = Number((await before.ask('f')).replace('child=', ''));
    expect(await run.line(patchLineOf(child), 'its fork')).toMatchObject({ status: 'already applied' });

    // A worker naming itself after its start (polling sees it within its first seconds).
    const renamed = await fixture(alias, prefix);
    expect(await renamed.ask(`n ${name}`)).toBe('renamed');
    await run.line(targetOf(renamed.pid), 'the renamed process');

    // Re-exec: a new image of the same process, patched again; the first image's entries go with it.
    const later = await fixture(binary, prefix);
    await run.line(patchLineOf(later.pid), 'the process started later');
    later.child.stdin!.write(`x ${binary}\n`);
    await run.line((line) => line.type === 'patch' && line.pid === later.pid && run.lines.filter(patchLineOf(later.pid)).length === 2, 'patch after the exec');
    run.child.kill('SIGTERM');
    expect(await run.ended).toBe(0);

    const entries = readFileSync(journal, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Line);
    expect(entries.filter((e) => e.pid === before.pid)).toEqual([]); // found applied, not by this run: not journaled
    expect(entries.filter((e) => e.pid === child)).toEqual([]); // nor its fork (its parent was not patched by this run)
    expect(entries.filter((e) => e.pid === later.pid)).toHaveLength(2);
    const reverted = pvm(runtime, ['revert', journal, '--allow-write', '--json'], asUser ? { prefix, env: ordinaryUserEnv() } : {});
    expect(reverted.stderr).toBe('');
    expect(reverted.status).toBe(0);
    // Its code holds the original bytes again (read by symbol: the exec moved it).
    const code = pvm(runtime, ['-e', `print hex(read bytes 6 at symbol("${name}", "is_licensed"))`, '--pid', String(later.pid)], asUser ? { prefix, env: ordinaryUserEnv() } : {});
    expect(code.stdout.trim()).toBe(ORIGINAL.replaceAll(' ', ''));
  }, 60_000);

  it('ends by itself after --for, exit 0, having found nothing', async () => {
    const { name } = fixtureCopy();
    const run = follow(runtime, ['-e', 'print 1', '--match', `name=${name}`, '--for', '300ms']);
    expect(await run.ended).toBe(0);
    expect(run.lines).toEqual([{ type: 'summary', processes: 0, ok: 0, failed: 0, exit: 0, helpers: 0, helped: 0, follow: expect.objectContaining({ seen: expect.any(Number) }) }]);
  });
});

describe('--follow over a churn of short-lived processes', () => {
  it('keeps what it holds bounded and still patches a process started after thousands came and went', async () => {
    const { name, binary } = fixtureCopy();
    const run = follow('node', ['-e', patchOf(name), '--match', `name=${name}`, '--allow-write']);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${run.child.pid}/status`, 'utf8'))![1]);
    const before = rss();
    // 3000 processes, each a fork and an exec of a program that does not match.
    const churn = spawnSync('sh', ['-c', 'i=0; while [ $i -lt 3000 ]; do /bin/true; i=$((i+1)); done'], { stdio: 'ignore' });
    expect(churn.status).toBe(0);
    const f = await fixture(binary);
    await run.line(targetOf(f.pid), 'line for the process started after the churn');
    const after = rss();
    run.child.kill('SIGTERM');
    expect(await run.ended).toBe(0);
    const summary = run.lines.at(-1)! as { follow: { seen: number; peakKept: number }; processes: number };
    expect(summary.processes).toBe(1);
    // It kept the one process it patched, never the thousands it looked at (polling sees only those alive at a tick).
    expect(summary.follow.peakKept).toBe(1);
    expect(after - before).toBeLessThan(40 * 1024); // kB: a heap that grew with the churn would pass this
  }, 120_000);
});

describe('--follow usage', () => {
  it.each([
    [['-e', 'print 1', '--pid', '1', '--follow'], '--follow applies to --match'],
    [['-e', 'print 1', '--match', 'name=x', '--for', '10s'], '--for applies to --follow'],
    [['-e', 'print 1', '--match', 'name=x', '--follow', '--for', '10 parsecs'], '--for 10 parsecs: not a duration'],
    [['-e', 'print 1', '--match', 'name=x', '--ready', 'loaded'], '--ready applies to a program pvm starts, or to the processes --follow finds'],
  ])('%j is refused (exit 2)', (args, message) => {
    const result = pvm('node', args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
