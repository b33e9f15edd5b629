// Every way the runtime reads a memory source, built once over the source's
// one read primitive (`readv`: iovec-shaped ranges into memory the caller
// owns), for every source alike: results per request, reads into reused
// memory, ranges as numbers for the JS loop kernel, a compiled loop's
// vectors, and a scan's chunks. A source implements the primitives
// (SourcePrimitives), and a policy guards those alone (src/policy/guard.ts).
import { MAX_RW_COUNT } from '../native/transfer-batch.ts';
import { DEFAULT_CALL_BYTES, DIRECT_BYTES, uninitializedBytes } from '../native/vm.ts';
import type { MemorySource, RangesRead, ReadBatch, ReadForms, ReadRequest, ReadResult, ReadStop, ScanAccess, ScanSession, SourcePrimitives, VectorReader, WritableTarget } from './target.ts';

/** Memory for `total` bytes: a large read's is not zeroed first (the caller zeroes what did not arrive). */
function landingMemory(total: number): Uint8Array {
  return total >= DIRECT_BYTES ? uninitializedBytes(total) : new Uint8Array(total);
}

/** Requests laid out as a batch's ranges, offsets (back to back from 0) and lengths. */
function layOut(requests: readonly ReadRequest[]): { ranges: Uint8Array; offsets: Int32Array; done: Int32Array; total: number } {
  const count = requests.length;
  const ranges = new Uint8Array(count * 16);
  const view = new DataView(ranges.buffer);
  const offsets = new Int32Array(count + 1);
  const done = new Int32Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const { address, length } = requests[i]!;
    if (!(length >= 0 && length >>> 0 === length)) throw new RangeError(`invalid read of ${length} bytes`);
    // An address outside 64 bits is laid out as where it wraps to: the source finds it unmapped; the results name it as asked.
    view.setBigUint64(i * 16, BigInt.asUintN(64, address), true);
    view.setUint32(i * 16 + 8, length, true);
    offsets[i] = total;
    done[i] = length;
    total += length;
  }
  // Offsets are 32-bit, and one call moves at most MAX_RW_COUNT: no run makes a larger batch (it reads 1 GiB in all at most, limits.ts).
  if (total > MAX_RW_COUNT) throw new RangeError(`a batch of reads of ${total} bytes (at most ${MAX_RW_COUNT} at once)`);
  offsets[count] = total;
  return { ranges, offsets, done, total };
}

/** The results of a batch read from `requests`: bytes past a range's `done` read as zeros when `zero`, and faults say why where the source knew. */
function resultsOf(requests: readonly ReadRequest[], memory: Uint8Array, offsets: Int32Array, done: Int32Array, stops: readonly (ReadStop | undefined)[], zero: boolean): ReadResult[] {
  const results = new Array<ReadResult>(requests.length);
  for (let i = 0; i < requests.length; i++) {
    const { address, length } = requests[i]!;
    const bytes = memory.subarray(offsets[i]!, offsets[i]! + length);
    const got = done[i]!;
    if (got >= length) {
      results[i] = { bytes, done: length, fault: undefined };
      continue;
    }
    if (zero) bytes.fill(0, got);
    const stop = stops[i];
    results[i] = { bytes, done: got, fault: { address: address + BigInt(got), reason: stop?.reason, denied: stop?.denied } };
  }
  return results;
}

/** `read`: each request's bytes its own (views of one buffer no one else holds). */
export function readRequests(readv: (batch: ReadBatch) => void, requests: readonly ReadRequest[]): ReadResult[] {
  const { ranges, offsets, done, total } = layOut(requests);
  const memory = landingMemory(total);
  const stops: (ReadStop | undefined)[] = [];
  readv({ ranges, count: requests.length, offsets, done, memory, stops });
  return resultsOf(requests, memory, offsets, done, stops, total >= DIRECT_BYTES);
}

/** A scan's reads (`ScanAccess.readChunks`), into the session's memory; `readv` is told which scan they are. */
export function scanAccess(session: ScanSession, readv: (batch: ReadBatch) => void): ScanAccess {
  return {
    regions: session.regions,
    vmFlags: session.vmFlags,
    residentRuns: (start, end) => session.residentRuns(start, end),
    everyPageOwn: session.everyPageOwn,
    skip: session.skip,
    memory: (size) => session.memory(size),
    search: session.search,
    parallel: session.parallel,
    close: () => session.close(),
    readChunks(requests, into) {
      const { ranges, offsets, done, total } = layOut(requests);
      if (into !== undefined && into.length < total) throw new RangeError(`a read of ${total} bytes into memory of ${into.length}`);
      const memory = into ?? session.memory(total);
      const stops: (ReadStop | undefined)[] = [];
      readv({ ranges, count: requests.length, offsets, done, memory, stops, scan: session });
      return resultsOf(requests, memory, offsets, done, stops, false);
    },
  } satisfies Required<ScanAccess>;
}

/**
 * The ways of reading a source, over its `readv`: a source class extends
 * this and implements the primitives. `forms` says which of the optional
 * ways it offers.
 */
export abstract class ReadingSource implements MemorySource {
  abstract readonly identity: MemorySource['identity'];
  abstract readonly writable: MemorySource['writable'];
  abstract regions(): ReturnType<MemorySource['regions']>;
  abstract readv(batch: ReadBatch): void;
  abstract blocked(): ReturnType<MemorySource['blocked']>;
  abstract scanSession(): ScanSession;
  abstract moduleFile(path: string): ReturnType<MemorySource['moduleFile']>;
  abstract threads(): ReturnType<MemorySource['threads']>;
  abstract close(): void;
  readonly forms: ReadForms;
  readonly readInto: MemorySource['readInto'];
  readonly readRanges: MemorySource['readRanges'];
  readonly vectors: VectorReader | undefined;
  /** readRanges' ranges (grown as needed). */
  #rangeIovecs = new Uint8Array(0);

  constructor(forms: ReadForms) {
    this.forms = forms;
    this.readInto = forms.into ? (request, into) => this.#readInto(request, into) : undefined;
    this.readRanges = forms.ranges ? (starts, lengths) => this.#readRanges(starts, lengths) : undefined;
    this.vectors = forms.vectors
      ? {
        blocked: () => this.blocked(),
        read: (ranges, count, offsets, done, memory) => this.readv({ ranges, count, offsets, done, memory, clear: true }),
      }
      : undefined;
  }

  read(requests: readonly ReadRequest[]): ReadResult[] {
    return readRequests((batch) => this.readv(batch), requests);
  }

  openScan(): ScanAccess {
    return scanAccess(this.scanSession(), (batch) => this.readv(batch));
  }

  #readInto(request: ReadRequest, into: Uint8Array): ReadResult {
    if (into.length < request.length) throw new RangeError(`a read of ${request.length} bytes into memory of ${into.length}`);
    const { ranges, offsets, done } = layOut([request]);
    const stops: (ReadStop | undefined)[] = [];
    this.readv({ ranges, count: 1, offsets, done, memory: into, stops });
    return resultsOf([request], into, offsets, done, stops, true)[0]!;
  }

  /**
   * Ranges as numbers, laid out in one pass (a recipe runs once, and each pass
   * of its own over tens of thousands of ranges costs milliseconds before the
   * JIT has optimised it). Undefined, having read nothing, where a range is
   * longer than a call's bytes, passes 2^53 or meets a blocked range, or
   * where they add up to 2 GiB: the caller then reads through `read`.
   */
  #readRanges(starts: Float64Array, lengths: Float64Array): RangesRead | undefined {
    const count = starts.length;
    if (this.#rangeIovecs.length < count * 16) this.#rangeIovecs = new Uint8Array(Math.max(count * 16, this.#rangeIovecs.length * 2, IOVECS_AT_FIRST));
    const avoid = this.blocked().flatMap(({ start, end }) => [Number(start), Number(end)]);
    // The iovecs as 32-bit words (little-endian, as the hosts pvm runs on): base low, base high, length, 0.
    const iovecs = new Uint32Array(this.#rangeIovecs.buffer, 0, count * 4);
    const offsets = new Int32Array(count + 1);
    const done = new Int32Array(count);
    let total = 0;
    for (let i = 0; i < count; i++) {
      const start = starts[i]!;
      const length = lengths[i]!;
      // (A length that is not a whole number of bytes, or negative, is read another way too: it errs there.)
      if (!(length >>> 0 === length && length <= DEFAULT_CALL_BYTES && start >= 0 && start + length <= Number.MAX_SAFE_INTEGER)) return undefined;
      for (let k = 0; k < avoid.length; k += 2) if (start < avoid[k + 1]! && avoid[k]! < start + length) return undefined;
      const low = start >>> 0;
      iovecs[i * 4] = low;
      iovecs[i * 4 + 1] = (start - low) / 0x100000000;
      iovecs[i * 4 + 2] = length;
      iovecs[i * 4 + 3] = 0;
      offsets[i] = total;
      done[i] = length;
      total += length;
    }
    if (total > MAX_RW_COUNT) return undefined;
    offsets[count] = total;
    // Zeroed: a range that stops short reads as zeros past `done`.
    const bytes = new Uint8Array(total);
    if (total > 0) this.readv({ ranges: this.#rangeIovecs.subarray(0, count * 16), count, offsets, done, memory: bytes, clear: true });
    return { bytes, done: Float64Array.from(done) };
  }
}

/** Room for the iovecs of 1024 ranges before readRanges' first growth. */
const IOVECS_AT_FIRST = 1024 * 16;

/** What a live source adds: writing and stopping threads. */
export type Writes = Pick<WritableTarget, 'write' | 'freeze' | 'authorize' | 'lockWrites'>;

/**
 * A source made of primitives given as an object (a policy's guard, tests'
 * stand-ins), with every way of reading over them; `writes`: it is writable,
 * through these.
 */
export function sourceOf(primitives: Omit<SourcePrimitives, 'writable'>): MemorySource;
export function sourceOf(primitives: Omit<SourcePrimitives, 'writable'>, writes: Writes): WritableTarget;
export function sourceOf(primitives: Omit<SourcePrimitives, 'writable'>, writes?: Writes): MemorySource {
  const source = new (class extends ReadingSource {
    get identity() {
      return primitives.identity;
    }
    get writable(): WritableTarget | undefined {
      return writes === undefined ? undefined : (this as unknown as WritableTarget);
    }
    get unnamedRegions() {
      return primitives.unnamedRegions;
    }
    regions() {
      return primitives.regions();
    }
    readv(batch: ReadBatch) {
      primitives.readv(batch);
    }
    blocked() {
      return primitives.blocked();
    }
    scanSession() {
      return primitives.scanSession();
    }
    moduleFile(path: string) {
      return primitives.moduleFile(path);
    }
    threads() {
      return primitives.threads();
    }
    close() {
      primitives.close();
    }
  })(primitives.forms);
  if (writes !== undefined) {
    const writable = source as unknown as Writes & { -readonly [K in keyof Writes]: Writes[K] };
    writable.write = (requests, force) => writes.write(requests, force);
    writable.freeze = () => writes.freeze();
    writable.authorize = writes.authorize;
    writable.lockWrites = writes.lockWrites;
  }
  return source;
}
