// Writing a live process, and stopping its threads for a patch's write window:
// process_vm_writev for data, /proc/PID/mem for what it cannot write (code),
// each stopped short of pages it must not touch (userfault-stops.ts).
import { attempt } from '../attempt.ts';
import { DeniedError, TargetError } from '../errors.ts';
import { Errno, NativeError } from '../native/errno.ts';
import { freezeProcess, type Frozen } from '../native/freeze.ts';
import type { Libc } from '../native/libc.ts';
import { ProcMem } from '../native/proc-mem.ts';
import type { VmChannel } from '../native/vm.ts';
import { translate } from './live-errors.ts';
import { readStatus } from './process-identity.ts';
import { describeTarget, type TargetIdentity, type WriteRequest, type WriteResult } from './target.ts';
import { throughStops, type UserfaultStops } from './userfault-stops.ts';
import { readProcText } from '../native/proc-text.ts';

export class LiveWrites {
  readonly #identity: TargetIdentity;
  readonly #vm: VmChannel;
  readonly #libc: Libc;
  readonly #stops: UserfaultStops;
  /** /proc/PID/mem, opened for writing on the first forced write. */
  #mem: ProcMem | undefined;

  constructor(identity: TargetIdentity, vm: VmChannel, libc: Libc, stops: UserfaultStops) {
    this.#identity = identity;
    this.#vm = vm;
    this.#libc = libc;
    this.#stops = stops;
  }

  /** /proc/PID/mem as opened for writing, if it is. */
  get mem(): ProcMem | undefined {
    return this.#mem;
  }

  /** With process_vm_writev; `force`, through /proc/PID/mem (#writeForce). */
  write(requests: readonly WriteRequest[], force = false): WriteResult[] {
    return force ? this.#writeForce(requests) : this.#stoppedWrite(requests, (sent) => this.#vm.write(sent));
  }

  /**
   * Writes through /proc/PID/mem, which never waits on a userfaultfd page (it
   * faults at once, EIO: measured), so no smaps is read to stop before one:
   * that read was ~0.25 ms of each process of a fleet's code patch. A write
   * that faults on such a page is told why afterwards.
   */
  #writeForce(requests: readonly WriteRequest[]): WriteResult[] {
    const results = this.#stoppedWrite(requests, (sent) => {
      this.#mem ??= ProcMem.open(this.#libc, this.#identity.pid!, true);
      const mem = this.#mem;
      return sent.map(({ address, bytes }) => mem.write(address, bytes));
    }, false);
    return results.map((result) => {
      const reason = result.fault === undefined || result.fault.reason !== undefined ? undefined : this.#stops.stopOf(result.fault.address, 1)?.reason;
      return reason === undefined ? result : { done: result.done, fault: { address: result.fault!.address, reason } };
    });
  }

  /** Writes what the stops let through, and reports a fault where a write was stopped. */
  #stoppedWrite(requests: readonly WriteRequest[], io: (sent: readonly WriteRequest[]) => WriteResult[], userfaultfd = true): WriteResult[] {
    return throughStops(
      requests,
      requests.map((w) => this.#stops.stopOf(w.address, w.bytes.length, userfaultfd)),
      (w, keep) => ({ address: w.address, bytes: w.bytes.subarray(0, keep) }),
      (sent) => {
        try {
          return io(sent);
        } catch (error) {
          throw translate(error, this.#identity);
        }
      },
      (_, answer, stop): WriteResult => ({ done: answer?.done ?? 0, fault: answer?.fault ?? { address: stop.at, reason: stop.reason } }),
    );
  }

  close(): void {
    this.#mem?.close();
    this.#mem = undefined;
  }
}

/** Stops every thread of the process until `thaw`; errors say why it could not (a tracer, ptrace refused, a thread in the kernel). */
export function freezeThreads(libc: Libc, identity: TargetIdentity): Frozen {
  try {
    return freezeProcess(libc, identity.pid!);
  } catch (error) {
    if (error instanceof NativeError && error.errno === Errno.EPERM) {
      const tracer = attempt(() => readStatus(identity.pid!).tracerPid) ?? 0;
      // pvm is `pvm …`, or a runtime running its cli/main.js (or .ts): then say so, not "a debugger".
      const args = (attempt(() => readProcText(`/proc/${tracer}/cmdline`)) ?? '').split('\0');
      const tracerIsPvm = tracer !== 0 && (args[0]?.split('/').pop() === 'pvm' || args.some((arg) => /\/cli\/main\.(js|ts)$/.test(arg)));
      throw new DeniedError(
        'freeze-denied',
        `cannot stop the threads of ${describeTarget(identity)}: ${
          tracer !== 0 ? `it is already traced by pid ${tracer} (${tracerIsPvm ? 'another pvm, patching it now' : 'a debugger?'})` : 'ptrace refused (Yama ptrace_scope, or a security module)'
        }`,
        {
          hint: tracer !== 0 ? 'detach the debugger first, or patch without freezing (data pages only)' : 'run pvm as root or with CAP_SYS_PTRACE, or lower /proc/sys/kernel/yama/ptrace_scope',
          cause: error,
        },
      );
    }
    if (error instanceof NativeError && error.errno === Errno.EBUSY) {
      throw new TargetError('freeze-timeout', `cannot stop every thread of ${describeTarget(identity)}: ${error.detail ?? error.message}`, {
        hint: 'a thread blocked in the kernel (state D) cannot be stopped; retry when it is not',
        cause: error,
      });
    }
    throw translate(error, identity);
  }
}
