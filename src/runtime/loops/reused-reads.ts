// Memory the large reads of a loop reuse, iteration after iteration. A value
// that dies with its iteration (plan/escape.ts) needs no memory of its own:
// its read lands where the same read of an earlier iteration landed. Fresh
// memory is what large reads cost (each page faulted in and zeroed by the
// kernel, then copied over): reading 1 GiB as 1 MiB values took ~590 ms on
// Node against C's ~200 into one reused buffer.
import { uninitializedBytes } from '../../native/vm.ts';
import type { PlanStep } from '../../plan/plan.ts';
import { transientReads } from '../../plan/escape.ts';
import type { MemorySource, ReadRequest, ReadResult } from '../../target/target.ts';
import { LARGE_READ } from './coalesce.ts';

export class ReusedReads {
  readonly #target: MemorySource;
  /** The transient sites of each loop, found once a run. */
  readonly #loops = new Map<PlanStep, ReadonlySet<number>>();
  /** Sites whose reads may reuse memory: transient in their loop, and large. */
  readonly #sites = new Set<number>();
  /** A window's memory by site: one buffer per iteration of the window, reused by the next window. */
  readonly #windows = new Map<number, Uint8Array[]>();
  /** The memory of a site's reads that were not read ahead. */
  readonly #lone = new Map<number, Uint8Array>();
  /** Buffers of loops that have ended, by length: the next loop takes them (memory already faulted in). */
  readonly #free = new Map<number, Uint8Array[]>();

  constructor(target: MemorySource) {
    this.#target = target;
  }

  /** Notes the transient sites of a loop about to run (`lengthOf`: the bytes a site reads); none where the target cannot read into memory. */
  enter(loop: Extract<PlanStep, { op: 'for' }>, lengthOf: (site: number) => number): void {
    if (this.#target.readInto === undefined || this.#loops.has(loop)) return;
    const sites = transientReads(loop.body);
    this.#loops.set(loop, sites);
    for (const site of sites) if (lengthOf(site) >= LARGE_READ) this.#sites.add(site);
  }

  /**
   * A loop has ended, and with it every value its sites read: their memory
   * goes to the loops after it (so a run holds a window of memory per loop
   * running, not per loop it ran).
   */
  leave(loop: Extract<PlanStep, { op: 'for' }>): void {
    for (const site of this.#loops.get(loop) ?? []) {
      for (const memory of [...(this.#windows.get(site) ?? []), this.#lone.get(site)]) if (memory !== undefined) this.#give(memory);
      this.#windows.delete(site);
      this.#lone.delete(site);
    }
  }

  /** Memory for iteration `index` of a window's read at `site` of `length` bytes, or undefined when it must be fresh. */
  slot(site: number, index: number, length: number): Uint8Array | undefined {
    if (!this.#sites.has(site)) return undefined;
    let slots = this.#windows.get(site);
    if (slots === undefined) this.#windows.set(site, slots = []);
    return slots[index] ??= this.#take(length);
  }

  /** Reads `request` at `site` into the site's memory, or undefined when it must be read into fresh memory. */
  read(site: number, request: ReadRequest): ReadResult | undefined {
    if (!this.#sites.has(site) || this.#target.readInto === undefined) return undefined;
    let memory = this.#lone.get(site);
    if (memory === undefined) this.#lone.set(site, memory = this.#take(request.length));
    return this.#target.readInto(request, memory);
  }

  #take(length: number): Uint8Array {
    return this.#free.get(length)?.pop() ?? uninitializedBytes(length);
  }

  #give(memory: Uint8Array): void {
    const free = this.#free.get(memory.length);
    if (free === undefined) this.#free.set(memory.length, [memory]);
    else free.push(memory);
  }
}
