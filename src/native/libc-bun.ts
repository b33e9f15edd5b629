/// <reference types="bun-types" />
// The same libc functions as libc.ts, through Bun's own FFI (bun:ffi) instead
// of koffi: used by the single binary (`npm run build:bin`, bun build
// --compile), which cannot carry koffi's native module (koffi finds it on
// disk at run time). See docs/design.md, "The single binary". errno is read
// through glibc's __errno_location right after each call, on the same thread.
import { dlopen, FFIType, type Pointer, ptr, read, toArrayBuffer } from 'bun:ffi';
import type { Libc, NativeMemory } from './libc.ts';

export function bindWithBunFfi(): Libc {
  const { symbols: c } = dlopen(
    'libc.so.6',
    {
      process_vm_readv: { args: ['i32', 'ptr', 'u64', 'ptr', 'u64', 'u64'], returns: FFIType.i64_fast },
      process_vm_writev: { args: ['i32', 'ptr', 'u64', 'ptr', 'u64', 'u64'], returns: FFIType.i64_fast },
      open: { args: ['ptr', 'i32'], returns: 'i32' },
      pread64: { args: ['i32', 'ptr', 'u64', 'i64'], returns: FFIType.i64_fast },
      pwrite64: { args: ['i32', 'ptr', 'u64', 'i64'], returns: FFIType.i64_fast },
      close: { args: ['i32'], returns: 'i32' },
      kill: { args: ['i32', 'i32'], returns: 'i32' },
      sysconf: { args: ['i32'], returns: FFIType.i64_fast },
      // Variadic in glibc; on x86-64 and aarch64 integer arguments pass as for a fixed signature.
      ptrace: { args: ['i32', 'i32', 'u64', 'u64'], returns: FFIType.i64_fast },
      waitpid: { args: ['i32', 'ptr', 'i32'], returns: 'i32' },
      memmem: { args: ['u64', 'u64', 'u64', 'u64'], returns: FFIType.u64_fast },
      memchr: { args: ['u64', 'i32', 'u64'], returns: FFIType.u64_fast },
      wmemchr: { args: ['u64', 'i32', 'u64'], returns: FFIType.u64_fast },
      flock: { args: ['i32', 'i32'], returns: 'i32' },
      socket: { args: ['i32', 'i32', 'i32'], returns: 'i32' },
      bind: { args: ['i32', 'ptr', 'u32'], returns: 'i32' },
      send: { args: ['i32', 'ptr', 'u64', 'i32'], returns: FFIType.i64_fast },
      recv: { args: ['i32', 'ptr', 'u64', 'i32'], returns: FFIType.i64_fast },
      malloc: { args: ['u64'], returns: 'ptr' },
      free: { args: ['ptr'], returns: 'void' },
      __errno_location: { args: [], returns: 'ptr' },
    } as const,
  );
  const errno = (): number => read.i32(c.__errno_location()!, 0);
  const withErrno = (result: number | bigint): number => {
    const n = Number(result);
    return n < 0 ? -errno() : n;
  };
  const cString = (text: string): Uint8Array => new TextEncoder().encode(`${text}\0`);
  const SC_PAGESIZE = 30;
  return {
    processVmReadv: (pid, local, lc, remote, rc) => withErrno(c.process_vm_readv(pid, local, lc, remote, rc, 0)),
    processVmWritev: (pid, local, lc, remote, rc) => withErrno(c.process_vm_writev(pid, local, lc, remote, rc, 0)),
    open: (path, flags) => withErrno(c.open(cString(path), flags)),
    // Offsets are addresses; as int64 one above 2^63 turns negative and the kernel says EINVAL.
    pread: (fd, buffer, length, offset) => withErrno(c.pread64(fd, buffer, length, BigInt.asIntN(64, offset))),
    pwrite: (fd, buffer, length, offset) => withErrno(c.pwrite64(fd, buffer, length, BigInt.asIntN(64, offset))),
    close: (fd) => withErrno(c.close(fd)),
    kill: (pid, signal) => withErrno(c.kill(pid, signal)),
    pageSize: Number(c.sysconf(SC_PAGESIZE)),
    ptrace: (request, tid, data) => withErrno(c.ptrace(request, tid, 0, data)),
    waitpid(pid, options) {
      const status = new Int32Array(1);
      const result = c.waitpid(pid, status, options);
      return result < 0 ? { pid: -errno(), status: 0 } : { pid: result, status: status[0]! };
    },
    memmem: (haystack, haystackLength, needle, needleLength) => Number(c.memmem(haystack, haystackLength, needle, needleLength)),
    memchr: (haystack, byte, length) => Number(c.memchr(haystack, byte, length)),
    wmemchr: (haystack, word, words) => Number(c.wmemchr(haystack, word, words)),
    flock: (fd, operation) => withErrno(c.flock(fd, operation)),
    socket: (domain, type, protocol) => withErrno(c.socket(domain, type, protocol)),
    bind: (fd, address, length) => withErrno(c.bind(fd, address, length)),
    send: (fd, buffer, length, flags) => withErrno(c.send(fd, buffer, length, flags)),
    recv: (fd, buffer, length, flags) => withErrno(c.recv(fd, buffer, length, flags)),
    addressOf: (bytes) => ptr(bytes),
    alloc(size: number): NativeMemory {
      const length = Math.max(1, size);
      const pointer = c.malloc(length);
      if (pointer === null) throw new Error(`cannot allocate ${length} bytes of native memory`);
      return {
        address: BigInt(pointer),
        bytes: new Uint8Array(toArrayBuffer(pointer, 0, length)),
        free: () => c.free(pointer as Pointer),
      };
    },
  };
}
