// `pvm snapshot`: a live process's memory as an ELF core that gdb opens and
// `--snapshot` replays. One PT_LOAD per captured region; NT_PRSTATUS per
// thread (registers taken while the threads are stopped), NT_PRPSINFO,
// NT_AUXV, NT_FILE; and pvm's note (snapshot-note.ts) with the whole map,
// what was left out and why (the scans' skip rules), each module's build-id.
// Regions are read as scans read them (Target.openScan): anonymous pages that
// hold no data are neither read nor written (holes in a sparse file), and a
// file's untouched pages come from the file, so the capture faults nothing
// into the target; pages that map the zero page are holes too (zero-pages.ts).
// Reads into native memory, written to the file from there (no copy) on
// other threads while the next piece is read (write-behind.ts).
import { closeSync, ftruncateSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { count } from '../count.ts';
import { PvmError, UsageError } from '../errors.ts';
import { type CoreThread, layoutCore } from '../native/core-format.ts';
import { moduleBuildIds } from '../target/build-ids.ts';
import type { Frozen } from '../native/freeze.ts';
import { isFileMapping } from '../target/file-mapping.ts';
import { joinRanges, splitByRanges } from '../target/ranges.ts';
import type { ProcessFacts } from '../target/process-facts.ts';
import { isAnonymous, residentOnly, skipReason } from '../target/skip-rules.ts';
import { encodeSnapshotNote, type SnapshotNote, type SnapshotRegion } from '../target/snapshot-note.ts';
import type { AddressRange, ReadRequest, Region, ScanAccess, WritableTarget } from '../target/target.ts';
import { VERSION } from '../version.ts';
import { type WriteBehind, writeBehind } from './write-behind.ts';
import { openZeroPages, type ZeroPages } from './zero-pages.ts';

export interface SnapshotOptions {
  /** Region selectors (`--only`): `[heap]`, `anon`, a module or path, `0xSTART-0xEND`; empty: every region. */
  readonly only: readonly string[];
  /** Stop every thread for the whole capture: one consistent moment. */
  readonly freeze: boolean;
  /** Told how many bytes of how many are captured, after each read. */
  readonly progress?: ((done: number, total: number) => void) | undefined;
}

export interface SnapshotSummary {
  readonly file: string;
  readonly regions: number;
  /** Bytes read from the process (or its files) and written. */
  readonly bytes: number;
  /** Bytes of untouched pages left as holes. */
  readonly holes: number;
  readonly leftOut: readonly { readonly start: bigint; readonly end: bigint; readonly reason: string }[];
  /** Ranges that could not be read during the capture (unmapped meanwhile). */
  readonly missing: readonly AddressRange[];
  readonly threads: number;
  /** Why the registers are not in the snapshot, or undefined. */
  readonly registersMissing: string | undefined;
  readonly frozen: boolean;
  /** A signal stopped the process (SIGSTOP, ^Z) before the capture and after it: it did not run meanwhile, unless continued and stopped again. */
  readonly stoppedBySignal: boolean;
  /** The capture's length, and how long the threads were stopped (registers, or the whole capture with --freeze). */
  readonly micros: number;
  readonly stoppedMicros: number;
}

/** Bytes per read: small enough that the bytes are still in the processor's cache when written (1-4 MiB were fastest; 16 MiB took 1.5x as long). */
const PIECE = 2 << 20;
/** Room kept in the head for what pvm's note learns during the capture (ranges that could not be read). */
const NOTE_RESERVE = 64 << 10;

/** Captures `source` (a live process, behind the policy's guard when there is one) into `output`. */
export async function takeSnapshot(source: WritableTarget, facts: ProcessFacts, output: string, options: SnapshotOptions): Promise<SnapshotSummary> {
  const started = performance.now();
  const takenAt = new Date().toISOString();
  // The output first, as a new private file beside it (cores hold secrets: 0600, as the kernel's), renamed over
  // `output` only once complete: a capture that fails leaves no half-written file and keeps an older one.
  const partial = `${output}.partial-${process.pid}`;
  let fd: number;
  try {
    fd = openSync(partial, 'wx', 0o600);
  } catch (error) {
    throw new UsageError('snapshot-unwritable', `cannot write ${output}: ${(error as Error).message}`, { hint: 'choose a file in a directory you may write' });
  }
  // The file's own failures (a full disk, a file-size limit, an I/O error) are the user's to fix, not pvm's bugs.
  const unwritable = (error: unknown, size?: bigint): never => {
    if (error instanceof PvmError) throw error; // a refusal or a fault of the target, from the reads the writes wait on
    throw new UsageError('snapshot-unwritable', `cannot write ${output}: ${(error as Error).message}${size === undefined ? '' : ` (the snapshot takes ${size} bytes)`}`, {
      hint: 'write it to a disk with room for it, or take less with --only REGION',
    });
  };
  const writing = <T>(step: () => T, size?: bigint): T => {
    try {
      return step();
    } catch (error) {
      return unwritable(error, size);
    }
  };
  let frozen: Frozen | undefined;
  let stoppedAt = 0;
  let stoppedMicros = 0;
  let registersMissing: string | undefined;
  let access: ScanAccess | undefined;
  let zero: ZeroPages | undefined;
  let done = false;
  try {
    // Read before pvm stops the threads itself, which the state would show instead.
    const stoppedBefore = facts.stoppedBySignal();
    // Registers need the threads stopped: for the whole capture with --freeze, else for a moment.
    try {
      stoppedAt = performance.now();
      frozen = source.freeze();
    } catch (error) {
      if (options.freeze || !(error instanceof PvmError)) throw error;
      registersMissing = `the threads could not be stopped: ${error.message}`;
    }
    const info = facts.processInfo();
    const thread = (tid: number, registers: readonly bigint[] | undefined): CoreThread => ({ tid, ppid: info.ppid, pgrp: info.pgrp, sid: info.sid, signal: 0, registers: registers ?? NO_REGISTERS });
    const threads = frozen !== undefined ? frozen.threads.map((t) => thread(t.tid, t.registers)) : facts.threadIds().map((tid) => thread(tid, undefined));
    if (threads.length === 0) threads.push(thread(info.pid, undefined));
    const withoutRegisters = frozen !== undefined ? frozen.threads.filter((t) => t.registers === undefined).map((t) => t.tid) : threads.map((t) => t.tid);
    if (registersMissing === undefined && withoutRegisters.length > 0) {
      registersMissing = frozen?.registersWithheld ?? `the kernel refused the registers of ${count(withoutRegisters.length, 'thread')}`;
    }
    if (frozen !== undefined && !options.freeze) {
      frozen.thaw();
      frozen = undefined;
      stoppedMicros = Math.round((performance.now() - stoppedAt) * 1000);
    }

    // The map after the freeze: with --freeze it is the map of the moment captured.
    const scan = source.openScan();
    access = scan;
    const selected = selector(options.only, scan.regions);
    const plan = scan.regions.map((region) => planRegion(region, scan, selected(region)));
    const captured = plan.filter((p) => p.region.leftOut === undefined);
    // Read as the capture reads (a file's untouched first page from the file), so nothing is faulted in.
    const modules = moduleBuildIds({ read: (requests) => scan.readChunks(requests).map((r) => ({ ...r, bytes: r.bytes.slice() })) }, scan.regions);
    const note = (regions: readonly SnapshotRegion[]): SnapshotNote => ({
      pvmVersion: VERSION,
      takenAt,
      frozen: options.freeze,
      identity: source.identity,
      pageSize: 4096,
      regions,
      modules,
      registersMissing,
      threadsWithoutRegisters: withoutRegisters,
    });
    const auxv = facts.auxv();
    const head = (pvm: Uint8Array) =>
      layoutCore({
        segments: captured.map(({ region }) => ({ vaddr: region.start, memsz: region.end - region.start, filesz: region.end - region.start, flags: flagsOf(region.perms) })),
        threads,
        process: info,
        auxv,
        files: scan.regions.filter(isFileMapping).map((r) => ({ start: r.start, end: r.end, offset: r.offset, path: r.deleted ? `${r.path} (deleted)` : r.path })),
        pageSize: 4096,
        pvm,
      });
    // Room for what the capture learns: at worst one missing range per region, which fits in RANGE_ROOM bytes.
    const reserved = padded(encodeSnapshotNote(note(plan.map((p) => p.region))), NOTE_RESERVE + RANGE_ROOM * plan.length);
    const layout = head(reserved);

    const missing = new Map<SnapshotRegion, AddressRange[]>();
    writing(() => ftruncateSync(fd, Number(layout.size)), layout.size);
    const total = captured.reduce((sum, p) => sum + p.runs.reduce((n, r) => n + Number(r.end - r.start), 0), 0);
    zero = await openZeroPages(info.pid, 4096);
    const { copied, zeros } = withoutZeroPages(captured, zero, scan.everyPageOwn);
    const pieces = copied.flatMap((runs, i) => runs.flatMap((run) => cut(run, PIECE).map((piece) => ({ ...piece, owner: captured[i]!.region, fileOffset: layout.dataOffsets[i]! + (piece.address - captured[i]!.region.start) }))));
    const bytes = zeros + await copyPieces(scan, await writeBehind(fd), pieces, (piece, done) => {
      const list = missing.get(piece.owner) ?? [];
      list.push({ start: piece.address + BigInt(done), end: piece.address + BigInt(piece.length) });
      missing.set(piece.owner, list);
    }, (done) => options.progress?.(zeros + done, total)).catch((error: unknown) => unwritable(error, layout.size));
    // What the capture learned goes into the note, padded to the size reserved for it, so no offset moves.
    const regions = plan.map((p) => ({ ...p.region, missing: joinRanges(missing.get(p.region) ?? []) }));
    let final = encodeSnapshotNote(note(regions));
    if (final.length > reserved.length) final = encodeSnapshotNote(note(regions.map((r) => (r.missing.length > 0 ? { ...r, missing: [{ start: r.start, end: r.end }] } : r))));
    writing(() => writeAll(fd, head(padded(final, reserved.length - final.length)).head, layout.head.length, 0));
    if (frozen !== undefined) {
      frozen.thaw();
      frozen = undefined;
      stoppedMicros = Math.round((performance.now() - stoppedAt) * 1000);
    }
    writing(() => closeSync(fd));
    writing(() => renameSync(partial, output));
    done = true;
    const stoppedBySignal = stoppedBefore && facts.stoppedBySignal();
    return {
      file: output,
      regions: captured.length,
      bytes,
      holes: captured.reduce((sum, p) => sum + p.region.untouched.reduce((n, r) => n + Number(r.end - r.start), 0), 0),
      leftOut: plan.filter((p) => p.region.leftOut !== undefined).map((p) => ({ start: p.region.start, end: p.region.end, reason: p.region.leftOut! })),
      missing: [...missing.values()].flat(),
      threads: threads.length,
      registersMissing,
      frozen: options.freeze,
      stoppedBySignal,
      micros: Math.round((performance.now() - started) * 1000),
      stoppedMicros,
    };
  } finally {
    frozen?.thaw();
    zero?.close();
    access?.close();
    if (!done) {
      attempt(() => closeSync(fd));
      attempt(() => unlinkSync(partial));
    }
  }
}

/** Registers of a thread that could not be stopped: zeros in its note, and its tid in pvm's note, so a replay says they are missing. */
const NO_REGISTERS: readonly bigint[] = new Array<bigint>(27).fill(0n);
/** Bytes one region's range of missing pages takes in pvm's note, at most: `["0x…","0x…"],` with 16-digit addresses. */
const RANGE_ROOM = 48;

/** A region's entry in pvm's note, and the runs of it to read. */
function planRegion(region: Region, access: ScanAccess, selected: boolean): { region: SnapshotRegion; runs: AddressRange[] } {
  const vmFlags = access.vmFlags.get(region.start) ?? [];
  const base = { start: region.start, end: region.end, perms: region.perms, offset: region.offset, path: region.path, deleted: region.deleted, vmFlags, missing: [] };
  const leftOut = skipReason(region, vmFlags) ?? access.skip?.(region) ?? (selected ? undefined : 'not selected by --only');
  if (leftOut !== undefined) return { region: { ...base, leftOut, untouched: [] }, runs: [] };
  const runs = residentOnly(region) ? access.residentRuns(region.start, region.end) : [{ start: region.start, end: region.end }];
  const untouched: AddressRange[] = [];
  splitByRanges(runs, region.start, region.end, () => {}, (start, end) => untouched.push({ start, end }));
  return { region: { ...base, leftOut: undefined, untouched }, runs };
}

/** Which regions `--only` keeps: every one when it is not given. */
function selector(only: readonly string[], regions: readonly Region[]): (region: Region) => boolean {
  if (only.length === 0) return () => true;
  const tests = only.map((spec): (region: Region) => boolean => {
    const range = /^(0x[0-9a-f]+)-(0x[0-9a-f]+)$/i.exec(spec);
    if (range !== null) {
      const [start, end] = [BigInt(range[1]!), BigInt(range[2]!)];
      return (r) => r.start < end && start < r.end;
    }
    if (spec === 'anon') return isAnonymous;
    if (spec.startsWith('[')) return (r) => r.path === spec;
    return (r) => r.path === spec || r.path.endsWith(`/${spec}`);
  });
  for (const [i, spec] of only.entries()) {
    if (!regions.some(tests[i]!)) {
      throw new UsageError('only-matches-nothing', `--only ${spec} matches no region of the process`, {
        hint: 'give a region name ([heap], [stack]), anon, a module (libc.so.6) or a range (0x1000-0x2000); `pvm maps` lists the regions',
      });
    }
  }
  return (region) => tests.some((test) => test(region));
}

function flagsOf(perms: string): number {
  return (perms[0] === 'r' ? 4 : 0) | (perms[1] === 'w' ? 2 : 0) | (perms[2] === 'x' ? 1 : 0);
}

/** The runs to copy of each captured region, without the pages that map the zero page, and the bytes of those. */
function withoutZeroPages(captured: readonly { region: SnapshotRegion; runs: AddressRange[] }[], zero: ZeroPages | undefined, everyPageOwn: ((start: bigint) => boolean) | undefined): { copied: AddressRange[][]; zeros: number } {
  if (zero === undefined) return { copied: captured.map((p) => p.runs), zeros: 0 };
  let zeros = 0;
  const copied = captured.map(({ region, runs }) => {
    // The zero page is mapped only where a read fault finds no page: anonymous memory (a file mapping maps the file's),
    // and not where every page is the process's own (its pagemap not read: 256 MiB of it takes 2-6 ms).
    if (runs.length === 0 || !isAnonymous(region) || everyPageOwn?.(region.start) === true) return runs;
    const zeroRuns = zero.runs(runs[0]!.start, runs[runs.length - 1]!.end);
    if (zeroRuns.length === 0) return runs;
    const out: AddressRange[] = [];
    for (const run of runs) splitByRanges(zeroRuns, run.start, run.end, (start, end) => void (zeros += Number(end - start)), (start, end) => void out.push({ start, end }));
    return out;
  });
  return { copied, zeros };
}

/**
 * Reads each piece into one half of the scan's memory while the other half is
 * written (write-behind.ts): the bytes read, all written once it returns, even
 * when it throws (the memory is freed after). `short`: a piece read only up to
 * `done` (unmapped meanwhile).
 */
async function copyPieces<P extends ReadRequest & { readonly fileOffset: bigint }>(scan: ScanAccess, write: WriteBehind, pieces: readonly P[], short: (piece: P, done: number) => void, progress: (bytes: number) => void): Promise<number> {
  const memory = scan.memory(2 * PIECE);
  const halves = [memory.subarray(0, PIECE), memory.subarray(PIECE, 2 * PIECE)];
  const writing: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
  // Kept, not thrown from the write's promise: the other half's write may still be under way, and a rejection no one
  // waits for yet would be reported as unhandled.
  let failed: { error: unknown } | undefined;
  const settle = (written: Promise<void>) => written.catch((error: unknown) => void (failed ??= { error }));
  let bytes = 0;
  try {
    for (const [i, piece] of pieces.entries()) {
      await writing[i % 2];
      if (failed !== undefined) break;
      const [result] = scan.readChunks([piece], halves[i % 2]);
      if (result!.done > 0) writing[i % 2] = settle(write(result!.bytes, result!.done, Number(piece.fileOffset)));
      bytes += result!.done;
      if (result!.fault !== undefined) short(piece, result!.done);
      progress(bytes);
    }
  } finally {
    await Promise.all(writing);
  }
  if (failed !== undefined) throw failed.error;
  return bytes;
}

/** Splits a range into reads of at most `size` bytes. */
function cut(range: AddressRange, size: number): ReadRequest[] {
  const pieces: ReadRequest[] = [];
  for (let at = range.start; at < range.end; at += BigInt(size)) {
    const left = range.end - at;
    pieces.push({ address: at, length: left < BigInt(size) ? Number(left) : size });
  }
  return pieces;
}

/** JSON followed by `extra` spaces: still the same JSON, and exactly as long as the space kept for it. */
function padded(json: Uint8Array, extra: number): Uint8Array {
  const out = new Uint8Array(json.length + extra).fill(0x20);
  out.set(json);
  return out;
}

function writeAll(fd: number, bytes: Uint8Array, length: number, position: bigint | number): void {
  let written = 0;
  while (written < length) written += writeSync(fd, bytes, written, length - written, Number(position) + written);
}
