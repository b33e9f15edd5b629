// /proc/PID/mem: the second path into a process. Slower than process_vm_readv
// for bulk reads, but the kernel writes through it with FOLL_FORCE, so it can
// patch read-only private mappings such as r-x code (docs/kernel.md §2).
import { Errno, NativeError } from './errno.ts';
import { type Libc, O_CLOEXEC, O_RDONLY, O_RDWR } from './libc.ts';
import type { TransferOutcome } from './transfer-batch.ts';

export class ProcMem {
  readonly pid: number;
  readonly #libc: Libc;
  readonly #fd: number;

  private constructor(libc: Libc, pid: number, fd: number) {
    this.#libc = libc;
    this.pid = pid;
    this.#fd = fd;
  }

  /** Opens /proc/PID/mem; permission is checked here once (ptrace ATTACH plus file mode). */
  static open(libc: Libc, pid: number, writable: boolean): ProcMem {
    const fd = libc.open(`/proc/${pid}/mem`, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) throw new NativeError('open /proc/PID/mem', -fd);
    return new ProcMem(libc, pid, fd);
  }

  /** Reads up to `length` bytes; the kernel stops at the first page it cannot access. */
  read(address: bigint, length: number): TransferOutcome & { bytes: Uint8Array } {
    const bytes = new Uint8Array(length);
    const outcome = this.#loop(address, length, (at, n) => this.#libc.pread(this.#fd, bytes.subarray(at), n, address + BigInt(at)), 'pread /proc/PID/mem');
    return { ...outcome, bytes };
  }

  write(address: bigint, bytes: Uint8Array): TransferOutcome {
    return this.#loop(address, bytes.length, (at, n) => this.#libc.pwrite(this.#fd, bytes.subarray(at), n, address + BigInt(at)), 'pwrite /proc/PID/mem');
  }

  close(): void {
    this.#libc.close(this.#fd);
  }

  #loop(address: bigint, length: number, call: (at: number, n: number) => number, syscall: string): TransferOutcome {
    let done = 0;
    while (done < length) {
      const result = call(done, length - done);
      if (result > 0) {
        done += result;
        continue;
      }
      if (result === -Errno.EINTR) continue;
      // 0 means the process is gone (exec or exit: docs/kernel.md §2); EIO a page it cannot access.
      if (result === 0) throw new NativeError(syscall, Errno.ESRCH, 'the process exited or exec-ed');
      if (result === -Errno.EIO || result === -Errno.EFAULT) {
        return { done, fault: { address: address + BigInt(done), errno: -result } };
      }
      throw new NativeError(syscall, -result);
    }
    return { done, fault: undefined };
  }
}
