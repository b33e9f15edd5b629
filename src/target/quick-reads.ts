// A run's first few lone reads of a live process, through /proc/PID/mem:
// until smaps has been read for the userfaultfd pages (userfault-stops.ts),
// process_vm_readv could block on one, where /proc/PID/mem fails at once (it
// faults without the right to wait); and smaps walks every resident page of
// the target (~10 ms per GiB), as much as a whole short recipe takes.
import type { MapsEntry } from '../native/maps.ts';
import type { ProcMem } from '../native/proc-mem.ts';
import { firstUncovered } from './ranges.ts';
import type { ReadBatch } from './target.ts';

/** Reads of a run that may go through /proc/PID/mem before smaps has been read (one pread each). */
const QUICK_READS = 32;

export class QuickReads {
  readonly #maps: () => MapsEntry[];
  readonly #open: () => ProcMem;
  #mem: ProcMem | undefined;
  /** Reads made, counted in the process's `calls`. */
  count = 0;

  /** `maps`: the map as it is now; `open`: /proc/PID/mem (the one open for writing, if any). */
  constructor(maps: () => MapsEntry[], open: () => ProcMem) {
    this.#maps = maps;
    this.#open = open;
  }

  /**
   * A batch of one range, read whole into its memory; false where it does not
   * arrive whole, lies outside readable mappings, or the file cannot be
   * opened: the caller then takes its usual way, which says why. The kernel
   * forces its way through /proc/PID/mem (it would read a PROT_NONE guard
   * page), so the map is checked first, and only for a run's first
   * QUICK_READS reads: the map read each time costs less than smaps once, but
   * not without end.
   */
  read({ ranges, offsets, memory }: ReadBatch): boolean {
    if (this.count >= QUICK_READS) return false;
    const view = new DataView(ranges.buffer, ranges.byteOffset, 16);
    const address = view.getBigUint64(0, true);
    const length = Number(view.getBigUint64(8, true));
    try {
      if (!readableThroughout(this.#maps(), address, length)) return false;
      this.#mem ??= this.#open();
      this.count++;
      const { bytes, fault } = this.#mem.read(address, length);
      if (fault !== undefined) return false;
      memory.set(bytes, offsets[0]!);
      return true;
    } catch {
      return false;
    }
  }

  /** The file it opened, for the process to close unless it is its own. */
  get mem(): ProcMem | undefined {
    return this.#mem;
  }
}

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
