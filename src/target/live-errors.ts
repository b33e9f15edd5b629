// What a failed access to a live process means for the user: the process
// has gone, or the kernel refused (and then why, explained by access.ts from
// what /proc shows).
import { statSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { DeniedError, TargetError } from '../errors.ts';
import { Errno, NativeError } from '../native/errno.ts';
import { parseStatus } from '../native/status.ts';
import { type AccessFacts, explainRefusal } from './access.ts';
import { readStatus } from './process-identity.ts';
import { describeTarget, type TargetIdentity } from './target.ts';
import { readProcText } from '../native/proc-text.ts';

/** A NativeError or fs error, as the user-facing error it means for this target. */
export function translate(error: unknown, identity: TargetIdentity): unknown {
  const who = describeTarget(identity);
  const errno = error instanceof NativeError ? error.errno : (error as { code?: string }).code === 'ENOENT' ? Errno.ENOENT : undefined;
  // ENOENT: a file of /proc/PID is gone, with its process.
  if (errno === Errno.ESRCH || errno === Errno.ENOENT) {
    return new TargetError('target-exited', `${who} has exited`, { hint: 'the process ended while pvm was reading it; start it again and rerun', cause: error });
  }
  if (errno === Errno.EPERM || errno === Errno.EACCES) {
    const refusal = explainRefusal(gatherAccessFacts(identity.pid ?? 0));
    return new DeniedError('access-denied', refusal.message, { hint: refusal.hint, cause: error });
  }
  return error;
}

function gatherAccessFacts(pid: number): AccessFacts {
  const caller = parseStatus(readProcText('/proc/self/status', 'utf8'));
  const target = readStatus(pid);
  const memOwner = attempt(() => statSync(`/proc/${pid}/mem`).uid);
  const yama = attempt(() => Number(readProcText('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim()));
  return {
    caller,
    target,
    targetDumpable: memOwner === undefined || memOwner === target.uid[1],
    yamaScope: yama,
    targetIsDescendant: isDescendant(pid, caller.pid),
  };
}

function isDescendant(pid: number, ancestor: number): boolean {
  let current = pid;
  for (let depth = 0; depth < 512 && current > 1; depth++) {
    const parent = attempt(() => parseStatus(readProcText(`/proc/${current}/status`, 'utf8')).ppid);
    if (parent === undefined) return false;
    if (parent === ancestor) return true;
    current = parent;
  }
  return false;
}
