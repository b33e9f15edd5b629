// A stopped thread's general registers, with PTRACE_GETREGS: x86-64's
// user_regs_struct, 27 unsigned 64-bit values in the order the kernel
// writes them into a core's NT_PRSTATUS (core-format.ts names them).
import { X86_64_REGISTERS } from '../registers.ts';
import { NativeError } from './errno.ts';
import type { Libc, NativeMemory } from './libc.ts';

const PTRACE_GETREGS = 12;

/** Takes the registers of threads that pvm has seized and stopped; `close` frees its native buffer. */
export class RegisterReader {
  readonly #libc: Libc;
  readonly #buffer: NativeMemory;

  constructor(libc: Libc) {
    this.#libc = libc;
    this.#buffer = libc.alloc(X86_64_REGISTERS.length * 8);
  }

  /** The registers of `tid`, which must be in a ptrace stop; throws NativeError otherwise. */
  read(tid: number): bigint[] {
    const result = this.#libc.ptrace(PTRACE_GETREGS, tid, Number(this.#buffer.address));
    if (result < 0) throw new NativeError('ptrace(PTRACE_GETREGS)', -result);
    const view = new DataView(this.#buffer.bytes.buffer, this.#buffer.bytes.byteOffset, X86_64_REGISTERS.length * 8);
    return X86_64_REGISTERS.map((_, i) => view.getBigUint64(i * 8, true));
  }

  close(): void {
    this.#buffer.free();
  }
}
