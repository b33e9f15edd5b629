// `pvm run RECIPE --match SELECTOR --follow`: the recipe runs against every
// matching process that exists, then against every matching process that
// starts later (a fork, an exec, or a service restarted), once it is ready,
// until SIGINT or SIGTERM, or for `--for DURATION`. What it learns of new
// processes comes from target/process-starts.ts (the kernel's process
// connector where pvm may listen, else /proc each tick).
//
// A process is run once per program image: a forked child of a patched
// process is run as its own process (its patch is "already applied", and is
// journaled as its own); a process that execs is dropped, and run again if
// its new program matches. What pvm keeps is one entry per live process it
// ran or is readying, dropped when it exits: memory stays bounded however
// many processes come and go.
import { type ExitCode, PvmError } from '../errors.ts';
import { loadLibc } from '../native/libc.ts';
import { ElfFiles } from '../runtime/symbols/elf-files.ts';
import { ageMs, imageOf, listProcesses, watchProcessStarts } from '../target/process-starts.ts';
import { matchesSelector, mayMatchBeforeLoaded } from '../target/select-processes.ts';
import { whenReady } from '../target/spawn.ts';
import { count } from '../count.ts';
import type { Command } from './args.ts';
import { formatError, formatErrorJson } from './format.ts';
import { mostSerious } from './journal-commands.ts';
import type { PreparedRun } from './run-command.ts';
import { startPool } from './helper-pool.ts';
import { commOf, type Finished, runHere, show } from './run-many.ts';

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

export async function follow(command: RunMany, options: FollowOptions, prepared: PreparedRun, out: Out): Promise<ExitCode> {
  const selector = command.selector!;
  const self = process.pid;
  const starts = watchProcessStarts(await loadLibc().catch(() => undefined), self);
  if (command.run.verbose && !command.json) process.stderr.write(`pvm: following ${selector.text}: ${starts.source === 'connector' ? "the kernel's process connector" : `polling /proc every ${TICK_MS.poll} ms (${starts.why})`}\n`);

  /** The image each process was run in (imageOf), for as long as it lives. */
  const ran = new Map<number, string>();
  /** Processes being readied or waiting their turn, with the image they were readied in, or why they could not be. */
  const pending = new Map<number, { image: string; failure?: unknown } | undefined>();
  const exits: ExitCode[] = [];
  let failed = 0;
  /** Processes looked at (each start the source reported, and each on a rescan), and the most pvm kept at once. */
  let seen = 0;
  let peakKept = 0;
  let elfFiles = new ElfFiles();

  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let stopping = false;
  const onSignal = () => ((stopping = true), stop());
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const deadline = options.forMs === undefined ? undefined : setTimeout(onSignal, options.forMs);

  // The processes run one at a time in this pvm, in the order they got ready. No helper pvms: starts trickle in,
  // and a helper's command line would not be this follow's (its forks' patches are journaled as found applied).
  const pool = startPool<Finished>({
    jobs: 1,
    helperArgs: undefined,
    async runHere(pid) {
      const readied = pending.get(pid);
      if (readied?.failure !== undefined) return unready(pid, readied.failure, command.json);
      const result = await runHere(prepared, pid, elfFiles, true);
      if (elfFiles.size > MAX_ELF_FILES) {
        elfFiles.close();
        elfFiles = new ElfFiles();
      }
      return result;
    },
    lost: (pid, why, exit) => ({ pid, comm: commOf(pid), exit, stdout: [], stderr: [why] }),
    deliver(result, pid) {
      const image = pending.get(pid)?.image;
      pending.delete(pid);
      if (image !== undefined) ran.set(pid, image);
      exits.push(result.exit);
      if (result.exit !== 0) failed++;
      show(result, command.json, out);
    },
  });

  /** A process that may have begun a program: readied, checked against the selector, and handed to the pool. */
  const consider = async (pid: number, settled: boolean): Promise<void> => {
    if (pid === self || pending.has(pid)) return;
    const image = imageOf(pid);
    if (image === undefined) return; // gone already
    if (ran.get(pid) === image) return; // run in this very program already
    ran.delete(pid); // it exec'd since: the program it was run in is gone
    if (!mayMatchBeforeLoaded(pid, selector)) return;
    pending.set(pid, undefined);
    try {
      const changed = () => imageOf(pid) !== image;
      if (!(settled && ageMs(pid) >= SETTLED_AGE_MS)) await whenReady(pid, options.ready, () => stopping || changed(), { forkOfPvm: false });
      // Gone, or another program since (its exec brings it back), or not a match once its libraries are in.
      if (stopping || changed() || !matchesSelector(pid, selector, new Map())) return void pending.delete(pid);
      pending.set(pid, { image });
    } catch (error) {
      // Its block says why (a bug in pvm as exit 70, as a run over many reports one); the others go on.
      pending.set(pid, { image, failure: error });
    }
    if (stopping) return void pending.delete(pid); // the pool has ended
    peakKept = Math.max(peakKept, ran.size + pending.size);
    pool.submit(pid);
  };

  const look = () => {
    const changes = starts.tick({ has: (pid) => ran.has(pid) || pending.has(pid) });
    for (const pid of changes.exited) ran.delete(pid);
    // On a rescan (the first look, or events lost) every process may be new, and exits may have been lost.
    const candidates = changes.rescan ? listProcesses().sort((a, b) => a - b) : changes.started;
    if (changes.rescan) { for (const pid of ran.keys()) if (imageOf(pid) === undefined) ran.delete(pid); }
    seen += candidates.length;
    for (const pid of candidates) void consider(pid, changes.rescan); // never rejects: a failure is the process's result
  };

  try {
    while (!stopping) {
      look();
      await Promise.race([stopped, new Promise<void>((resolve) => setTimeout(resolve, TICK_MS[starts.source]))]);
    }
    // A process being run is finished; those still being readied see `stopping` and drop out.
    pool.end();
    await pool.finished;
  } finally {
    if (deadline !== undefined) clearTimeout(deadline);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    starts.close();
    elfFiles.close();
  }
  const exit = mostSerious(exits);
  out(
    command.json
      ? JSON.stringify({ type: 'summary', processes: exits.length, ok: exits.length - failed, failed, exit, helpers: 0, helped: 0, follow: { source: starts.source, seen, peakKept } })
      : `${count(exits.length, 'process')}: ${exits.length - failed} ok, ${failed} failed (followed ${selector.text} ${starts.source === 'connector' ? "through the kernel's process connector" : 'by polling /proc'})`,
  );
  return exit;
}

/** A process that could not be readied: its block says why. */
function unready(pid: number, error: unknown, json: boolean): Finished {
  if (!(error instanceof PvmError)) return { pid, comm: commOf(pid), exit: 70 as ExitCode, stdout: [], stderr: [`pvm: internal error (a bug in pvm, please report it): ${(error as Error)?.stack ?? String(error)}`] };
  return { pid, comm: commOf(pid), exit: error.exit, stdout: json ? [formatErrorJson(error)] : [], stderr: [formatError(error)] };
}
