// How many iterations of a loop are read ahead and run together: the
// interpreter's and the JS kernel's window (`windowOf`), and WebAssembly's at
// most (`WINDOW`, less where its memory would not hold a window's reads).
import { LARGE_READ } from './coalesce.ts';

/** Iterations read ahead and run together: enough to fill 1024-iovec calls and merge neighbours (4096 took 20% less GC time but 25% more calls). */
export const WINDOW = 16384;
/** Bytes a window reads ahead at most: a loop reading 1 KiB an iteration reads 16 384 iterations ahead, not 1 GiB. */
const WINDOW_BYTES = 16 << 20;
/**
 * The same for a loop with a large read (LARGE_READ or more): one reading 64 KiB an iteration reads 16 iterations
 * ahead, and one reading more than 512 KiB reads each as it comes. Small, so that the memory its large reads reuse
 * (reused-reads.ts) stays in the core's cache: a recipe reading 1 GiB as 1 MiB values took 1.5× C's time with
 * 16 MiB windows and 1.3× with these (2 MiB, two buffers that fill this machine's L2, gained less: docs/bench.md,
 * "Bulk reads"). Reads that overlap are read once a window: a loop reading one 64 KiB block each iteration reads it
 * every 16th.
 */
const LARGE_WINDOW_BYTES = 1 << 20;

/** The iterations of a window, for a loop whose iterations read ahead `lengths` bytes at their sites. */
export function windowOf(lengths: readonly number[]): number {
  const perIteration = lengths.reduce((sum, length) => sum + length, 0);
  const bytes = lengths.some((length) => length >= LARGE_READ) ? LARGE_WINDOW_BYTES : WINDOW_BYTES;
  return perIteration === 0 ? WINDOW : Math.max(1, Math.min(WINDOW, Math.floor(bytes / perIteration)));
}
