// A target held in memory: regions with their bytes. For unit tests, and the
// reference for how every target must behave on faults.
import { TargetError } from '../errors.ts';
import { bufferSearch } from '../native/search.ts';
import { splitByRanges } from './ranges.ts';
import { bytesReader } from '../native/elf.ts';
import { ReadingSource } from './reads.ts';
import type { AddressRange, FileReader, Frozen, ReadBatch, Region, ScanSession, TargetIdentity, ThreadState, WritableTarget, WriteRequest, WriteResult } from './target.ts';

export interface MemoryRegion extends Region {
  readonly bytes: Uint8Array;
  /** VmFlags, as smaps would show them (for tests of what scans skip). */
  readonly vmFlags?: readonly string[];
  /** Ranges whose pages hold no data, as pagemap would show them; readable all the same. */
  readonly absent?: readonly AddressRange[];
}

export interface MemoryTargetOptions {
  readonly threads?: readonly ThreadState[];
  /** Stand in for a core file: no write capability. */
  readonly readOnly?: boolean;
  /** Read compiled loops' iovecs (as a live process does), so that tests reach loops compiled to WebAssembly; `blocked` ranges are left out as userfaultfd pages are. */
  readonly vectors?: { readonly blocked?: readonly { start: bigint; end: bigint }[] } | undefined;
}

export class MemoryTarget extends ReadingSource implements WritableTarget {
  readonly identity: TargetIdentity;
  readonly #regions: readonly MemoryRegion[];
  readonly #images: ReadonlyMap<string, Uint8Array>;
  readonly #threads: readonly ThreadState[];
  readonly writable: WritableTarget | undefined;
  readonly #blocked: readonly { start: bigint; end: bigint }[];

  /** `identity` lets a test stand in for a process (a pid and start time for journals). */
  constructor(regions: readonly MemoryRegion[], name = 'memory', images: ReadonlyMap<string, Uint8Array> = new Map(), identity: Partial<TargetIdentity> = {}, options: MemoryTargetOptions = {}) {
    super({ into: false, ranges: false, vectors: options.vectors !== undefined });
    this.#regions = [...regions].sort((a, b) => (a.start < b.start ? -1 : 1));
    this.#images = images;
    this.#threads = options.threads ?? [];
    this.writable = options.readOnly === true ? undefined : this;
    this.#blocked = options.vectors?.blocked ?? [];
    this.identity = { kind: 'memory', pid: undefined, name, exe: undefined, cmdline: [], startTime: undefined, ...identity };
  }

  regions(): readonly Region[] {
    return this.#regions;
  }

  threads(): readonly ThreadState[] {
    return this.#threads;
  }

  readv({ ranges, count, offsets, done, memory }: ReadBatch): void {
    const view = new DataView(ranges.buffer, ranges.byteOffset, count * 16);
    for (let r = 0; r < count; r++) {
      const address = view.getBigUint64(r * 16, true);
      const at = offsets[r]!;
      done[r] = this.#transfer(address, done[r]!, 'r', (region, from, offset, n) => memory.set(region.bytes.subarray(offset, offset + n), at + from));
    }
  }

  /** The `blocked` of the options: left out as userfaultfd pages are. */
  blocked(): readonly { start: bigint; end: bigint }[] {
    return this.#blocked;
  }

  /** `force` as the kernel's forced write: private mappings take it whatever their permissions; read-only shared ones do not. */
  write(requests: readonly WriteRequest[], force = false): WriteResult[] {
    return requests.map(({ address, bytes }) => {
      const done = this.#transfer(address, bytes.length, force ? 'force' : 'w', (region, at, offset, n) => region.bytes.set(bytes.subarray(at, at + n), offset));
      return { done, fault: done < bytes.length ? { address: address + BigInt(done) } : undefined };
    });
  }

  /** Nothing runs in a memory target: there is nothing to stop. */
  freeze(): Frozen {
    return { threads: [], thaw() {} };
  }

  moduleFile(path: string): FileReader {
    const image = this.#images.get(path);
    if (image === undefined) throw new TargetError('module-unreadable', `no image of ${path} was given to this memory target`, { hint: 'pass it in the images map' });
    return bytesReader(image);
  }

  scanSession(): ScanSession {
    const vmFlags = new Map<bigint, readonly string[]>();
    for (const region of this.#regions) if (region.vmFlags !== undefined) vmFlags.set(region.start, region.vmFlags);
    const absent = this.#regions.flatMap((r) => r.absent ?? []).sort((a, b) => (a.start < b.start ? -1 : 1));
    let memory = new Uint8Array(0);
    return {
      regions: this.#regions,
      vmFlags,
      residentRuns: (start, end) => {
        const runs: AddressRange[] = [];
        splitByRanges(absent, start, end, () => {}, (a, b) => runs.push({ start: a, end: b }));
        return runs;
      },
      skip: undefined,
      memory: (size) => (memory.length >= size ? memory : (memory = new Uint8Array(size))),
      search: bufferSearch,
      parallel: undefined,
      close() {},
    };
  }

  close(): void {}

  /** Moves bytes region by region, stopping at the first byte without `permission`. */
  #transfer(address: bigint, length: number, permission: 'r' | 'w' | 'force', move: (region: MemoryRegion, at: number, offset: number, n: number) => void): number {
    let done = 0;
    while (done < length) {
      const here = address + BigInt(done);
      const region = this.#regions.find((r) => r.start <= here && here < r.end);
      if (region === undefined) break;
      if (permission === 'force' ? region.perms[3] === 's' && region.perms[1] !== 'w' : !region.perms.includes(permission)) break;
      const offset = Number(here - region.start);
      const n = Math.min(length - done, region.bytes.length - offset);
      move(region, done, offset, n);
      done += n;
    }
    return done;
  }
}
