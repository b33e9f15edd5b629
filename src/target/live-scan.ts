// How a live process is read for a scan (Target.openScan): the map and
// VmFlags from one read of smaps, resident pages from pagemap, and chunks read into the channel's
// native scratch memory, where they are searched without a copy. So that a
// scan never makes the target fault pages in, the pages of a file mapping
// that are not in the target's page tables are read from the file itself:
// until the target touches such a page, its bytes are the file's. A file that
// cannot be opened, or is not the one mapped (another inode: replaced on
// disk), is read through the target instead, as before.
import { closeSync, readFileSync } from 'node:fs';
import { attempt } from '../attempt.ts';
import { Errno } from '../native/errno.ts';
import type { Libc } from '../native/libc.ts';
import type { MapsEntry } from '../native/maps.ts';
import { type AddressRange, Pagemap } from '../native/pagemap.ts';
import { fastestSearch } from '../native/search.ts';
import { openRegularFile } from '../regular-file.ts';
import { parseSmaps } from '../native/smaps.ts';
import type { VmChannel } from '../native/vm.ts';
import { isFileMapping, isMappedFile, readFileAsMapped } from './file-mapping.ts';
import { firstEndingAfter, splitByRanges } from './ranges.ts';
import type { ReadRequest, ReadResult, ScanAccess } from './target.ts';

/** A piece of a chunk: from the target's memory, or from the file behind it. */
interface Segment {
  readonly address: bigint;
  readonly length: number;
  readonly file: { readonly fd: number; readonly offset: bigint } | undefined;
}

/** A scan's view of a live process, with the smaps text it was planned from (a worker thread scans from the same). */
export interface LiveScanAccess extends ScanAccess {
  readonly smapsText: string | undefined;
}

/**
 * `readMaps` reads /proc/PID/maps, for a kernel without smaps (and says why it
 * cannot, if the process is gone). `smapsText`: smaps as read moments ago
 * (read ahead for the run, or by the thread that planned the scan); read here
 * otherwise.
 */
export function openLiveScan(pid: number, vm: VmChannel, libc: Libc, readMaps: () => MapsEntry[], smapsText?: string): LiveScanAccess {
  // One read of smaps gives the map and the VmFlags. Without smaps or pagemap
  // (a kernel without them), scan as if no flag were set and every page held data.
  const text = smapsText ?? attempt(() => readFileSync(`/proc/${pid}/smaps`, 'latin1'));
  const smaps = text === undefined ? undefined : attempt(() => parseSmaps(text));
  const regions = smaps?.entries ?? readMaps();
  const pagemap = attempt(() => new Pagemap(pid, libc.pageSize));
  const search = fastestSearch(libc, (bytes) => vm.nativeAddressOf(bytes));
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

  /** A request cut where it passes between the target's memory and untouched pages of a file. */
  const segments = (request: ReadRequest): Segment[] => {
    const out: Segment[] = [];
    const end = request.address + BigInt(request.length);
    const memory = (from: bigint, to: bigint) => {
      const last = out[out.length - 1];
      if (last !== undefined && last.file === undefined && last.address + BigInt(last.length) === from) out[out.length - 1] = { ...last, length: last.length + Number(to - from) };
      else out.push({ address: from, length: Number(to - from), file: undefined });
    };
    let at = request.address;
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

  const readChunks = (requests: readonly ReadRequest[]): ReadResult[] => {
    const pieces = requests.map(segments);
    // The usual batch, one chunk of the target's memory alone: its outcome is the chunk's.
    if (pieces.length === 1 && pieces[0]!.length === 1 && pieces[0]![0]!.file === undefined) return vm.readInPlace(requests);
    const flat = pieces.flat();
    const outcomes = vm.readInPlace(flat.map((s) => ({ address: s.address, length: s.length, hole: s.file !== undefined })));
    flat.forEach((segment, i) => {
      if (segment.file === undefined) return;
      // The page holding the end of the file reads as zeros past it; pages past it fault, as in the target.
      const got = readFileAsMapped(segment.file.fd, outcomes[i]!.bytes, segment.file.offset);
      outcomes[i] = { ...outcomes[i]!, done: got, fault: got < segment.length ? { address: segment.address + BigInt(got), errno: Errno.EFAULT } : undefined };
    });
    let next = 0;
    return requests.map((request, r) => {
      const own = outcomes.slice(next, next + pieces[r]!.length);
      next += pieces[r]!.length;
      const first = own[0]!.bytes;
      const bytes = new Uint8Array(first.buffer, first.byteOffset, request.length);
      let done = 0;
      for (const outcome of own) {
        done += outcome.done;
        if (outcome.fault !== undefined) return { bytes, done, fault: outcome.fault };
      }
      return { bytes, done, fault: undefined };
    });
  };

  return {
    smapsText: smaps === undefined ? undefined : text,
    regions,
    vmFlags: smaps?.vmFlags ?? new Map(),
    residentRuns,
    readChunks,
    search,
    close: () => {
      pagemap?.close();
      search.close();
      for (const fd of opened.values()) if (fd !== undefined) closeSync(fd);
    },
  };
}
