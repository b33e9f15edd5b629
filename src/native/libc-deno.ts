// The same libc functions as libc.ts, through Deno's own FFI (Deno.dlopen)
// instead of koffi: koffi loads through Deno's Node compatibility layer in
// ~55 ms, Deno.dlopen in ~1 ms, which is most of pvm's start-up on Deno (issue
// 13). errno is read through glibc's __errno_location right after each call,
// on the same thread, as libc-bun.ts does.
import type { Libc, NativeMemory } from './libc.ts';

type Symbols = Record<string, { name?: string; parameters: readonly string[]; result: string; nonblocking?: boolean }>;
type Functions = Record<string, (...args: unknown[]) => unknown>;

/** The part of Deno's FFI this file uses (Deno's types are not in this project's TypeScript setup). */
interface DenoFfi {
  dlopen(path: string, symbols: Symbols): { symbols: Functions };
  UnsafePointer: { value(pointer: unknown): bigint | number; of(bytes: Uint8Array): unknown };
  UnsafePointerView: {
    new (pointer: unknown): { getInt32(offset?: number): number };
    getArrayBuffer(pointer: unknown, byteLength: number): ArrayBuffer;
  };
}

/** What every run against a live process calls (its reads, the page size, iovec memory, errno). */
const FIRST: Symbols = {
  process_vm_readv: { parameters: ['i32', 'buffer', 'u64', 'buffer', 'u64', 'u64'], result: 'isize' },
  open: { parameters: ['buffer', 'i32'], result: 'i32' },
  pread64: { parameters: ['i32', 'buffer', 'usize', 'i64'], result: 'isize' },
  close: { parameters: ['i32'], result: 'i32' },
  sysconf: { parameters: ['i32'], result: 'i64' },
  malloc: { parameters: ['usize'], result: 'pointer' },
  free: { parameters: ['pointer'], result: 'void' },
  __errno_location: { parameters: [], result: 'pointer' },
};

/** The rest, bound on the first call of any: Deno.dlopen takes ~0.1 ms a function (22 at once: ~3.7 ms). */
const LATER: Symbols = {
  process_vm_writev: { parameters: ['i32', 'buffer', 'u64', 'buffer', 'u64', 'u64'], result: 'isize' },
  pwrite64: { parameters: ['i32', 'buffer', 'usize', 'i64'], result: 'isize' },
  // Deno's node:fs `write` writes on the main thread: this one runs on a thread of Deno's (a snapshot's writes).
  pwrite64InBackground: { name: 'pwrite64', parameters: ['i32', 'usize', 'usize', 'i64'], result: 'isize', nonblocking: true },
  kill: { parameters: ['i32', 'i32'], result: 'i32' },
  // Variadic in glibc; on x86-64 and aarch64 integer arguments pass as for a fixed signature.
  ptrace: { parameters: ['i32', 'i32', 'u64', 'u64'], result: 'i64' },
  waitpid: { parameters: ['i32', 'buffer', 'i32'], result: 'i32' },
  memmem: { parameters: ['usize', 'usize', 'usize', 'usize'], result: 'usize' },
  memchr: { parameters: ['usize', 'i32', 'usize'], result: 'usize' },
  wmemchr: { parameters: ['usize', 'i32', 'usize'], result: 'usize' },
  flock: { parameters: ['i32', 'i32'], result: 'i32' },
  socket: { parameters: ['i32', 'i32', 'i32'], result: 'i32' },
  bind: { parameters: ['i32', 'buffer', 'u32'], result: 'i32' },
  send: { parameters: ['i32', 'buffer', 'usize', 'i32'], result: 'isize' },
  recv: { parameters: ['i32', 'buffer', 'usize', 'i32'], result: 'isize' },
};

export function bindWithDenoFfi(): Libc {
  const deno = (globalThis as unknown as { Deno: DenoFfi }).Deno;
  const c: Functions = { ...deno.dlopen('libc.so.6', FIRST).symbols };
  const bindLater = (name: string) => Object.assign(c, deno.dlopen('libc.so.6', LATER).symbols)[name]!;
  const errno = (): number => new deno.UnsafePointerView(c.__errno_location!()).getInt32(0);
  const withErrno = (result: unknown): number => {
    const n = Number(result);
    return n < 0 ? -errno() : n;
  };
  const call = (name: string, ...args: unknown[]): unknown => (c[name] ?? bindLater(name))(...args);
  const cString = (text: string): Uint8Array => new TextEncoder().encode(`${text}\0`);
  const SC_PAGESIZE = 30;
  return {
    processVmReadv: (pid, local, lc, remote, rc) => withErrno(call('process_vm_readv', pid, local, lc, remote, rc, 0)),
    processVmWritev: (pid, local, lc, remote, rc) => withErrno(call('process_vm_writev', pid, local, lc, remote, rc, 0)),
    open: (path, flags) => withErrno(call('open', cString(path), flags)),
    // Offsets are addresses; as int64 one above 2^63 turns negative and the kernel says EINVAL.
    pread: (fd, buffer, length, offset) => withErrno(call('pread64', fd, buffer, length, BigInt.asIntN(64, offset))),
    pwrite: (fd, buffer, length, offset) => withErrno(call('pwrite64', fd, buffer, length, BigInt.asIntN(64, offset))),
    pwriteInBackground: (fd, address, length, offset) => (call('pwrite64InBackground', fd, address, length, BigInt(offset)) as Promise<number | bigint>).then(Number),
    close: (fd) => withErrno(call('close', fd)),
    kill: (pid, signal) => withErrno(call('kill', pid, signal)),
    pageSize: Number(call('sysconf', SC_PAGESIZE)),
    ptrace: (request, tid, data) => withErrno(call('ptrace', request, tid, 0, data)),
    waitpid(pid, options) {
      const status = new Int32Array(1);
      const result = Number(call('waitpid', pid, status, options));
      return result < 0 ? { pid: -errno(), status: 0 } : { pid: result, status: status[0]! };
    },
    memmem: (haystack, haystackLength, needle, needleLength) => Number(call('memmem', haystack, haystackLength, needle, needleLength)),
    memchr: (haystack, byte, length) => Number(call('memchr', haystack, byte, length)),
    wmemchr: (haystack, word, words) => Number(call('wmemchr', haystack, word, words)),
    flock: (fd, operation) => withErrno(call('flock', fd, operation)),
    socket: (domain, type, protocol) => withErrno(call('socket', domain, type, protocol)),
    bind: (fd, address, length) => withErrno(call('bind', fd, address, length)),
    send: (fd, buffer, length, flags) => withErrno(call('send', fd, buffer, length, flags)),
    recv: (fd, buffer, length, flags) => withErrno(call('recv', fd, buffer, length, flags)),
    addressOf: (bytes) => Number(deno.UnsafePointer.value(deno.UnsafePointer.of(bytes))),
    alloc(size: number): NativeMemory {
      const length = Math.max(1, size);
      const pointer = call('malloc', length);
      if (pointer === null) throw new Error(`cannot allocate ${length} bytes of native memory`);
      return {
        address: BigInt(deno.UnsafePointer.value(pointer)),
        bytes: new Uint8Array(deno.UnsafePointerView.getArrayBuffer(pointer, length)),
        free: () => call('free', pointer),
      };
    },
  };
}
