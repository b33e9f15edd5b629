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
    const holds = (words[i * 2 + 1]! & HOLDS_DATA) !== 0;
    if (holds && runStart < 0) runStart = i;
    else if (!holds && runStart >= 0) close(i);
  }
  if (runStart >= 0) close(count);
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
    const page = BigInt(this.#pageSize);
    const runs: AddressRange[] = [];
    const bytes = new Uint8Array(this.#buffer.buffer);
    const last = ((end + page - 1n) / page) * page;
    for (let first = (start / page) * page; first < last;) {
      const pages = Math.min(ENTRIES_PER_READ, Number((last - first) / page));
      const got = readSync(this.#fd, bytes, 0, pages * 8, Number((first / page) * 8n));
      const entries = Math.floor(got / 8);
      if (entries === 0) break; // past what the kernel reports: nothing there holds data
      appendResidentRuns(this.#buffer, entries, first, this.#pageSize, runs);
      first += BigInt(entries) * page;
    }
    return runs;
  }

  close(): void {
    closeSync(this.#fd);
  }
}
