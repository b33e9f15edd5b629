// The write lock of a live process: one pvm at a time verifies and writes it.
import { fstatSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { DeniedError, TargetError } from '../errors.ts';
import { Errno, NativeError } from '../native/errno.ts';
import { type Libc, O_CLOEXEC, O_RDONLY } from '../native/libc.ts';
import { sleepSync } from '../sleep.ts';
import { translate } from './live-errors.ts';
import { startTimeOf } from './process-identity.ts';
import { describeTarget, type TargetIdentity } from './target.ts';
import { readProcText } from '../native/proc-text.ts';

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;
/** How long a patch waits for another pvm writing the same process. */
const LOCK_WAIT_MS = 5000;

/**
 * Takes the write lock, and returns its release: an exclusive flock on the
 * process's /proc/PID/mem, held by one pvm at a time for a verify-and-write
 * window. Whoever opens that file through the
 * same /proc mount while a pvm holds it gets the same inode, whatever user
 * it runs as; a reused pid is a new directory, so another lock. Opening it
 * takes ptrace access and read permission on it (its owner, CAP_DAC_OVERRIDE
 * or CAP_DAC_READ_SEARCH), so no one who may not patch the process can hold
 * its lock. Nothing is made on disk, so nothing is left behind (a lock file took
 * ~0.4 ms a process to make and remove on a disk /tmp). A waiter names the
 * holder from /proc/locks.
 */
export function lockWrites(libc: Libc, identity: TargetIdentity): () => void {
  const who = describeTarget(identity);
  const path = `/proc/${identity.pid}/mem`;
  const unavailable = (error: NativeError, why = error.message, hint = 'retry; if it persists, report it') => new DeniedError('lock-unavailable', `cannot take the write lock of ${who}: ${why}; nothing was written`, { hint, cause: error });
  const fd = libc.open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const error = new NativeError(`open ${path}`, -fd);
    if (-fd === Errno.EACCES || -fd === Errno.EPERM) {
      throw unavailable(error, `opening ${path} was refused (${error.errnoName})`, "the lock takes what a patch of code takes: run pvm as the target's user or as root (CAP_SYS_PTRACE alone is not enough: add CAP_DAC_OVERRIDE)");
    }
    const meant = translate(error, identity); // the process has gone
    throw meant !== error ? meant : unavailable(error);
  }
  const release = () => {
    libc.flock(fd, LOCK_UN);
    libc.close(fd);
  };
  try {
    checkSameProcess(identity); // opened after the pid was reused: that file is another process's
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      const result = libc.flock(fd, LOCK_EX | LOCK_NB);
      if (result === 0) break;
      if (-result === Errno.EINTR) continue;
      if (-result !== Errno.EAGAIN) throw unavailable(new NativeError('flock', -result));
      if (Date.now() > deadline) {
        const holder = flockHolder(fd);
        throw new TargetError('target-busy', `another pvm${holder === undefined ? '' : ` (pid ${holder})`} is writing to ${who}; nothing was written`, {
          hint: 'retry when it is done: two patchers of one process are taken one at a time',
        });
      }
      sleepSync(5);
    }
    checkSameProcess(identity); // it may have ended while this pvm waited
  } catch (error) {
    release();
    throw error;
  }
  return release;
}

/** Throws target-exited unless the pid still names the process opened (its start time). */
function checkSameProcess(identity: TargetIdentity): void {
  const now = startTimeOf(attempt(() => readProcText(`/proc/${identity.pid}/stat`)) ?? '');
  if (now !== identity.startTime) throw translate(new NativeError('read /proc/PID/stat', Errno.ESRCH), identity);
}

/** The pid that holds a flock on open file `fd`, from /proc/locks (`1: FLOCK  ADVISORY  WRITE 3419 00:15:5040459 0 EOF`). */
function flockHolder(fd: number): number | undefined {
  const { dev, ino } = fstatSync(fd);
  // Linux's dev_t: the minor's low 8 bits, then 12 bits of major, then the rest of the minor.
  const major = (dev >> 8) & 0xfff;
  const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
  for (const line of (attempt(() => readProcText('/proc/locks')) ?? '').split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== 'FLOCK' || fields[3] !== 'WRITE') continue;
    const [maj, min, inode] = (fields[5] ?? '').split(':');
    if (parseInt(maj ?? '', 16) === major && parseInt(min ?? '', 16) === minor && Number(inode) === ino) return Number(fields[4]);
  }
  return undefined;
}
