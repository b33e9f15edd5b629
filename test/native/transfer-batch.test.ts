import { describe, expect, it } from 'vitest';
import { Errno, NativeError } from '../../src/native/errno.ts';
import { IOV_MAX, joinOutcomes, runBatched, splitTransfers, type Transfer, validateTransfers } from '../../src/native/transfer-batch.ts';

const PAGE = 4096n;

/**
 * A kernel stand-in with docs/kernel.md §1's rules: copy iovec by iovec, stop at
 * the first unmapped page, return the bytes copied or -EFAULT if none.
 */
function simulatedKernel(transfers: readonly Transfer[], mapped: (page: bigint) => boolean, log: number[][] = []) {
  return (first: number, count: number, bytes: number): number => {
    expect(count).toBeLessThanOrEqual(IOV_MAX);
    log.push([first, count, bytes]);
    let copied = 0;
    for (let i = first; i < first + count; i++) {
      const t = transfers[i]!;
      for (let offset = 0; offset < t.length; offset++) {
        if (!mapped((t.address + BigInt(offset)) / PAGE)) return copied > 0 ? copied : -Errno.EFAULT;
        copied++;
      }
    }
    return copied;
  };
}

const limits = { maxIovecs: IOV_MAX, maxBytes: 1 << 20 };

describe('runBatched', () => {
  it('reads 3000 iovecs in 3 calls when all are mapped', () => {
    const transfers = Array.from({ length: 3000 }, (_, i) => ({ address: 0x10000n + BigInt(i) * 16n, length: 8 }));
    const log: number[][] = [];
    const outcomes = runBatched(transfers, limits, simulatedKernel(transfers, () => true, log), 'process_vm_readv');
    expect(log.map(([first, count]) => [first, count])).toEqual([[0, 1024], [1024, 1024], [2048, 952]]);
    expect(outcomes.every((o) => o.done === 8 && o.fault === undefined)).toBe(true);
  });

  it('marks exactly the transfer that faults mid-batch and resumes after it, costing one extra call', () => {
    // Page 0x20 is unmapped; transfer 1500 straddles into it, transfer 1501 starts in it.
    const transfers = Array.from({ length: 3000 }, (_, i) => ({ address: 0x100000n + BigInt(i) * 8n, length: 8 }));
    const hole = 0x20n;
    transfers[1500] = { address: hole * PAGE - 4n, length: 8 };
    transfers[1501] = { address: hole * PAGE + 16n, length: 8 };
    const log: number[][] = [];
    const outcomes = runBatched(transfers, limits, simulatedKernel(transfers, (p) => p !== hole, log), 'process_vm_readv');

    expect(outcomes[1500]).toEqual({ done: 4, fault: { address: hole * PAGE, errno: Errno.EFAULT } });
    expect(outcomes[1501]).toEqual({ done: 0, fault: { address: hole * PAGE + 16n, errno: Errno.EFAULT } });
    expect(outcomes.filter((o) => o.fault !== undefined)).toHaveLength(2);
    expect(outcomes.filter((o, i) => i !== 1500 && i !== 1501 && o.done === 8)).toHaveLength(2998);
    // 1024 + [1024..1500 short] + [1501 EFAULT] + [1502..2525] + [2526..2999]: two extra calls for two bad transfers.
    expect(log.map(([first]) => first)).toEqual([0, 1024, 1501, 1502, 2526]);
  });

  it('gives EFAULT for a first transfer that starts on a bad page, then goes on', () => {
    const transfers = [{ address: 0n, length: 4 }, { address: PAGE, length: 4 }];
    const outcomes = runBatched(transfers, limits, simulatedKernel(transfers, (p) => p !== 0n), 'process_vm_readv');
    expect(outcomes).toEqual([
      { done: 0, fault: { address: 0n, errno: Errno.EFAULT } },
      { done: 4, fault: undefined },
    ]);
  });

  it('stops a call at the byte limit', () => {
    const transfers = Array.from({ length: 5 }, (_, i) => ({ address: BigInt(i) * PAGE, length: 3000 }));
    const log: number[][] = [];
    runBatched(transfers, { maxIovecs: IOV_MAX, maxBytes: 8192 }, simulatedKernel(transfers, () => true, log), 'process_vm_readv');
    expect(log).toEqual([[0, 2, 6000], [2, 2, 6000], [4, 1, 3000]]);
  });

  it('makes no call for zero-length transfers (the kernel would not even check the pid)', () => {
    const log: number[][] = [];
    const transfers = [{ address: 0x1000n, length: 0 }];
    const outcomes = runBatched(transfers, limits, simulatedKernel(transfers, () => true, log), 'process_vm_readv');
    expect(log).toEqual([]);
    expect(outcomes).toEqual([{ done: 0, fault: undefined }]);
  });

  it('throws a NativeError naming the syscall for ESRCH and EPERM', () => {
    const transfers = [{ address: 0x1000n, length: 4 }];
    for (const errno of [Errno.ESRCH, Errno.EPERM]) {
      const run = () => runBatched(transfers, limits, () => -errno, 'process_vm_readv');
      expect(run).toThrow(NativeError);
      try {
        run();
      } catch (error) {
        expect((error as NativeError).syscall).toBe('process_vm_readv');
        expect((error as NativeError).errno).toBe(errno);
      }
    }
  });
});

describe('splitTransfers and joinOutcomes', () => {
  it('splits a transfer larger than a call into pieces and joins them up to the first fault', () => {
    const { pieces, owner, offset } = splitTransfers([{ address: 0x1000n, length: 10 }, { address: 0x9000n, length: 3 }], 4);
    expect(pieces).toEqual([
      { address: 0x1000n, length: 4 },
      { address: 0x1004n, length: 4 },
      { address: 0x1008n, length: 2 },
      { address: 0x9000n, length: 3 },
    ]);
    expect(owner).toEqual([0, 0, 0, 1]);
    expect(offset).toEqual([0, 4, 8, 0]);
    const joined = joinOutcomes(2, owner, [
      { done: 4, fault: undefined },
      { done: 1, fault: { address: 0x1005n, errno: Errno.EFAULT } },
      { done: 2, fault: undefined },
      { done: 3, fault: undefined },
    ]);
    expect(joined).toEqual([
      { done: 5, fault: { address: 0x1005n, errno: Errno.EFAULT } },
      { done: 3, fault: undefined },
    ]);
  });
});

describe('validateTransfers', () => {
  it('rejects what the kernel would wrap or misread', () => {
    expect(() => validateTransfers([{ address: -1n, length: 1 }])).toThrow(RangeError);
    expect(() => validateTransfers([{ address: (1n << 64n) - 1n, length: 2 }])).toThrow(/64-bit/);
    expect(() => validateTransfers([{ address: 0n, length: 1.5 }])).toThrow(RangeError);
    expect(() => validateTransfers([{ address: 0n, length: -1 }])).toThrow(RangeError);
    expect(() => validateTransfers([{ address: (1n << 64n) - 1n, length: 1 }])).not.toThrow();
  });
});
