// process_vm_readv / process_vm_writev over many transfers at once. Remote
// iovecs are built in one reused buffer; the local side is a single iovec, so
// the kernel lays the data out back to back: in native scratch memory, or
// straight in the caller's (large reads, and readVectors: every read of a
// live process). Ranges that share pages are read a page at a time instead,
// scattered through many local iovecs (same-page-reads.ts).
import { Errno, NativeError } from './errno.ts';
import type { Libc, NativeMemory } from './libc.ts';
import { type PlannedCalls, SamePagePlanner } from './same-page-reads.ts';
import { IOV_MAX, joinOutcomes, MAX_RW_COUNT, runBatched, splitTransfers, type Transfer, type TransferOutcome, validateTransfers } from './transfer-batch.ts';

/** Bytes moved per call at most; 16 MiB keeps the scratch small and calls large (docs/kernel.md §7). */
export const DEFAULT_CALL_BYTES = 16 << 20;

/** Reads of at least this many bytes in all land straight in their result (see `read`); the engines never move such a buffer. */
export const DIRECT_BYTES = 64 << 10;

/**
 * A buffer whose bytes are not zeroed first (the caller writes or zeroes each
 * one): memory the allocator recycles, where `new Uint8Array` takes fresh
 * pages from the kernel. Node and Bun have Buffer.allocUnsafeSlow (a buffer of
 * its own, not a slice of a shared pool); elsewhere a zeroed one.
 */
export function uninitializedBytes(length: number): Uint8Array {
  const allocUnsafeSlow = (globalThis as { Buffer?: { allocUnsafeSlow(size: number): Uint8Array } }).Buffer?.allocUnsafeSlow;
  if (allocUnsafeSlow === undefined) return new Uint8Array(length);
  const buffer = allocUnsafeSlow(length);
  // A plain Uint8Array over it: a Buffer's slice() is a view, where a Uint8Array's is a copy.
  return new Uint8Array(buffer.buffer, buffer.byteOffset, length);
}

/**
 * Refuses (RangeError) a layout whose bytes would land outside memory of
 * `length` bytes: the kernel writes where it is told, so a short buffer would
 * be overwritten past its end. Constant time, where native code is handed the
 * memory (the ranges between the first and the last are the caller's to keep
 * back to back, with each range's length its offsets' difference).
 */
export function checkLayout(remote: Uint8Array, count: number, offsets: Int32Array, done: Int32Array, length: number): void {
  if (!(count >= 0 && count === (count | 0) && remote.byteLength >= count * 16 && offsets.length > count && done.length >= count)) {
    throw new RangeError(`a batch of ${count} ranges laid out in ${remote.byteLength / 16} iovecs, ${offsets.length} offsets and ${done.length} lengths`);
  }
  const from = offsets[0]!;
  const to = offsets[count]!;
  if (!(from >= 0 && from <= to && to <= length)) throw new RangeError(`a batch read into [${from}, ${to}) of memory of ${length} bytes`);
}

export interface ReadOutcome extends TransferOutcome {
  /** The bytes read: the first `done` bytes are valid. */
  readonly bytes: Uint8Array;
}

export interface WriteTransfer {
  readonly address: bigint;
  readonly bytes: Uint8Array;
}

export class VmChannel {
  readonly pid: number;
  readonly #libc: Libc;
  readonly #callBytes: number;
  readonly #remote: Uint8Array;
  readonly #remoteView: DataView;
  readonly #local = new Uint8Array(16);
  readonly #localView = new DataView(this.#local.buffer);
  #scratch: NativeMemory | undefined;
  readonly #samePage: SamePagePlanner;
  /** Local iovecs, one per range, for #readEach. */
  readonly #eachLocal = new Uint8Array(IOV_MAX * 16);
  readonly #eachLocalView = new DataView(this.#eachLocal.buffer);
  /** The buffer `readIntoMemory` last read into, and where it lives. */
  #knownBuffer: ArrayBufferLike | undefined;
  #knownAddress = 0;
  /** Counts calls made, for tests and `pvm plan` comparisons. */
  calls = 0;
  /** Counts the remote iovecs of those calls (each costs the kernel a page walk and pin), for tests. */
  iovecs = 0;

  constructor(libc: Libc, pid: number, callBytes = DEFAULT_CALL_BYTES) {
    this.#libc = libc;
    this.pid = pid;
    this.#callBytes = Math.min(callBytes, MAX_RW_COUNT);
    this.#remote = new Uint8Array(IOV_MAX * 16);
    this.#remoteView = new DataView(this.#remote.buffer);
    this.#samePage = new SamePagePlanner((bytes) => libc.addressOf(bytes));
  }

  /**
   * Reads every transfer; a fault marks that transfer and the others go on.
   * `into`: memory of at least DIRECT_BYTES (from `uninitializedBytes`) the
   * caller reuses, to read into instead of fresh memory (runtime/loops/reused-reads.ts).
   */
  read(transfers: readonly Transfer[], into?: Uint8Array): ReadOutcome[] {
    validateTransfers(transfers);
    const { pieces, owner } = this.#split(transfers);
    // The result holds every piece back to back, exactly as each call lays its pieces out.
    const start = new Float64Array(pieces.length + 1);
    for (let i = 0; i < pieces.length; i++) start[i + 1] = start[i]! + pieces[i]!.length;
    const total = start[pieces.length]!;
    // A large read lands straight in the result, in memory the allocator recycles: a fresh buffer per read (its page
    // faults, the zeroing) and the copy out of scratch made bulk reads 2-3x C. Every byte no call wrote is zeroed below.
    const direct = total >= DIRECT_BYTES;
    const reused = direct && into !== undefined && into.length >= total;
    const data = reused ? into : direct ? uninitializedBytes(total) : new Uint8Array(total);
    const address = direct ? this.#libc.addressOf(data) : 0;
    const outcomes = runBatched(pieces, this.#limits(), (first, count, bytes) => {
      if (direct) return this.#call('read', pieces, first, count, bytes, BigInt(address + start[first]!));
      const scratch = this.#scratchFor(bytes);
      const moved = this.#call('read', pieces, first, count, bytes, scratch.address);
      if (moved > 0) data.set(scratch.bytes.subarray(0, moved), start[first]!);
      return moved;
    }, 'process_vm_readv');
    if (direct) outcomes.forEach((outcome, i) => outcome.done < pieces[i]!.length && data.fill(0, start[i]! + outcome.done, start[i + 1]!));
    const joined = owner === undefined ? outcomes : joinOutcomes(transfers.length, owner, outcomes);
    let at = 0;
    return joined.map((outcome, i) => {
      const length = transfers[i]!.length;
      const bytes = data.subarray(at, at + length);
      at += length;
      return { done: outcome.done, fault: outcome.fault, bytes };
    });
  }

  /**
   * Reads remote iovecs laid out by the caller (VectorReader.read) into native
   * memory at `base` + offsets[r], back to back. Ranges that share pages are
   * read a page at a time (same-page-reads.ts); otherwise IOV_MAX a call into
   * one local iovec (as C would). A range that stops short gets what arrived,
   * and the next call resumes after it. `samePage` false: never a page at a
   * time (a scan's chunks, which share no pages).
   */
  readVectors(remote: Uint8Array, count: number, offsets: Int32Array, done: Int32Array, base: number, samePage = true): void {
    // Planned only within a call's bytes: a planned call also moves its gaps (MAX_GAP at most each), which at the
    // default 16 MiB of call bytes stays far below the kernel's MAX_RW_COUNT.
    const planned = samePage && offsets[count]! - offsets[0]! <= this.#callBytes ? this.#samePage.plan(remote, count, offsets, base) : undefined;
    if (planned !== undefined) {
      this.#readPlanned(planned, remote, offsets, done, base);
      return;
    }
    let next = 0;
    while (next < count) {
      const from = offsets[next]!;
      // IOV_MAX ranges a call, and a call's bytes (at least one range: none is longer).
      let n = 1;
      while (n < IOV_MAX && next + n < count && offsets[next + n + 1]! - from <= this.#callBytes) n++;
      this.#localView.setBigUint64(0, BigInt(base + from), true);
      this.#localView.setBigUint64(8, BigInt(offsets[next + n]! - from), true);
      this.calls++;
      this.iovecs += n;
      const result = this.#libc.processVmReadv(this.pid, this.#local, 1, remote.subarray(next * 16), n);
      if (result < 0 && -result !== Errno.EFAULT) throw new NativeError('process_vm_readv', -result);
      const moved = Math.max(0, result);
      if (moved === offsets[next + n]! - from) {
        next += n;
        continue;
      }
      let stopped = next;
      while (offsets[stopped + 1]! - from <= moved) stopped++;
      done[stopped] = moved - (offsets[stopped]! - from);
      next = stopped + 1;
    }
  }

  /**
   * `readVectors` into JS memory. A small batch lands in scratch memory and
   * is copied (a small buffer may move, and asking the engine where a fresh
   * one lives, an FFI call, costs more than copying a few KiB), what a range
   * did not get zeroed; a large buffer (which never moves) is asked where it
   * lives once if read into again (a compiled loop's memory, memory reused for
   * large reads).
   */
  readIntoMemory(remote: Uint8Array, count: number, offsets: Int32Array, done: Int32Array, memory: Uint8Array): void {
    checkLayout(remote, count, offsets, done, memory.byteLength);
    const from = offsets[0]!;
    const total = offsets[count]! - from;
    const buffer = memory.buffer;
    if (buffer !== this.#knownBuffer && total < DIRECT_BYTES) {
      const scratch = this.#scratchFor(total);
      this.readVectors(remote, count, offsets, done, Number(scratch.address) - from);
      memory.set(scratch.bytes.subarray(0, total), from);
      for (let r = 0; r < count; r++) {
        const got = offsets[r]! + done[r]!;
        if (got < offsets[r + 1]!) memory.fill(0, got, offsets[r + 1]!);
      }
      return;
    }
    if (buffer !== this.#knownBuffer) {
      this.#knownBuffer = buffer;
      this.#knownAddress = this.#libc.addressOf(new Uint8Array(buffer));
    }
    this.readVectors(remote, count, offsets, done, this.#knownAddress + memory.byteOffset);
  }

  /**
   * Runs planned calls. A call that moves less than planned met a fault
   * somewhere in its pages, and its spans cannot say which range it hit: its
   * ranges are read again one iovec each (#readEach), which can.
   */
  #readPlanned(planned: PlannedCalls, remote: Uint8Array, offsets: Int32Array, done: Int32Array, base: number): void {
    for (let c = 0; c < planned.count; c++) {
      this.calls++;
      this.iovecs += planned.remoteCount(c);
      const result = this.#libc.processVmReadv(this.pid, planned.local(c), planned.localCount(c), planned.remote(c), planned.remoteCount(c));
      if (result < 0 && -result !== Errno.EFAULT) throw new NativeError('process_vm_readv', -result);
      if (result !== planned.expected(c)) this.#readEach(planned.ranges(c), remote, offsets, done, base);
    }
  }

  /**
   * Reads ranges `indices` of a VectorReader layout, each its own remote and
   * local iovec, batched as `read` batches (runBatched: the kernel stops at
   * the first range that faults, which gets what arrived of it in done[r];
   * the next call resumes after it). Only after a fault: an object per range
   * is no cost here.
   */
  #readEach(indices: Int32Array, remote: Uint8Array, offsets: Int32Array, done: Int32Array, base: number): void {
    const ranges = new DataView(remote.buffer, remote.byteOffset, remote.byteLength);
    const transfers = Array.from(indices, (r) => ({ address: ranges.getBigUint64(r * 16, true), length: Number(ranges.getBigUint64(r * 16 + 8, true)) }));
    const outcomes = runBatched(transfers, this.#limits(), (first, count) => {
      for (let j = 0; j < count; j++) {
        const { address, length } = transfers[first + j]!;
        this.#remoteView.setBigUint64(j * 16, address, true);
        this.#remoteView.setBigUint64(j * 16 + 8, BigInt(length), true);
        this.#eachLocalView.setBigUint64(j * 16, BigInt(base + offsets[indices[first + j]!]!), true);
        this.#eachLocalView.setBigUint64(j * 16 + 8, BigInt(length), true);
      }
      this.calls++;
      this.iovecs += count;
      return this.#libc.processVmReadv(this.pid, this.#eachLocal, count, this.#remote, count);
    }, 'process_vm_readv');
    outcomes.forEach((outcome, j) => outcome.done < transfers[j]!.length && (done[indices[j]!] = outcome.done));
  }

  /** Writes every transfer; writes are not atomic (docs/kernel.md §1), so outcomes say what landed. */
  write(writes: readonly WriteTransfer[]): TransferOutcome[] {
    const transfers = writes.map((w) => ({ address: w.address, length: w.bytes.length }));
    validateTransfers(transfers);
    const { pieces, owner, offset } = this.#split(transfers);
    const outcomes = runBatched(pieces, this.#limits(), (first, count, bytes) => {
      const scratch = this.#scratchFor(bytes);
      let at = 0;
      for (let i = first; i < first + count; i++) {
        const from = offset?.[i] ?? 0;
        const length = pieces[i]!.length;
        scratch.bytes.set(writes[owner?.[i] ?? i]!.bytes.subarray(from, from + length), at);
        at += length;
      }
      return this.#call('write', pieces, first, count, bytes, scratch.address);
    }, 'process_vm_writev');
    return owner === undefined ? outcomes : joinOutcomes(transfers.length, owner, outcomes);
  }

  /** The kernel's verdict on access: true if allowed; throws ESRCH/EPERM as NativeError. */
  probe(): void {
    // One byte at address 0: EFAULT means the pid exists and we may read it (docs/kernel.md §1).
    const scratch = this.#scratchFor(1);
    this.#localView.setBigUint64(0, scratch.address, true);
    this.#localView.setBigUint64(8, 1n, true);
    this.#remoteView.setBigUint64(0, 0n, true);
    this.#remoteView.setBigUint64(8, 1n, true);
    this.calls++;
    this.iovecs++;
    const result = this.#libc.processVmReadv(this.pid, this.#local, 1, this.#remote, 1);
    if (result < 0 && -result !== Errno.EFAULT) throw new NativeError('process_vm_readv', -result);
  }

  close(): void {
    this.#scratch?.free();
    this.#scratch = undefined;
  }

  /** Pieces no larger than one call; `owner` is undefined when nothing needed splitting (the common case). */
  #split(transfers: readonly Transfer[]): { pieces: readonly Transfer[]; owner: number[] | undefined; offset: number[] | undefined } {
    if (transfers.every((t) => t.length <= this.#callBytes)) return { pieces: transfers, owner: undefined, offset: undefined };
    return splitTransfers(transfers, this.#callBytes);
  }

  #limits() {
    return { maxIovecs: IOV_MAX, maxBytes: this.#callBytes };
  }

  #scratchFor(bytes: number): NativeMemory {
    if (this.#scratch === undefined || this.#scratch.bytes.length < bytes) {
      this.#scratch?.free();
      // Grow in powers of two so a sequence of growing reads reallocates rarely.
      this.#scratch = this.#libc.alloc(Math.min(this.#callBytes, 2 ** Math.ceil(Math.log2(Math.max(bytes, 4096)))));
    }
    return this.#scratch;
  }

  /** One call for pieces [first, first + count), `bytes` of them, landing at (or sent from) native address `local`. */
  #call(kind: 'read' | 'write', pieces: readonly Transfer[], first: number, count: number, bytes: number, local: bigint): number {
    for (let i = 0; i < count; i++) {
      const piece = pieces[first + i]!;
      this.#remoteView.setBigUint64(i * 16, piece.address, true);
      this.#remoteView.setBigUint64(i * 16 + 8, BigInt(piece.length), true);
    }
    this.#localView.setBigUint64(0, local, true);
    this.#localView.setBigUint64(8, BigInt(bytes), true);
    this.calls++;
    this.iovecs += count;
    return kind === 'read' ? this.#libc.processVmReadv(this.pid, this.#local, 1, this.#remote, count) : this.#libc.processVmWritev(this.pid, this.#local, 1, this.#remote, count);
  }
}
