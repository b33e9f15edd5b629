// src/native/libc-deno.ts
function bindWithDenoFfi() {
  const deno = globalThis.Deno;
  const { symbols: c } = deno.dlopen("libc.so.6", {
    process_vm_readv: { parameters: ["i32", "buffer", "u64", "buffer", "u64", "u64"], result: "isize" },
    process_vm_writev: { parameters: ["i32", "buffer", "u64", "buffer", "u64", "u64"], result: "isize" },
    open: { parameters: ["buffer", "i32"], result: "i32" },
    pread64: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
    pwrite64: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
    close: { parameters: ["i32"], result: "i32" },
    kill: { parameters: ["i32", "i32"], result: "i32" },
    sysconf: { parameters: ["i32"], result: "i64" },
    ptrace: { parameters: ["i32", "i32", "u64", "u64"], result: "i64" },
    waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
    memmem: { parameters: ["usize", "usize", "usize", "usize"], result: "usize" },
    memchr: { parameters: ["usize", "i32", "usize"], result: "usize" },
    wmemchr: { parameters: ["usize", "i32", "usize"], result: "usize" },
    flock: { parameters: ["i32", "i32"], result: "i32" },
    malloc: { parameters: ["usize"], result: "pointer" },
    free: { parameters: ["pointer"], result: "void" },
    __errno_location: { parameters: [], result: "pointer" }
  });
  const errno = () => new deno.UnsafePointerView(c.__errno_location()).getInt32(0);
  const withErrno = (result) => {
    const n = Number(result);
    return n < 0 ? -errno() : n;
  };
  const call = (name, ...args) => c[name](...args);
  const cString = (text) => new TextEncoder().encode(`${text}\x00`);
  const SC_PAGESIZE = 30;
  return {
    processVmReadv: (pid, local, lc, remote, rc) => withErrno(call("process_vm_readv", pid, local, lc, remote, rc, 0)),
    processVmWritev: (pid, local, lc, remote, rc) => withErrno(call("process_vm_writev", pid, local, lc, remote, rc, 0)),
    open: (path, flags) => withErrno(call("open", cString(path), flags)),
    pread: (fd, buffer, length, offset) => withErrno(call("pread64", fd, buffer, length, BigInt.asIntN(64, offset))),
    pwrite: (fd, buffer, length, offset) => withErrno(call("pwrite64", fd, buffer, length, BigInt.asIntN(64, offset))),
    close: (fd) => withErrno(call("close", fd)),
    kill: (pid, signal) => withErrno(call("kill", pid, signal)),
    pageSize: Number(call("sysconf", SC_PAGESIZE)),
    ptrace: (request, tid, data) => withErrno(call("ptrace", request, tid, 0, data)),
    waitpid(pid, options) {
      const status = new Int32Array(1);
      const result = Number(call("waitpid", pid, status, options));
      return result < 0 ? { pid: -errno(), status: 0 } : { pid: result, status: status[0] };
    },
    memmem: (haystack, haystackLength, needle, needleLength) => Number(call("memmem", haystack, haystackLength, needle, needleLength)),
    memchr: (haystack, byte, length) => Number(call("memchr", haystack, byte, length)),
    wmemchr: (haystack, word, words) => Number(call("wmemchr", haystack, word, words)),
    flock: (fd, operation) => withErrno(call("flock", fd, operation)),
    alloc(size) {
      const length = Math.max(1, size);
      const pointer = call("malloc", length);
      if (pointer === null)
        throw new Error(`cannot allocate ${length} bytes of native memory`);
      return {
        address: BigInt(deno.UnsafePointer.value(pointer)),
        bytes: new Uint8Array(deno.UnsafePointerView.getArrayBuffer(pointer, length)),
        free: () => call("free", pointer)
      };
    }
  };
}
export {
  bindWithDenoFfi
};
