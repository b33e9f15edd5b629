// A running process, read with process_vm_readv (batched) and, where that
// cannot go, /proc/PID/mem. Errors name the pid and process and say why. A
// façade over its parts: who it is (process-identity.ts), its map
// (live-maps.ts), where reads and writes must stop (userfault-stops.ts), a
// run's first lone reads (quick-reads.ts), writes and thread stops
// (live-writes.ts), its write lock (write-lock.ts), its module files
// (module-files.ts), scans (live-scan.ts) and what /proc says of it
// (process-facts.ts).
import { TargetError } from '../errors.ts';
import type { Frozen } from '../native/freeze.ts';
import { type Libc, loadLibc } from '../native/libc.ts';
import { ProcMem } from '../native/proc-mem.ts';
import type { SmapsText } from './smaps-ahead.ts';
import { VmChannel } from '../native/vm.ts';
import { translate } from './live-errors.ts';
import { LiveMaps } from './live-maps.ts';
import { type LiveScan, openLiveScan } from './live-scan.ts';
import { freezeThreads, LiveWrites } from './live-writes.ts';
import { ModuleFiles } from './module-files.ts';
import { type ProcessFacts, processFacts } from './process-facts.ts';
import { processIdentity } from './process-identity.ts';
import { QuickReads } from './quick-reads.ts';
import { ReadingSource } from './reads.ts';
import type { FileReader, ReadBatch, Region, ScanSession, ScanWorkers, TargetIdentity, ThreadState, WritableTarget, WriteRequest, WriteResult } from './target.ts';
import { UserfaultStops } from './userfault-stops.ts';
import { lockWrites } from './write-lock.ts';

export { startTimeOf } from './process-identity.ts';

/** Unless the opener says otherwise: large scans share their work with a worker thread. */
const SCAN_WORKERS: ScanWorkers = { use: true, wait: false, report: undefined };

/** How long ago the read of smaps read ahead may have begun to plan the run's first scan (scanSession): ~12 ms of kernel time a resident GiB saved. */
const SMAPS_AHEAD_MS = 250;

export class LiveProcess extends ReadingSource implements WritableTarget {
  readonly identity: TargetIdentity;
  /** What /proc says of the process besides its memory (for snapshots). */
  readonly facts: ProcessFacts;
  readonly #vm: VmChannel;
  readonly #libc: Libc;
  readonly #maps: LiveMaps;
  readonly #stops: UserfaultStops;
  readonly #quick: QuickReads;
  readonly #writes: LiveWrites;
  readonly #modules: ModuleFiles;
  /** The threads and their registers, taken on first use: a run sees one moment. */
  #threads: readonly ThreadState[] | undefined;
  /** smaps as read ahead for the run (open's `smaps`): the map of the run's first scan, if that begins soon after (see scanSession). */
  #smapsAhead: SmapsText | undefined;
  /** The scans opened, by their sessions: a scan's batch is read as its scan reads. */
  readonly #scans = new WeakMap<ScanSession, LiveScan>();
  readonly #scanWorkers: ScanWorkers;

  private constructor(identity: TargetIdentity, vm: VmChannel, libc: Libc, scanWorkers: ScanWorkers) {
    super({ into: true, ranges: true, vectors: true });
    this.identity = identity;
    this.#scanWorkers = scanWorkers;
    this.facts = processFacts(identity);
    this.#vm = vm;
    this.#libc = libc;
    this.#maps = new LiveMaps(identity);
    this.#stops = new UserfaultStops(identity.pid!);
    this.#writes = new LiveWrites(identity, vm, libc, this.#stops);
    this.#quick = new QuickReads(() => this.#maps.parsed(), () => this.#writes.mem ?? ProcMem.open(libc, identity.pid!, false));
    this.#modules = new ModuleFiles(identity, () => this.#maps.current());
  }

  /**
   * Opens pid for reading; throws TargetError (exit 4) or DeniedError (exit 3) with the reason.
   * `smaps`: its text being read (readSmapsAhead) for a run that will read in batches (a loop's reads, a narrowing),
   * which need it (userfault-stops.ts), or scan (see scanSession): read on another thread while pvm loads, not on
   * the way of the first batch or scan.
   */
  static async open(pid: number, options: { readonly smaps?: Promise<SmapsText | undefined> | undefined; readonly scanWorkers?: ScanWorkers | undefined } = {}): Promise<LiveProcess> {
    const identity = processIdentity(pid);
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
    const live = new LiveProcess(identity, vm, libc, options.scanWorkers ?? SCAN_WORKERS);
    // Unreadable: the first batch tries again, and meets what made it so.
    const ahead = await options.smaps;
    if (ahead !== undefined) {
      live.#stops.learn(ahead.text);
      live.#smapsAhead = ahead;
    }
    return live;
  }

  regions(): readonly Region[] {
    return this.#maps.current();
  }

  /** A live process can be written and stopped. */
  get writable(): WritableTarget {
    return this;
  }

  /**
   * The one read. Until smaps has been read for the userfaultfd pages, a lone
   * range goes through /proc/PID/mem (quick-reads.ts). Otherwise ranges go to
   * process_vm_readv straight into the caller's memory, stopped short of the
   * pages they must not touch.
   */
  readv(batch: ReadBatch): void {
    try {
      if (batch.scan !== undefined) {
        const scan = this.#scans.get(batch.scan);
        if (scan === undefined) throw new Error('a scan read through a process that did not open it');
        scan.read(batch);
        return;
      }
      if (batch.count === 1 && !this.#stops.known && this.#quick.read(batch)) return;
      if (batch.clear !== true && this.#stops.meets(batch)) this.#readThroughStops(batch);
      else this.#vm.readIntoMemory(batch.ranges, batch.count, batch.offsets, batch.done, batch.memory);
    } catch (error) {
      throw translate(error, this.identity);
    }
  }

  blocked(): readonly { start: bigint; end: bigint }[] {
    return this.#stops.blocking();
  }

  /** Reads each range up to where it must stop, and says why it stopped there. */
  #readThroughStops({ ranges, count, offsets, done, memory, stops }: ReadBatch): void {
    const view = new DataView(ranges.buffer, ranges.byteOffset, count * 16);
    const one = new Uint8Array(16);
    const oneView = new DataView(one.buffer);
    for (let r = 0; r < count; r++) {
      const address = view.getBigUint64(r * 16, true);
      const length = Number(view.getBigUint64(r * 16 + 8, true));
      const stop = this.#stops.stopOf(address, length);
      const keep = stop === undefined ? length : stop.at > address ? Number(stop.at - address) : 0;
      oneView.setBigUint64(0, address, true);
      oneView.setBigUint64(8, BigInt(keep), true);
      const got = done.subarray(r, r + 1);
      got[0] = keep;
      if (keep > 0) this.#vm.readIntoMemory(one, 1, offsets.subarray(r, r + 2), got, memory);
      if (stop !== undefined && got[0] === keep && stops !== undefined) stops[r] = { reason: stop.reason };
    }
  }

  write(requests: readonly WriteRequest[], force = false): WriteResult[] {
    return this.#writes.write(requests, force);
  }

  freeze(): Frozen {
    const frozen = freezeThreads(this.#libc, this.identity);
    const release = this.#maps.hold();
    return {
      ...frozen,
      thaw() {
        release();
        frozen.thaw();
      },
    };
  }

  lockWrites(): () => void {
    return lockWrites(this.#libc, this.identity);
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

  moduleFile(path: string): FileReader {
    return this.#modules.reader(path);
  }

  scanSession(): ScanSession {
    // The smaps read ahead is the map of the run's first scan if its read began within SMAPS_AHEAD_MS and the
    // mappings are still those it lists (/proc/PID/maps: cheap, no page table walk); otherwise the scan reads its own.
    const ahead = this.#smapsAhead;
    this.#smapsAhead = undefined;
    const fresh = ahead !== undefined && performance.now() - ahead.startedAt <= SMAPS_AHEAD_MS && this.#maps.unchangedSince(ahead.text) ? ahead.text : undefined;
    const scan = openLiveScan(this.identity.pid!, this.#vm, this.#libc, () => this.#maps.current(), fresh, this.#scanWorkers);
    this.#scans.set(scan, scan);
    return scan;
  }

  /** System calls made so far (tests compare it with the plan's batches). */
  get calls(): number {
    return this.#vm.calls + this.#quick.count;
  }

  /** Remote iovecs sent so far: a read through /proc/PID/mem counts one. */
  get iovecs(): number {
    return this.#vm.iovecs + this.#quick.count;
  }

  close(): void {
    this.#modules.close();
    this.#vm.close();
    if (this.#quick.mem !== this.#writes.mem) this.#quick.mem?.close();
    this.#writes.close();
  }
}
