// What `--follow` learns of the system's processes, tick by tick: which
// may have come to match (a fork, an exec, a uid or name change, one not
// seen before) and which are gone. From the kernel's process connector
// where pvm may listen (root, CAP_NET_ADMIN: native/proc-connector.ts), else
// by reading /proc's list of pids when a new one was made, which costs more
// and sees an exec, uid or name change only within YOUNG_MS of a process's
// first look (then each tick looks again) or in one pvm watches (looked at
// every WATCHED_MS). A program started again in the same process (exec) is
// told apart by its image: where its code and stack begin, which ASLR moves
// on every exec.
import { readlinkSync, statSync } from 'node:fs';
import { listProcesses } from './select-processes.ts';
import { readProcText } from '../native/proc-text.ts';
import { imageOfStat, statFields } from './process-identity.ts';
import { attempt } from '../attempt.ts';
import type { Libc } from '../native/libc.ts';
import { openProcConnector, type ProcConnector } from '../native/proc-connector.ts';

/** How long after pvm first sees a process, polling /proc, it looks again each tick for an exec. */
const YOUNG_MS = 3000;
/** How often, polling /proc, a process pvm watches is looked at for an exec. */
const WATCHED_MS = 1000;

export interface ProcessChanges {
  /**
   * Processes that may match now and did not before, since the last tick: forked, exec'd, new to pvm, or
   * changed their uids or name; in pid order.
   */
  readonly started: readonly number[];
  /** Those of `started` the kernel said exec'd: a new program even where its image looks the same (ASLR off). */
  readonly execd: ReadonlySet<number>;
  readonly exited: readonly number[];
  /**
   * True when events were lost (the kernel's buffer filled) or this is the
   * first tick: every process may have started; the caller looks at all of /proc.
   */
  readonly rescan: boolean;
}

export interface ProcessStarts {
  /** `connector` (the kernel tells) or `poll` (/proc is read each tick), and why not the connector. */
  readonly source: 'connector' | 'poll';
  readonly why: string | undefined;
  /**
   * What changed since the last call. `watched` are the processes the caller has run the recipe in (or is
   * readying): of the connector's forks only theirs are news (a fork copies its parent; one of another process
   * that comes to match does so by an exec, a uid or a name change, news of their own), and polling looks at them
   * for such changes every WATCHED_MS.
   */
  tick(watched: { has(pid: number): boolean }): ProcessChanges;
  close(): void;
}

/**
 * The process as one run of one program: when it started (a pid reused is another) and where its program image
 * begins (TargetIdentity.image: changed by every exec). Undefined once it is gone.
 */
export function imageOf(pid: number): string | undefined {
  const stat = attempt(() => readProcText(`/proc/${pid}/stat`));
  return stat === undefined ? undefined : imageOfText(stat);
}

function imageOfText(stat: string): string {
  const fields = statFields(stat);
  return `${fields[19]}:${imageOfStat(fields) ?? ''}`;
}

/** How long ago the process started, in ms (its start time is in clock ticks since boot: 100 a second); 0 if unknown. */
export function ageMs(pid: number): number {
  const fields = statFieldsOf(pid);
  const uptime = attempt(() => Number(readProcText('/proc/uptime').split(' ')[0]));
  return fields === undefined || uptime === undefined ? 0 : uptime * 1000 - Number(fields[19]) * 10;
}

/** The fields of /proc/PID/stat from its field 3 (process-identity.ts statFields); undefined once it is gone. */
export function statFieldsOf(pid: number): string[] | undefined {
  const stat = attempt(() => readProcText(`/proc/${pid}/stat`));
  return stat === undefined ? undefined : statFields(stat);
}

/** What polling compares to see a process change: its image, its name, and the owner of /proc/PID (its effective uid). */
function signatureOf(pid: number): string | undefined {
  const stat = attempt(() => readProcText(`/proc/${pid}/stat`));
  const uid = attempt(() => statSync(`/proc/${pid}`).uid);
  return stat === undefined ? undefined : `${imageOfText(stat)}:${uid}:${stat.slice(stat.indexOf('('), stat.lastIndexOf(')'))}`;
}

/** The initial pid namespace's inode: the only one the process connector reports (with its pids). */
const INITIAL_PID_NAMESPACE = 'pid:[4026531836]';

export function watchProcessStarts(libc: Libc | undefined, self: number): ProcessStarts {
  // In a container's own pid namespace the connector binds, and is silent: its events are of the host's.
  const namespace = attempt(() => readlinkSync('/proc/self/ns/pid'));
  const connector = libc === undefined
    ? { refused: 'no libc' }
    : namespace !== INITIAL_PID_NAMESPACE
    ? { refused: `pvm runs in a pid namespace of its own (${namespace ?? 'unknown'}), and the connector speaks of the host's processes` }
    : openProcConnector(libc, self);
  return 'refused' in connector ? pollProc(connector.refused) : listen(connector);
}

function listen(connector: ProcConnector): ProcessStarts {
  let first = true;
  return {
    source: 'connector',
    why: undefined,
    tick(watched) {
      const { events, lost } = connector.drain();
      const started = new Set<number>();
      const execd = new Set<number>();
      const exited = new Set<number>();
      for (const event of events) {
        if (event.kind === 'exit') {
          started.delete(event.pid);
          execd.delete(event.pid);
          exited.add(event.pid);
        } else if (event.kind !== 'fork' || watched.has(event.parent)) {
          exited.delete(event.pid); // a pid reused within one tick
          started.add(event.pid);
          if (event.kind === 'exec') execd.add(event.pid);
        }
      }
      const rescan = lost || first;
      first = false;
      return { started: [...started].sort((a, b) => a - b), execd, exited: [...exited], rescan };
    },
    close: () => connector.close(),
  };
}

function pollProc(why: string): ProcessStarts {
  /** Every process seen, with its image. */
  const known = new Map<number, string | undefined>();
  /** Processes first seen less than YOUNG_MS ago, and when. */
  const young = new Map<number, number>();
  let first = true;
  let lastPid: string | undefined;
  let listed = 0;
  let watchedLooked = 0;
  /** Looks at a process's image, name and uid again: a change is an exec, or a worker settling in, a start. */
  const lookAgain = (pid: number, started: number[]) => {
    const image = signatureOf(pid);
    if (image !== undefined && image !== known.get(pid)) {
      known.set(pid, image);
      started.push(pid);
    }
  };
  return {
    source: 'poll',
    why,
    tick(watched) {
      const now = Date.now();
      const started: number[] = [];
      const exited: number[] = [];
      // The last pid the kernel handed out: unchanged, no process was made since, and /proc need not be listed
      // (~0.7 ms for 300 processes; this is ~10 µs). Listed at least every WATCHED_MS anyway, to see exits.
      const newest = attempt(() => readProcText('/proc/loadavg').trimEnd().split(' ').at(-1));
      const fresh = new Set<number>();
      if (first || newest === undefined || newest !== lastPid || now - listed >= WATCHED_MS) {
        lastPid = newest;
        listed = now;
        const present = new Set(listProcesses());
        for (const pid of known.keys()) if (!present.has(pid)) exited.push(pid);
        for (const pid of exited) known.delete(pid), young.delete(pid);
        for (const pid of present) {
          if (known.has(pid)) continue;
          known.set(pid, signatureOf(pid));
          fresh.add(pid);
          // One there at the first look is no young process: its exec, if any, was long ago.
          if (!first) started.push(pid), young.set(pid, now);
        }
      }
      // An exec makes no new pid: the young (a fork's exec comes soon) are looked at each tick, the watched less often.
      for (const [pid, seen] of young) {
        if (now - seen >= YOUNG_MS) young.delete(pid);
        else if (!fresh.has(pid)) lookAgain(pid, started);
      }
      if (now - watchedLooked >= WATCHED_MS) {
        watchedLooked = now;
        for (const pid of known.keys()) if (watched.has(pid) && !young.has(pid) && !fresh.has(pid)) lookAgain(pid, started);
      }
      const rescan = first;
      first = false;
      return { started: started.sort((a, b) => a - b), execd: new Set(), exited, rescan };
    },
    close() {
      known.clear();
      young.clear();
    },
  };
}
