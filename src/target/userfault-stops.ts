// Where a read or write of a live process must stop before the kernel is
// asked: past 2^63, where no user page can be, and at pages registered with
// userfaultfd, where process_vm_readv and process_vm_writev would block until
// the target serves the fault, perhaps never.
import { readFileSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { parseSmaps } from '../native/smaps.ts';
import type { ReadBatch } from './target.ts';

/** Above this no user page exists on x86-64 (nor with 5-level paging); /proc/PID/mem refuses offsets beyond it. */
const USER_LIMIT = 1n << 63n;
const USERFAULTFD_REASON = 'the page is registered with userfaultfd (VmFlags um): reading or writing it would block until the target serves the fault, perhaps never';
/** VmFlags of a mapping registered with userfaultfd: missing pages, minor faults, write protection. */
const USERFAULT_FLAGS = ['um', 'ui', 'uw'];

/** Where a request stops, and why when pvm knows. */
export interface Stop {
  readonly at: bigint;
  readonly reason: string | undefined;
}

export class UserfaultStops {
  readonly #pid: number;
  /** Ranges registered with userfaultfd, read from smaps at the first access (see `blocking`). */
  #ranges: readonly { start: bigint; end: bigint }[] | undefined;
  /** The same as numbers (`meets`), and the ranges they were made from. */
  #numbers = new Float64Array(0);
  #numbersOf: readonly { start: bigint; end: bigint }[] | undefined;

  constructor(pid: number) {
    this.#pid = pid;
  }

  /** Whether smaps has been read for them (until then a lone read may go another way: quick-reads.ts). */
  get known(): boolean {
    return this.#ranges !== undefined;
  }

  /** Takes them from smaps read ahead for the run. */
  learn(smapsText: string): void {
    this.#ranges = userfaultRanges(smapsText);
  }

  /**
   * Pages registered with userfaultfd (VmFlags um, ui, uw), from smaps at the
   * first access, or as the run began for one that reads in batches (`learn`):
   * the kernel blocks a read or write there until the target's handler serves
   * the fault, which may be never, and pvm would hang. Registrations made
   * after smaps was read are not seen.
   */
  blocking(): readonly { start: bigint; end: bigint }[] {
    this.#ranges ??= userfaultRanges(attempt(() => readFileSync(`/proc/${this.#pid}/smaps`, 'latin1')));
    return this.#ranges;
  }

  /**
   * Where a request must stop: a range that runs past 2^63 (where no user page
   * can be) or 2^64 is unmapped there, and a page registered with userfaultfd
   * would block the call, unless `userfaultfd` is false (/proc/PID/mem, which
   * faults there at once).
   */
  stopOf(address: bigint, length: number, userfaultfd = true): Stop | undefined {
    const end = address + BigInt(length);
    if (address < 0n || address >= USER_LIMIT) return { at: address, reason: undefined };
    const blocked = userfaultfd ? this.blocking().find((range) => range.start < end && address < range.end) : undefined;
    if (blocked !== undefined) return { at: blocked.start > address ? blocked.start : address, reason: USERFAULTFD_REASON };
    if (end > USER_LIMIT) return { at: USER_LIMIT, reason: undefined };
    return undefined;
  }

  /**
   * Whether a range of the batch must stop (see `stopOf`): in one pass over its words, with no object per range.
   * Every read of a live process asks this, the compiled loops' thousands of ranges a call too, mostly before the
   * JIT has optimised it: so the iovecs are read as 32-bit words and the registered ranges as numbers (a DataView
   * pass converting each range's bounds from bigints cost a walk of 100 000 pointers 10% of its time).
   */
  meets({ ranges, count }: ReadBatch): boolean {
    const blocked = this.#blockedNumbers();
    // The iovecs as 32-bit words (little-endian, as the hosts pvm runs on): base low, base high, length, 0.
    const words = ranges.byteOffset % 4 === 0 ? new Uint32Array(ranges.buffer, ranges.byteOffset, count * 4) : new Uint32Array(ranges.slice(0, count * 16).buffer);
    for (let w = 0; w < count * 4; w += 4) {
      const low = words[w]!;
      const high = words[w + 1]!;
      const length = words[w + 2]!;
      // At or past 2^63, or reaching it.
      if (high >= 0x7fffffff && (high >= 0x80000000 || low + length > 0xffffffff)) return true;
      if (blocked.length === 0) continue;
      const start = high * 0x100000000 + low;
      for (let b = 0; b < blocked.length; b += 2) if (start < blocked[b + 1]! && blocked[b]! < start + length) return true;
    }
    return false;
  }

  /** The registered ranges as numbers, start and end in turn (user addresses lie below 2^47: exact). */
  #blockedNumbers(): Float64Array {
    const ranges = this.blocking();
    if (this.#numbersOf !== ranges) {
      this.#numbersOf = ranges;
      this.#numbers = Float64Array.from(ranges.flatMap(({ start, end }) => [Number(start), Number(end)]));
    }
    return this.#numbers;
  }
}

/**
 * Sends requests as far as their stops allow: each is cut to the bytes
 * before its stop, one cut to nothing is not sent, and `stopped` answers a
 * cut one from what was sent of it (undefined: nothing). Without stops (the
 * usual case) the requests go as they are.
 */
export function throughStops<Q extends { readonly address: bigint }, A>(
  requests: readonly Q[],
  stops: readonly (Stop | undefined)[],
  cut: (request: Q, keep: number) => Q,
  io: (sent: readonly Q[]) => A[],
  stopped: (request: Q, answer: A | undefined, stop: Stop) => A,
): A[] {
  if (stops.every((stop) => stop === undefined)) return io(requests);
  const sent = requests.flatMap((request, i) => {
    const stop = stops[i];
    if (stop === undefined) return [request];
    return stop.at > request.address ? [cut(request, Number(stop.at - request.address))] : [];
  });
  const answers = io(sent);
  let next = 0;
  return requests.map((request, i) => {
    const stop = stops[i];
    if (stop === undefined) return answers[next++]!;
    return stopped(request, stop.at > request.address ? answers[next++] : undefined, stop);
  });
}

/** The ranges of /proc/PID/smaps registered with userfaultfd; none where smaps could not be read. */
function userfaultRanges(smapsText: string | undefined): readonly { start: bigint; end: bigint }[] {
  const smaps = smapsText === undefined ? undefined : attempt(() => parseSmaps(smapsText));
  if (smaps === undefined) return [];
  return smaps.entries.filter((entry) => USERFAULT_FLAGS.some((flag) => smaps.vmFlags.get(entry.start)?.includes(flag)));
}
