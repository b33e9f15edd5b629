// What a core says of a process besides its memory, as a live process's
// /proc says it (for snapshots): facts, not access to its memory.
import { readdirSync, readFileSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import type { CoreProcessInfo } from '../native/core-format.ts';
import { parseStatus } from '../native/status.ts';
import { readStatus, statFields } from './process-identity.ts';
import type { TargetIdentity } from './target.ts';
import { readProcText } from '../native/proc-text.ts';

export interface ProcessFacts {
  /** What a core's NT_PRPSINFO says of the process. */
  processInfo(): CoreProcessInfo;
  /** /proc/PID/auxv: the auxiliary vector the kernel gave the program (a core's NT_AUXV). */
  auxv(): Uint8Array | undefined;
  /** The ids of the process's threads (/proc/PID/task), main thread first: for when they could not be stopped to take their registers. */
  threadIds(): number[];
  /** Whether a signal stops the process now (state T: SIGSTOP, or a job-control stop such as ^Z), not a tracer (t). */
  stoppedBySignal(): boolean;
}

/** The facts of the live process `identity` names, read when asked. */
export function processFacts(identity: TargetIdentity): ProcessFacts {
  const pid = identity.pid!;
  return {
    processInfo() {
      const status = readStatus(pid);
      const fields = attempt(() => statFields(readProcText(`/proc/${pid}/stat`))) ?? [];
      return {
        pid,
        ppid: status.ppid,
        pgrp: Number(fields[2] ?? 0),
        sid: Number(fields[3] ?? 0),
        uid: status.uid[0],
        gid: status.gid[0],
        state: status.state,
        name: status.name,
        args: identity.cmdline.join(' '),
      };
    },
    auxv: () => attempt(() => readFileSync(`/proc/${pid}/auxv`)),
    threadIds() {
      const tids = (attempt(() => readdirSync(`/proc/${pid}/task`)) ?? []).map(Number).filter((tid) => Number.isSafeInteger(tid) && tid > 0);
      return tids.sort((a, b) => (a === pid ? -1 : b === pid ? 1 : a - b));
    },
    stoppedBySignal: () => attempt(() => readStatus(pid).state === 'T') ?? false,
  };
}

/** VmRSS of /proc/PID/status, in bytes (a scan reads only resident pages); 0 where it cannot be read. */
export function residentBytes(pid: number): number {
  try {
    return parseStatus(readProcText(`/proc/${pid}/status`)).residentBytes;
  } catch {
    return 0;
  }
}
