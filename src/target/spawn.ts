// `pvm run RECIPE -- COMMAND ARGS...`: pvm starts the program as its own
// child, as `gdb --args`, `strace` and `frida -f` do, so that it may read it
// even under Yama ptrace_scope 1 (only ancestors may), waits until it is
// ready, runs the recipe, then waits for it, leaves it running, or kills it.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { TargetError, UsageError } from '../errors.ts';
import { parseMaps } from '../native/maps.ts';
import { namesModule } from './target.ts';

/**
 * When the program is ready for the recipe: `loaded` (the default: it has
 * exec'd and its mapped files have not changed for 50 ms, so the dynamic
 * loader is done), `module:NAME` (a file so named is mapped: a library it
 * loads later), or `ms:N` (N milliseconds after it starts).
 */
export type Readiness = { readonly kind: 'loaded' } | { readonly kind: 'module'; readonly name: string } | { readonly kind: 'ms'; readonly ms: number };

/** After the recipe: wait for the program to exit, leave it running, or kill it. */
export type Afterwards = 'wait' | 'leave' | 'kill';

export function parseReadiness(text: string): Readiness {
  if (text === 'loaded') return { kind: 'loaded' };
  if (text.startsWith('module:') && text.length > 'module:'.length) return { kind: 'module', name: text.slice('module:'.length) };
  const ms = /^ms:(\d{1,7})$/.exec(text);
  if (ms !== null) return { kind: 'ms', ms: Number(ms[1]) };
  throw new UsageError('usage', `--ready ${text}: not a readiness`, { hint: 'give loaded (the default), module:NAME (e.g. module:libssl.so.3) or ms:N (e.g. ms:500)' });
}

const POLL_MS = 5;
const SETTLE_MS = 50;
const TIMEOUT_MS = 10_000;

export interface Spawned {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Ends the program as asked: resolves when pvm may exit. */
  finish(afterwards: Afterwards): Promise<void>;
}

/**
 * Starts `command` and resolves once it is ready. Its stdin and stderr are
 * pvm's; its stdout too, unless `quietStdout` (with --json its output goes to
 * pvm's stderr, so that pvm's stdout stays one JSON object per line).
 */
export async function spawnTarget(command: readonly string[], readiness: Readiness, quietStdout: boolean): Promise<Spawned> {
  const [file, ...args] = command;
  if (file === undefined) throw new UsageError('usage', 'nothing to run after --', { hint: 'pvm run RECIPE -- ./server --port 8080' });
  // Loaded here, not with this module (the command line's parser imports it): ~5 ms of every start on Bun.
  const { spawn } = await import('node:child_process');
  const child = spawn(file, args, { stdio: ['inherit', quietStdout ? process.stderr : 'inherit', 'inherit'] });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? 'no such program' : error.code === 'EACCES' ? 'permission denied (is it executable?)' : error.message;
      reject(new TargetError('spawn-failed', `cannot start ${file}: ${why}`, { hint: 'check the command after --: it must be a program on PATH or a path to one' }));
    });
    child.once(
      'exit',
      (code, signal) =>
        reject(new TargetError('target-exited', `${file} exited (${signal ?? `status ${code}`}) before it was ready for the recipe`, { hint: 'give --ready ms:N for a program that exits quickly, or check that it runs on its own' })),
    );
  });
  failed.catch(() => {}); // the race below observes it
  const pid = await Promise.race([new Promise<number>((resolve) => child.once('spawn', () => resolve(child.pid!))), failed]);
  // The wait stops polling once the program has ended (`failed` says why), so pvm exits at once.
  await Promise.race([whenReady(pid, readiness, () => child.exitCode !== null || child.signalCode !== null), failed]);
  return {
    pid,
    child,
    finish: async (afterwards) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (afterwards === 'leave') {
        child.unref();
        return;
      }
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      if (afterwards === 'kill') child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Resolves once the process is ready for the recipe (see Readiness), or has ended (`ended`, asked each poll);
 * a TargetError ('not-ready') after TIMEOUT_MS. A program pvm starts (`forkOfPvm`: not before it has exec'd),
 * and each process `--follow` finds.
 */
export async function whenReady(pid: number, readiness: Readiness, ended: () => boolean, { forkOfPvm = true } = {}): Promise<void> {
  const started = Date.now();
  const ownExe = forkOfPvm ? attempt(() => readlinkSync('/proc/self/exe')) : undefined;
  let files = '';
  let stableSince = Date.now();
  for (;;) {
    if (ended()) return;
    const elapsed = Date.now() - started;
    if (readiness.kind === 'ms' && elapsed >= readiness.ms) return;
    // Until it has exec'd, the child is a copy of pvm's runtime.
    const exe = exeOf(pid);
    // Not ours to look at (another user's process): ready as far as pvm can tell; the run says why it may not go on.
    if (exe === REFUSED && !forkOfPvm) return;
    if (typeof exe === 'string' && exe !== ownExe && readiness.kind !== 'ms') {
      const maps = attempt(() => parseMaps(readFileSync(`/proc/${pid}/maps`, 'latin1'))) ?? [];
      if (readiness.kind === 'module' && maps.some((r) => namesModule(r.path, readiness.name))) return;
      if (readiness.kind === 'loaded') {
        const now = [...new Set(maps.filter((r) => r.path.startsWith('/')).map((r) => r.path))].join('\n');
        if (now !== files) {
          files = now;
          stableSince = Date.now();
        } else if (Date.now() - stableSince >= SETTLE_MS) return;
      }
    }
    if (elapsed > TIMEOUT_MS) {
      throw new TargetError('not-ready', `pid ${pid} was not ready after ${TIMEOUT_MS / 1000} s (${readiness.kind === 'module' ? `no module ${readiness.name} was mapped` : 'it kept mapping files'})`, {
        hint: 'give --ready ms:N to run the recipe after a fixed delay',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

const REFUSED = Symbol('refused');

/** The program a process runs (/proc/PID/exe); REFUSED when the kernel will not say (EACCES: another user's), undefined when it is gone. */
function exeOf(pid: number): string | typeof REFUSED | undefined {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === 'EACCES' || code === 'EPERM' ? REFUSED : undefined;
  }
}
