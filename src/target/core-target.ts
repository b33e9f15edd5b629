// A core file as a read-only memory source: pvm's snapshots, gdb's gcore
// files and the kernel's cores. The region table comes from pvm's note when
// there is one (the map exactly as /proc showed it), otherwise from the
// PT_LOAD segments joined with NT_FILE by address. Bytes come from the core;
// where it holds none for a file mapping (the kernel writes p_filesz 0 for
// unmodified file pages, gcore leaves some mappings out) they come from the
// file NT_FILE names, once it is checked to be a regular ELF file with the
// build-id the core records for it (core-files.ts). Bytes that neither holds
// are an error that says which, never silent zeros. Every structure is
// checked before it is used (core-format.ts, and the region table here):
// regions within the address space and not overlapping, notes within the
// file and bounded, so that the work is proportional to the file.
import { closeSync, fstatSync, readSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { hexAddress } from '../bytes.ts';
import { TargetError, UsageError } from '../errors.ts';
import { CoreFormatError, type CoreLayout, NT_PVM_SNAPSHOT, parseCore } from '../native/core-format.ts';
import { type Libc, loadLibc, type NativeMemory } from '../native/libc.ts';
import { bufferSearch, fastestSearch } from '../native/search.ts';
import { openRegularFile } from '../regular-file.ts';
import { CoreFiles } from './core-files.ts';
import { executableBuildId, type HeldBytes, ProvenElves } from './core-elf.ts';
import { readAt } from './file-mapping.ts';
import { auxvValue, type CoreRegion, coreRegions } from './core-regions.ts';
import { decodeSnapshotNote, type SnapshotNote, SnapshotNoteError } from './snapshot-note.ts';
import { firstEndingAfter, joinRanges, splitByRanges } from './ranges.ts';
import { ReadingSource } from './reads.ts';
import { type AddressRange, describeTarget, type FileReader, type ReadBatch, type Region, type ScanSession, type TargetIdentity, type ThreadState } from './target.ts';

/** Where the bytes at an address come from, and for how long that holds. */
type Piece =
  | { readonly kind: 'core'; readonly offset: bigint; readonly length: number }
  | { readonly kind: 'file'; readonly region: CoreRegion; readonly offset: bigint; readonly length: number }
  | { readonly kind: 'fault'; readonly reason: string | undefined }
  /** In a region, but neither the core nor a file holds the bytes. */
  | { readonly kind: 'absent'; readonly region: CoreRegion; readonly length: number };

export class CoreTarget extends ReadingSource {
  readonly identity: TargetIdentity;
  readonly writable = undefined;
  /** pvm's note, for a snapshot. */
  readonly snapshot: SnapshotNote | undefined;
  /** A core without pvm's note names only files: its heap and stacks are nameless memory. */
  get unnamedRegions(): string | undefined {
    return this.snapshot === undefined ? 'this core names no pseudo-regions ([heap], [stack] …): gcore and the kernel record only the files mapped, so pvm cannot know what the rule covers' : undefined;
  }
  readonly path: string;
  readonly layout: CoreLayout;
  readonly #fd: number;
  readonly #regions: readonly CoreRegion[];
  readonly #files: CoreFiles;
  readonly #libc: Libc | undefined;
  /** The core's own bytes (its PT_LOAD data), never a file's. */
  readonly #held: HeldBytes;

  private constructor(path: string, fd: number, layout: CoreLayout, note: SnapshotNote | undefined, libc: Libc | undefined) {
    // Every read copies out of the core: memory the caller reuses gains nothing.
    super({ into: false, ranges: false, vectors: false });
    this.path = path;
    this.#fd = fd;
    this.layout = layout;
    this.snapshot = note;
    this.#libc = libc;
    const held = heldInSegments(layout, (into, offset) => this.#readCore(into, offset));
    this.#held = held;
    const proven = new ProvenElves(note?.regions ?? layout.files, held);
    this.#regions = coreRegions(layout, note, (path, offset) => proven.perms(path, offset));
    checkRegions(this.#regions);
    this.#files = new CoreFiles(proven, (path) => note?.modules.find((m) => m.path === path)?.buildId);
    this.identity = note?.identity ?? this.#identityFromNotes();
  }

  /** Why some of a file's region cannot be read, when the core does not hold all of it and its file cannot be used (missing, another build, no build-id recorded, not a regular file): for `pvm maps`. */
  fileProblem(region: Region): string | undefined {
    const own = regionAt(this.#regions, region.start);
    if (own === undefined || own.file === undefined || own.leftOut !== undefined) return undefined;
    const covered = own.segment === undefined ? 0n : own.segment.filesz;
    if (covered >= own.end - own.start) return undefined;
    const problem = this.#files.problemOf(own);
    return problem === undefined ? undefined : `the core does not hold all of it, and ${problem}`;
  }

  /** The executable's GNU build-id as the core's own bytes prove it (its program headers where AT_PHDR says), or undefined: what a policy's `targets` judge a core by. */
  executableBuildId(): string | undefined {
    return executableBuildId(this.#held, this.layout.auxv, this.#regions);
  }

  /** Opens a core; `snapshot` demands pvm's note (--snapshot). Throws UsageError (exit 2) naming the file and what is wrong. */
  static async open(path: string, { snapshot }: { snapshot: boolean }): Promise<CoreTarget> {
    // A regular file only, opened without blocking: a FIFO given as a core would wait for a writer for ever.
    const opened = openRegularFile(path);
    if ('problem' in opened) {
      if (opened.regular === false) throw new UsageError('bad-core', `${path}: ${opened.problem}`, { hint: 'a core is a file: give the file the kernel, gcore or pvm snapshot wrote' });
      throw new UsageError('core-unreadable', `cannot open ${path}: ${opened.problem}`, { hint: 'check the path of the core or snapshot file' });
    }
    const { fd } = opened;
    try {
      const size = fstatSync(fd).size;
      const layout = parseCore((offset, length) => readAt(fd, offset, length), size);
      let note: SnapshotNote | undefined;
      if (layout.pvm !== undefined) note = decodeSnapshotNote(layout.pvm);
      else if (snapshot) throw new CoreFormatError(`it has no pvm snapshot note (type 0x${NT_PVM_SNAPSHOT.toString(16)}): it is a core file, not a pvm snapshot`);
      const libc = await loadLibc().catch(() => undefined); // only for the fastest search; reading needs none
      return new CoreTarget(path, fd, layout, note, libc);
    } catch (error) {
      closeSync(fd);
      if (error instanceof CoreFormatError || error instanceof SnapshotNoteError) {
        const asCore = snapshot && error instanceof CoreFormatError && error.message.includes('not a pvm snapshot');
        throw new UsageError('bad-core', `${path}: ${error.message}`, {
          hint: asCore ? `read it with --core ${path}` : "pvm reads 64-bit x86-64 ELF core files: pvm snapshots, gcore files and the kernel's cores",
          cause: error,
        });
      }
      throw error;
    }
  }

  regions(): readonly Region[] {
    return this.#regions;
  }

  threads(): readonly ThreadState[] {
    const pid = this.identity.pid;
    return [...this.layout.threads]
      .sort((a, b) => (a.tid === pid ? -1 : b.tid === pid ? 1 : a.tid - b.tid))
      .map((thread) => ({ tid: thread.tid, registers: this.snapshot?.threadsWithoutRegisters.includes(thread.tid) ? undefined : thread.registers }));
  }

  readv({ ranges, count, offsets, done, memory, stops }: ReadBatch): void {
    const view = new DataView(ranges.buffer, ranges.byteOffset, count * 16);
    for (let r = 0; r < count; r++) {
      const length = done[r]!;
      const copied = this.#copy(view.getBigUint64(r * 16, true), length, memory, offsets[r]!);
      if (copied.done === length) continue;
      done[r] = copied.done;
      if (stops !== undefined) stops[r] = { reason: copied.reason };
    }
  }

  /** Nothing in a core blocks. */
  blocked(): readonly AddressRange[] {
    return [];
  }

  moduleFile(path: string): FileReader {
    return this.#files.reader(path, describeTarget(this.identity));
  }

  scanSession(): ScanSession {
    const libc = this.#libc;
    let scratch: NativeMemory | undefined;
    let heap: Uint8Array | undefined;
    const search = libc === undefined
      ? { ...bufferSearch, close() {} }
      : fastestSearch(libc, (bytes) => (scratch !== undefined && bytes.buffer === scratch.bytes.buffer ? Number(scratch.address) + bytes.byteOffset - scratch.bytes.byteOffset : undefined));
    const bufferFor = (size: number): Uint8Array => {
      if (libc === undefined) return heap !== undefined && heap.length >= size ? heap : (heap = new Uint8Array(size));
      if (scratch === undefined || scratch.bytes.length < size) {
        scratch?.free();
        scratch = libc.alloc(2 ** Math.ceil(Math.log2(Math.max(size, 4096))));
      }
      return scratch.bytes;
    };
    const vmFlags = new Map<bigint, readonly string[]>();
    for (const region of this.#regions) if (region.vmFlags.length > 0) vmFlags.set(region.start, region.vmFlags);
    // A file's region runs on past the end of its file only as far as the file goes: the rest is left out, saying why, so a scan's work is the file's size, not the region's.
    const pastEnd = new Set<CoreRegion>();
    const regions = this.#regions.flatMap((region) => {
      const tail = this.#files.problemOf(region) === undefined ? this.#pastFile(region) : undefined;
      if (tail === undefined || tail.start === region.start) return [region];
      const rest: CoreRegion = { ...region, start: tail.start, offset: region.offset + (tail.start - region.start) };
      pastEnd.add(rest);
      return [{ ...region, end: tail.start }, rest];
    });
    return {
      regions,
      vmFlags,
      residentRuns: (start, end) => this.#heldRuns(start, end),
      memory: bufferFor,
      skip: (region) => (pastEnd.has(region as CoreRegion) ? `past the end of ${(region as CoreRegion).file}, the file mapped there: reads fault there, as in the process` : this.#skip(region as CoreRegion)),
      search,
      parallel: undefined,
      close: () => {
        search.close();
        scratch?.free();
      },
    };
  }

  close(): void {
    this.#files.close();
    closeSync(this.#fd);
  }

  /** Copies [address, address+length) into `into` at `at`: the bytes copied before the first fault, and why it stopped when the core knows. */
  #copy(address: bigint, length: number, into: Uint8Array, at: number): { done: number; reason: string | undefined } {
    let done = 0;
    while (done < length) {
      const here = address + BigInt(done);
      const piece = this.#pieceAt(here, length - done);
      if (piece.kind === 'fault') return { done, reason: piece.reason };
      if (piece.kind === 'absent') return { done, reason: this.#absent(piece.region) };
      const target = into.subarray(at + done, at + done + piece.length);
      if (piece.kind === 'core') this.#readCore(target, piece.offset);
      else {
        const { filled, problem } = this.#files.read(piece.region, target, piece.offset);
        if (filled < piece.length) return { done: done + filled, reason: problem }; // past the end of the file, as live, or no file to trust
      }
      done += piece.length;
    }
    return { done, reason: undefined };
  }

  /** Why a scan leaves a region out: left out of the snapshot, or neither the core nor a trusted file holds its bytes. */
  #skip(region: CoreRegion): string | undefined {
    if (region.leftOut !== undefined) return `left out of the ${this.snapshot === undefined ? 'core' : 'snapshot'}: ${region.leftOut}`;
    const covered = region.segment === undefined ? 0n : region.segment.filesz;
    if (region.file === undefined) return covered === 0n ? this.#absent(region) : undefined;
    if (covered >= region.end - region.start) return undefined;
    const problem = this.#files.problemOf(region);
    return problem === undefined ? undefined : `the core does not hold all of it, and ${problem}`;
  }

  #readCore(into: Uint8Array, offset: bigint): void {
    let got = 0;
    while (got < into.length) {
      const n = readSync(this.#fd, into, got, into.length - got, Number(offset) + got);
      if (n <= 0) throw new TargetError('core-truncated', `${this.path} ends before offset ${Number(offset) + got}: the core is truncated`, { hint: 'copy the whole core file again' });
      got += n;
    }
  }

  #pieceAt(address: bigint, wanted: number): Piece {
    const region = regionAt(this.#regions, address);
    if (region === undefined) return { kind: 'fault', reason: undefined };
    if (region.leftOut !== undefined) return { kind: 'fault', reason: `left out of the ${this.snapshot === undefined ? 'core' : 'snapshot'} (${region.leftOut})` };
    const upTo = (limit: bigint) => Math.min(wanted, Number(limit - address));
    let end = region.end;
    for (const range of region.missing) {
      if (range.start <= address && address < range.end) return { kind: 'fault', reason: 'it could not be read when the snapshot was taken (unmapped or changed during the capture)' };
      if (range.start > address && range.start < end) end = range.start;
    }
    const segment = region.segment;
    if (segment !== undefined && address >= segment.vaddr && address < segment.vaddr + segment.filesz) {
      const heldEnd = segment.vaddr + segment.filesz;
      return { kind: 'core', offset: segment.fileOffset + (address - segment.vaddr), length: upTo(heldEnd < end ? heldEnd : end) };
    }
    if (region.file !== undefined) return { kind: 'file', region, offset: region.offset + (address - region.start), length: upTo(end) };
    return { kind: 'absent', region, length: upTo(end) };
  }

  /** The runs of [start, end) that hold data: all but a snapshot's untouched and missing pages, and what no source holds. */
  #heldRuns(start: bigint, end: bigint): AddressRange[] {
    const runs: AddressRange[] = [];
    for (let i = firstEndingAfter(this.#regions, start); i < this.#regions.length; i++) {
      const region = this.#regions[i]!;
      if (region.start >= end) break;
      const from = region.start > start ? region.start : start;
      const to = region.end < end ? region.end : end;
      const gaps = [...region.untouched, ...region.missing, ...region.absent].sort((a, b) => (a.start < b.start ? -1 : 1));
      splitByRanges(gaps, from, to, () => {}, (a, b) => runs.push({ start: a, end: b }));
    }
    return joinRanges(runs);
  }

  /** What of a file's region neither the core nor the file holds: past the end of the file (a read faults there). */
  #pastFile(region: CoreRegion): AddressRange | undefined {
    if (region.file === undefined || region.leftOut !== undefined || region.missing.length > 0 || region.untouched.length > 0) return undefined;
    const inCore = region.segment === undefined || region.segment.vaddr !== region.start ? region.start : region.segment.vaddr + region.segment.filesz;
    if (inCore >= region.end) return undefined;
    const inFile = region.start + this.#files.extent(region);
    const from = inCore > inFile ? inCore : inFile;
    return from < region.end ? { start: from, end: region.end } : undefined;
  }

  #absent(region: CoreRegion): string {
    return `the core holds no bytes of ${hexAddress(region.start)}-${hexAddress(region.end)} (${region.perms}${region.path === '' ? '' : ` ${region.path}`}) and no file is mapped there to take them from`;
  }

  /** A core without pvm's note: the pid, name and arguments from NT_PRPSINFO, the executable from the auxiliary vector. */
  #identityFromNotes(): TargetIdentity {
    const info = this.layout.process;
    const execFn = this.#execFn();
    return {
      kind: 'core',
      pid: info?.pid ?? this.layout.threads[0]?.tid,
      name: info?.name ?? this.path,
      exe: execFn,
      cmdline: info === undefined || info.args === '' ? [] : info.args.trimEnd().split(' '),
      startTime: undefined,
    };
  }

  /** AT_EXECFN (31): the address of the executable's path, as the process was started. */
  #execFn(): string | undefined {
    const address = auxvValue(this.layout.auxv, 31n);
    if (address === undefined) return undefined;
    const result = attempt(() => this.read([{ address, length: 4096 }])[0]);
    const text = result?.bytes.subarray(0, result.done);
    const nul = text?.indexOf(0) ?? -1;
    return text !== undefined && nul > 0 ? new TextDecoder().decode(text.subarray(0, nul)) : undefined;
  }
}

/** The region holding `address`, if any. */
function regionAt(regions: readonly CoreRegion[], address: bigint): CoreRegion | undefined {
  const region = regions[firstEndingAfter(regions, address)];
  return region !== undefined && region.start <= address ? region : undefined;
}

/** The core's own bytes at an address, from the PT_LOAD that holds all of them, or undefined: for what the core proves, before its region table exists. */
function heldInSegments(layout: CoreLayout, readCore: (into: Uint8Array, offset: bigint) => void): HeldBytes {
  const segments = layout.segments.filter((s) => s.filesz > 0n).sort((a, b) => (a.vaddr < b.vaddr ? -1 : a.vaddr > b.vaddr ? 1 : 0));
  return (address, length) => {
    let low = 0;
    let high = segments.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (segments[middle]!.vaddr + segments[middle]!.filesz <= address) low = middle + 1;
      else high = middle;
    }
    const segment = segments[low];
    if (segment === undefined || segment.vaddr > address || address + BigInt(length) > segment.vaddr + segment.filesz) return undefined;
    const bytes = new Uint8Array(length);
    readCore(bytes, segment.fileOffset + (address - segment.vaddr));
    return bytes;
  };
}

/** A region table pvm can trust: each region within the address space, in order, none overlapping another (a forged NT_FILE or snapshot note could claim otherwise). */
function checkRegions(regions: readonly CoreRegion[]): void {
  for (let i = 0; i < regions.length; i++) {
    const region = regions[i]!;
    if (region.end <= region.start || region.end > 1n << 64n) throw new CoreFormatError(`corrupt: the region ${hexAddress(region.start)}-${hexAddress(region.end)} is empty, reversed or past the top of the address space`);
    const before = regions[i - 1];
    if (before !== undefined && before.end > region.start) {
      throw new CoreFormatError(
        `corrupt: the regions ${hexAddress(before.start)}-${hexAddress(before.end)} (${before.path || 'anonymous'}) and ${hexAddress(region.start)}-${hexAddress(region.end)} (${region.path || 'anonymous'}) overlap, or are out of order`,
      );
    }
  }
}
