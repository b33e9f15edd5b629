// src/native/libc.ts
var O_RDONLY = 0;
var O_RDWR = 2;
var O_CLOEXEC = 524288;
var loaded;
function loadLibc() {
  loaded ??= bindChosen().catch((error) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}
function bindChosen() {
  const ffi = process.env.PVM_FFI ?? ("Bun" in globalThis ? "bun" : ("Deno" in globalThis) ? "deno" : "koffi");
  if (ffi === "bun")
    return import("./libc-bun-4mv63996.js").then((m) => m.bindWithBunFfi());
  if (ffi === "deno")
    return import("./libc-deno-jfj4g8cw.js").then((m) => m.bindWithDenoFfi());
  return bind();
}
async function bind() {
  const koffi = (await import("koffi")).default;
  const lib = koffi.load("libc.so.6");
  const withErrno = (fn) => (...args) => {
    const result = Number(fn(...args));
    return result < 0 ? -koffi.errno() : result;
  };
  const readv = lib.func("intptr_t process_vm_readv(int pid, void *local, unsigned long liovcnt, void *remote, unsigned long riovcnt, unsigned long flags)");
  const writev = lib.func("intptr_t process_vm_writev(int pid, void *local, unsigned long liovcnt, void *remote, unsigned long riovcnt, unsigned long flags)");
  const open = lib.func("int open(const char *path, int flags)");
  const pread = lib.func("intptr_t pread64(int fd, void *buf, size_t count, int64_t offset)");
  const pwrite = lib.func("intptr_t pwrite64(int fd, const void *buf, size_t count, int64_t offset)");
  const close = lib.func("int close(int fd)");
  const kill = lib.func("int kill(int pid, int sig)");
  const sysconf = lib.func("long sysconf(int name)");
  const SC_PAGESIZE = 30;
  const ptrace = lib.func("long ptrace(int request, ...)");
  const waitpid = lib.func("int waitpid(int pid, _Out_ int *status, int options)");
  const memmem = lib.func("uintptr_t memmem(uintptr_t haystack, size_t haystacklen, uintptr_t needle, size_t needlelen)");
  const memchr = lib.func("uintptr_t memchr(uintptr_t s, int c, size_t n)");
  const wmemchr = lib.func("uintptr_t wmemchr(uintptr_t s, int32_t c, size_t n)");
  const flock = lib.func("int flock(int fd, int operation)");
  return {
    processVmReadv: withErrno((pid, local, lc, remote, rc) => readv(pid, local, lc, remote, rc, 0)),
    processVmWritev: withErrno((pid, local, lc, remote, rc) => writev(pid, local, lc, remote, rc, 0)),
    open: withErrno((path, flags) => open(path, flags)),
    pread: withErrno((fd, buffer, length, offset) => pread(fd, buffer, length, BigInt.asIntN(64, offset))),
    pwrite: withErrno((fd, buffer, length, offset) => pwrite(fd, buffer, length, BigInt.asIntN(64, offset))),
    close: withErrno((fd) => close(fd)),
    kill: withErrno((pid, signal) => kill(pid, signal)),
    pageSize: Number(sysconf(SC_PAGESIZE)),
    ptrace: withErrno((request, tid, data) => ptrace(request, "int", tid, "uintptr_t", 0, "uintptr_t", data)),
    waitpid(pid, options) {
      const status = new Int32Array(1);
      const result = Number(waitpid(pid, status, options));
      return result < 0 ? { pid: -koffi.errno(), status: 0 } : { pid: result, status: status[0] };
    },
    memmem: (haystack, haystackLength, needle, needleLength) => Number(memmem(haystack, haystackLength, needle, needleLength)),
    memchr: (haystack, byte, length) => Number(memchr(haystack, byte, length)),
    wmemchr: (haystack, word, words) => Number(wmemchr(haystack, word, words)),
    flock: withErrno((fd, operation) => flock(fd, operation)),
    alloc(size) {
      const pointer = koffi.alloc("uint8_t", Math.max(1, size));
      return {
        address: koffi.address(pointer),
        bytes: new Uint8Array(koffi.view(pointer, Math.max(1, size))),
        free: () => koffi.free(pointer)
      };
    }
  };
}

export { O_RDONLY, O_RDWR, O_CLOEXEC, loadLibc };
