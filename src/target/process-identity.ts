// Who a live process is, from /proc: its identity as errors name it, and the
// reasons it has no memory to read (a kernel thread, a zombie).
import { readlinkSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { DeniedError, TargetError } from '../errors.ts';
import { parseStatus, type ProcessStatus } from '../native/status.ts';
import { describeTarget, type TargetIdentity } from './target.ts';
import { readProcText } from '../native/proc-text.ts';

/** The identity of process `pid`; throws TargetError when it is none, or has no user memory to read. */
export function processIdentity(pid: number): TargetIdentity {
  const status = readStatus(pid);
  // The program pvm runs in (the library's caller): a recipe could rewrite the very checks that judge it.
  if (status.tgid === process.pid) {
    throw new DeniedError('self-target', `pid ${pid} is ${pid === process.pid ? '' : 'a thread of '}this pvm's own process (${status.name})`, {
      hint: "pvm reads other processes: open another program's pid (the library's own memory is its host's to read directly)",
    });
  }
  const stat = attempt(() => statFields(readProcText(`/proc/${pid}/stat`)));
  const identity: TargetIdentity = {
    kind: 'process',
    pid,
    name: status.name,
    exe: attempt(() => readlinkSync(`/proc/${pid}/exe`)),
    cmdline: readCmdline(pid),
    startTime: stat?.[19],
    image: imageOfStat(stat),
  };
  // PF_KTHREAD in the flags of /proc/PID/stat (field 9): a kernel thread has no user memory to read.
  const flags = Number(stat?.[6] ?? 0);
  if ((flags & 0x00200000) !== 0) {
    throw new TargetError('kernel-thread', `${describeTarget(identity)} is a kernel thread: it has no user memory to read`, { hint: 'choose a user process (`ps -e` shows kernel threads in [brackets])' });
  }
  if (status.state === 'Z') {
    throw new TargetError('target-exited', `${describeTarget(identity)} has exited (it is a zombie waiting for its parent) and has no memory to read`, {
      hint: 'choose a running process',
    });
  }
  return identity;
}

export function readStatus(pid: number): ProcessStatus {
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw new TargetError('no-such-process', `${pid} is not a process id`, { hint: 'pass a positive pid, e.g. --pid 4242' });
  }
  try {
    return parseStatus(readProcText(`/proc/${pid}/status`, 'utf8'));
  } catch {
    throw new TargetError('no-such-process', `no process with pid ${pid}`, { hint: 'check the pid with `ps -e`; the process may have exited' });
  }
}

/** The fields of /proc/PID/stat from field 3 (state) on: after the command name in parentheses, which may hold spaces and parentheses. */
export function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Where the program image begins, from stat's fields (see TargetIdentity.image); undefined where hidden. */
export function imageOfStat(fields: readonly string[] | undefined): string | undefined {
  const [code, stack] = [fields?.[23], fields?.[25]];
  return code === undefined || stack === undefined || code === '0' || stack === '0' ? undefined : `${code}:${stack}`;
}

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks after boot. */
export function startTimeOf(stat: string): string | undefined {
  return statFields(stat)[19];
}

/**
 * /proc/PID/stat while `pid` still names the process that started at `startTime` and has not exited (a zombie
 * has, though its pid stays until it is reaped); undefined otherwise, or when the start time is not known.
 */
export function statWhileRunning(pid: number, startTime: string | undefined): string | undefined {
  const stat = attempt(() => readProcText(`/proc/${pid}/stat`));
  return stat !== undefined && startTime !== undefined && startTimeOf(stat) === startTime && !/\) Z /.test(stat) ? stat : undefined;
}

function readCmdline(pid: number): string[] {
  const raw = attempt(() => readProcText(`/proc/${pid}/cmdline`, 'utf8')) ?? '';
  return raw.split('\0').filter((part, i, all) => part !== '' || i < all.length - 1);
}
