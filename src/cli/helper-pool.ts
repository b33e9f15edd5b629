// One command over many processes (`pvm run --match`, `pvm status JOURNAL`,
// `pvm revert JOURNAL`): each process is run in this pvm, one after the
// other, and when the work left would take longer than starting another pvm,
// helpers are started (up to --jobs in all, this pvm included). A helper is a
// pvm of the same runtime with the same command line, told by the
// environment (HELPER_VARIABLE) to prepare the command and then serve the
// processes read from its stdin, one JSON line each (serveAsHelper). So a run
// of cheap work pays no start-up it does not need, and a run of long work
// uses every core.
//
// Processes are numbers the command gives meaning to (a run's pids; a
// journal command's index among the journal's processes, since a journal may
// name one pid twice). They may be known up front or arrive over time
// (submit, then end); results come back in the order the processes were
// submitted, each as soon as it and those before it are done.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { attempt } from '../attempt.ts';
import type { ExitCode } from '../errors.ts';
import { HELPER_VARIABLE } from './helper-variable.ts';
import { writeStdout } from './stdout.ts';

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

/**
 * PVM_INTERNAL_HELPER_START_MS (tests only) replaces HELPER_START_MS, so that
 * helpers start for quick work; this pvm then waits for each helper it starts
 * to be ready before it goes on (so that the helper surely takes work), and
 * says on stderr what the helpers did.
 */
const FORCED_START_MS = forcedStartMs();

function forcedStartMs(): number | undefined {
  const forced = Number(process.env.PVM_INTERNAL_HELPER_START_MS ?? Number.NaN);
  return Number.isFinite(forced) && forced >= 0 ? forced : undefined;
}

/** What a pool needs of the command: how to run one process here, and how to start helpers that can. */
export interface PoolWork<R> {
  /** The most pvms at work at once, this one included (--jobs). */
  readonly jobs: number;
  /** The command line a helper pvm is started with (it must end up in serveAsHelper); undefined: no helper may start. */
  readonly helperArgs: readonly string[] | undefined;
  /** More environment for a helper (the recipe's digest it must find: run-many.ts). */
  readonly helperEnvironment?: Readonly<Record<string, string>>;
  /** Runs one process in this pvm; it must not throw (what fails is in its result). */
  runHere(process: number): Promise<R>;
  /** The result of a process that got none: `why` (its helper pvm stopped with it, or a bug in pvm), with `exit`. */
  lost(process: number, why: string, exit: ExitCode): R;
  /** Each result, in the order the processes were submitted. */
  deliver(result: R, process: number): void;
}

/** What helpers did, for a run's summary. */
export interface PoolTally {
  /** Helper pvms that got ready (one that never did, did nothing). */
  readonly helpers: number;
  /** The processes they ran. */
  readonly helped: number;
}

export interface HelperPool {
  /** One more process to run. */
  submit(process: number): void;
  /** No more processes: `finished` resolves once the submitted ones are delivered. */
  end(): void;
  readonly finished: Promise<PoolTally>;
}

/** Runs `processes` (a list, or an async source) on a pool; resolves once every result is delivered. */
export async function runPool<R>(processes: Iterable<number> | AsyncIterable<number>, work: PoolWork<R>): Promise<PoolTally> {
  const pool = startPool(work);
  // A source that fails still ends the pool: the processes it gave are run and delivered, then its error is thrown.
  let failure: { error: unknown } | undefined;
  try {
    if (Symbol.iterator in processes) { for (const process of processes) pool.submit(process); }
    else for await (const process of processes) pool.submit(process);
  } catch (error) {
    failure = { error };
  }
  pool.end();
  const tally = await pool.finished;
  if (failure !== undefined) throw failure.error;
  return tally;
}

/** A pool that runs processes as they are submitted: in this pvm, and in helpers when the work left pays for them. */
export function startPool<R>(work: PoolWork<R>): HelperPool {
  /** Submitted, not yet taken: their indexes in submission order. */
  const queue: number[] = [];
  const processOf = new Map<number, number>();
  const results = new Map<number, R>();
  let submitted = 0;
  let delivered = 0;
  let ended = false;
  /** Wakes the loop below when it waits for a process (one was submitted, or the source ended). */
  let wake: (() => void) | undefined;
  const helpers: Helper<R>[] = [];
  /** Helpers with room for one more process, once per free place (a helper takes two at a time). */
  const waiting: Helper<R>[] = [];

  const finish = (index: number, result: R): void => {
    results.set(index, result);
    for (; results.has(delivered); delivered++) {
      const ready = results.get(delivered)!;
      results.delete(delivered);
      work.deliver(ready, processOf.get(delivered)!);
      processOf.delete(delivered);
    }
  };
  const handOut = (helper: Helper<R>): void => {
    if (helper.ended) return; // it died: what it had is reported, and it gets nothing more
    const index = queue.shift();
    if (index === undefined) {
      if (ended) helper.stop();
      else waiting.push(helper);
      return;
    }
    helper.run(processOf.get(index)!, (result) => {
      finish(index, result);
      handOut(helper);
    });
  };

  // A helper's stdin carries processes: with a recipe read from stdin (`pvm run -`), helperArgs is undefined.
  const helpersMayStart = work.helperArgs !== undefined;
  const loop = async (): Promise<PoolTally> => {
    // The time per process, from the second on (the first also pays for what is loaded and parsed once), less the
    // time spent waiting for processes to be submitted.
    let warm: number | undefined;
    let waited = 0;
    let ranHere = 0;
    for (;;) {
      if (queue.length === 0) {
        if (ended) break;
        const since = Date.now();
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        if (warm !== undefined) waited += Date.now() - since;
        continue;
      }
      const index = queue.shift()!;
      finish(index, await work.runHere(processOf.get(index)!));
      if (ranHere++ === 0) warm = Date.now();
      if (ranHere < 2) continue;
      const left = queue.length;
      const perProcess = (Date.now() - warm! - waited) / (ranHere - 1);
      if (helpersMayStart && helpers.length < work.jobs - 1 && left > helpers.length + 1 && perProcess * left > (FORCED_START_MS ?? HELPER_START_MS)) {
        // Two processes at a time: its next one waits in its stdin while this pvm, busy with its own, cannot answer.
        const helper = startHelper<R>(work.helperArgs!, work.helperEnvironment ?? {}, work.lost, (helper) => (handOut(helper), handOut(helper)));
        helpers.push(helper);
        if (FORCED_START_MS !== undefined) await helper.settled;
      }
      if (helpers.length > 0) await letHelpersIn();
    }
    await Promise.all(helpers.map((helper) => helper.finished()));
    // Every process has its result; were one missing, it is reported, never dropped.
    for (let index = delivered; index < submitted; index++) {
      if (!results.has(index)) finish(index, work.lost(processOf.get(index)!, 'pvm: internal error (a bug in pvm, please report it): this process got no result', 70 as ExitCode));
    }
    // Helpers that never got ready (killed while starting, or failed to) did nothing and are not counted.
    const worked = helpers.filter((helper) => helper.wasReady);
    const tally = { helpers: worked.length, helped: worked.reduce((n, h) => n + h.done, 0) };
    if (FORCED_START_MS !== undefined) process.stderr.write(`pvm: internal: ${tally.helpers} helper pvm(s) ran ${tally.helped} process(es)\n`);
    return tally;
  };
  const finished = loop();
  return {
    submit(process) {
      if (ended) throw new Error('a process submitted after the end');
      const index = submitted++;
      processOf.set(index, process);
      queue.push(index);
      while (queue.length > 0 && waiting.length > 0) handOut(waiting.shift()!);
      wake?.();
    },
    end() {
      ended = true;
      for (const helper of waiting.splice(0)) helper.stop();
      wake?.();
    },
    finished,
  };
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

interface Helper<R> {
  /** Processes it has finished. */
  readonly done: number;
  /** It has exited. */
  readonly ended: boolean;
  /** It prepared the command and took work (or could have). */
  readonly wasReady: boolean;
  /** Resolves once it is ready, or has ended. */
  readonly settled: Promise<void>;
  run(process: number, then: (result: R) => void): void;
  /** No more work: it ends (or, if it never got ready, is stopped). */
  stop(): void;
  /** Resolves once it has ended and its last process is accounted for. */
  finished(): Promise<void>;
}

/**
 * A helper pvm: the same runtime and `args`, told by the environment to
 * prepare the command and then serve processes from its stdin. It says
 * `ready` once prepared; the pool hands it two processes then, and another
 * after each answer.
 */
function startHelper<R>(args: readonly string[], environment: Readonly<Record<string, string>>, lost: PoolWork<R>['lost'], onReady: (helper: Helper<R>) => void): Helper<R> {
  const self = selfCommand();
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(self[0]!, [...self.slice(1), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...environment, [HELPER_VARIABLE]: '1' },
  });
  // Processes handed to it and not answered yet, in order (it answers in the order it was given them).
  const pending: { process: number; then: (result: R) => void }[] = [];
  let done = 0;
  let stderr = '';
  let ended = false;
  let ready = false;
  let stopping = false;
  let stdinEnded = false;
  let settle = () => {};
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const closed = new Promise<void>((resolve) => {
    child.on('close', (code) => {
      ended = true;
      // One that failed as it prepared (not one stopped while starting) says why, once: the others would too.
      if (!ready && !stopping && code !== 0) process.stderr.write(`pvm: a helper pvm could not start (exit ${code ?? 'by a signal'})${stderr === '' ? '' : `: ${stderr.trim()}`}; this pvm went on alone\n`);
      // A helper that died with processes given to it: they are reported with what it said.
      for (const { process, then } of pending.splice(0)) {
        const why = `pvm: the helper pvm this process was given to stopped (exit ${code ?? 'by a signal'})${stderr === '' ? '' : `: ${stderr.trim()}`}`;
        then(lost(process, why, (code === null || code === 0 ? 70 : code) as ExitCode));
      }
      settle();
      resolve();
    });
  });
  child.on('error', () => {}); // reported by 'close'
  child.stdin.on('error', () => {}); // a helper that died: 'close' reports it
  child.stderr.setEncoding('utf8'); // decoded across chunks: a character split between two stays whole
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const helper: Helper<R> = {
    get done() {
      return done;
    },
    get ended() {
      return ended;
    },
    get wasReady() {
      return ready;
    },
    settled,
    run(process, then) {
      pending.push({ process, then });
      child.stdin.write(`${process}\n`);
    },
    stop() {
      if (ended || stdinEnded) return;
      stdinEnded = true;
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
    const message = attempt(() => JSON.parse(line) as { ready?: true; result?: R });
    if (message?.ready === true) {
      ready = true;
      onReady(helper);
      settle();
    } else if (message !== undefined && 'result' in message && pending.length > 0) {
      const { then } = pending.shift()!;
      done++;
      then(message.result as R);
    }
  });
  return helper;
}

/** A helper's life: say ready, then run each process read from stdin and answer with one JSON line, until stdin ends. */
export async function serveAsHelper<R>(runHere: (process: number) => Promise<R>): Promise<void> {
  writeStdout(`${JSON.stringify({ ready: true })}\n`);
  for await (const line of createInterface({ input: process.stdin })) writeStdout(`${JSON.stringify({ result: await runHere(Number(line)) })}\n`);
}

/** This very pvm, as a command: the runtime and the entry point it was started with (the single binary is both). */
function selfCommand(): string[] {
  if (process.argv[1]?.startsWith('/$bunfs/')) return [process.execPath]; // bun build --compile: the script is inside
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  if (deno !== undefined) return [deno.execPath(), 'run', '--quiet', '--allow-all', process.argv[1]!];
  return [process.execPath, process.argv[1]!];
}
