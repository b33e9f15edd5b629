// What the runtime executes against: a read-only memory source (a live
// process, a core file, a snapshot), and the write capability that only a
// live process adds.
import type { AddressRange } from '../native/pagemap.ts';
import type { Frozen } from '../native/freeze.ts';
import type { ByteSearch } from '../native/search.ts';
import type { FileReader } from '../native/elf.ts';

export type { AddressRange, ByteSearch, FileReader, Frozen };

export interface Region {
  readonly start: bigint;
  readonly end: bigint;
  /** `r-xp` */
  readonly perms: string;
  readonly offset: bigint;
  /** File path or pseudo-name (`[heap]`); '' for anonymous memory. */
  readonly path: string;
  readonly deleted: boolean;
}

export interface TargetIdentity {
  /** A running process, a core file (pvm's snapshots are cores too), or memory held by a test. */
  readonly kind: 'process' | 'core' | 'memory';
  readonly pid: number | undefined;
  /** The process name (comm), or a label. */
  readonly name: string;
  readonly exe: string | undefined;
  readonly cmdline: readonly string[];
  /** When the process started (clock ticks after boot, /proc/PID/stat field 22): with the pid, it names one process, even after pid reuse. */
  readonly startTime: string | undefined;
  /**
   * Where its program image begins (`startcode:startstack` of /proc/PID/stat): an exec keeps the pid and the start
   * time, and ASLR moves these. Undefined where the kernel hides them (shown as 0) or for a core.
   */
  readonly image?: string | undefined;
}

export interface ReadRequest {
  readonly address: bigint;
  readonly length: number;
}

export interface WriteRequest {
  readonly address: bigint;
  readonly bytes: Uint8Array;
}

/**
 * Bytes up to the first fault; `fault` says where reading stopped early, and
 * why when the source knows better than the map does (a core). `denied`: a
 * policy refused this read (the error to raise where the recipe reads it);
 * the other requests of the batch were read.
 */
export interface ReadResult {
  readonly bytes: Uint8Array;
  readonly done: number;
  readonly fault: { readonly address: bigint; readonly reason?: string | undefined; readonly denied?: Error | undefined } | undefined;
}

export interface WriteResult {
  readonly done: number;
  /** Where writing stopped early, and why when the target knows better than the map does. */
  readonly fault: { readonly address: bigint; readonly reason?: string | undefined } | undefined;
}

/**
 * One batch of reads, laid out as the kernel's iovecs, into memory the caller
 * owns: what a source's one read primitive (`MemorySource.readv`) takes, and
 * every other way of reading is built over (target/reads.ts).
 */
export interface ReadBatch {
  /** `count` ranges, 16 bytes each: address, length (little-endian). */
  readonly ranges: Uint8Array;
  readonly count: number;
  /** Range r lands in `memory` at `offsets[r]`, back to back: `offsets[count]` is where the last ends. */
  readonly offsets: Int32Array;
  /**
   * Each range's length, given by the caller; the read lowers it for a range
   * that stops short (a fault) to what arrived of it.
   */
  readonly done: Int32Array;
  /** Memory the caller owns (a buffer, a WebAssembly memory, a scan's memory), of at least `offsets[count]` bytes (a source that reads natively refuses less: RangeError). */
  readonly memory: Uint8Array;
  /** Where the caller wants to know why ranges stopped short: the source sets `stops[r]` when it knows (a core, a userfaultfd page, a policy). */
  readonly stops?: (ReadStop | undefined)[] | undefined;
  /** The scan (`scanSession`) this batch reads chunks for: a policy counts it as a scan, and a live process reads pages no one touched from the file. */
  readonly scan?: ScanSession | undefined;
  /**
   * The caller left out every range a read must not touch (`blocked()`) and
   * every address past 2^53: the compiled loops' forms, which check as they
   * lay their ranges out. A live process then skips its own pass over the
   * ranges, which a run-once loop pays for before the JIT has optimised it.
   */
  readonly clear?: boolean | undefined;
}

/** Why a range stopped short, when the source knows. */
export interface ReadStop {
  readonly reason?: string | undefined;
  /** A policy refused the range: the error to raise where the recipe reads it. */
  readonly denied?: Error | undefined;
}

/** Which ways of reading (target/reads.ts) pay off over a source's `readv`, or are possible. */
export interface ReadForms {
  /** Reads into memory the caller reuses (`readInto`): where the bytes land straight in it (a live process). */
  readonly into: boolean;
  /** Ranges given as numbers (`readRanges`), and reads into a compiled loop's memory (`vectors`): not where a policy decides each range alone, which they cannot say. */
  readonly ranges: boolean;
  readonly vectors: boolean;
}

/** What a scan needs from a target, for the length of one scan (runtime/scans/scan.ts), besides reading. */
export interface ScanSession {
  /** The memory map the scan plans from, read once when it starts. */
  readonly regions: readonly Region[];
  /** Each mapping's VmFlags (smaps), by start address; empty when the target has none. */
  readonly vmFlags: ReadonlyMap<bigint, readonly string[]>;
  /** The runs of [start, end) whose pages hold data (resident or swapped); all of it when every page does. */
  residentRuns(start: bigint, end: bigint): AddressRange[];
  /**
   * Whether every page of the mapping at `start` is the process's own, in its page tables (smaps: Rss = Size, where
   * a page that maps the zero page does not count): a snapshot need not look for the zero page there. Undefined, or
   * false, where that is not known.
   */
  readonly everyPageOwn?: ((start: bigint) => boolean) | undefined;
  /** Why a region must be left out besides the skip rules (a policy's denial), or undefined. */
  readonly skip: ((region: Region) => string | undefined) | undefined;
  /** Memory of at least `size` bytes for the scan's chunks, reused by the next call: where `search` is fastest. */
  memory(size: number): Uint8Array;
  /** The fastest searches for bytes in `memory` (libc memmem, memchr, wmemchr on native memory where they are faster). */
  readonly search: ByteSearch;
  /**
   * A live process a worker thread may scan beside this one (it opens its own
   * channel to the pid): set by a live process only, and never under a policy,
   * whose guard sees each read.
   */
  readonly parallel: ParallelScan | undefined;
  close(): void;
}

/** Whether large scans of a live process use a worker thread beside this one, as the CLI was told (the environment). */
export interface ScanWorkers {
  readonly use: boolean;
  /** This thread waits for the worker to be ready before it starts, so that both search (tests check the merge so). */
  readonly wait: boolean;
  /** Told how the work was shared (a diagnostic for tests and the bench). */
  readonly report: ((line: string) => void) | undefined;
}

/** A scan a worker thread may share: the process, and the smaps the scan was planned from (the worker scans from the same map). */
export interface ParallelScan extends Omit<ScanWorkers, 'use'> {
  readonly pid: number;
  readonly smapsText: string | undefined;
}

/** A scan's session and its reads (runtime/scans/scan.ts). */
export interface ScanAccess extends ScanSession {
  /**
   * Reads like `MemorySource.read`, but the bytes are views of the session's memory, which the next call reuses:
   * search them before reading on. `into`: a part of `memory(size)` to read into instead of its start (a snapshot
   * writes one part to its file while it reads into another).
   */
  readChunks(requests: readonly ReadRequest[], into?: Uint8Array): ReadResult[];
}

/** What `readRanges` read: the ranges' bytes back to back in their order (range i after the lengths of those before it), `done[i]` of range i read. */
export interface RangesRead {
  readonly bytes: Uint8Array;
  readonly done: Float64Array;
}

/**
 * Reads for compiled loops in WebAssembly (runtime/loops/wasm-kernel.ts), straight into their
 * memory (which never moves): iovecs (16 bytes each: address, length,
 * little-endian) the loop lays out itself.
 */
export interface VectorReader {
  /** Ranges no read may touch (pages registered with userfaultfd, where a read would block): the caller leaves them out. */
  blocked(): readonly { readonly start: bigint; readonly end: bigint }[];
  /**
   * Reads the `count` ranges of `remote` into `memory`, range r at
   * `offsets[r]` (back to back: `offsets[count]` is where the last ends).
   * `done[r]` holds each range's length; a range that stops short (a fault)
   * gets what arrived of it.
   */
  read(remote: Uint8Array, count: number, offsets: Int32Array, done: Int32Array, memory: Uint8Array): void;
}

/** A thread of the target, and its registers where they could be taken (x86-64 user_regs_struct order, see native/registers.ts). */
export interface ThreadState {
  readonly tid: number;
  readonly registers: readonly bigint[] | undefined;
  /** Why a policy withholds the registers, when it does: makes the error reg() raises (and a guard audits the denial then, not when the threads are listed). */
  readonly denied?: (() => Error) | undefined;
}

/**
 * The primitives of a memory source: one batched read (`readv`) and what
 * it needs said around it. What a source implements, and what a policy
 * guards (src/policy/guard.ts); every other way of reading is built over
 * `readv` by target/reads.ts, for every source alike.
 */
export interface SourcePrimitives {
  readonly identity: TargetIdentity;
  /** The memory map; re-read on each call for a live process (it changes). */
  regions(): readonly Region[];
  /** Reads a batch; a fault affects only its own range. */
  readv(batch: ReadBatch): void;
  /** Ranges no read may touch (pages registered with userfaultfd, where a read would block): callers that lay out their own ranges leave them out. */
  blocked(): readonly AddressRange[];
  readonly forms: ReadForms;
  /** Starts a scan: the map, resident pages, VmFlags, and memory for its chunks (read with `readv`, `scan` set). */
  scanSession(): ScanSession;
  /** Positioned reads of a mapped file (an ELF module), the very file the target mapped; open until the source closes. */
  moduleFile(path: string): FileReader;
  /** The threads, main thread first, with their registers (a live process stops them for a moment to take them). */
  threads(): readonly ThreadState[];
  /** Writing and stopping threads, which only a live process can do: the source itself then, undefined for a core or snapshot. */
  readonly writable: WritableTarget | undefined;
  /**
   * Why this map cannot name pseudo-regions (`[heap]`, `[stack]` …), or
   * undefined when it does: a core that gcore or the kernel wrote records no
   * names for memory without a file (pvm's snapshots record the whole map).
   */
  readonly unnamedRegions?: string | undefined;
  close(): void;
}

/**
 * Read-only access to a process's memory: a live process, a core file and a
 * snapshot all implement it, and the runtime cannot tell them apart. Its ways
 * of reading are built over `readv` (target/reads.ts).
 */
export interface MemorySource extends SourcePrimitives {
  /** Reads all requests, batched; a fault affects only its own request. The bytes are the caller's: nothing else holds or reuses them. */
  read(requests: readonly ReadRequest[]): ReadResult[];
  /**
   * Reads one request into `into` (at least its length, from
   * `uninitializedBytes`): memory the caller reuses for reads whose values
   * die before the next read into it (runtime/loops/reused-reads.ts). Where the
   * source reads straight into it (`forms.into`); elsewhere the caller uses `read`.
   */
  readonly readInto: ((request: ReadRequest, into: Uint8Array) => ReadResult) | undefined;
  /**
   * The same for compiled loops, without an object per range: ranges given as
   * numbers (addresses below 2^53), their bytes back to back in one buffer
   * with `done[i]` of range i read (fewer: it faulted there; `read` tells
   * why). Undefined where a source has no such path, or
   * cannot take it for these ranges (a policy decides each range alone): the
   * caller then uses `read`.
   */
  readonly readRanges: ((starts: Float64Array, lengths: Float64Array) => RangesRead | undefined) | undefined;
  /** Reads into a compiled loop's own memory (a live process, and the in-memory target of tests); undefined elsewhere. */
  readonly vectors: VectorReader | undefined;
  /** Starts a scan: its session, and reads into its memory. */
  openScan(): ScanAccess;
}

/** A live process: read, and also written and stopped. Asked for (`MemorySource.writable`) only by plans that write. */
export interface WritableTarget extends MemorySource {
  /**
   * The one write: all requests, batched; a fault affects only its own
   * request. `force`: writes that may land where others cannot, read-only
   * private mappings such as code, through /proc/PID/mem, which the kernel
   * writes by copy-on-write (docs/kernel.md §2). Only with the threads
   * stopped (`freeze`).
   */
  write(requests: readonly WriteRequest[], force?: boolean): WriteResult[];
  /** Stops every thread until `thaw` (a patch's write window), with where each one stopped. */
  freeze(): Frozen;
  /**
   * Throws if a policy would refuse any of these writes (`code`: forced,
   * into code), before anything is written, so that a patch asks first and
   * is never half applied. Absent: nothing refuses.
   */
  readonly authorize?: ((writes: readonly (WriteRequest & { readonly code: boolean })[]) => void) | undefined;
  /**
   * Takes the target's write lock, so that one pvm at a time verifies and
   * writes a process (two patchers would otherwise both see the old bytes
   * and both "apply"); returns the release. Absent: no one else writes.
   */
  readonly lockWrites?: (() => () => void) | undefined;
}

/** `pid 4242 (nginx)`, the way errors name a target. */
export function describeTarget(identity: TargetIdentity): string {
  return identity.pid === undefined ? identity.name : `pid ${identity.pid} (${identity.name})`;
}

/**
 * Whether a mapped file's path is the module `name`: the whole path, a path
 * suffix after a `/`, or the basename — how module("NAME"), --match module=,
 * a policy's module: and --ready module: all name a module.
 */
export function namesModule(path: string, name: string): boolean {
  return path === name || path.endsWith(`/${name}`) || path.slice(path.lastIndexOf('/') + 1) === name;
}
