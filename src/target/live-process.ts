// A running process, read with process_vm_readv (batched) and, where that
// cannot go, /proc/PID/mem. Errors name the pid and process and say why.
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { openRegularFile } from '../regular-file.ts';
import { fileKey, isMappedFile, isMappedPath, readAt } from './file-mapping.ts';
import { sleepSync } from '../sleep.ts';
import { attempt } from '../attempt.ts';
import { DeniedError, TargetError } from '../errors.ts';
import { Errno, NativeError } from '../native/errno.ts';
import { type Libc, loadLibc, O_CLOEXEC, O_RDONLY } from '../native/libc.ts';
import type { CoreProcessInfo } from '../native/core-format.ts';
import { type MapsEntry, parseMaps, undoFalseDeletions } from '../native/maps.ts';
import { mapsLinesOf, parseSmaps, type SmapsText } from '../native/smaps.ts';
import { freezeProcess, type Frozen } from '../native/freeze.ts';
import { ProcMem } from '../native/proc-mem.ts';
import { parseStatus, type ProcessStatus } from '../native/status.ts';
import { VmChannel } from '../native/vm.ts';
import { explainRefusal } from './access.ts';
import { type LiveScan, openLiveScan } from './live-scan.ts';
import { ReadingSource } from './reads.ts';
import { firstUncovered } from './ranges.ts';
import { describeTarget, type FileReader, type ReadBatch, type Region, type ScanSession, type TargetIdentity, type ThreadState, type WritableTarget, type WriteRequest, type WriteResult } from './target.ts';

/** How long ago the read of smaps read ahead may have begun to plan the run's first scan (openScan): ~12 ms of kernel time a resident GiB saved. */
const SMAPS_AHEAD_MS = 250;

export class LiveProcess extends ReadingSource implements WritableTarget {
  readonly identity: TargetIdentity;
  readonly #vm: VmChannel;
  readonly #libc: Libc;
  /** /proc/PID/mem, opened for writing on the first forced write. */
  #procMem: ProcMem | undefined;
  /** /proc/PID/mem for a run's first few reads (see `read`): the writable one if open, else opened read-only. */
  #readMem: ProcMem | undefined;
  /** Reads made through #readMem, counted in `calls`. */
  #memReads = 0;
  /** The threads and their registers, taken on first use: a run sees one moment. */
  #threads: readonly ThreadState[] | undefined;
  /** Ranges registered with userfaultfd, read from smaps at the first access (see #blocking). */
  #userfaultRanges: readonly { start: bigint; end: bigint }[] | undefined;
  /** smaps as read ahead for the run (open's `smaps`): the map of the run's first scan, if that begins soon after (see openScan). */
  #smapsAhead: SmapsText | undefined;
  /** The scans opened, by their sessions: a scan's batch is read as its scan reads. */
  readonly #scans = new WeakMap<ScanSession, LiveScan>();
  /** Module files opened for symbols, by path: checked once, read on demand. */
  readonly #moduleFiles = new Map<string, number>();
  /** The maps text last parsed, and its entries (see #parsedMaps). */
  #mapsText: string | undefined;
  #mapsEntries: MapsEntry[] = [];

  private constructor(identity: TargetIdentity, vm: VmChannel, libc: Libc) {
    super({ into: true, ranges: true, vectors: true });
    this.identity = identity;
    this.#vm = vm;
    this.#libc = libc;
  }

  /**
   * Opens pid for reading; throws TargetError (exit 4) or DeniedError (exit 3) with the reason.
   * `smaps`: its text being read (readSmapsAhead) for a run that will read in batches (a loop's reads, a narrowing),
   * which need it (see #blocking), or scan (see openScan): read on another thread while pvm loads, not on the way
   * of the first batch or scan.
   */
  static async open(pid: number, options: { readonly smaps?: Promise<SmapsText | undefined> | undefined } = {}): Promise<LiveProcess> {
    const status = readStatus(pid);
    const stat = attempt(() => statFields(readFileSync(`/proc/${pid}/stat`, 'latin1')));
    const identity: TargetIdentity = {
      kind: 'process',
      pid,
      name: status.name,
      exe: attempt(() => readlinkSync(`/proc/${pid}/exe`)),
      cmdline: readCmdline(pid),
      startTime: stat?.[19],
    };
    // PF_KTHREAD in the flags of /proc/PID/stat (field 9): a kernel thread has no user memory to read.
    const flags = Number(stat?.[6] ?? 0);
    if ((flags & 0x00200000) !== 0) {
      throw new TargetError('kernel-thread', `${describeTarget(identity)} is a kernel thread: it has no user memory to read`, { hint: 'choose a user process (`ps -e` shows kernel threads in [brackets])' });
    }
    if (status.state === 'Z') {
      throw new TargetError('target-exited', `${describeTarget(identity)} has exited (it is a zombie waiting for its parent) and has no memory to read`, {
        hint: 'choose a running process',
      });
    }
    let libc;
    try {
      libc = await loadLibc();
    } catch (error) {
      throw new TargetError('native-unavailable', `cannot load the native layer (koffi) to read processes: ${(error as Error).message}`, {
        hint: 'run `npm ci` in the pvm directory; on Deno, allow FFI (`deno task pvm` does)',
      });
    }
    const vm = new VmChannel(libc, pid);
    try {
      vm.probe();
    } catch (error) {
      vm.close();
      throw translate(error, identity);
    }
    const live = new LiveProcess(identity, vm, libc);
    // Unreadable: the first batch tries again, and meets what made it so (see #blocking).
    const ahead = await options.smaps;
    if (ahead !== undefined) {
      live.#userfaultRanges = userfaultRanges(ahead.text);
      live.#smapsAhead = ahead;
    }
    return live;
  }

  /** Whether /proc/PID/maps lists exactly the mappings of this smaps text. */
  #mapsUnchanged(smapsText: string): boolean {
    const now = attempt(() => readFileSync(`/proc/${this.identity.pid}/maps`, 'latin1').split('\n').filter((line) => line !== ''));
    const then = mapsLinesOf(smapsText);
    return now !== undefined && now.length === then.length && now.every((line, i) => line === then[i]);
  }

  regions(): readonly Region[] {
    return this.#maps();
  }

  /** A live process can be written and stopped. */
  get writable(): WritableTarget {
    return this;
  }

  /**
   * An exclusive flock on the process's /proc/PID/mem, held by one pvm at a
   * time for a verify-and-write window. Whoever opens that file through the
   * same /proc mount while a pvm holds it gets the same inode, whatever user
   * it runs as; a reused pid is a new directory, so another lock. Opening it
   * takes ptrace access and read permission on it (its owner, CAP_DAC_OVERRIDE
   * or CAP_DAC_READ_SEARCH), so no one who may not patch the process can hold
   * its lock. Nothing is made on disk, so nothing is left behind (a lock file took
   * ~0.4 ms a process to make and remove on a disk /tmp). A waiter names the
   * holder from /proc/locks.
   */
  lockWrites(): () => void {
    const who = describeTarget(this.identity);
    const path = `/proc/${this.identity.pid}/mem`;
    const unavailable = (error: NativeError, why = error.message, hint = 'retry; if it persists, report it') =>
      new DeniedError('lock-unavailable', `cannot take the write lock of ${who}: ${why}; nothing was written`, { hint, cause: error });
    const fd = this.#libc.open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      const error = new NativeError(`open ${path}`, -fd);
      if (-fd === Errno.EACCES || -fd === Errno.EPERM) {
        throw unavailable(error, `opening ${path} was refused (${error.errnoName})`, "the lock takes what a patch of code takes: run pvm as the target's user or as root (CAP_SYS_PTRACE alone is not enough: add CAP_DAC_OVERRIDE)");
      }
      const meant = translate(error, this.identity); // the process has gone
      throw meant !== error ? meant : unavailable(error);
    }
    const release = () => {
      this.#libc.flock(fd, LOCK_UN);
      this.#libc.close(fd);
    };
    try {
      this.#checkSameProcess(); // opened after the pid was reused: that file is another process's
      const deadline = Date.now() + LOCK_WAIT_MS;
      for (;;) {
        const result = this.#libc.flock(fd, LOCK_EX | LOCK_NB);
        if (result === 0) break;
        if (-result === Errno.EINTR) continue;
        if (-result !== Errno.EAGAIN) throw unavailable(new NativeError('flock', -result));
        if (Date.now() > deadline) {
          const holder = flockHolder(fd);
          throw new TargetError('target-busy', `another pvm${holder === undefined ? '' : ` (pid ${holder})`} is writing to ${who}; nothing was written`, {
            hint: 'retry when it is done: two patchers of one process are taken one at a time',
          });
        }
        sleepSync(5);
      }
      this.#checkSameProcess(); // it may have ended while this pvm waited
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  /** Throws target-exited unless the pid still names the process opened (its start time). */
  #checkSameProcess(): void {
    const now = startTimeOf(attempt(() => readFileSync(`/proc/${this.identity.pid}/stat`, 'latin1')) ?? '');
    if (now !== this.identity.startTime) throw translate(new NativeError('read /proc/PID/stat', Errno.ESRCH), this.identity);
  }

  /** Stops every thread for a moment (as a patch's write window does) to take its registers; once per LiveProcess. */
  threads(): readonly ThreadState[] {
    if (this.#threads === undefined) {
      const frozen = this.freeze();
      frozen.thaw();
      this.#threads = frozen.threads.map(({ tid, registers }) => ({ tid, registers }));
    }
    return this.#threads;
  }

  /**
   * The entries of maps text, parsed once for the same text: a patch reads the
   * maps five or six times (symbols, checks, quick reads), nearly always
   * unchanged, and parsing took more time than reading (~25 µs each).
   */
  #parsedMaps(text: string): MapsEntry[] {
    if (text !== this.#mapsText) {
      this.#mapsEntries = parseMaps(text);
      this.#mapsText = text;
    }
    return this.#mapsEntries;
  }

  #maps(): MapsEntry[] {
    try {
      const root = `/proc/${this.identity.pid}/root`;
      return undoFalseDeletions(this.#parsedMaps(readFileSync(`/proc/${this.identity.pid}/maps`, 'latin1')), (entry, path) => isMappedPath(`${root}${path}`, entry));
    } catch (error) {
      throw translate(error, this.identity);
    }
  }

  /**
   * The one read. Until smaps has been read for the userfaultfd pages
   * (#blocking), a lone range goes through /proc/PID/mem, which fails at once
   * on such a page (it faults without the right to wait) where
   * process_vm_readv would block: smaps walks every resident page of the
   * target (~10 ms per GiB), as much as a whole short recipe takes. Batches
   * keep their process_vm_readv calls, straight into the caller's memory.
   */
  readv(batch: ReadBatch): void {
    try {
      if (batch.scan !== undefined) {
        const scan = this.#scans.get(batch.scan);
        if (scan === undefined) throw new Error('a scan read through a process that did not open it');
        scan.read(batch);
        return;
      }
      if (batch.count === 1 && this.#userfaultRanges === undefined && this.#readThroughMem(batch)) return;
      if (this.#meetsStops(batch)) this.#readThroughStops(batch);
      else this.#vm.readVectors(batch.ranges, batch.count, batch.offsets, batch.done, this.#libc.addressOf(batch.memory));
    } catch (error) {
      throw translate(error, this.identity);
    }
  }

  blocked(): readonly { start: bigint; end: bigint }[] {
    return this.#blocking();
  }

  /** Whether a range of the batch must stop before the kernel is asked (see #stopOf): in one pass over its words, with no object per range. */
  #meetsStops({ ranges, count }: ReadBatch): boolean {
    const view = new DataView(ranges.buffer, ranges.byteOffset, count * 16);
    const blocked = this.#blocking();
    for (let r = 0; r < count; r++) {
      const low = view.getUint32(r * 16, true);
      const high = view.getUint32(r * 16 + 4, true);
      const length = view.getUint32(r * 16 + 8, true);
      // At or past 2^63, or reaching it.
      if (high >= 0x80000000 || (high === 0x7fffffff && low + length > 0xffffffff)) return true;
      if (blocked.length === 0) continue;
      const start = high * 0x100000000 + low;
      for (const range of blocked) if (start < Number(range.end) && Number(range.start) < start + length) return true;
    }
    return false;
  }

  /** Reads each range up to where it meets pages it must not touch (see #stopOf), and says why it stopped there. */
  #readThroughStops({ ranges, count, offsets, done, memory, stops }: ReadBatch): void {
    const view = new DataView(ranges.buffer, ranges.byteOffset, count * 16);
    const one = new Uint8Array(16);
    const oneView = new DataView(one.buffer);
    const base = this.#libc.addressOf(memory);
    for (let r = 0; r < count; r++) {
      const address = view.getBigUint64(r * 16, true);
      const length = Number(view.getBigUint64(r * 16 + 8, true));
      const stop = this.#stopOf(address, length);
      const keep = stop === undefined ? length : stop.at > address ? Number(stop.at - address) : 0;
      oneView.setBigUint64(0, address, true);
      oneView.setBigUint64(8, BigInt(keep), true);
      const got = done.subarray(r, r + 1);
      got[0] = keep;
      if (keep > 0) this.#vm.readVectors(one, 1, offsets.subarray(r, r + 2), got, base);
      if (stop !== undefined && got[0] === keep && stops !== undefined) stops[r] = { reason: stop.reason };
    }
  }

  /**
   * A lone range whole through /proc/PID/mem; false where it does not arrive
   * whole, lies outside readable mappings, or the file cannot be opened:
   * `readv` then takes its usual way, which says why. The kernel forces its way
   * through /proc/PID/mem (it would read a PROT_NONE guard page), so the map is
   * checked first, and only for a run's first QUICK_READS reads: the map read
   * each time costs less than smaps once, but not without end.
   */
  #readThroughMem({ ranges, offsets, memory }: ReadBatch): boolean {
    if (this.#memReads >= QUICK_READS) return false;
    const view = new DataView(ranges.buffer, ranges.byteOffset, 16);
    const address = view.getBigUint64(0, true);
    const length = Number(view.getBigUint64(8, true));
    try {
      if (!readableThroughout(this.#parsedMaps(readFileSync(`/proc/${this.identity.pid}/maps`, 'latin1')), address, length)) return false;
      this.#readMem ??= this.#procMem ?? ProcMem.open(this.#libc, this.identity.pid!, false);
      this.#memReads++;
      const { bytes, fault } = this.#readMem.read(address, length);
      if (fault !== undefined) return false;
      memory.set(bytes, offsets[0]!);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Where a request must stop before the kernel is asked: a range that runs
   * past 2^63 (where no user page can be) or 2^64 is unmapped there, and a
   * page registered with userfaultfd would block the call (see #blocking),
   * unless `userfaultfd` is false (/proc/PID/mem, which faults there at once).
   */
  #stopOf(address: bigint, length: number, userfaultfd = true): { at: bigint; reason: string | undefined } | undefined {
    const end = address + BigInt(length);
    if (address < 0n || address >= USER_LIMIT) return { at: address, reason: undefined };
    const blocked = userfaultfd ? this.#blocking().find((range) => range.start < end && address < range.end) : undefined;
    if (blocked !== undefined) return { at: blocked.start > address ? blocked.start : address, reason: USERFAULTFD_REASON };
    if (end > USER_LIMIT) return { at: USER_LIMIT, reason: undefined };
    return undefined;
  }

  /**
   * Pages registered with userfaultfd (VmFlags um, ui, uw), from smaps at the
   * first access, or as the run began for one that reads in batches (open's
   * `smaps`): the kernel blocks a read or write there until the target's
   * handler serves the fault, which may be never, and pvm would hang.
   * Registrations made after smaps was read are not seen.
   */
  #blocking(): readonly { start: bigint; end: bigint }[] {
    this.#userfaultRanges ??= userfaultRanges(attempt(() => readFileSync(`/proc/${this.identity.pid}/smaps`, 'latin1')));
    return this.#userfaultRanges;
  }

  /** With process_vm_writev; `force`, through /proc/PID/mem (#writeForce). */
  write(requests: readonly WriteRequest[], force = false): WriteResult[] {
    return force ? this.#writeForce(requests) : this.#guardedWrite(requests, (sent) => this.#vm.write(sent));
  }

  /**
   * Writes through /proc/PID/mem, which never waits on a userfaultfd page (it
   * faults at once, EIO: measured), so no smaps is read to stop before one:
   * that read was ~0.25 ms of each process of a fleet's code patch. A write
   * that faults on such a page is told why afterwards.
   */
  #writeForce(requests: readonly WriteRequest[]): WriteResult[] {
    const results = this.#guardedWrite(requests, (sent) => {
      this.#procMem ??= ProcMem.open(this.#libc, this.identity.pid!, true);
      const mem = this.#procMem;
      return sent.map(({ address, bytes }) => mem.write(address, bytes));
    }, false);
    return results.map((result) => {
      const reason = result.fault === undefined || result.fault.reason !== undefined ? undefined : this.#stopOf(result.fault.address, 1)?.reason;
      return reason === undefined ? result : { done: result.done, fault: { address: result.fault!.address, reason } };
    });
  }

  /** Writes what `#stopOf` lets through, and reports a fault where a write was stopped. */
  #guardedWrite(requests: readonly WriteRequest[], io: (sent: readonly WriteRequest[]) => WriteResult[], userfaultfd = true): WriteResult[] {
    return throughStops(
      requests,
      requests.map((w) => this.#stopOf(w.address, w.bytes.length, userfaultfd)),
      (w, keep) => ({ address: w.address, bytes: w.bytes.subarray(0, keep) }),
      (sent) => {
        try {
          return io(sent);
        } catch (error) {
          throw translate(error, this.identity);
        }
      },
      (_, answer, stop): WriteResult => ({ done: answer?.done ?? 0, fault: answer?.fault ?? { address: stop.at, reason: stop.reason } }),
    );
  }

  freeze(): Frozen {
    try {
      return freezeProcess(this.#libc, this.identity.pid!);
    } catch (error) {
      if (error instanceof NativeError && error.errno === Errno.EPERM) {
        const tracer = attempt(() => readStatus(this.identity.pid!).tracerPid) ?? 0;
        // pvm is `pvm …`, or a runtime running its cli/main.js (or .ts): then say so, not "a debugger".
        const args = (attempt(() => readFileSync(`/proc/${tracer}/cmdline`, 'latin1')) ?? '').split('\0');
        const tracerIsPvm = tracer !== 0 && (args[0]?.split('/').pop() === 'pvm' || args.some((arg) => /\/cli\/main\.(js|ts)$/.test(arg)));
        throw new DeniedError(
          'freeze-denied',
          `cannot stop the threads of ${describeTarget(this.identity)}: ${
            tracer !== 0 ? `it is already traced by pid ${tracer} (${tracerIsPvm ? 'another pvm, patching it now' : 'a debugger?'})` : 'ptrace refused (Yama ptrace_scope, or a security module)'
          }`,
          {
            hint: tracer !== 0 ? 'detach the debugger first, or patch without freezing (data pages only)' : 'run pvm as root or with CAP_SYS_PTRACE, or lower /proc/sys/kernel/yama/ptrace_scope',
            cause: error,
          },
        );
      }
      if (error instanceof NativeError && error.errno === Errno.EBUSY) {
        throw new TargetError('freeze-timeout', `cannot stop every thread of ${describeTarget(this.identity)}: ${error.detail ?? error.message}`, {
          hint: 'a thread blocked in the kernel (state D) cannot be stopped; retry when it is not',
          cause: error,
        });
      }
      throw translate(error, this.identity);
    }
  }

  moduleFile(path: string): FileReader {
    let fd = this.#moduleFiles.get(path);
    if (fd === undefined) {
      fd = this.#openModuleFile(path);
      this.#moduleFiles.set(path, fd);
    }
    const opened = fd;
    return {
      read: (offset, length) => readAt(opened, offset, length),
      shareable: {
        key: fileKey(opened),
        // /proc/self/fd/N opens the very file this fd holds (deleted or not), independent of this process's lifetime.
        open: () => {
          const own = openSync(`/proc/self/fd/${opened}`, 'r');
          return { reader: { read: (offset, length) => readAt(own, offset, length) }, close: () => closeSync(own) };
        },
      },
    };
  }

  #openModuleFile(path: string): number {
    // Through /proc/PID/root, so a process in another mount namespace (a container) gets its own file; and only
    // the very file mapped (its device and inode): a file replaced, or covered by a bind mount, is not trusted
    // even without a build-id to compare. Then the mapping itself (/proc/PID/map_files, root only) is tried.
    // A regular file only, opened without blocking: a FIFO or a device mounted over the path is not the file mapped.
    const mapped = this.#maps().find((entry) => entry.path === path && entry.offset === 0n);
    const opened = openRegularFile(`/proc/${this.identity.pid}/root${path}`);
    if ('problem' in opened && (opened.regular !== false || mapped === undefined)) {
      throw new TargetError('module-unreadable', `cannot read ${path}, a file mapped by ${describeTarget(this.identity)}: ${opened.problem}`, {
        hint: 'pvm reads the ELF file of a module to find its symbols; check that the file still exists',
      });
    }
    if ('fd' in opened) {
      if (mapped === undefined || isMappedFile(opened.fd, mapped)) return opened.fd;
      closeSync(opened.fd);
    }
    // A regular file only, as above: a device mapped there is never opened to block or to stir a driver.
    const mapping = mapped === undefined ? undefined : openRegularFile(`/proc/${this.identity.pid}/map_files/${mapped.start.toString(16)}-${mapped.end.toString(16)}`);
    if (mapping !== undefined && 'fd' in mapping) return mapping.fd;
    throw new TargetError('module-replaced', `${path} is not the file ${describeTarget(this.identity)} mapped (another device or inode: replaced since, or covered by a mount)`, {
      hint: 'restart the process to load the current file, or run pvm as root, which reads the mapped file itself',
    });
  }

  scanSession(): ScanSession {
    // The smaps read ahead is the map of the run's first scan if its read began within SMAPS_AHEAD_MS and the
    // mappings are still those it lists (/proc/PID/maps: cheap, no page table walk); otherwise the scan reads its own.
    const ahead = this.#smapsAhead;
    this.#smapsAhead = undefined;
    const fresh = ahead !== undefined && performance.now() - ahead.startedAt <= SMAPS_AHEAD_MS && this.#mapsUnchanged(ahead.text) ? ahead.text : undefined;
    const scan = openLiveScan(this.identity.pid!, this.#vm, this.#libc, () => this.#maps(), fresh);
    this.#scans.set(scan, scan);
    return scan;
  }

  /** What a core's NT_PRPSINFO says of the process (for snapshots). */
  processInfo(): CoreProcessInfo {
    const pid = this.identity.pid!;
    const status = readStatus(pid);
    const fields = attempt(() => statFields(readFileSync(`/proc/${pid}/stat`, 'latin1'))) ?? [];
    return {
      pid,
      ppid: status.ppid,
      pgrp: Number(fields[2] ?? 0),
      sid: Number(fields[3] ?? 0),
      uid: status.uid[0],
      gid: status.gid[0],
      state: status.state,
      name: status.name,
      args: this.identity.cmdline.join(' '),
    };
  }

  /** The ids of the process's threads (/proc/PID/task), main thread first. */
  threadIds(): number[] {
    const pid = this.identity.pid!;
    const tids = (attempt(() => readdirSync(`/proc/${pid}/task`)) ?? []).map(Number).filter((tid) => Number.isSafeInteger(tid) && tid > 0);
    return tids.sort((a, b) => (a === pid ? -1 : b === pid ? 1 : a - b));
  }

  /** /proc/PID/auxv: the auxiliary vector the kernel gave the program (a core's NT_AUXV). */
  auxv(): Uint8Array | undefined {
    return attempt(() => readFileSync(`/proc/${this.identity.pid}/auxv`));
  }

  /** System calls made so far (tests compare it with the plan's batches). */
  get calls(): number {
    return this.#vm.calls + this.#memReads;
  }

  /** Remote iovecs sent so far: a read through /proc/PID/mem counts one. */
  get iovecs(): number {
    return this.#vm.iovecs + this.#memReads;
  }

  close(): void {
    for (const fd of this.#moduleFiles.values()) closeSync(fd);
    this.#moduleFiles.clear();
    this.#vm.close();
    if (this.#readMem !== this.#procMem) this.#readMem?.close();
    this.#readMem = undefined;
    this.#procMem?.close();
    this.#procMem = undefined;
  }
}

const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;
/** How long a patch waits for another pvm writing the same process. */
const LOCK_WAIT_MS = 5000;

/** Above this no user page exists on x86-64 (nor with 5-level paging); /proc/PID/mem refuses offsets beyond it. */
const USER_LIMIT = 1n << 63n;
const USERFAULTFD_REASON = 'the page is registered with userfaultfd (VmFlags um): reading or writing it would block until the target serves the fault, perhaps never';
/** Requests of a run that may go through /proc/PID/mem before smaps has been read (one pread each; see `read`). */
const QUICK_READS = 32;

/**
 * Whether [address, address + length) lies wholly in readable mappings of
 * ordinary memory: anonymous, heap, stack, shared memory or a file. Not a
 * device (a driver may let /proc/PID/mem read registers, where reading has
 * effects, that process_vm_readv refuses) and not the kernel's own pages
 * ([vvar] …) or other pseudo-files (anon_inode: …).
 */
function readableThroughout(map: readonly MapsEntry[], address: bigint, length: number): boolean {
  if (length === 0) return false; // the usual way says what a read of nothing at this address is
  return firstUncovered(map, address, length, (entry) => entry.perms[0] === 'r' && ordinaryMemory(entry.path)) === address + BigInt(length);
}

function ordinaryMemory(path: string): boolean {
  if (path === '' || path === '[heap]' || path === '[stack]' || path.startsWith('/dev/shm/') || path === '/dev/zero') return true;
  // Files, not devices: /dev, and /sys and /proc files that map a device's memory (a PCI BAR), or a DMA buffer.
  return path.startsWith('/') && !['/dev/', '/sys/', '/proc/', '/dmabuf:'].some((prefix) => path.startsWith(prefix));
}

/**
 * Sends requests as far as their stops allow (see LiveProcess.#stopOf): each
 * is cut to the bytes before its stop, one cut to nothing is not sent, and
 * `stopped` answers a cut one from what was sent of it (undefined: nothing).
 * Without stops (the usual case) the requests go as they are.
 */
function throughStops<Q extends { readonly address: bigint }, A>(
  requests: readonly Q[],
  stops: readonly ({ readonly at: bigint; readonly reason: string | undefined } | undefined)[],
  cut: (request: Q, keep: number) => Q,
  io: (sent: readonly Q[]) => A[],
  stopped: (request: Q, answer: A | undefined, stop: { readonly at: bigint; readonly reason: string | undefined }) => A,
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

/** VmFlags of a mapping registered with userfaultfd: missing pages, minor faults, write protection. */
const USERFAULT_FLAGS = ['um', 'ui', 'uw'];

/** The ranges of /proc/PID/smaps registered with userfaultfd; none where smaps could not be read. */
function userfaultRanges(smapsText: string | undefined): readonly { start: bigint; end: bigint }[] {
  const smaps = smapsText === undefined ? undefined : attempt(() => parseSmaps(smapsText));
  if (smaps === undefined) return [];
  return smaps.entries.filter((entry) => USERFAULT_FLAGS.some((flag) => smaps.vmFlags.get(entry.start)?.includes(flag)));
}

function readStatus(pid: number): ProcessStatus {
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw new TargetError('no-such-process', `${pid} is not a process id`, { hint: 'pass a positive pid, e.g. --pid 4242' });
  }
  try {
    return parseStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    throw new TargetError('no-such-process', `no process with pid ${pid}`, { hint: 'check the pid with `ps -e`; the process may have exited' });
  }
}

/** The fields of /proc/PID/stat from field 3 (state) on: after the command name in parentheses, which may hold spaces and parentheses. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks after boot. */
export function startTimeOf(stat: string): string | undefined {
  return statFields(stat)[19];
}

function readCmdline(pid: number): string[] {
  const raw = attempt(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8')) ?? '';
  return raw.split('\0').filter((part, i, all) => part !== '' || i < all.length - 1);
}

/** A NativeError or fs error, as the user-facing error it means for this target. */
function translate(error: unknown, identity: TargetIdentity): unknown {
  const who = describeTarget(identity);
  const errno = error instanceof NativeError ? error.errno : (error as { code?: string }).code === 'ENOENT' ? Errno.ENOENT : undefined;
  // ENOENT: a file of /proc/PID is gone, with its process.
  if (errno === Errno.ESRCH || errno === Errno.ENOENT) {
    return new TargetError('target-exited', `${who} has exited`, { hint: 'the process ended while pvm was reading it; start it again and rerun', cause: error });
  }
  if (errno === Errno.EPERM || errno === Errno.EACCES) {
    const refusal = explainRefusal(gatherAccessFacts(identity.pid ?? 0));
    return new DeniedError('access-denied', refusal.message, { hint: refusal.hint, cause: error });
  }
  return error;
}

function gatherAccessFacts(pid: number) {
  const caller = parseStatus(readFileSync('/proc/self/status', 'utf8'));
  const target = readStatus(pid);
  const memOwner = attempt(() => statSync(`/proc/${pid}/mem`).uid);
  const yama = attempt(() => Number(readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim()));
  return {
    caller,
    target,
    targetDumpable: memOwner === undefined || memOwner === target.uid[1],
    yamaScope: yama,
    targetIsDescendant: isDescendant(pid, caller.pid),
  };
}

function isDescendant(pid: number, ancestor: number): boolean {
  let current = pid;
  for (let depth = 0; depth < 512 && current > 1; depth++) {
    const parent = attempt(() => parseStatus(readFileSync(`/proc/${current}/status`, 'utf8')).ppid);
    if (parent === undefined) return false;
    if (parent === ancestor) return true;
    current = parent;
  }
  return false;
}

/** The pid that holds a flock on open file `fd`, from /proc/locks (`1: FLOCK  ADVISORY  WRITE 3419 00:15:5040459 0 EOF`). */
function flockHolder(fd: number): number | undefined {
  const { dev, ino } = fstatSync(fd);
  // Linux's dev_t: the minor's low 8 bits, then 12 bits of major, then the rest of the minor.
  const major = (dev >> 8) & 0xfff;
  const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
  for (const line of (attempt(() => readFileSync('/proc/locks', 'latin1')) ?? '').split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== 'FLOCK' || fields[3] !== 'WRITE') continue;
    const [maj, min, inode] = (fields[5] ?? '').split(':');
    if (parseInt(maj ?? '', 16) === major && parseInt(min ?? '', 16) === minor && Number(inode) === ino) return Number(fields[4]);
  }
  return undefined;
}
