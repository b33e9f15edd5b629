// errno values (Linux, x86-64 and arm64 agree on these) and the error that
// keeps them with the syscall's name. Callers turn a NativeError into a
// user-facing error with context (pid, address, region); users never see a bare errno.

export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EINVAL: 22,
  ENOSYS: 38,
} as const;

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  [Errno.EPERM]: 'operation not permitted',
  [Errno.ENOENT]: 'no such file or directory',
  [Errno.ESRCH]: 'no such process',
  [Errno.EINTR]: 'interrupted system call',
  [Errno.EIO]: 'input/output error',
  [Errno.EBADF]: 'bad file descriptor',
  [Errno.EAGAIN]: 'resource temporarily unavailable',
  [Errno.ENOMEM]: 'out of memory',
  [Errno.EACCES]: 'permission denied',
  [Errno.EFAULT]: 'bad address',
  [Errno.EBUSY]: 'device or resource busy',
  [Errno.EINVAL]: 'invalid argument',
  [Errno.ENOSYS]: 'function not implemented',
};

/** `EFAULT`, or `errno 77` for one we do not name. */
export function errnoName(errno: number): string {
  for (const [name, value] of Object.entries(Errno)) if (value === errno) return name;
  return `errno ${errno}`;
}

export function errnoDescription(errno: number): string {
  return DESCRIPTIONS[errno] ?? 'unknown error';
}

/** A failed system call: which one, and its errno by number and name. */
export class NativeError extends Error {
  readonly errno: number;
  readonly errnoName: string;
  readonly syscall: string;
  /** What the caller knows beyond the errno, for the user-facing error built from this one. */
  readonly detail: string | undefined;

  constructor(syscall: string, errno: number, detail?: string) {
    super(`${syscall}: ${errnoName(errno)} (${errnoDescription(errno)})${detail === undefined ? '' : `: ${detail}`}`);
    this.name = 'NativeError';
    this.errno = errno;
    this.errnoName = errnoName(errno);
    this.syscall = syscall;
    this.detail = detail;
  }
}
