// How many process_vm_readv/writev calls a list of transfers takes, and what
// each call's return value means for every transfer in it. Pure, so the
// kernel's partial-transfer rules can be tested without a kernel.
//
// The kernel's rules (docs/kernel.md §1):
// - at most 1024 remote iovecs per call (UIO_MAXIOV), and a call moves at most
//   MAX_RW_COUNT (0x7ffff000) bytes: larger totals are silently clamped;
// - copying stops at the first remote page that faults; the call returns the
//   bytes copied before it, or EFAULT if that was 0;
// - iovecs after the faulting one are not attempted.
// So a short count N tells exactly which transfer faulted and where: the data
// lands contiguously, and the first transfer not fully covered by N faulted at
// its start + the part covered. We keep what was copied, mark that transfer,
// and resume with the next one: one bad address costs one extra call.
import { Errno, NativeError } from './errno.ts';

export const IOV_MAX = 1024;
export const MAX_RW_COUNT = 0x7ffff000;

export interface Transfer {
  readonly address: bigint;
  readonly length: number;
}

/** What happened to one transfer: bytes moved, and the fault that stopped it, if any. */
export interface TransferOutcome {
  done: number;
  fault: { readonly address: bigint; readonly errno: number } | undefined;
}

/**
 * One system call over `transfers[first .. first+count)`, laid out back to back
 * on the local side. Returns the bytes moved, or `-errno`.
 */
export type TransferCall = (first: number, count: number, bytes: number) => number;

export interface BatchLimits {
  /** Remote iovecs per call. */
  readonly maxIovecs: number;
  /** Bytes per call (the local buffer's size; at most MAX_RW_COUNT). */
  readonly maxBytes: number;
}

/**
 * Runs `transfers` through as few calls as the limits allow. Each transfer must
 * be at most `limits.maxBytes` long (split larger ones first: see `splitTransfers`).
 * ESRCH, EPERM and other errors that concern the whole call throw a NativeError.
 */
export function runBatched(transfers: readonly Transfer[], limits: BatchLimits, call: TransferCall, syscall: string): TransferOutcome[] {
  const outcomes: TransferOutcome[] = transfers.map(() => ({ done: 0, fault: undefined }));
  let next = 0;
  while (next < transfers.length) {
    // Zero-length transfers need no call (and the kernel would not check the pid for them).
    if ((transfers[next]?.length ?? 0) === 0) {
      next++;
      continue;
    }
    let count = 0;
    let bytes = 0;
    while (next + count < transfers.length && count < limits.maxIovecs) {
      const length = transfers[next + count]?.length ?? 0;
      if (count > 0 && bytes + length > limits.maxBytes) break;
      bytes += length;
      count++;
    }
    const result = call(next, count, bytes);
    if (result < 0) {
      const errno = -result;
      if (errno !== Errno.EFAULT) throw new NativeError(syscall, errno);
    }
    next = settle(transfers, outcomes, next, count, Math.max(0, result));
  }
  return outcomes;
}

/** Marks transfers covered by `moved` bytes; returns the index to resume from. */
function settle(transfers: readonly Transfer[], outcomes: TransferOutcome[], first: number, count: number, moved: number): number {
  let remaining = moved;
  for (let i = first; i < first + count; i++) {
    const transfer = transfers[i];
    const outcome = outcomes[i];
    if (transfer === undefined || outcome === undefined) break;
    if (remaining >= transfer.length) {
      outcome.done = transfer.length;
      remaining -= transfer.length;
      continue;
    }
    outcome.done = remaining;
    outcome.fault = { address: transfer.address + BigInt(remaining), errno: Errno.EFAULT };
    return i + 1;
  }
  return first + count;
}

/**
 * Splits transfers longer than `maxBytes` into pieces, remembering which
 * transfer each piece belongs to, so a 3 GiB read becomes 2 GiB-sized calls.
 */
export function splitTransfers(transfers: readonly Transfer[], maxBytes: number): { pieces: Transfer[]; owner: number[]; offset: number[] } {
  const pieces: Transfer[] = [];
  const owner: number[] = [];
  const offset: number[] = [];
  transfers.forEach((t, index) => {
    let at = 0;
    do {
      const length = Math.min(maxBytes, t.length - at);
      pieces.push({ address: t.address + BigInt(at), length });
      owner.push(index);
      offset.push(at);
      at += length;
    } while (at < t.length);
  });
  return { pieces, owner, offset };
}

/** Folds piece outcomes back into one outcome per transfer: bytes up to the first fault. */
export function joinOutcomes(count: number, owner: readonly number[], pieces: readonly TransferOutcome[]): TransferOutcome[] {
  const joined: TransferOutcome[] = Array.from({ length: count }, () => ({ done: 0, fault: undefined }));
  pieces.forEach((piece, i) => {
    const target = joined[owner[i] ?? -1];
    if (target === undefined || target.fault !== undefined) return;
    target.done += piece.done;
    target.fault = piece.fault;
  });
  return joined;
}

/** Validates a transfer list in TypeScript, because the kernel wraps or ignores bad values. */
export function validateTransfers(transfers: readonly Transfer[]): void {
  for (const t of transfers) {
    if (!Number.isSafeInteger(t.length) || t.length < 0) throw new RangeError(`invalid transfer length ${t.length}`);
    if (t.address < 0n || t.address + BigInt(t.length) > 1n << 64n) {
      throw new RangeError(`transfer 0x${t.address.toString(16)}+${t.length} lies outside the 64-bit address space`);
    }
  }
}
