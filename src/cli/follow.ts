// `pvm run RECIPE --match SELECTOR --follow`: the recipe runs against every
// matching process that exists, then against every matching process that
// starts later (a fork, an exec, or a service restarted), once it is ready,
// until SIGINT or SIGTERM, or for `--for DURATION`. What it learns of new
// processes comes from target/process-starts.ts (the kernel's process
// connector where pvm may listen, else /proc each tick).
//
// A process is run once per program image: a forked child of a patched
// process is run as its own process (its patch is "already applied", and is
// journaled as its own when this run journaled its parent's); a process that
// execs is dropped, and run again if its new program matches. What pvm keeps
// is one entry per live process it ran or is readying, dropped when it
// exits, and counters: memory stays bounded however many processes come and
// go.
import { type ExitCode, mostSerious, PvmError } from '../errors.ts';
import { loadLibc } from '../native/libc.ts';
import { ElfFiles } from '../runtime/symbols/elf-files.ts';
import { ageMs, imageOf, statFieldsOf, watchProcessStarts } from '../target/process-starts.ts';
import { matchesSelector, mayMatchBeforeLoaded, userProcesses } from '../target/select-processes.ts';
import { whenReady } from '../target/spawn.ts';
import { count } from '../count.ts';
import type { Command, RunCommand } from './args.ts';
import type { PreparedRun } from '../api/run-recipe.ts';
import { startPool } from './helper-pool.ts';
import { commOf, endedBy, type Finished, runHere, show } from './run-many.ts';

type Out = (text: string) => void;
type RunMany = Extract<Command, { kind: 'run-many' }>;

/** --follow's --for and --ready (args.ts). */
export type FollowOptions = NonNullable<RunMany['follow']>;

/** How often pvm looks for new processes: the connector's queue is cheap to drain; /proc costs a list of every pid. */
const TICK_MS = { connector: 50, poll: 100 } as const;
/** A process older than this when pvm first sees it (pvm's start, or events lost) is taken as ready. */
const SETTLED_AGE_MS = 1000;
/** The ELF parses kept between processes: one program's fleet needs a few; a day of varied churn must not grow without end. */
const MAX_ELF_FILES = 256;

export async function follow(command: RunMany, options: FollowOptions, prepared: PreparedRun<RunCommand>, out: Out): Promise<ExitCode> {
  const selector = command.selector!;
  const self = process.pid;
  const starts = watchProcessStarts(await loadLibc().catch(() => undefined), self);
  if (command.run.verbose && !command.json) process.stderr.write(`pvm: following ${selector.text}: ${starts.source === 'connector' ? "the kernel's process connector" : `polling /proc every ${TICK_MS.poll} ms (${starts.why})`}\n`);

  /**
   * Each process the recipe ran in, for as long as it lives: the image it ran in (imageOf), and whether its run
   * journaled patches (its forks inherit the patched bytes).
   */
  const ran = new Map<number, { readonly image: string; readonly journaled: boolean }>();
  /** Processes being readied or waiting their turn (see Pending). */
  const pending = new Map<number, Pending>();
  const tally = { processes: 0, ok: 0, failed: 0, gone: 0 };
  let exit: ExitCode = 0;
  /** Processes looked at (each start the source reported, and each on a rescan), and the most pvm kept at once. */
  let seen = 0;
  let peakKept = 0;
  let elfFiles = new ElfFiles();

  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let stopping = false;
  // Kept for the whole run (not `once`): a second signal must not kill pvm in the middle of a patch.
  const onSignal = () => ((stopping = true), stop());
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const deadline = options.forMs === undefined ? undefined : setTimeout(onSignal, options.forMs);

  /** Looks at the process again once it leaves `pending`, when news of it came while it was there. */
  const leave = (pid: number): void => {
    const entry = pending.get(pid);
    pending.delete(pid);
    if (entry?.again === true && !stopping) void consider(pid, false, false);
  };

  // The processes run one at a time in this pvm, in the order they got ready. No helper pvms: starts trickle in,
  // and a helper's command line would not be this follow's (its forks' patches are journaled as found applied).
  const pool = startPool<Finished | Skipped>({
    jobs: 1,
    helperArgs: undefined,
    async runHere(pid) {
      const entry = pending.get(pid)!;
      if (entry.failure !== undefined) return unready(pid, entry.failure, command.json);
      // Looked at again just before its turn: it may have exited, exec'd another program, or its pid been reused.
      const image = imageOf(pid);
      if (image === undefined) return { skipped: 'gone', pid };
      if (image !== entry.image) return { skipped: 'changed', pid };
      if (!matchesSelector(pid, selector, new Map())) return { skipped: 'unmatched', pid };
      const result = await runHere(prepared, pid, elfFiles, entry.inherits);
      if (elfFiles.size > MAX_ELF_FILES) {
        elfFiles.close();
        elfFiles = new ElfFiles();
      }
      // One that ended while it was patched did not fail: it is gone (its block says what happened).
      return result.exit !== 0 && imageOf(pid) !== entry.image ? { ...result, gone: true as const } : result;
    },
    lost: (pid, why, exit) => ({ pid, comm: commOf(pid), exit, stdout: [], stderr: [why] }),
    deliver(result, pid) {
      const entry = pending.get(pid);
      if ('skipped' in result) {
        if (result.skipped === 'gone') tally.gone++;
        if (result.skipped === 'changed' && entry !== undefined) entry.again = true;
        return leave(pid);
      }
      tally.processes++;
      if (result.gone === true) tally.gone++;
      else if (result.exit === 0) tally.ok++;
      else {
        tally.failed++;
        exit = mostSerious([exit, result.exit]);
      }
      if (entry !== undefined && result.gone !== true) ran.set(pid, { image: entry.image, journaled: (result.journaled ?? 0) > 0 });
      show(result, command.json, out);
      leave(pid);
    },
  });

  /**
   * A process that may have begun a program (`execd`: the kernel said it exec'd): readied, checked against the
   * selector, and handed to the pool. `settled`: found on a rescan, where an old process is taken as ready.
   */
  const consider = async (pid: number, settled: boolean, execd: boolean): Promise<void> => {
    if (pid === self || stopping) return;
    const waiting = pending.get(pid);
    if (waiting !== undefined) return void (waiting.again = true); // looked at again once it leaves
    const image = imageOf(pid);
    if (image === undefined) return; // gone already
    if (ran.get(pid)?.image === image && !execd) return; // run in this very program already
    ran.delete(pid); // it exec'd since: the program it was run in is gone
    if (!mayMatchBeforeLoaded(pid, selector)) return;
    const entry: Pending = { image, again: false, inherits: false };
    pending.set(pid, entry);
    try {
      const changed = () => imageOf(pid) !== image;
      if (execd || !settled || ageMs(pid) < SETTLED_AGE_MS) await whenReady(pid, options.ready, () => stopping || changed(), { forkOfPvm: false });
      // Gone, or another program since (looked at again), or not a match once its libraries are in.
      if (stopping || !matchesSelector(pid, selector, new Map())) return leave(pid);
      if (changed()) return void ((entry.again = true), leave(pid));
      // A fork of a process whose patch this run journaled holds it already: it is journaled as the fork's own.
      entry.inherits = ran.get(parentOf(pid) ?? 0)?.journaled === true;
    } catch (error) {
      // One that never settled and does not match (a module= selector readies every process) is no failure.
      if (error instanceof PvmError && error.code === 'not-ready' && !matchesSelector(pid, selector, new Map())) return leave(pid);
      // Else its block says why (a bug in pvm as exit 70, as a run over many reports one); the others go on.
      entry.failure = error;
    }
    if (stopping) return leave(pid); // the pool has ended
    peakKept = Math.max(peakKept, ran.size + pending.size);
    pool.submit(pid);
  };

  const look = () => {
    const changes = starts.tick({ has: (pid) => ran.has(pid) || pending.has(pid) });
    for (const pid of changes.exited) ran.delete(pid);
    // On a rescan (the first look, or events lost) every process may be new, and exits may have been lost.
    const candidates = changes.rescan ? userProcesses(self) : changes.started;
    if (changes.rescan) { for (const pid of ran.keys()) if (imageOf(pid) === undefined) ran.delete(pid); }
    seen += candidates.length;
    for (const pid of candidates) void consider(pid, changes.rescan, changes.execd.has(pid)); // never rejects
  };

  try {
    look();
    // A typo in the selector would otherwise only show as a pvm that waits: say so (not an error: one may start).
    if (pending.size === 0 && ran.size === 0 && !command.json) process.stderr.write(`pvm: no process matches ${selector.text} now; following (until SIGINT or SIGTERM${options.forMs === undefined ? '' : ', or --for'})\n`);
    while (!stopping) {
      await Promise.race([stopped, new Promise<void>((resolve) => setTimeout(resolve, TICK_MS[starts.source]))]);
      if (stopping) break;
      look();
    }
    // What is queued is run (each looked at again first); those still being readied see `stopping` and drop out.
    pool.end();
    await pool.finished;
  } finally {
    if (deadline !== undefined) clearTimeout(deadline);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    starts.close();
    elfFiles.close();
  }
  const { processes, ok, failed, gone } = tally;
  out(
    command.json
      ? JSON.stringify({ type: 'summary', processes, ok, failed, exit, helpers: 0, helped: 0, follow: { source: starts.source, seen, peakKept, gone } })
      : `${count(processes, 'process')}: ${ok} ok, ${failed} failed${gone === 0 ? '' : `, ${gone} gone before pvm was done`} (followed ${selector.text} ${
        starts.source === 'connector' ? "through the kernel's process connector" : 'by polling /proc'
      })`,
  );
  return exit;
}

/** A process being readied or waiting its turn. */
interface Pending {
  /** Its image when it was found (imageOf): it must be the same at its turn. */
  readonly image: string;
  /** News of it came meanwhile (an exec, a rename): it is looked at again once it leaves. */
  again: boolean;
  /** A fork of a process this run patched: a patch found applied is journaled as its own. */
  inherits: boolean;
  /** Why it could not be readied: its result. */
  failure?: unknown;
}

/** A process not run after all: it was gone at its turn, another program, or no longer a match. */
interface Skipped {
  readonly skipped: 'gone' | 'changed' | 'unmatched';
  readonly pid: number;
}

/** The parent of a process (field 4 of /proc/PID/stat). */
function parentOf(pid: number): number | undefined {
  const fields = statFieldsOf(pid);
  return fields === undefined ? undefined : Number(fields[1]);
}

/** A process that could not be readied: its block says why. */
function unready(pid: number, error: unknown, json: boolean): Finished {
  const { exit, stdout, stderr } = endedBy(error, json);
  return { pid, comm: commOf(pid), exit, stdout, stderr };
}
