// `pvm run RECIPE --match SELECTOR` (or --pid given more than once): the
// recipe, compiled once, runs against every process in this pvm, one after
// the other, sharing the ELF files it parses (each file parsed once for all
// processes that map it). When the work left would take longer than starting
// another pvm, helpers are started (up to --jobs in all, this pvm included):
// each is a pvm of the same runtime that prepares the same command, then runs
// one process at a time as this one hands them out (serveAsHelper), so a run
// of cheap patches pays no start-up it does not need and a run of long scans
// uses every core.
//
// One process that vanishes, refuses or fails never stops the others. With
// --json every line carries "pid", each process ends with a `target` line and
// the run with a `summary`; for people, each process's output is a block under
// its pid. Blocks come in the order of the pids, each as soon as it and those
// before it are done. The exit status is the most serious of the processes'
// (journal-commands.ts mostSerious).
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { attempt } from '../attempt.ts';
import { count } from '../count.ts';
import { type ExitCode, PvmError, TargetError } from '../errors.ts';
import { ElfFiles } from '../runtime/symbols/elf-files.ts';
import { nearestProcesses, selectProcesses } from '../target/select-processes.ts';
import type { Command } from './args.ts';
import { formatError, formatErrorJson } from './format.ts';
import { mostSerious } from './journal-commands.ts';
import { HELPER_VARIABLE, type PreparedRun, runPrepared } from './run-command.ts';
import { writeStdout } from './stdout.ts';

type Out = (text: string) => void;
type RunMany = Extract<Command, { kind: 'run-many' }>;

/** What one process's run printed, and how it ended. */
export interface Finished {
  readonly pid: number;
  /** Its name when the run began ('exited' for a process that was gone). */
  readonly comm: string;
  readonly exit: ExitCode;
  readonly stdout: readonly string[];
  readonly stderr: readonly string[];
}

/**
 * A helper pvm is worth starting only for more work left than this, as
 * estimated from this pvm's processes so far. It takes ~0.25-0.3 s to start
 * (Node) on a core it shares with this one, and its first processes run cold
 * (JIT, caches), as this pvm's did: here, the first thirty patches of a fleet
 * took 3-11 ms each, the rest 2-3. So the estimate runs high early, and a
 * helper pays off only past ~0.8 s of true work: 200 patches (~0.6 s of
 * work, estimated at 1-1.1 s) took 0.87-0.94 s with a helper against 0.7
 * without.
 */
const HELPER_START_MS = 2000;
/** How long a helper with no work left may take to exit before it is killed. */
const HELPER_GRACE_MS = 10_000;

export async function runMany(command: RunMany, prepared: PreparedRun, out: Out): Promise<ExitCode> {
  const pids = command.pids ?? selectProcesses(command.selector!, process.pid);
  if (pids.length === 0) {
    const near = nearestProcesses(command.selector!, process.pid);
    const list = near.map((p) => `\n  pid ${p.pid} (${p.comm}): ${p.failing.join(', ')} does not hold`).join('');
    throw new TargetError('no-such-process', `no process matches --match ${command.selector?.text ?? ''}${near.length === 0 ? '' : `; the nearest:${list}`}`, {
      hint: 'every key must hold; check the selector against `ps -eo pid,uid,comm,exe`',
    });
  }
  const elfFiles = new ElfFiles();
  const results: (Finished | undefined)[] = new Array(pids.length);
  let next = 0;
  let shown = 0;
  const finish = (index: number, result: Finished): void => {
    results[index] = result;
    for (; shown < pids.length && results[shown] !== undefined; shown++) show(results[shown]!, command.json, out);
  };
  const helpers: Helper[] = [];
  const handOut = (helper: Helper): void => {
    if (helper.ended) return; // it died: what it had is reported, and it gets nothing more
    if (next >= pids.length) return helper.stop();
    const index = next++;
    helper.run(pids[index]!, (result) => {
      finish(index, result);
      handOut(helper);
    });
  };

  // A recipe read from stdin cannot be read again by a helper (its stdin carries pids).
  const helpersMayStart = !(command.run.recipe.kind === 'file' && command.run.recipe.path === '-');
  // The time per process, from the second on: the first also pays for what is loaded and parsed once.
  let warm: number | undefined;
  let ranHere = 0;
  try {
    while (next < pids.length) {
      const index = next++;
      finish(index, await runHere(prepared, pids[index]!, elfFiles));
      if (ranHere++ === 0) warm = Date.now();
      if (ranHere < 2) continue;
      const left = pids.length - next;
      const perProcess = (Date.now() - warm!) / (ranHere - 1);
      if (helpersMayStart && helpers.length < command.jobs - 1 && left > helpers.length + 1 && perProcess * left > HELPER_START_MS) {
        // Two pids at a time: its next one waits in its stdin while this pvm, busy with its own, cannot answer.
        helpers.push(startHelper(command.childArgs, (helper) => (handOut(helper), handOut(helper))));
      }
      if (helpers.length > 0) await letHelpersIn();
    }
    await Promise.all(helpers.map((helper) => helper.finished()));
  } finally {
    elfFiles.close();
  }
  // Every pid has its result; were one missing, it is reported, never dropped.
  for (let index = 0; index < pids.length; index++) {
    if (results[index] === undefined) finish(index, { pid: pids[index]!, comm: 'unknown', exit: 70 as ExitCode, stdout: [], stderr: ['pvm: internal error (a bug in pvm, please report it): this process got no result'] });
  }

  const done = results as Finished[];
  const failed = done.filter((r) => r.exit !== 0).length;
  const exit = mostSerious(done.map((r) => r.exit));
  // Helpers that never got ready (killed while starting, or failed to) did nothing and are not counted.
  const worked = helpers.filter((helper) => helper.wasReady);
  const helped = worked.reduce((n, h) => n + h.done, 0);
  const byHelpers = worked.length === 0 ? '' : ` (${count(worked.length, 'helper pvm')} ran ${helped} of them)`;
  out(
    command.json
      ? JSON.stringify({ type: 'summary', processes: done.length, ok: done.length - failed, failed, exit, helpers: worked.length, helped })
      : `${count(done.length, 'process')}: ${done.length - failed} ok, ${failed} failed${byHelpers}`,
  );
  return exit;
}

/** When this pvm last waited for a timer (see letHelpersIn). */
let lastTimer = 0;

/**
 * Lets helpers' messages in between this pvm's processes (they arrive as
 * events). Node and Bun poll for I/O before running setImmediate's callbacks
 * (~10 µs); Deno runs them without polling, so a helper's answers would wait
 * for the end: there a timer is awaited instead, at most once every 10 ms
 * (setImmediate otherwise). Every
 * process used to await a timer: ~1.1 ms on Node and Bun, ~2.2 on Deno, for
 * processes that take 2-5 ms each to patch.
 */
async function letHelpersIn(): Promise<void> {
  if ('Deno' in globalThis && Date.now() - lastTimer >= 10) {
    lastTimer = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 0));
  } else {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Runs the recipe against one process in this pvm, keeping what it prints. */
export async function runHere(prepared: PreparedRun, pid: number, elfFiles: ElfFiles, journalFoundApplied = false): Promise<Finished> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const comm = commOf(pid);
  let exit: ExitCode = 0;
  try {
    await runPrepared(prepared, { kind: 'pid', pid }, { out: (text) => stdout.push(text), err: (text) => stderr.push(text), progress: false, elfFiles, journalFoundApplied });
  } catch (error) {
    if (!(error instanceof PvmError)) {
      stderr.push(`pvm: internal error (a bug in pvm, please report it): ${(error as Error)?.stack ?? String(error)}`);
      exit = 70 as ExitCode;
    } else {
      if (prepared.command.json) stdout.push(formatErrorJson(error));
      stderr.push(formatError(error));
      exit = error.exit;
    }
  }
  return { pid, comm, exit, stdout, stderr };
}

/** One process's block: its lines, each JSON line naming the pid; stderr lines prefixed with it. */
export function show(result: Finished, json: boolean, out: Out): void {
  const { pid, exit } = result;
  if (json) {
    for (const text of result.stdout) for (const line of text.split('\n')) out(line.replace(/^\{("type":"[^"]*")/, `{$1,"pid":${pid}`));
  } else {
    out(`== pid ${pid} (${result.comm}): ${exit === 0 ? 'ok' : `exit ${exit}`} ==`);
    for (const text of result.stdout) out(text);
  }
  for (const text of result.stderr) process.stderr.write(`${text.replace(/^(?=.)/gm, `pid ${pid}: `)}\n`);
  if (json) out(JSON.stringify({ type: 'target', pid, status: exit === 0 ? 'ok' : 'failed', exit }));
}

interface Helper {
  /** Processes it has finished. */
  readonly done: number;
  /** It has exited. */
  readonly ended: boolean;
  /** It prepared the run and took work (or could have). */
  readonly wasReady: boolean;
  run(pid: number, then: (result: Finished) => void): void;
  /** No more work: it ends (or, if it never got ready, is stopped). */
  stop(): void;
  /** Resolves once it has ended and its last process is accounted for. */
  finished(): Promise<void>;
}

/**
 * A helper pvm: the same runtime and command line, told by the environment to
 * prepare the run and then serve pids from its stdin. It says `ready` once
 * prepared; this pvm hands it two pids then, and another after each answer.
 */
function startHelper(childArgs: readonly string[], onReady: (helper: Helper) => void): Helper {
  const self = selfCommand();
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(self[0]!, [...self.slice(1), ...childArgs, '--pid', '1'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, [HELPER_VARIABLE]: '1' },
  });
  // Pids handed to it and not answered yet, in order (it answers in the order it was given them).
  const pending: { pid: number; then: (result: Finished) => void }[] = [];
  let done = 0;
  let stderr = '';
  let ended = false;
  let ready = false;
  let stopping = false;
  const closed = new Promise<void>((resolve) => {
    child.on('close', (code) => {
      ended = true;
      // One that failed as it prepared (not one stopped while starting) says why, once: the others would too.
      if (!ready && !stopping && code !== 0) process.stderr.write(`pvm: a helper pvm could not start (exit ${code ?? 'by a signal'})${stderr === '' ? '' : `: ${stderr.trim()}`}; this pvm went on alone\n`);
      // A helper that died with processes given to it: they are reported with what it said.
      for (const { pid, then } of pending.splice(0)) {
        then({
          pid,
          comm: commOf(pid),
          exit: (code === null || code === 0 ? 70 : code) as ExitCode,
          stdout: [],
          stderr: [`pvm: the helper pvm this process was given to stopped (exit ${code ?? 'by a signal'})${stderr === '' ? '' : `: ${stderr.trim()}`}`],
        });
      }
      resolve();
    });
  });
  child.on('error', () => {}); // reported by 'close'
  child.stdin.on('error', () => {}); // a helper that died: 'close' reports it
  child.stderr.setEncoding('utf8'); // decoded across chunks: a character split between two stays whole
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const helper: Helper = {
    get done() {
      return done;
    },
    get ended() {
      return ended;
    },
    get wasReady() {
      return ready;
    },
    run(pid, then) {
      pending.push({ pid, then });
      child.stdin.write(`${pid}\n`);
    },
    stop() {
      if (ended) return;
      child.stdin.end();
    },
    finished() {
      if (!ready) {
        stopping = true;
        child.kill(); // still starting, and there is nothing left to give it
      } else {
        // Told there is no more work, it ends; one that hangs with nothing to do is ended after a while.
        const grace = setTimeout(() => {
          if (pending.length === 0 && !ended) child.kill('SIGKILL');
        }, HELPER_GRACE_MS);
        void closed.then(() => clearTimeout(grace));
      }
      return closed;
    },
  };
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = attempt(() => JSON.parse(line) as { ready?: true } & Finished);
    if (message?.ready === true) {
      ready = true;
      onReady(helper);
    } else if (message !== undefined && pending.length > 0) {
      const { then } = pending.shift()!;
      done++;
      then({ pid: message.pid, comm: message.comm, exit: message.exit, stdout: message.stdout, stderr: message.stderr });
    }
  });
  return helper;
}

/** A helper's life: say ready, then run each pid read from stdin and answer with one JSON line, until stdin ends. */
export async function serveAsHelper(prepared: PreparedRun): Promise<void> {
  const elfFiles = new ElfFiles();
  writeStdout(`${JSON.stringify({ ready: true })}\n`);
  try {
    for await (const line of createInterface({ input: process.stdin })) writeStdout(`${JSON.stringify(await runHere(prepared, Number(line), elfFiles))}\n`);
  } finally {
    elfFiles.close();
  }
}

/** A process's name (comm), or 'exited' when it is gone. */
function commOf(pid: number): string {
  return attempt(() => readFileSync(`/proc/${pid}/comm`, 'utf8').trim()) ?? 'exited';
}

/** This very pvm, as a command: the runtime and the entry point it was started with (the single binary is both). */
function selfCommand(): string[] {
  if (process.argv[1]?.startsWith('/$bunfs/')) return [process.execPath]; // bun build --compile: the script is inside
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  if (deno !== undefined) return [deno.execPath(), 'run', '--quiet', '--allow-all', process.argv[1]!];
  return [process.execPath, process.argv[1]!];
}
