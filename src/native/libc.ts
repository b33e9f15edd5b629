// The only file that imports koffi (libc-bun.ts binds the same functions with
// Bun's FFI, for the single binary), and only when a live target is opened:
// `pvm check` and `pvm plan` never load it. Every function returns its result
// or `-errno`, read right after the call, so callers never touch errno state.

export interface NativeMemory {
  readonly address: bigint;
  /** A view of the native memory itself (no copy). */
  readonly bytes: Uint8Array;
  free(): void;
}

export interface Libc {
  processVmReadv(pid: number, local: Uint8Array, localCount: number, remote: Uint8Array, remoteCount: number): number;
  processVmWritev(pid: number, local: Uint8Array, localCount: number, remote: Uint8Array, remoteCount: number): number;
  open(path: string, flags: number): number;
  pread(fd: number, buffer: Uint8Array, length: number, offset: bigint): number;
  pwrite(fd: number, buffer: Uint8Array, length: number, offset: bigint): number;
  /**
   * pwrite(2) of native memory on another thread (Deno's nonblocking FFI): the
   * bytes written, or -1 (errno stays on that thread). Undefined where the
   * runtime's node:fs `write` already writes on its own threads (Node, Bun).
   */
  pwriteInBackground?: (fd: number, address: number, length: number, offset: number) => Promise<number>;
  close(fd: number): number;
  kill(pid: number, signal: number): number;
  /**
   * libc memmem over native memory: the address of the first match of the
   * needle in the haystack, or 0. Addresses are numbers (user space is below 2^47).
   */
  memmem(haystack: number, haystackLength: number, needle: number, needleLength: number): number;
  /** libc memchr over native memory: the address of the first `byte`, or 0. */
  memchr(haystack: number, byte: number, length: number): number;
  /** libc wmemchr: the address of the first 4-byte word equal to `word` among `words` words (4-aligned), or 0. */
  wmemchr(haystack: number, word: number, words: number): number;
  /** The kernel's page size (sysconf(_SC_PAGESIZE)). */
  readonly pageSize: number;
  /** ptrace(request, tid, 0, data), for the requests that take no address: 0 or -errno. */
  ptrace(request: number, tid: number, data: number): number;
  /** waitpid: the pid that changed state (0 with WNOHANG if none), or -errno; and its status. */
  waitpid(pid: number, options: number): { readonly pid: number; readonly status: number };
  /** Native memory at a fixed address, for iovecs (a JS heap buffer may move). */
  alloc(size: number): NativeMemory;
  /**
   * Where a typed array's bytes lie in memory, for an iovec. Only for a large
   * array (64 KiB or more: V8 and JavaScriptCore keep those outside the heap,
   * where they never move), used by a call made before anything else runs.
   */
  addressOf(bytes: Uint8Array): number;
  /** flock(2): 0 or -errno. */
  flock(fd: number, operation: number): number;
  /** socket(2), bind(2), send(2) and recv(2), for the kernel's process connector (netlink): the result or -errno. */
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, address: Uint8Array, length: number): number;
  send(fd: number, buffer: Uint8Array, length: number, flags: number): number;
  recv(fd: number, buffer: Uint8Array, length: number, flags: number): number;
}

export const O_RDONLY = 0;
export const O_RDWR = 2;
export const O_CLOEXEC = 0o2000000;

let loaded: Promise<Libc> | undefined;

/**
 * Loads libc, once per pvm (a run over many processes opens many): through
 * the runtime's own FFI on Bun (libc-bun.ts) and Deno (libc-deno.ts), which
 * load in ~1 ms where koffi takes 15 ms on Bun and 55 ms on Deno, and through
 * koffi on Node. PVM_FFI (`koffi`, `bun`, `deno`) chooses another; the single
 * binary is built with it fixed to `bun`. Throws a plain Error when koffi is missing.
 */
export function loadLibc(): Promise<Libc> {
  loaded ??= bindChosen().catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}

function bindChosen(): Promise<Libc> {
  const ffi = process.env.PVM_FFI ?? ('Bun' in globalThis ? 'bun' : 'Deno' in globalThis ? 'deno' : 'koffi');
  if (ffi === 'bun') return import('./libc-bun.ts').then((m) => m.bindWithBunFfi());
  if (ffi === 'deno') return import('./libc-deno.ts').then((m) => m.bindWithDenoFfi());
  return bind();
}

async function bind(): Promise<Libc> {
  const koffi = (await import('koffi')).default;
  const lib = koffi.load('libc.so.6');
  const withErrno = <A extends unknown[]>(fn: (...args: A) => number | bigint) => (...args: A): number => {
    const result = Number(fn(...args));
    return result < 0 ? -koffi.errno() : result;
  };
  const readv = lib.func('intptr_t process_vm_readv(int pid, void *local, unsigned long liovcnt, void *remote, unsigned long riovcnt, unsigned long flags)');
  const writev = lib.func('intptr_t process_vm_writev(int pid, void *local, unsigned long liovcnt, void *remote, unsigned long riovcnt, unsigned long flags)');
  const open = lib.func('int open(const char *path, int flags)');
  const pread = lib.func('intptr_t pread64(int fd, void *buf, size_t count, int64_t offset)');
  const pwrite = lib.func('intptr_t pwrite64(int fd, const void *buf, size_t count, int64_t offset)');
  const close = lib.func('int close(int fd)');
  const kill = lib.func('int kill(int pid, int sig)');
  const sysconf = lib.func('long sysconf(int name)');
  const SC_PAGESIZE = 30;
  // ptrace is variadic in glibc: its arguments after the request go with their types.
  const ptrace = lib.func('long ptrace(int request, ...)');
  const waitpid = lib.func('int waitpid(int pid, _Out_ int *status, int options)');
  // Addresses as integers, not koffi pointers: no wrapper object per call, and scans call it per candidate.
  const memmem = lib.func('uintptr_t memmem(uintptr_t haystack, size_t haystacklen, uintptr_t needle, size_t needlelen)');
  const memchr = lib.func('uintptr_t memchr(uintptr_t s, int c, size_t n)');
  const wmemchr = lib.func('uintptr_t wmemchr(uintptr_t s, int32_t c, size_t n)');
  const flock = lib.func('int flock(int fd, int operation)');
  const socket = lib.func('int socket(int domain, int type, int protocol)');
  const bindSocket = lib.func('int bind(int fd, void *address, uint32_t length)');
  const send = lib.func('intptr_t send(int fd, void *buffer, size_t length, int flags)');
  const recv = lib.func('intptr_t recv(int fd, void *buffer, size_t length, int flags)');
  // memmove(a, a, 0) does nothing and returns a: koffi passes a typed array as the address of its bytes.
  const addressOf = lib.func('uintptr_t memmove(void *dest, void *src, size_t n)');

  return {
    processVmReadv: withErrno((pid: number, local: Uint8Array, lc: number, remote: Uint8Array, rc: number) => readv(pid, local, lc, remote, rc, 0)),
    processVmWritev: withErrno((pid: number, local: Uint8Array, lc: number, remote: Uint8Array, rc: number) => writev(pid, local, lc, remote, rc, 0)),
    open: withErrno((path: string, flags: number) => open(path, flags)),
    // Offsets are addresses; as int64 one above 2^63 turns negative and the kernel says EINVAL.
    pread: withErrno((fd: number, buffer: Uint8Array, length: number, offset: bigint) => pread(fd, buffer, length, BigInt.asIntN(64, offset))),
    pwrite: withErrno((fd: number, buffer: Uint8Array, length: number, offset: bigint) => pwrite(fd, buffer, length, BigInt.asIntN(64, offset))),
    close: withErrno((fd: number) => close(fd)),
    kill: withErrno((pid: number, signal: number) => kill(pid, signal)),
    pageSize: Number(sysconf(SC_PAGESIZE)),
    ptrace: withErrno((request: number, tid: number, data: number) => ptrace(request, 'int', tid, 'uintptr_t', 0, 'uintptr_t', data)),
    waitpid(pid: number, options: number) {
      const status = new Int32Array(1);
      const result = Number(waitpid(pid, status, options));
      return result < 0 ? { pid: -koffi.errno(), status: 0 } : { pid: result, status: status[0]! };
    },
    memmem: (haystack: number, haystackLength: number, needle: number, needleLength: number) => Number(memmem(haystack, haystackLength, needle, needleLength)),
    memchr: (haystack: number, byte: number, length: number) => Number(memchr(haystack, byte, length)),
    wmemchr: (haystack: number, word: number, words: number) => Number(wmemchr(haystack, word, words)),
    flock: withErrno((fd: number, operation: number) => flock(fd, operation)),
    socket: withErrno((domain: number, type: number, protocol: number) => socket(domain, type, protocol)),
    bind: withErrno((fd: number, address: Uint8Array, length: number) => bindSocket(fd, address, length)),
    send: withErrno((fd: number, buffer: Uint8Array, length: number, flags: number) => send(fd, buffer, length, flags)),
    recv: withErrno((fd: number, buffer: Uint8Array, length: number, flags: number) => recv(fd, buffer, length, flags)),
    addressOf: (bytes: Uint8Array) => Number(addressOf(bytes, bytes, 0)),
    alloc(size: number): NativeMemory {
      const pointer = koffi.alloc('uint8_t', Math.max(1, size));
      return {
        address: koffi.address(pointer),
        bytes: new Uint8Array(koffi.view(pointer, Math.max(1, size))),
        free: () => koffi.free(pointer),
      };
    },
  };
}
