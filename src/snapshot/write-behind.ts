// Writing a snapshot's bytes to its file while the next bytes are read from
// the process: the writes run on threads of the runtime's (node:fs's
// asynchronous `write` on Node and Bun; on Deno, whose `write` runs on the
// main thread, pwrite through its nonblocking FFI), so that reading and
// writing overlap on two cores.
//
// No write is larger than WRITE_BYTES. The kernel gives a buffered write
// page-cache folios about as large as the write (up to 2 MiB). On the bench
// machine (a VM), after 2 s idle, 16 MiB writes went at 0.4 GB/s and 256 KiB
// ones at 3.4 GB/s, the time spent copying into the new folios: large free
// blocks are what a VM hands back to its host (free page reporting, 2 s
// after they are freed), whose first touch faults in the host. 1 MiB writes
// went at 1.8-2.2 GB/s then, and as fast as smaller ones into memory just
// freed: half the calls of 512 KiB ones, which Deno makes ~50 us each on
// its main thread (11% less wall time on Deno, the same on Node).
import { write, writeSync } from 'node:fs';
import { type Libc, loadLibc } from '../native/libc.ts';

/** Bytes per write(2). */
export const WRITE_BYTES = 1 << 20;

/**
 * Writes `bytes[0, length)` at `position` of the file in the background.
 * The bytes must stay as they are until the promise settles; it rejects with
 * the first error (ENOSPC, EIO), once every write started has ended.
 */
export type WriteBehind = (bytes: Uint8Array, length: number, position: number) => Promise<void>;

/** Background writes to `fd`; `bytes` given to it must be native memory (libc.ts `alloc`) on Deno. */
export async function writeBehind(fd: number): Promise<WriteBehind> {
  const libc = await loadLibc().catch(() => undefined);
  const one = libc?.pwriteInBackground !== undefined ? pwriteOf(fd, libc) : writeOf(fd);
  return (bytes, length, position) => {
    const parts: Promise<void>[] = [];
    for (let at = 0; at < length; at += WRITE_BYTES) parts.push(one(bytes.subarray(at, Math.min(length, at + WRITE_BYTES)), position + at));
    return Promise.allSettled(parts).then((settled) => {
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    });
  };
}

type WriteOne = (bytes: Uint8Array, position: number) => Promise<void>;

/** node:fs's `write`, continued where the kernel wrote less than asked. */
function writeOf(fd: number): WriteOne {
  return (bytes, position) =>
    new Promise((resolve, reject) => {
      const next = (from: number) =>
        write(fd, bytes, from, bytes.length - from, position + from, (error, written) => {
          if (error !== null) reject(error);
          else if (written === 0) reject(new Error(`write(2) at offset ${position + from} wrote nothing`));
          else if (from + written < bytes.length) next(from + written);
          else resolve();
        });
      next(0);
    });
}

/** Deno's: pwrite on another thread; where it fails, the rest is written here, which throws the error (errno stays on that thread). */
function pwriteOf(fd: number, libc: Libc): WriteOne {
  return async (bytes, position) => {
    const address = libc.addressOf(bytes);
    let from = 0;
    while (from < bytes.length) {
      const written = await libc.pwriteInBackground!(fd, address + from, bytes.length - from, position + from);
      if (written <= 0) break;
      from += written;
    }
    while (from < bytes.length) {
      const written = writeSync(fd, bytes, from, bytes.length - from, position + from);
      if (written === 0) throw new Error(`write(2) at offset ${position + from} wrote nothing`);
      from += written;
    }
  };
}
