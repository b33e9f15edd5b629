// threads() and reg(thread, "name"): the target's threads, main thread
// first, and their registers, from a core's NT_PRSTATUS notes or, live, from
// ptrace while the threads are stopped for a moment.
import { assert, TargetError } from '../errors.ts';
import { ADDRESS_REGISTERS, X86_64_REGISTERS } from '../registers.ts';
import type { ThreadState } from '../target/target.ts';
import { int, numeric, ptr, type Value } from './evaluation/value.ts';

export function threadBuiltin(name: 'threads' | 'reg', args: readonly Value[], threads: readonly ThreadState[]): Value {
  if (name === 'threads') return { kind: 'list', items: threads.map((t) => int(BigInt(t.tid))) };
  const tid = numeric(args[0]!)!.value;
  const register = (args[1] as { value: string }).value;
  const index = X86_64_REGISTERS.indexOf(register);
  assert(index >= 0, `unchecked register ${register}`);
  const thread = threads.find((t) => BigInt(t.tid) === tid);
  if (thread === undefined) {
    throw new TargetError('no-thread', `no thread ${tid} in the target (its threads: ${threads.map((t) => t.tid).join(', ') || 'none'})`, {
      hint: 'take thread ids from threads(), e.g. reg(threads()[0], "rip")',
    });
  }
  if (thread.denied !== undefined) throw thread.denied();
  if (thread.registers === undefined) {
    throw new TargetError('no-registers', `the registers of thread ${tid} are not available: the kernel refused them, or the core does not hold them`, {
      hint: 'on a live process, run pvm with ptrace rights over it (as its user, or with CAP_SYS_PTRACE)',
    });
  }
  const value = thread.registers[index]!;
  return ADDRESS_REGISTERS.has(register) ? ptr(value) : int(value);
}

/**
 * The top of each thread's stack that a pointer path's stack base counts
 * down from (value.ts PathBase), by index in threads(), with where the thread
 * is now (`sp`, to find its stack's mapping): the main thread's is `mainTop`
 * (`[symbol("__libc_stack_end")]`: where its stack was when the program
 * started, below the environment, whose size changes from run to run);
 * another's is its thread pointer (`fs_base`), which glibc places at the top
 * of the thread's stack. A thread whose registers are unknown has none.
 */
export function stackTops(threads: readonly ThreadState[], mainTop: () => bigint | undefined): ({ readonly top: bigint; readonly sp: bigint } | undefined)[] {
  const fs = X86_64_REGISTERS.indexOf('fs_base');
  const rsp = X86_64_REGISTERS.indexOf('rsp');
  return threads.map((thread, index) => {
    if (thread.denied !== undefined) throw thread.denied();
    const registers = thread.registers;
    if (registers === undefined) return undefined;
    const top = index === 0 ? mainTop() : registers[fs];
    return top === undefined || top === 0n ? undefined : { top, sp: registers[rsp]! };
  });
}
