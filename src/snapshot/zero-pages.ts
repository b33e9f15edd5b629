// Pages a process has read but never written map the kernel's zero page:
// pagemap shows them present, so they are not untouched, but their bytes are
// zeros, which a hole in the snapshot's sparse file reads as too. A capture
// neither reads nor writes them: the file holds the same bytes, and the note
// says the same. gdb's gcore reads a process through /proc/PID/mem, which
// maps the zero page into every untouched page it reads: a snapshot after it
// would otherwise copy them all. Only with CAP_SYS_ADMIN, without which the
// kernel hides page frames.
import { attempt } from '../attempt.ts';
import { loadLibc } from '../native/libc.ts';
import { type AddressRange, Pagemap, zeroPageFrame } from '../native/pagemap.ts';

/** Bytes of pvm's own memory allocated to find the zero page: above glibc's largest mmap threshold (32 MiB), so pages fresh from the kernel, of which one is read. */
const PROBE_BYTES = 64 << 20;

/** Where process `pid` maps the zero page; undefined where that cannot be known. */
export interface ZeroPages {
  runs(start: bigint, end: bigint): AddressRange[];
  close(): void;
}

export async function openZeroPages(pid: number, pageSize: number): Promise<ZeroPages | undefined> {
  const frame = await zeroFrame(pageSize);
  if (frame === undefined) return undefined;
  const pagemap = attempt(() => new Pagemap(pid, pageSize));
  if (pagemap === undefined) return undefined;
  return { runs: (start, end) => pagemap.frameRuns(start, end, frame), close: () => pagemap.close() };
}

let found: Promise<number | undefined> | undefined;

/** The zero page's frame, found once per pvm. */
function zeroFrame(pageSize: number): Promise<number | undefined> {
  found ??= loadLibc().then((libc) => {
    const probe = libc.alloc(PROBE_BYTES);
    try {
      const offset = pageSize - Number(probe.address % BigInt(pageSize));
      return zeroPageFrame(probe.bytes.subarray(offset, offset + pageSize), probe.address + BigInt(offset), pageSize);
    } finally {
      probe.free();
    }
  }, () => undefined);
  return found;
}
