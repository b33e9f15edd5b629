// How a live process is read for a scan (MemorySource.scanSession): the map
// and VmFlags from one read of smaps, resident pages from pagemap, and chunks
// read into the scan's native memory, where they are searched without a copy. So that a
// scan never makes the target fault pages in, the pages of a file mapping
// that are not in the target's page tables are read from the file itself:
// until the target touches such a page, its bytes are the file's. A file that
// cannot be opened, or is not the one mapped (another inode: replaced on
// disk), is read through the target instead, as before.
import { closeSync, readFileSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { type Libc, loadLibc, type NativeMemory } from '../native/libc.ts';
import { type MapsEntry, parseMaps } from '../native/maps.ts';
import { type AddressRange, Pagemap } from '../native/pagemap.ts';
import { fastestSearch } from '../native/search.ts';
import { openRegularFile } from '../regular-file.ts';
import { parseSmaps } from '../native/smaps.ts';
import { checkLayout, VmChannel } from '../native/vm.ts';
import { isFileMapping, isMappedFile, readFileAsMapped } from './file-mapping.ts';
import { firstEndingAfter, splitByRanges } from './ranges.ts';
import type { ReadBatch, ScanAccess, ScanSession, ScanWorkers } from './target.ts';
import { scanAccess } from './reads.ts';

/** A piece of a chunk: from the target's memory, or from the file behind it. */
interface Segment {
  readonly address: bigint;
  readonly length: number;
  readonly file: { readonly fd: number; readonly offset: bigint } | undefined;
}

/** A scan's view of a live process, with the smaps text it was planned from (a worker thread scans from the same), and how it reads. */
export interface LiveScan extends ScanSession {
  readonly smapsText: string | undefined;
  /** Reads a batch of the scan's chunks (the live process's `readv` for a scan's batch). */
  read(batch: ReadBatch): void;
}

/** A channel of its own to process `pid`, for a worker thread's scans (scan-worker/scan-worker.ts): libc loaded, the scan opened when asked. */
export async function openScanChannel(pid: number): Promise<{ openScan(smapsText: string | undefined): ScanAccess; close(): void }> {
  const libc = await loadLibc();
  const vm = new VmChannel(libc, pid);
  return {
    openScan(smapsText) {
      const scan = openLiveScan(pid, vm, libc, () => parseMaps(readFileSync(`/proc/${pid}/maps`, 'latin1')), smapsText, undefined);
      return scanAccess(scan, (batch) => scan.read(batch));
    },
    close: () => vm.close(),
  };
}

/**
 * `readMaps` reads /proc/PID/maps, for a kernel without smaps (and says why it
 * cannot, if the process is gone). `smapsText`: smaps as read moments ago
 * (read ahead for the run, or by the thread that planned the scan); read here
 * otherwise. `workers`: whether a worker thread may share large scans.
 */
export function openLiveScan(pid: number, vm: VmChannel, libc: Libc, readMaps: () => MapsEntry[], smapsText: string | undefined, workers: ScanWorkers | undefined): LiveScan {
  // One read of smaps gives the map and the VmFlags. Without smaps or pagemap
  // (a kernel without them), scan as if no flag were set and every page held data.
  const text = smapsText ?? attempt(() => readFileSync(`/proc/${pid}/smaps`, 'latin1'));
  const smaps = text === undefined ? undefined : attempt(() => parseSmaps(text));
  const regions = smaps?.entries ?? readMaps();
  const pagemap = attempt(() => new Pagemap(pid, libc.pageSize));
  /** Where the scan's chunks land (see `memory`). */
  let memory: NativeMemory | undefined;
  const nativeAddressOf = (bytes: Uint8Array): number | undefined => (memory !== undefined && bytes.buffer === memory.bytes.buffer ? Number(memory.address) + bytes.byteOffset - memory.bytes.byteOffset : undefined);
  const search = fastestSearch(libc, nativeAddressOf);
  const page = BigInt(libc.pageSize);
  const residentRuns = (start: bigint, end: bigint): AddressRange[] => {
    // A mapping whose every page holds data needs no pagemap read (7-10 ms a resident GiB).
    const entry = regions[firstEndingAfter(regions, start)];
    if (entry !== undefined && entry.start <= start && end <= entry.end && smaps?.held.has(entry.start) === true) return [{ start: (start / page) * page, end: ((end + page - 1n) / page) * page }];
    return pagemap?.residentRuns(start, end) ?? [{ start, end }];
  };

  const files = regions.filter(isFileMapping);
  const resident = new Map<MapsEntry, AddressRange[]>();
  const opened = new Map<string, number | undefined>();
  /** The file behind a mapping, opened once and checked to be the very file mapped; undefined if it cannot be. */
  const fileOf = (entry: MapsEntry): number | undefined => {
    const key = `${entry.device}:${entry.inode}`;
    if (opened.has(key)) return opened.get(key);
    const path = entry.deleted ? `/proc/${pid}/map_files/${entry.start.toString(16)}-${entry.end.toString(16)}` : `/proc/${pid}/root${entry.path}`;
    // A regular file only, opened without blocking: whoever owns the target may put a FIFO at the path it mapped (a bind mount in its own namespace).
    const file = openRegularFile(path);
    const fd = 'fd' in file ? file.fd : undefined;
    const same = fd !== undefined && attempt(() => isMappedFile(fd, entry)) === true;
    if (fd !== undefined && !same) closeSync(fd);
    opened.set(key, same ? fd : undefined);
    return same ? fd : undefined;
  };

  /** A range cut where it passes between the target's memory and untouched pages of a file. */
  const segments = (address: bigint, length: number): Segment[] => {
    const out: Segment[] = [];
    const end = address + BigInt(length);
    const memory = (from: bigint, to: bigint) => {
      const last = out[out.length - 1];
      if (last !== undefined && last.file === undefined && last.address + BigInt(last.length) === from) out[out.length - 1] = { ...last, length: last.length + Number(to - from) };
      else out.push({ address: from, length: Number(to - from), file: undefined });
    };
    let at = address;
    for (let i = firstEndingAfter(files, at); i < files.length; i++) {
      const entry = files[i]!;
      if (entry.start >= end) break;
      const from = entry.start > at ? entry.start : at;
      const to = entry.end < end ? entry.end : end;
      if (from > at) memory(at, from);
      let runs = resident.get(entry);
      if (runs === undefined) resident.set(entry, runs = residentRuns(entry.start, entry.end));
      const fd = fileOf(entry);
      const untouched = (a: bigint, b: bigint): void => {
        if (fd === undefined) memory(a, b); // not the mapped file, or unreadable: through the target after all
        else out.push({ address: a, length: Number(b - a), file: { fd, offset: entry.offset + (a - entry.start) } });
      };
      splitByRanges(runs, from, to, memory, untouched);
      at = to;
    }
    if (at < end) memory(at, end);
    return out;
  };

  const read = ({ ranges, count, offsets, done, memory: into }: ReadBatch): void => {
    checkLayout(ranges, count, offsets, done, into.byteLength);
    const base = nativeAddressOf(into) ?? libc.addressOf(into);
    const view = new DataView(ranges.buffer, ranges.byteOffset, count * 16);
    const pieces = Array.from({ length: count }, (_, r) => segments(view.getBigUint64(r * 16, true), Number(view.getBigUint64(r * 16 + 8, true))));
    // The usual batch, one chunk of the target's memory alone: read as it is.
    if (count === 1 && pieces[0]!.length === 1 && pieces[0]![0]!.file === undefined) {
      vm.readVectors(ranges, 1, offsets, done, base, false);
      return;
    }
    // The pieces back to back where their ranges go: the target's memory read a run between file pieces at a
    // time, each file piece read from the file.
    const flat = pieces.flat();
    const at = new Int32Array(flat.length + 1);
    at[0] = offsets[0]!;
    flat.forEach((piece, i) => (at[i + 1] = at[i]! + piece.length));
    const got = Int32Array.from(flat, (piece) => piece.length);
    const iovecs = new DataView(new ArrayBuffer(flat.length * 16));
    for (let first = 0; first < flat.length;) {
      if (flat[first]!.file !== undefined) {
        const { fd, offset } = flat[first]!.file!;
        // The page holding the end of the file reads as zeros past it; pages past it fault, as in the target.
        got[first] = readFileAsMapped(fd, into.subarray(at[first]!, at[first + 1]!), offset);
        first++;
        continue;
      }
      let end = first;
      while (end < flat.length && flat[end]!.file === undefined) {
        iovecs.setBigUint64(end * 16, flat[end]!.address, true);
        iovecs.setBigUint64(end * 16 + 8, BigInt(flat[end]!.length), true);
        end++;
      }
      vm.readVectors(new Uint8Array(iovecs.buffer, first * 16, (end - first) * 16), end - first, at.subarray(first), got.subarray(first), base, false);
      first = end;
    }
    let next = 0;
    for (let r = 0; r < count; r++) {
      let arrived = 0;
      for (let k = 0; k < pieces[r]!.length; k++, next++) {
        arrived += got[next]!;
        if (got[next]! < flat[next]!.length) {
          next += pieces[r]!.length - k;
          break;
        }
      }
      done[r] = arrived;
    }
  };

  return {
    smapsText: smaps === undefined ? undefined : text,
    regions,
    vmFlags: smaps?.vmFlags ?? new Map(),
    residentRuns,
    everyPageOwn: (start) => smaps?.held.has(start) === true,
    skip: undefined,
    memory: (size) => {
      if (memory === undefined || memory.bytes.length < size) {
        memory?.free();
        memory = libc.alloc(2 ** Math.ceil(Math.log2(Math.max(size, 4096))));
      }
      return memory.bytes;
    },
    search,
    parallel: workers?.use === true ? { pid, smapsText: smaps === undefined ? undefined : text, wait: workers.wait, report: workers.report } : undefined,
    read,
    close: () => {
      pagemap?.close();
      search.close();
      memory?.free();
      memory = undefined;
      for (const fd of opened.values()) if (fd !== undefined) closeSync(fd);
    },
  };
}
