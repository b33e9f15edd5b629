// Which pages of an address range hold data, from /proc/PID/pagemap: one
// 64-bit entry per page, bit 63 "present in RAM", bit 62 "swapped"
// (Documentation/admin-guide/mm/pagemap.rst). Reading pagemap does not fault
// pages in, while reading a never-touched page through process_vm_readv makes
// the kernel build page tables for it (docs/kernel.md, issue 4: +2 MB per GiB).
import { closeSync, openSync, readSync } from 'node:fs';

export interface AddressRange {
  readonly start: bigint;
  readonly end: bigint;
}

/** Entries read per pread: 512 KiB of pagemap, 256 MiB of address space. */
const ENTRIES_PER_READ = 1 << 16;
/** Bits 62 (swapped) and 63 (present) of an entry, in its high 32-bit word. */
const HOLDS_DATA = 0xc0000000;

/**
 * The runs of pages that hold data among `count` entries (as little-endian
 * 32-bit word pairs) describing pages from `first`, appended to `runs`
 * (joined with the last run when they touch).
 */
export function appendResidentRuns(words: Uint32Array, count: number, first: bigint, pageSize: number, runs: AddressRange[]): void {
  appendRuns(count, first, pageSize, runs, (i) => (words[i * 2 + 1]! & HOLDS_DATA) !== 0);
}

/** The runs of the entries `count` from `first` for which `test` holds, appended to `runs` (joined with the last run when they touch). */
function appendRuns(count: number, first: bigint, pageSize: number, runs: AddressRange[], test: (entry: number) => boolean): void {
  const page = BigInt(pageSize);
  let runStart = -1;
  const close = (end: number) => {
    const start = first + BigInt(runStart) * page;
    const last = runs[runs.length - 1];
    if (last !== undefined && last.end === start) runs[runs.length - 1] = { start: last.start, end: first + BigInt(end) * page };
    else runs.push({ start, end: first + BigInt(end) * page });
    runStart = -1;
  };
  for (let i = 0; i < count; i++) {
    const holds = test(i);
    if (holds && runStart < 0) runStart = i;
    else if (!holds && runStart >= 0) close(i);
  }
  if (runStart >= 0) close(count);
}

/** Bits 0-54 of an entry: the page frame number (zero unless the reader has CAP_SYS_ADMIN). */
function frameOf(words: Uint32Array, i: number): number {
  return words[i * 2]! + (words[i * 2 + 1]! & 0x7fffff) * 0x100000000;
}

/**
 * The runs of pages that map page frame `frame` among `count` entries from
 * `first` (as appendResidentRuns), appended to `runs`: with the kernel's zero
 * page's frame, the pages a process read but never wrote.
 */
export function appendFrameRuns(words: Uint32Array, count: number, first: bigint, pageSize: number, frame: number, runs: AddressRange[]): void {
  // The entry's words when present and mapping `frame`, whatever its other bits (55-62) say.
  const low = frame % 0x100000000;
  const high = (0x80000000 | Math.floor(frame / 0x100000000)) >>> 0;
  appendRuns(count, first, pageSize, runs, (i) => words[i * 2] === low && ((words[i * 2 + 1]! & 0x807fffff) >>> 0) === high);
}

/**
 * The frame of the kernel's zero page, which every never-written page a
 * process has read maps: found by reading a fresh page of pvm's own (`page`,
 * all zeros, at `address`) and looking it up in pvm's pagemap. Undefined
 * without CAP_SYS_ADMIN (the kernel then shows every frame as 0), or when the
 * page is not the zero page after all (memory the allocator recycled or
 * zeroed: a page of pvm's own).
 */
export function zeroPageFrame(page: Uint8Array, address: bigint, pageSize: number): number | undefined {
  if (page.length < pageSize || address % BigInt(pageSize) !== 0n || page.subarray(0, pageSize).some((b) => b !== 0)) return undefined;
  let fd: number;
  try {
    fd = openSync('/proc/self/pagemap', 'r');
  } catch {
    return undefined;
  }
  try {
    const words = new Uint32Array(2);
    if (readSync(fd, new Uint8Array(words.buffer), 0, 8, Number((address / BigInt(pageSize)) * 8n)) !== 8) return undefined;
    const frame = frameOf(words, 0);
    // Present, and neither mapped by this process alone (bit 56, a page of its own) nor a file's (bit 61).
    return (words[1]! & 0x80000000) !== 0 && (words[1]! & 0x21000000) === 0 && frame !== 0 ? frame : undefined;
  } finally {
    closeSync(fd);
  }
}

/** /proc/PID/pagemap, open for the length of a scan. */
export class Pagemap {
  readonly #fd: number;
  readonly #pageSize: number;
  readonly #buffer = new Uint32Array(ENTRIES_PER_READ * 2);

  /** Throws the fs error (ENOENT, EACCES) when the file cannot be opened. */
  constructor(pid: number, pageSize: number) {
    this.#fd = openSync(`/proc/${pid}/pagemap`, 'r');
    this.#pageSize = pageSize;
  }

  /** The runs of pages that are present or swapped among those [start, end) touches (so runs are page-aligned). */
  residentRuns(start: bigint, end: bigint): AddressRange[] {
    const runs: AddressRange[] = [];
    this.#entries(start, end, (words, count, first) => appendResidentRuns(words, count, first, this.#pageSize, runs));
    return runs;
  }

  /** The runs of pages among [start, end) that map page frame `frame` (appendFrameRuns). */
  frameRuns(start: bigint, end: bigint, frame: number): AddressRange[] {
    const runs: AddressRange[] = [];
    this.#entries(start, end, (words, count, first) => appendFrameRuns(words, count, first, this.#pageSize, frame, runs));
    return runs;
  }

  /** The entries of the pages [start, end) touches, a read at a time. */
  #entries(start: bigint, end: bigint, visit: (words: Uint32Array, count: number, first: bigint) => void): void {
    const page = BigInt(this.#pageSize);
    const bytes = new Uint8Array(this.#buffer.buffer);
    const last = ((end + page - 1n) / page) * page;
    for (let first = (start / page) * page; first < last;) {
      const pages = Math.min(ENTRIES_PER_READ, Number((last - first) / page));
      const got = readSync(this.#fd, bytes, 0, pages * 8, Number((first / page) * 8n));
      const entries = Math.floor(got / 8);
      if (entries === 0) break; // past what the kernel reports: nothing there holds data
      visit(this.#buffer, entries, first);
      first += BigInt(entries) * page;
    }
  }

  close(): void {
    closeSync(this.#fd);
  }
}
