// Stops every thread of a process for a patch's write window (docs/kernel.md §5):
// PTRACE_SEIZE and PTRACE_INTERRUPT on each thread in /proc/PID/task, then
// waitpid(__WALL) for each stop, until no new thread appears. Synchronous and
// invisible to the target's parent, unlike SIGSTOP. PTRACE_DETACH resumes
// them; a process that was already stopped (SIGSTOP, job control) stays
// stopped, because the kernel re-arms a group stop on detach. If pvm dies
// while they are stopped, the kernel detaches and resumes them (exit_ptrace).
import { readdirSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { sleepSync } from '../sleep.ts';
import { Errno, NativeError } from './errno.ts';
import type { Libc } from './libc.ts';
import { RegisterReader } from './registers.ts';
import { readProcText } from './proc-text.ts';

const PTRACE_DETACH = 17;
const PTRACE_SEIZE = 0x4206;
const PTRACE_INTERRUPT = 0x4207;
const WNOHANG = 1;
const WALL = 0x40000000;
const SIGTRAP = 5;
/** How long a thread may take to stop: one in uninterruptible sleep (D) never does. */
const STOP_TIMEOUT_MS = 2000;
/** How long waitForStops polls without sleeping: threads interrupted together have all stopped by then, nearly always. */
const SPIN_MS = 0.5;

export interface StoppedThread {
  readonly tid: number;
  /** Where it is stopped (from /proc/PID/task/TID/syscall), if the kernel says. */
  readonly pc: bigint | undefined;
  /** True when it is stopped inside a system call: the kernel may restart it at `pc - 2`, the `syscall` instruction (docs/kernel.md). */
  readonly inSyscall: boolean;
  /** Its stack pointer, if the kernel says. */
  readonly sp: bigint | undefined;
  /** Its general registers (registers.ts), taken while it is stopped; undefined if the kernel refused them. */
  readonly registers: readonly bigint[] | undefined;
}

export interface Frozen {
  readonly threads: readonly StoppedThread[];
  /** Why the threads' registers are left out (a policy withholds them: guard.ts), when they are. */
  readonly registersWithheld?: string | undefined;
  /** Resumes every thread; safe to call twice. */
  thaw(): void;
  /**
   * Throws when the threads have been stopped longer than a policy allows (guard.ts), called just before a
   * patch's first write: refused then, nothing is written. After it, an overrun at thaw is only recorded (the
   * write is made); without it, thaw refuses one.
   */
  readonly checkTime?: (() => void) | undefined;
}

/** Stops every thread of `pid`; throws NativeError (EPERM: another tracer or Yama; ETIMEDOUT-like: see message). */
export function freezeProcess(libc: Libc, pid: number): Frozen {
  /** Seized threads, with the signal to give back on detach (one that arrived as the thread stopped). */
  const seized = new Map<number, number>();
  const thaw = () => {
    for (const [tid, signal] of seized) libc.ptrace(PTRACE_DETACH, tid, signal);
    seized.clear();
  };
  try {
    for (let round = 0; round < 100; round++) {
      const fresh = listThreads(pid).filter((tid) => !seized.has(tid));
      if (fresh.length === 0) break;
      const stopping: number[] = [];
      for (const tid of fresh) {
        const result = libc.ptrace(PTRACE_SEIZE, tid, 0);
        if (result === -Errno.ESRCH) continue; // the thread ended since the listing
        if (result < 0) throw new NativeError('ptrace(PTRACE_SEIZE)', -result);
        seized.set(tid, 0);
        if (libc.ptrace(PTRACE_INTERRUPT, tid, 0) === 0) stopping.push(tid);
      }
      waitForStops(libc, pid, stopping, seized);
    }
    const reader = new RegisterReader(libc);
    try {
      // Main thread first, then by tid: the order a core's notes and a recipe's threads() use.
      const tids = [...seized.keys()].sort((a, b) => (a === pid ? -1 : b === pid ? 1 : a - b));
      const threads = tids.map((tid) => ({ tid, ...stoppedAt(pid, tid), registers: attempt(() => reader.read(tid)) }));
      return { threads, thaw };
    } finally {
      reader.close();
    }
  } catch (error) {
    thaw();
    throw error;
  }
}

function waitForStops(libc: Libc, pid: number, tids: readonly number[], seized: Map<number, number>): void {
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  const spinUntil = performance.now() + SPIN_MS;
  const pending = new Set(tids);
  while (pending.size > 0) {
    for (const tid of pending) {
      const { pid: changed, status } = libc.waitpid(tid, WALL | WNOHANG);
      if (changed === 0) continue;
      pending.delete(tid);
      if (changed < 0) {
        seized.delete(tid); // gone (ECHILD after it exited): nothing to detach
        continue;
      }
      const stopped = (status & 0xff) === 0x7f;
      if (!stopped) {
        seized.delete(tid); // it exited
        continue;
      }
      // A stop with a signal and no ptrace event is that signal on its way in: give it back on detach.
      const signal = (status >> 8) & 0xff;
      const event = status >>> 16;
      if (event === 0 && signal !== SIGTRAP) seized.set(tid, signal);
    }
    if (pending.size === 0) break;
    if (Date.now() > deadline) {
      const which = [...pending].map((tid) => `thread ${tid} ${threadState(pid, tid)}`).join(', ');
      throw new NativeError('waitpid', Errno.EBUSY, `${which} did not stop within ${STOP_TIMEOUT_MS} ms; every thread was resumed`);
    }
    // A thread stops within microseconds, but a sleep lasts ~60 µs at least (the kernel's timer slack):
    // poll without sleeping for the first SPIN_MS.
    if (performance.now() > spinUntil) sleepSync(0.02);
  }
}

function listThreads(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map(Number).filter((tid) => Number.isSafeInteger(tid) && tid > 0);
}

/** Where a stopped thread is, from /proc/PID/task/TID/syscall (`-1 sp pc`, or `nr args… sp pc` inside system call nr). */
export function stoppedAt(pid: number, tid: number): { pc: bigint | undefined; sp: bigint | undefined; inSyscall: boolean } {
  const fields = (attempt(() => readProcText(`/proc/${pid}/task/${tid}/syscall`)) ?? '').trim().split(' ');
  const pc = fields[fields.length - 1]!;
  const sp = fields[fields.length - 2] ?? '';
  const known = fields.length >= 3 && pc.startsWith('0x');
  return { pc: known ? BigInt(pc) : undefined, sp: known && sp.startsWith('0x') ? BigInt(sp) : undefined, inSyscall: fields.length > 3 && fields[0] !== '-1' };
}

/** `D (uninterruptible sleep) in io_schedule`: a thread's state and where in the kernel it waits, for messages. */
function threadState(pid: number, tid: number): string {
  const stat = attempt(() => readProcText(`/proc/${pid}/task/${tid}/stat`)) ?? '';
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  const names: Record<string, string> = { D: 'uninterruptible sleep', S: 'sleeping', R: 'running', T: 'stopped', t: 'traced', Z: 'zombie' };
  const wchan = attempt(() => readProcText(`/proc/${pid}/task/${tid}/wchan`).trim()) ?? '';
  return `${state === '' ? 'in an unknown state' : `in state ${state} (${names[state] ?? 'see proc(5)'})`}${wchan !== '' && wchan !== '0' ? ` in ${wchan}` : ''}`;
}
